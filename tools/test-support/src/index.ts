export { Child, killChildren } from './child.js';
export type { ChildExit } from './child.js';
export { packageExports } from './package-exports.js';
export type { PackageExports } from './package-exports.js';
export { readmeExamples, runReadmeExample } from './readme-examples.js';
export type { ExampleRun, ReadmeExample } from './readme-examples.js';
export { createTwoHosts, namespaceSkipReason } from './network-namespaces.js';
export type { TwoHosts } from './network-namespaces.js';
export { describeReadmeExamples } from './readme-suite.js';
