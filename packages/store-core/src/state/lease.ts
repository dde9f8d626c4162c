/**
 * A named lease: one holder at a time, for a bounded time. Cleanup passes take one so that a fleet runs a single
 * pass, and a holder that dies lets go when its lease expires.
 */

export interface Lease {
  /** Takes `name` for `ttlMs` when nobody holds it; resolves to the holder's token, or undefined when taken. */
  acquire(name: string, ttlMs: number): Promise<string | undefined>;
  /** Extends the lease when `token` still holds it; false when it was lost (expired, taken by another). */
  renew(name: string, token: string, ttlMs: number): Promise<boolean>;
  /** Lets go when `token` still holds it; a lost lease is left alone. */
  release(name: string, token: string): Promise<void>;
}
