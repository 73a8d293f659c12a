// Where the bus's warnings go, and the rule that each condition is warned about once per
// process.

/** Where warnings go (default: `process.emitWarning`). */
export interface SeamlessLogger {
  warn(message: string): void;
}

/** The default logger: `process.emitWarning` with code `SEAMLESS`. */
export const processLogger: SeamlessLogger = {
  warn: (message) => {
    process.emitWarning(message, { code: 'SEAMLESS' });
  },
};

// Conditions already warned about in this process (by any bus, and by either build of this
// package when both are loaded): a warning says what to fix, once, not once per bus or
// publisher.
const warned: Set<string> = ((globalThis as Record<symbol, Set<string> | undefined>)[Symbol.for('@seamless/seamless:warned')] ??=
  new Set());

/** Warns about `condition` once in this process, however many buses and builds hit it. */
export function warnOncePerProcess(logger: SeamlessLogger, condition: string, message: () => string): void {
  if (warned.has(condition)) return;
  warned.add(condition);
  logger.warn(message());
}
