// vitest globalSetup for @att/state-redis: installs Debian's redis-server if missing, starts one on 127.0.0.1 on a
// free port for the whole run and hands its URL to the tests through `provide('redisUrl')`. Tests that stop Redis
// on purpose start their own through the same helper (scripts/redis-server.mjs), never this shared one.
import type { TestProject } from 'vitest/node';
import { startRedis } from '../../../scripts/redis-server.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
