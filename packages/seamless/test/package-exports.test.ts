import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { packageExports } from '@seamless/test-support';
import * as source from '../src/index.js';

it('the built package resolves for import and require with the same exports as the source', async () => {
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  const { esm, cjs } = await packageExports('@seamless/seamless', packageDir);
  expect(esm).toEqual(Object.keys(source).sort());
  expect(cjs).toEqual(esm);
});
