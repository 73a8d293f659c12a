// Types for the part of @seamless/test-support/payload (plain JavaScript, shared with the
// fixtures that run in bare child processes) that this package's TypeScript tests use.
declare module '@seamless/test-support/payload' {
  /** Undefined when `data` is exactly what the fixture writer sent as `sequence`, else why not. */
  export function checkPayload(data: Uint8Array, sequence: number, maxSize: number, seed: number): string | undefined;
}
