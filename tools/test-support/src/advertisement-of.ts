// Structural types only: test-support must not depend on @seamless/transport, whose own tests
// use test-support (turbo and tsc would see a cycle). What this returns is an Advertisement.

/** What a test knows of a publisher: an open publication, or the description of a child's. */
export type AdvertisedPublisher = {
  readonly topic: string;
  readonly publisherId: string;
  /** Default `'reliable'`. */
  readonly policy?: 'reliable' | 'latest';
  readonly maxMessageSize: number;
} & (
  | {
      /** An open publication: its endpoint goes under its kind. */
      readonly kind: string;
      readonly endpoint: unknown;
    }
  | {
      /** Endpoints as a child process reported them. */
      readonly endpoints: TestEndpoints;
    }
);

/** `Advertisement['endpoints']`: one entry per transport kind. */
export type TestEndpoints = Readonly<Record<string, unknown>>;

/** A test advertisement: the shape of `Advertisement` of `@seamless/transport`. */
export interface TestAdvertisement {
  readonly version: 1;
  readonly topic: string;
  readonly publisherId: string;
  readonly policy: 'reliable' | 'latest';
  readonly maxMessageSize: number;
  readonly host: { readonly bootId: string; readonly ipcNamespace: string; readonly netNamespace: string; readonly hostname: string };
  readonly addresses: readonly string[];
  readonly endpoints: TestEndpoints;
}

/** The host a test advertisement names unless told otherwise: no real host's identity. */
export const TEST_HOST = Object.freeze({ bootId: 'b', ipcNamespace: 'i', netNamespace: 'n', hostname: 'h' });

/**
 * The advertisement a resolver would carry for `publisher`, built by hand for transport tests
 * that run without one: version 1, {@link TEST_HOST}, no addresses, then `overrides`.
 */
export function advertisementOf(publisher: AdvertisedPublisher, overrides: Partial<TestAdvertisement> = {}): TestAdvertisement {
  return {
    version: 1,
    topic: publisher.topic,
    publisherId: publisher.publisherId,
    policy: publisher.policy ?? 'reliable',
    maxMessageSize: publisher.maxMessageSize,
    host: TEST_HOST,
    addresses: [],
    endpoints: 'endpoints' in publisher ? publisher.endpoints : { [publisher.kind]: publisher.endpoint },
    ...overrides,
  };
}
