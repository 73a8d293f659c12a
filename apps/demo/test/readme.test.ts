// The README stays true to the code: it documents every option of the launcher (which accepts
// every process's options), and the picture it shows exists.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LAUNCH_OPTIONS } from '../src/demo-options.js';
import { TOPICS } from '../src/topics.js';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

describe('README', () => {
  it('documents every option and topic', () => {
    for (const name of Object.keys(LAUNCH_OPTIONS)) expect(readme, name).toContain(`--${name}`);
    for (const topic of Object.values(TOPICS)) expect(readme, topic).toContain(topic);
    expect(readme).toContain('SEAMLESS_DEMO_LOCAL=1');
    expect(readme).toContain('SEAMLESS_DEMO_REGISTRY');
  });

  it('shows a screenshot that exists', () => {
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((match) => match[1] ?? '');
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(existsSync(fileURLToPath(new URL(`../${image}`, import.meta.url))), image).toBe(true);
  });
});
