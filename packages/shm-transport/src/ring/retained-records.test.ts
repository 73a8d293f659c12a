import { expect, it } from 'vitest';
import { RetainedRecords } from './retained-records.js';

it('RetainedRecords tells where the oldest of the last N records starts', () => {
  const one = new RetainedRecords(1, 40);
  expect(one.oldest).toBe(40); // none yet: the tail it was given
  expect([one.add(40), one.add(64), one.add(96)]).toEqual([40, 64, 96]);
  const three = new RetainedRecords(3, 0);
  const oldest = [0, 16, 48, 80, 120, 0xfffffff8, 8].map((position) => three.add(position));
  expect(oldest).toEqual([0, 0, 0, 16, 48, 80, 120]);
  expect(three.oldest).toBe(120);
});
