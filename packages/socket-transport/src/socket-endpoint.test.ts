import { describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { parseSocketEndpoint } from './socket-endpoint.js';

function problemOf(value: unknown): string | undefined {
  try {
    parseSocketEndpoint(value);
    return undefined;
  } catch (error) {
    if (!SeamlessError.isInstance(error, 'ERR_ADVERTISEMENT_INVALID')) throw error;
    return error.message;
  }
}

describe('parseSocketEndpoint', () => {
  it('returns a frozen copy holding only the port and tls', () => {
    const parsed = parseSocketEndpoint({ port: 40123, tls: true, extra: 'x' });
    expect(parsed).toEqual({ port: 40123, tls: true });
    expect(Object.isFrozen(parsed)).toBe(true);
  });

  it.each([
    [{ port: 0, tls: false }, 'endpoints.tcp.port must be an integer 1..65535, got 0'],
    [{ port: 70000, tls: false }, 'endpoints.tcp.port must be an integer 1..65535, got 70000'],
    [{ port: 80.5, tls: false }, 'endpoints.tcp.port must be an integer 1..65535, got 80.5'],
    [{ port: '80', tls: false }, 'endpoints.tcp.port must be an integer 1..65535, got "80"'],
    [{ port: 80, tls: 'yes' }, 'endpoints.tcp.tls must be a boolean, got "yes"'],
    [{ port: 80 }, 'endpoints.tcp.tls must be a boolean, got undefined'],
    [[80], 'endpoints.tcp must be an object, got an array'],
  ])('refuses %j', (value, message) => {
    expect(problemOf(value)).toBe(`invalid advertisement: ${message}`);
  });
});
