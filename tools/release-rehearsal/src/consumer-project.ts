import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('../fixtures/consumer/', import.meta.url));

/**
 * Makes an empty project in `directory`, as a user starts one: a package.json, an `.npmrc`
 * that takes the `@seamless` scope from `registryUrl` (everything else from the usual
 * registry), and the user's programs of `fixtures/consumer/`.
 */
export function createConsumerProject(directory: string, registryUrl: string): string {
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    `${directory}/package.json`,
    `${JSON.stringify({ name: 'seamless-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  writeFileSync(`${directory}/.npmrc`, `@seamless:registry=${registryUrl}\n`);
  cpSync(fixtures, directory, { recursive: true });
  return directory;
}
