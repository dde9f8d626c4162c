/**
 * One writer per upload. A PATCH (or a HEAD that finishes a completed upload) holds the upload's lease for as long
 * as it runs, renewing it; a second request meanwhile is refused with 423, which tus clients retry after a delay.
 * Refusing the newcomer (rather than cancelling the holder, as @tus/server does) keeps the rule simple across
 * instances: the holder may be another process, and bytes are never interleaved.
 */
import { AttError, type Lease } from '@att/store-core';

const LEASE_TTL_MS = 30_000;
const RENEW_EVERY_MS = 10_000;

export async function withUploadLock<T>(lease: Lease, id: string, fn: () => Promise<T>): Promise<T> {
  const name = `tus:${id}`;
  const token = await lease.acquire(name, LEASE_TTL_MS);
  if (token === undefined) {
    throw new AttError('CONFLICT', 'another request is writing this upload; retry shortly', { status: 423 });
  }
  // A PATCH may run for minutes: keep the lease alive meanwhile (a crashed holder still lets go after the TTL).
  const timer = setInterval(() => {
    lease.renew(name, token, LEASE_TTL_MS).catch(() => {});
  }, RENEW_EVERY_MS);
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    await lease.release(name, token).catch(() => {});
  }
}
