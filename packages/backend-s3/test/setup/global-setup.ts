// vitest globalSetup for @att/backend-s3: installs (if missing) and starts the real S3 servers once per run and
// hands their descriptors to the tests through `provide('s3Servers')`. Swift failing to install or start is an
// error, never a silent skip: the default integration server is the point of these tests.
import type { TestProject } from 'vitest/node';
import type { S3TestServer } from '../support/server-types.js';
import { FAUXQS_CREDENTIALS, type RunningServer, SWIFT_CREDENTIALS, startFauxqs, startSwift } from './s3-servers.mjs';

const SWIFT_CAPABILITIES: S3TestServer['capabilities'] = {
  verifiesSignatures: true,
  listsMultipartUploads: true,
  awsChunked: false,
  deleteObjectsNeedsContentMd5: true,
  virtualHosted: true,
  wholeSecondTimestamps: true,
  acceptsServerSideEncryption: false,
  storesObjectHeaders: true,
};
const FAUXQS_CAPABILITIES: S3TestServer['capabilities'] = {
  verifiesSignatures: false,
  listsMultipartUploads: false,
  awsChunked: true,
  deleteObjectsNeedsContentMd5: false,
  virtualHosted: true,
  wholeSecondTimestamps: false,
  acceptsServerSideEncryption: true,
  storesObjectHeaders: false,
};

// Started once per process: a second setup call (watch-mode rerun, two configs sharing this file) reuses them.
let running: Promise<{ servers: S3TestServer[]; stops: RunningServer[] }> | undefined;
let users = 0;

async function startAll(): Promise<{ servers: S3TestServer[]; stops: RunningServer[] }> {
  // Swift and fauxqs start concurrently; if one fails the other is stopped before rethrowing.
  const [swift, fauxqs] = await Promise.allSettled([startSwift(), startFauxqs()]);
  if (swift.status === 'rejected' || fauxqs.status === 'rejected') {
    if (swift.status === 'fulfilled') await swift.value.stop();
    if (fauxqs.status === 'fulfilled') await fauxqs.value.stop();
    const reason = swift.status === 'rejected' ? swift.reason : (fauxqs as PromiseRejectedResult).reason;
    throw new Error(`backend-s3 test servers failed to start: ${reason instanceof Error ? reason.message : reason}`, {
      cause: reason,
    });
  }
  const servers: S3TestServer[] = [
    { name: 'swift', endpoint: swift.value.endpoint, ...SWIFT_CREDENTIALS, capabilities: SWIFT_CAPABILITIES },
    { name: 'fauxqs', endpoint: fauxqs.value.endpoint, ...FAUXQS_CREDENTIALS, capabilities: FAUXQS_CAPABILITIES },
  ];
  return { servers, stops: [swift.value, fauxqs.value] };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  running ??= startAll();
  let started: Awaited<typeof running>;
  try {
    started = await running;
  } catch (err) {
    running = undefined;
    throw err;
  }
  users++;
  project.provide('s3Servers', started.servers);
  return async () => {
    if (--users > 0) return;
    running = undefined;
    await Promise.all(started.stops.map((s) => s.stop()));
  };
}
