import { randomBytes } from 'node:crypto';
import { afterEach } from 'vitest';
import { unlinkSegment } from '../src/os/native.js';

/**
 * A maker of fresh segment names for one test file, each unlinked after the test that made it.
 * Call it once, at the top level of the file.
 */
export function freshSegmentNames(): () => string {
  const names: string[] = [];
  afterEach(() => {
    for (const name of names.splice(0)) unlinkSegment(name);
  });
  return () => {
    const name = `/seamless-test-${randomBytes(6).toString('hex')}`;
    names.push(name);
    return name;
  };
}
