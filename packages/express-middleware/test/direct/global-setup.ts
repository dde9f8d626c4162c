// vitest globalSetup: one Swift (S3 API, checks SigV4 signatures and presigned expiry) for the direct-to-bucket
// tests, started with backend-s3's own test script and handed to the tests as `provide('directSwift')`.
import type { TestProject } from 'vitest/node';
import { type RunningSwift, SWIFT_CREDENTIALS, startSwift } from '../../../backend-s3/test/setup/s3-servers.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    directSwift: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const swift: RunningSwift = await startSwift();
  project.provide('directSwift', { endpoint: swift.endpoint, ...SWIFT_CREDENTIALS });
  return () => swift.stop();
}
