/** Runs `call` and returns what it threw, or `undefined` when it returned normally. */
export function errorOf(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}
