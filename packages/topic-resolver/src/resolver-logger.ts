/**
 * Where resolvers report conditions that degrade them without failing them (no multicast
 * route, no file-change notification). Inject one to route warnings into your own logging;
 * the default is {@link processWarningLogger}.
 *
 * @example
 * ```ts
 * const logger: ResolverLogger = { warn: (message) => log.warn({ component: 'resolver' }, message) };
 * const resolver = new MulticastResolver({ logger });
 * ```
 */
export interface ResolverLogger {
  /** Called at most once per condition and resolver; `message` is a complete sentence. */
  warn(message: string): void;
}

/**
 * The default {@link ResolverLogger}: `process.emitWarning(message, { code: 'SEAMLESS_RESOLVER' })`,
 * so the warning is printed once to stderr (silenced by `--no-warnings`) and reaches
 * `process.on('warning')` listeners.
 *
 * @example
 * ```ts
 * process.on('warning', (warning) => {
 *   if ((warning as { code?: string }).code === 'SEAMLESS_RESOLVER') metrics.increment('resolver.degraded');
 * });
 * const resolver = new MulticastResolver({ logger: processWarningLogger });
 * ```
 */
export const processWarningLogger: ResolverLogger = Object.freeze({
  warn(message: string): void {
    process.emitWarning(message, { code: 'SEAMLESS_RESOLVER' });
  },
});
