import { describe, expectTypeOf, it } from 'vitest';
import type { Advertisement } from './advertisement.js';
import type { Message } from './message.js';
import type { Publication } from './publication.js';
import { SeamlessError } from './seamless-error.js';
import type { ErrorCode } from './seamless-error.js';
import type { Transport } from './transport.js';

describe('the transport contract types', () => {
  it('pins the specification version to a literal', () => {
    expectTypeOf<Transport['specificationVersion']>().toEqualTypeOf<'v2'>();
    expectTypeOf<Transport['reach']>().toEqualTypeOf<'host' | 'network'>();
  });

  it('types a transport by its endpoint, and leaves kinds open', () => {
    expectTypeOf<Transport['kind']>().toEqualTypeOf<string>();
    expectTypeOf<Transport<{ port: number }>['parseEndpoint']>().returns.toEqualTypeOf<{ port: number }>();
    expectTypeOf<Publication<{ port: number }>['endpoint']>().toEqualTypeOf<{ port: number }>();
    expectTypeOf<Advertisement['endpoints']>().toEqualTypeOf<Readonly<Record<string, unknown>>>();
  });

  it('types messages and their transport', () => {
    expectTypeOf<Message['transport']>().toEqualTypeOf<string>();
    expectTypeOf<Message['data']>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<Message['seq']>().toEqualTypeOf<number>();
  });

  it('keeps advertisements read-only', () => {
    expectTypeOf<Advertisement['addresses']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<Advertisement['version']>().toEqualTypeOf<1>();
  });

  it('makes loan optional and send synchronous', () => {
    expectTypeOf<Publication['send']>().returns.toEqualTypeOf<boolean>();
    expectTypeOf<Publication['loan']>().toBeNullable();
  });

  it('narrows unknown errors with isInstance', () => {
    const error: unknown = new SeamlessError('ERR_CLOSED', 'closed');
    if (SeamlessError.isInstance(error)) expectTypeOf(error.code).toEqualTypeOf<ErrorCode>();
    // @ts-expect-error -- only known codes are accepted
    SeamlessError.isInstance(error, 'ERR_NOT_A_CODE');
  });
});
