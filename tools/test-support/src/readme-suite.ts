import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readmeExamples, runReadmeExample } from './readme-examples.js';

/**
 * Registers the tests that run every runnable ```ts block of a package's README against its
 * built package. Call it from `<package>/test/readme.test.ts` with `import.meta.url`.
 */
export async function describeReadmeExamples(testFileUrl: string): Promise<void> {
  const packageDir = fileURLToPath(new URL('..', testFileUrl));
  const examples = await readmeExamples(`${packageDir}README.md`);
  describe('README examples run against the built package', () => {
    it('has examples', () => {
      expect(examples.length).toBeGreaterThan(0);
    });
    it.each(examples.map((example) => [example.line, example] as const))('example at line %i', async (_, example) => {
      const { stdout, stderr } = await runReadmeExample(packageDir, example);
      expect(stderr).toBe('');
      // What the example says it prints is what it prints: every `console.log(…); // text`
      // whose text is exact (no ellipsis) begins a line of the output, compared without quotes
      // and spaces (a comment writes 'alive' or ['p-1'] as code does).
      const printed = stdout.split('\n').map(loose);
      for (const claimed of claimedOutput(example.code)) {
        expect(
          printed.some((line) => line.startsWith(loose(claimed))),
          `the example says it prints "${claimed}"; it printed:\n${stdout}`,
        ).toBe(true);
      }
    });
  });
}

// The exact output an example's comments promise: `console.log(...); // text` lines.
function claimedOutput(code: string): string[] {
  const claims: string[] = [];
  for (const line of code.split('\n')) {
    const match = /^\s*console\.log\(.*\);\s*\/\/\s*(.+?)\s*$/.exec(line);
    const comment = match?.[1];
    // Abbreviated (…) and structured values (printed over several lines by util.inspect) are
    // illustrations, not promises.
    if (comment === undefined || comment.includes('…') || comment.includes('...') || /^[[{]/.test(comment)) continue;
    // The value, before an explanation: "true: all of 127/8", "false (TEST-NET-1), unless it".
    const claim = comment.split(/: | \(|, (?=[a-z])/)[0] ?? '';
    if (claim !== '') claims.push(claim);
  }
  return claims;
}

function loose(text: string): string {
  return text.replace(/['"\s]/g, '');
}
