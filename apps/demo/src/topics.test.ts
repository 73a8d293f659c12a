import { TopicPattern } from '@seamless/seamless';
import { describe, expect, it } from 'vitest';
import { encodeTick } from './codec.js';
import { TOPICS, decodeTickMessage, tickTopic } from './topics.js';

describe('topics', () => {
  it('gives every symbol its own topic, which the ticks pattern matches, and nothing of the algorithm', () => {
    const ticks = TopicPattern.parse(TOPICS.ticks);
    for (const symbol of ['AAPL', 'BRK.B', 'RDS-A', 'X_1']) {
      expect(tickTopic(symbol)).toBe(`md.${symbol}`);
      expect(ticks.matches(tickTopic(symbol)), symbol).toBe(true);
    }
    for (const topic of [TOPICS.orders, TOPICS.fills, TOPICS.stats]) {
      expect(ticks.matches(topic)).toBe(false);
      expect(TopicPattern.parse(TOPICS.algo).matches(topic), topic).toBe(true);
    }
    expect(TopicPattern.parse(TOPICS.algo).matches(tickTopic('AAPL'))).toBe(false);
  });

  it('refuses a symbol that would make an empty level', () => {
    for (const symbol of ['A.', 'A..B', ''])
      expect(() => tickTopic(symbol), symbol).toThrow(expect.objectContaining({ code: 'ERR_TOPIC_INVALID' }) as Error);
  });

  it("decodes a tick only on its own symbol's topic", () => {
    const data = encodeTick({ symbol: 'AAPL', bid: 1, ask: 2, last: 1.5, size: 1, timestamp: 1, sentAt: 1, clockDomain: 1, source: 1 });
    expect(decodeTickMessage({ topic: 'md.AAPL', data }).symbol).toBe('AAPL');
    expect(() => decodeTickMessage({ topic: 'md.MSFT', data })).toThrow(/a tick of AAPL on md.MSFT/);
    expect(() => decodeTickMessage({ topic: 'md.AAPL', data: data.subarray(1) })).toThrow(
      expect.objectContaining({ code: 'ERR_PROTOCOL' }) as Error,
    );
  });
});
