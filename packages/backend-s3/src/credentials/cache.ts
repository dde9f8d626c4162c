// Keeps credentials between signatures and refreshes temporary ones before they expire. Every request asks for
// credentials, so this is what makes a provider cheap:
//
// | state                                     | what a caller gets                                            |
// |-------------------------------------------|---------------------------------------------------------------|
// | nothing yet                               | waits for the one fetch in flight (single flight)             |
// | held, no expiration, `keepForever`        | the held ones, no fetch                                       |
// | held, no expiration, not `keepForever`    | a fresh fetch each time (a user provider that rotates itself) |
// | held, more than `refreshBefore` left      | the held ones                                                 |
// | held, inside the refresh window           | waits for the one refresh in flight                           |
// | refresh failed, held ones not yet expired | the held ones; no new attempt for `retryAfterFailure`         |
// | refresh failed, held ones expired or none | the refresh's error                                           |
import type { AwsCredentials } from './types.js';

export interface CacheOptions {
  /** Milliseconds before `expiration` at which to refresh. Default 5 minutes (the SDK's window). */
  refreshBefore?: number;
  /** Keep credentials without an expiration for good. Default true (static keys, the chain's answer). */
  keepForever?: boolean;
  /** After a failed refresh that kept old credentials, wait this long before trying again. Default 10 s. */
  retryAfterFailure?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export function createCachedCredentials(
  fetch: () => Promise<AwsCredentials>,
  options: CacheOptions = {},
): () => Promise<AwsCredentials> {
  const refreshBefore = options.refreshBefore ?? 5 * 60_000;
  const keepForever = options.keepForever ?? true;
  const retryAfterFailure = options.retryAfterFailure ?? 10_000;
  const now = options.now ?? Date.now;
  let held: AwsCredentials | undefined;
  let pending: Promise<AwsCredentials> | undefined;
  let quietUntil = 0;

  const fresh = (creds: AwsCredentials) =>
    creds.expiration === undefined ? keepForever : creds.expiration.getTime() - now() > refreshBefore;
  const usable = (creds: AwsCredentials) => creds.expiration === undefined || creds.expiration.getTime() > now();

  function refresh(): Promise<AwsCredentials> {
    pending ??= fetch()
      .then(
        (creds) => {
          held = creds;
          quietUntil = 0;
          return creds;
        },
        (err: unknown) => {
          if (held && held.expiration !== undefined && usable(held)) {
            quietUntil = now() + retryAfterFailure;
            return held;
          }
          throw err;
        },
      )
      .finally(() => {
        pending = undefined;
      });
    return pending;
  }

  return () => {
    if (held && (fresh(held) || (now() < quietUntil && usable(held)))) return Promise.resolve(held);
    return refresh();
  };
}
