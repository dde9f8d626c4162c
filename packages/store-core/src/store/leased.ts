/**
 * Runs a task under a named lease, renewing it while the task runs: how a fleet runs one cleanup pass at a time.
 * When another process holds the lease (or the shared state cannot be asked), the task is skipped.
 */

import type { AttLogger } from '../logging/logger.js';
import type { Lease } from '../state/lease.js';

export async function runLeased<T>(
  lease: Lease,
  name: string,
  ttlMs: number,
  logger: AttLogger,
  task: () => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false }> {
  let token: string | undefined;
  try {
    token = await lease.acquire(name, ttlMs);
  } catch (err) {
    logger.warn({ err }, `${name} skipped: the shared lease is unavailable`);
  }
  if (token === undefined) return { ran: false };
  const held = token;
  const renewal = setInterval(() => {
    lease.renew(name, held, ttlMs).catch((err: unknown) => {
      logger.warn({ err }, `could not renew the ${name} lease`);
    });
  }, ttlMs / 3);
  renewal.unref();
  try {
    return { ran: true, result: await task() };
  } finally {
    clearInterval(renewal);
    await lease.release(name, held).catch(() => {});
  }
}
