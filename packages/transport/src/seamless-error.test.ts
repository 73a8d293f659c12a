import { describe, expect, it } from 'vitest';
import { ErrorCode, SeamlessError } from './seamless-error.js';

describe('SeamlessError', () => {
  it('carries a stable code, a name, details and the cause', () => {
    const cause = new Error('ENOENT');
    const error = new SeamlessError(ErrorCode.ShmUnavailable, 'no /dev/shm', {
      cause,
      details: { path: '/dev/shm' },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SeamlessError');
    expect(error.code).toBe('ERR_SHM_UNAVAILABLE');
    expect(error.message).toBe('no /dev/shm');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ path: '/dev/shm' });
    expect(error.stack).toContain('seamless-error.test.ts');
  });

  it('has no cause property when none was given', () => {
    expect('cause' in new SeamlessError('ERR_CLOSED', 'closed')).toBe(false);
  });

  it('isInstance recognises copies of the class from another installation', () => {
    // A second copy of the package defines its own class but marks instances the same way.
    const marker = Symbol.for('@seamless/transport.SeamlessError');
    class OtherCopy extends Error {
      readonly code = 'ERR_CLOSED';
      readonly [marker] = true;
    }
    const foreign = new OtherCopy('closed elsewhere');
    expect(foreign instanceof SeamlessError).toBe(false);
    expect(SeamlessError.isInstance(foreign)).toBe(true);
    expect(SeamlessError.isInstance(foreign, 'ERR_CLOSED')).toBe(true);
    expect(SeamlessError.isInstance(foreign, 'ERR_TIMEOUT')).toBe(false);
  });

  it('isInstance refuses look-alikes and non-objects', () => {
    expect(SeamlessError.isInstance(new Error('x'))).toBe(false);
    expect(SeamlessError.isInstance({ code: 'ERR_CLOSED', name: 'SeamlessError' })).toBe(false);
    expect(SeamlessError.isInstance(null)).toBe(false);
    expect(SeamlessError.isInstance('ERR_CLOSED')).toBe(false);
    expect(SeamlessError.isInstance(undefined)).toBe(false);
  });

  it('every code is unique and starts with ERR_', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^ERR_[A-Z_]+$/);
  });
});
