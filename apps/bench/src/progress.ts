/**
 * The progress line of a long run: share done, the step, the last figure and the time left
 * (estimated from the planned durations, corrected by how long the finished steps took). On a
 * terminal it rewrites one line; otherwise it prints one line per step.
 */
export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #plannedSeconds: number;
  readonly #startedAt = performance.now();
  #doneSeconds = 0;
  #lineOpen = false;

  constructor(plannedSeconds: number, stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#plannedSeconds = plannedSeconds;
  }

  /** Reports that a step of `plannedSeconds` finished; `text` describes it. */
  step(plannedSeconds: number, text: string): void {
    this.#doneSeconds += plannedSeconds;
    const share = Math.min(1, this.#doneSeconds / this.#plannedSeconds);
    const elapsed = (performance.now() - this.#startedAt) / 1000;
    const left = share > 0 ? (elapsed / share) * (1 - share) : Number.NaN;
    const line = `[${(share * 100).toFixed(0).padStart(3)}%, ${clock(left)} left] ${text}`;
    if (this.#stream.isTTY) {
      const width = this.#stream.columns;
      this.#stream.write(`\r\u001b[2K${line.slice(0, Math.max(20, width - 1))}`);
      this.#lineOpen = true;
    } else {
      this.#stream.write(`${line}\n`);
    }
  }

  /** Prints a message on its own line (a failure, a note). */
  note(text: string): void {
    this.end();
    this.#stream.write(`${text}\n`);
  }

  /** Ends the rewritten line. */
  end(): void {
    if (this.#lineOpen) this.#stream.write('\n');
    this.#lineOpen = false;
  }
}

/** `m:ss`. */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?:??';
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}
