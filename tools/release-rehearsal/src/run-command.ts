import { spawn } from 'node:child_process';

/** What a finished command printed, and how it ended. */
export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as they arrived. */
  readonly output: string;
  readonly stdout: string;
}

/** Options of {@link runCommand}. */
export interface RunOptions {
  readonly cwd: string;
  /** The whole environment of the command (not merged with this process's). */
  readonly env: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long. Default 5 minutes. */
  readonly timeoutMs?: number;
}

/**
 * Runs a command to its end with its output captured. Rejects only when it cannot be started or
 * runs past the timeout; a non-zero exit is the caller's to judge (see {@link expectSuccess}).
 */
export function runCommand(command: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} ran for more than ${String(options.timeoutMs ?? 300_000)} ms:\n${output}`));
    }, options.timeoutMs ?? 300_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, stdout });
    });
  });
}

/** Throws with the command's output unless it exited with status 0. */
export function expectSuccess(what: string, result: CommandResult): CommandResult {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${String(result.code ?? result.signal)}):\n${result.output}`);
  return result;
}
