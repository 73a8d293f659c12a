import { describeReadmeExamples } from '@seamless/test-support';

await describeReadmeExamples(import.meta.url);
