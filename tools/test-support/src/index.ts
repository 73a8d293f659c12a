export { readmeExamples, runReadmeExample } from './readme-examples.js';
export type { ExampleRun, ReadmeExample } from './readme-examples.js';
