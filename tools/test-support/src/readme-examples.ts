import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transform } from 'esbuild';

/** One fenced TypeScript block of a README. */
export interface ReadmeExample {
  /** 1-based line of the opening fence, for test names. */
  readonly line: number;
  readonly code: string;
}

/**
 * The ```ts blocks of a README that are meant to run: every block whose info string is `ts`
 * or `typescript`, except those marked `no-run` (```ts no-run).
 */
export async function readmeExamples(readmePath: string): Promise<ReadmeExample[]> {
  const lines = (await readFile(readmePath, 'utf8')).split('\n');
  const examples: ReadmeExample[] = [];
  let start = -1;
  let body: string[] = [];
  for (const [index, line] of lines.entries()) {
    if (start === -1) {
      const fence = /^```(ts|typescript)\s*(.*)$/.exec(line);
      if (fence !== null && !(fence[2] ?? '').includes('no-run')) {
        start = index;
        body = [];
      }
    } else if (line.startsWith('```')) {
      examples.push({ line: start + 1, code: body.join('\n') });
      start = -1;
    } else {
      body.push(line);
    }
  }
  return examples;
}

/** What running an example printed. */
export interface ExampleRun {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Transpiles an example and runs it with Node as an ES module placed inside `packageDir`, so
 * that it imports the package by its own name (self-reference) and its dependencies from the
 * workspace, exactly as a user's code would after `npm install`. Its `XDG_RUNTIME_DIR` is a
 * temporary directory removed afterwards, so that the default host registry
 * (`$XDG_RUNTIME_DIR/seamless`, else `/dev/shm/seamless-<uid>`) is private to the example and
 * nothing is left behind. Rejects when the example exits non-zero or runs longer than
 * `timeoutMs`.
 */
export async function runReadmeExample(packageDir: string, example: ReadmeExample, timeoutMs = 20_000): Promise<ExampleRun> {
  const { code } = await transform(example.code, { loader: 'ts', format: 'esm', target: 'node20' });
  const directory = join(packageDir, '.readme');
  await mkdir(directory, { recursive: true });
  const file = join(directory, `example-line-${example.line}-${process.pid}.mjs`);
  await writeFile(file, code);
  const runtimeDirectory = await mkdtemp(join(tmpdir(), 'seamless-readme-'));
  try {
    return await new Promise<ExampleRun>((resolve, reject) => {
      const env = { ...process.env, XDG_RUNTIME_DIR: runtimeDirectory };
      execFile(process.execPath, [file], { cwd: packageDir, timeout: timeoutMs, env }, (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`README example at line ${example.line} failed: ${error.message}\n${stdout}\n${stderr}`));
        } else {
          resolve({ stdout, stderr });
        }
      });
    });
  } finally {
    await rm(file, { force: true });
    await rm(runtimeDirectory, { recursive: true, force: true });
  }
}
