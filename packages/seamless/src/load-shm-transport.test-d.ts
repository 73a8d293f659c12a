import { describe, expectTypeOf, it } from 'vitest';
import type { ShmTransportOptions as Original } from '@seamless/shm-transport';
import type { ShmTransportOptions } from './load-shm-transport.js';

describe("the facade's copy of the shared-memory options", () => {
  it('names exactly the options of @seamless/shm-transport', () => {
    expectTypeOf<Required<ShmTransportOptions>>().toEqualTypeOf<Required<Original>>();
  });
});
