/**
 * Runs a task under a named lease, renewing it while the task runs: how a fleet runs one cleanup pass at a time.
 * When another process holds the lease (or the shared state cannot be asked), the task is skipped.
 */
import type { Lease } from '../state/lease.js';
import type { StoreLogger } from './options.js';

export async function runLeased<T>(
  lease: Lease,
  name: string,
  ttlMs: number,
  logger: StoreLogger,
  task: () => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false }> {
  let token: string | undefined;
  try {
    token = await lease.acquire(name, ttlMs);
  } catch (err) {
    logger.warn(`${name} skipped: the shared lease is unavailable`, { error: String(err) });
  }
  if (token === undefined) return { ran: false };
  const held = token;
  const renewal = setInterval(() => {
    lease.renew(name, held, ttlMs).catch((err: unknown) => {
      logger.warn(`could not renew the ${name} lease`, { error: String(err) });
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
