import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// atProcessExit runs at a real process's exit: each case is a child Node (the built package).
const packageDir = fileURLToPath(new URL('..', import.meta.url));

function run(ending: string): Promise<{ code: number | null; stdout: string }> {
  const source = `
    import { atProcessExit } from '@seamless/local-addrs';
    const say = (text) => process.stdout.write(text + '\\n');
    atProcessExit(() => say('first registered'));
    const cancel = atProcessExit(() => say('cancelled'));
    atProcessExit(() => { throw new Error('a failing cleanup'); });
    atProcessExit(() => say('last registered'));
    cancel();
    ${ending}
  `;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', source], { cwd: packageDir, timeout: 20_000 }, (error, stdout) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout });
    });
  });
}

describe('atProcessExit', () => {
  it.each([
    ['the event loop empties', '', 0],
    ['process.exit(3) is called', 'process.exit(3);', 3],
    ['an exception is not caught', "setImmediate(() => { throw new Error('boom'); });", 1],
  ])('runs the cleanups newest first when %s, skipping the cancelled, past one that throws', async (_, ending, code) => {
    const result = await run(ending);
    expect(result.code).toBe(code);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(['last registered', 'first registered']);
  });
});
