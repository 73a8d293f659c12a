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
      const { stderr } = await runReadmeExample(packageDir, example);
      expect(stderr).toBe('');
    });
  });
}
