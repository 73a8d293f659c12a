import { SeamlessError } from '@seamless/seamless';

/** Where a demo process writes: information on stdout, warnings and errors on stderr. */
export interface ProcessLog {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

/**
 * The log of a demo process, one line per call. The launcher prefixes each process's lines
 * with its name, so the lines do not repeat it.
 *
 * @example
 * ```ts
 * const log = processLog();
 * log.info('publishing 8 symbols');
 * ```
 */
export function processLog(): ProcessLog {
  return {
    info: (line) => {
      process.stdout.write(`${line}\n`);
    },
    warn: (line) => {
      process.stderr.write(`warning: ${line}\n`);
    },
    error: (line) => {
      process.stderr.write(`error: ${line}\n`);
    },
  };
}

/** Set by the launcher: the process then also stops when its stdin ends (the launcher died). */
export const SUPERVISED_ENVIRONMENT = 'SEAMLESS_DEMO_SUPERVISED';

/**
 * Parses the command line with `parse`; prints `usageText` and exits 0 for `--help`, or prints
 * the problem and the usage and exits 2 for a bad option.
 *
 * @example
 * ```ts
 * const options = optionsOrExit(() => parseFeedOptions(process.argv.slice(2), process.env), FEED_USAGE);
 * ```
 */
export function optionsOrExit<T extends { readonly help: boolean }>(parse: () => T, usageText: string): T {
  let options: T;
  try {
    options = parse();
  } catch (error) {
    const message = SeamlessError.isInstance(error) ? error.message : String(error);
    process.stderr.write(`error: ${message}\n\n${usageText}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${usageText}\n`);
    process.exit(0);
  }
  return options;
}

/**
 * Stops the process cleanly on SIGINT, SIGTERM or SIGHUP — and, under the launcher, when the
 * launcher goes away (its end of our stdin closes) — by running `stop` once, then exiting 0.
 * A `stop` that fails or takes longer than `graceMs` exits 1.
 *
 * @example
 * ```ts
 * stopOnSignals(log, async () => {
 *   await bus.close();
 * });
 * ```
 */
export function stopOnSignals(log: ProcessLog, stop: () => Promise<void>, graceMs = 5000): void {
  let stopping = false;
  const shutdown = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`stopping (${reason})`);
    setTimeout(() => {
      log.error(`did not stop within ${graceMs} ms; exiting anyway`);
      process.exit(1);
    }, graceMs).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error(`while stopping: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => {
      shutdown(signal);
    });
  if (process.env[SUPERVISED_ENVIRONMENT] === '1') {
    process.stdin.on('end', () => {
      shutdown('the launcher is gone');
    });
    process.stdin.on('error', () => {
      shutdown('the launcher is gone');
    });
    process.stdin.resume();
  }
}
