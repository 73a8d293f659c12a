import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readmeExamples, runReadmeExample } from '@seamless/test-support';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
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
