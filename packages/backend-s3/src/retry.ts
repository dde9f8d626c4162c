import { abortError } from '@att/store-core';

/**
 * Delay before retry number `attempt` (1-based): "full jitter" — uniform in [0, min(cap, base·2^(attempt-1))] —
 * so clients that failed together do not retry together. A server's Retry-After is honoured as a floor, but never
 * beyond the cap: a server asking for minutes should surface as an error, not a hung call.
 */
export function backoffDelay(attempt: number, base: number, cap: number, retryAfterMs?: number): number {
  const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
  const jittered = Math.random() * ceiling;
  if (retryAfterMs === undefined) return jittered;
  return Math.min(cap, Math.max(retryAfterMs, jittered));
}

/** Sleeps `ms`, rejecting with ABORTED as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal, 'S3 request'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal, 'S3 request'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
