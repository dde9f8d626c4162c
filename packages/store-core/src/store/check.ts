/**
 * Readiness: can this Store serve requests right now? The backend's own probe (`Backend.check`: directory
 * writable, bucket reachable with these credentials) or, for backends without one, the first entry of a listing;
 * then one call to the ledger (the shared state, when there is one). Bounded by a timeout, so a health endpoint
 * never hangs on a frozen storage.
 */
import type { Backend } from '../backend.js';
import { AttError, isAttError } from '../errors.js';
import { raceAbort } from '../streams.js';

export interface CheckOptions {
  /** Give up after this many milliseconds with TIMEOUT. Default 5000. */
  timeout?: number;
  signal?: AbortSignal;
}

export const DEFAULT_CHECK_TIMEOUT = 5000;

async function probeBackend(backend: Backend, signal: AbortSignal): Promise<void> {
  if (backend.check) {
    await backend.check({ signal });
    return;
  }
  // No probe of its own: one listed entry (or an empty listing) proves the storage answers.
  for await (const _ of backend.list({ signal })) break;
}

/** What a failed probe means for a health check: storage problems are outages, whatever the backend called them. */
function unavailable(err: unknown, timedOut: boolean, timeout: number): AttError {
  if (timedOut) return new AttError('TIMEOUT', `storage check: no answer within ${timeout} ms`, { cause: err });
  // Kept as they are: the operator acts on them (wrong credentials, wrong config, shared state down, caller abort).
  if (isAttError(err) && /^(ACCESS_DENIED|INVALID_CONFIG|STATE_UNAVAILABLE|TIMEOUT|ABORTED)$/.test(err.code)) {
    return err;
  }
  // A missing directory or bucket, a refused connection, a non-AttError from a third-party backend: an outage.
  const message = isAttError(err) ? err.message : 'storage check failed';
  return new AttError('BACKEND_UNAVAILABLE', message, {
    cause: err,
    details: isAttError(err) ? { ...err.details, cause: err.code } : undefined,
  });
}

export async function checkStore(
  backend: Backend,
  checkState: () => Promise<unknown>,
  options: CheckOptions = {},
): Promise<void> {
  const timeout = options.timeout ?? DEFAULT_CHECK_TIMEOUT;
  if (!(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) {
    throw new AttError('INVALID_CONFIG', 'check timeout must be a positive number of milliseconds', {
      details: { field: 'timeout' },
    });
  }
  const timer = AbortSignal.timeout(timeout);
  const signal = options.signal ? AbortSignal.any([options.signal, timer]) : timer;
  try {
    await raceAbort(probeBackend(backend, signal), signal, 'storage check');
  } catch (err) {
    throw unavailable(err, timer.aborted, timeout);
  }
  try {
    await raceAbort(checkState(), signal, 'state check');
  } catch (err) {
    if (timer.aborted) throw new AttError('TIMEOUT', `state check: no answer within ${timeout} ms`, { cause: err });
    throw err;
  }
}
