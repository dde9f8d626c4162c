/**
 * One cleanup pass over a streamed listing: expired objects go at once, objects older than the grace period are
 * asked of `isReferenced` a page at a time and deleted when unreferenced, then stale incomplete uploads are
 * aborted. A failing page (isReferenced or delete) is logged and counted, and the pass goes on. When the listing
 * completes, the pass also reconciles the store's size with what it saw.
 */
import type { Backend, ObjectInfo } from '../backend.js';
import { isAttError } from '../errors.js';
import type { AttLogger } from '../logging/logger.js';
import type { Accounting } from './accounting.js';
import { expiryOf } from './attachment.js';
import { TaskWindow } from './concurrency.js';
import type { KeyedLock } from './keyed-lock.js';

/**
 * Expiries learned by HEAD, per backend, across passes. S3 listings carry no metadata: the default expiry applied
 * to `lastModified` is all a listing tells, and a write may have set its own `expiresAt`, later than that guess
 * (kept past it) or earlier (the middleware's narrower `expiry`, or any expiry on a store without a default). So
 * each listed object is HEADed once and its expiry kept, keyed by the listed version (lastModified and size: a
 * rewrite is asked again); later passes ask nothing. Kept in memory rather than written where the listing sees
 * it: the only thing a write controls that ListObjectsV2 shows is the key, which is the attachment's id. Entries
 * are dropped when a complete listing no longer shows them, and capped (about 200 bytes each): past the cap an
 * object is only HEADed when its age says expired, so an earlier per-write expiry on it waits for the default.
 */
interface LearnedExpiry {
  version: string;
  /** Epoch ms; Infinity when the object never expires. */
  expiresAt: number;
  pass: symbol;
}
const MAX_LEARNED = 200_000;
/** HEADs in flight at once when expiries must be confirmed (a first pass after a restart). */
const HEAD_CONCURRENCY = 8;
/** Pages of deletions or isReferenced questions in flight beside the listing. */
const PAGES_IN_FLIGHT = 2;

/** An object's listed version: a rewrite changes it, so what was learned of the old object is asked again. */
function versionOf(info: ObjectInfo): string {
  return `${info.lastModified?.getTime()}:${info.size}`;
}
const learnedByBackend = new WeakMap<Backend, Map<string, LearnedExpiry>>();

function learnedExpiries(backend: Backend): Map<string, LearnedExpiry> {
  let learned = learnedByBackend.get(backend);
  if (!learned) {
    learned = new Map();
    learnedByBackend.set(backend, learned);
  }
  return learned;
}

export interface CleanupResult {
  /** Objects listed with a valid id. */
  scanned: number;
  expired: number;
  orphans: number;
  /** Incomplete uploads aborted (temp files, multipart uploads). */
  incomplete: number;
  bytesFreed: number;
  /** Failures survived during the pass (each also logged). */
  errors: number;
  /** True when another process held the cleanup lease, so this pass did nothing. */
  skipped?: boolean;
}

export interface CleanupContext {
  accounting: Accounting;
  isValidId: (key: string) => boolean;
  backend: Backend;
  lock: KeyedLock;
  now: () => number;
  expiry: number | undefined;
  isReferenced: ((ids: string[]) => Promise<Iterable<string>>) | undefined;
  orphanGracePeriod: number;
  staleUploadAge: number;
  pageSize: number;
  logger: AttLogger;
  /** Told of each object the pass deleted (the Store's `expire` and `remove` events). */
  onDeleted?: (kind: 'expired' | 'orphans', id: string, size: number) => void;
}

export async function runCleanup(ctx: CleanupContext): Promise<CleanupResult> {
  const result: CleanupResult = { scanned: 0, expired: 0, orphans: 0, incomplete: 0, bytesFreed: 0, errors: 0 };
  const started = ctx.now();
  const orphanCutoff = started - ctx.orphanGracePeriod;
  const { accounting } = ctx;
  const reconciler = accounting.beginPass();
  const fail = (message: string, err: unknown, details: Record<string, unknown> = {}) => {
    result.errors += 1;
    ctx.logger.warn({ ...details, err }, message);
  };

  /** Deletes listed objects no write touched since; ids locked by a running write are left for the next pass. */
  const deleteListed = async (infos: ObjectInfo[], kind: 'expired' | 'orphans') => {
    const candidates = infos.filter((info) => !reconciler.wasTouched(info.key));
    const { taken, release } = ctx.lock.tryLockAll(candidates.map((info) => info.key));
    if (taken.length === 0) return release();
    const sizes = new Map(candidates.map((info) => [info.key, info.size]));
    for (const id of taken) accounting.beginOp(id, sizes.get(id), reconciler);
    let deleted = false;
    try {
      await ctx.backend.delete(taken);
      deleted = true;
    } catch (err) {
      fail(`cleanup could not delete ${kind}`, err, { count: taken.length });
    } finally {
      for (const id of taken) {
        const size = sizes.get(id) ?? 0;
        accounting.endOp(id, deleted ? undefined : size);
        if (!deleted) continue;
        accounting.release(size);
        reconciler.forget(size);
        result[kind] += 1;
        result.bytesFreed += size;
        ctx.onDeleted?.(kind, id, size);
      }
      release();
    }
  };

  const checkOrphans = async (page: ObjectInfo[]) => {
    if (!ctx.isReferenced || page.length === 0) return;
    let referenced: Set<string>;
    try {
      referenced = new Set(await ctx.isReferenced(page.map((info) => info.key)));
    } catch (err) {
      fail('cleanup: isReferenced failed for a page; skipping it', err, { count: page.length });
      return;
    }
    await deleteListed(
      page.filter((info) => !referenced.has(info.key)),
      'orphans',
    );
  };

  /**
   * Expired by its metadata, or by `expiry` applied to its age: 'expired', 'alive', or 'ask' when the listing
   * carries no metadata (S3's) and nothing was learned of this version yet. The HEAD that answers is done once;
   * its expiry is remembered for the next passes.
   */
  const learned = learnedExpiries(ctx.backend);
  const pass = Symbol('pass');
  const listedVerdict = (info: ObjectInfo): 'expired' | 'alive' | 'ask' => {
    const guess = expiryOf(info, ctx.expiry);
    if (info.metadata !== undefined) return guess && guess.getTime() <= started ? 'expired' : 'alive';
    const known = learned.get(info.key);
    if (known && known.version === versionOf(info)) {
      known.pass = pass;
      return known.expiresAt <= started ? 'expired' : 'alive';
    }
    if (learned.size < MAX_LEARNED) return 'ask';
    // Past the cap: only what the age calls expired is asked (an earlier per-write expiry waits for the default).
    return guess && guess.getTime() <= started ? 'ask' : 'alive';
  };
  const confirmExpired = async (info: ObjectInfo): Promise<boolean | undefined> => {
    try {
      const confirmed = expiryOf(await ctx.backend.head(info.key), ctx.expiry);
      const expiresAt = confirmed?.getTime() ?? Number.POSITIVE_INFINITY;
      if (expiresAt > started && learned.size < MAX_LEARNED) {
        learned.set(info.key, { version: versionOf(info), expiresAt, pass });
      }
      return expiresAt <= started;
    } catch (err) {
      if (!isAttError(err, 'NOT_FOUND')) fail('cleanup: could not check an expiry', err);
      return undefined;
    }
  };

  // HEADs run HEAD_CONCURRENCY at a time beside the listing; full pages of deletions (and of isReferenced) run
  // PAGES_IN_FLIGHT at a time, also beside it. The listing waits when either window is full: memory stays a few
  // pages whatever the bucket holds.
  const heads = new TaskWindow(HEAD_CONCURRENCY);
  const pages = new TaskWindow(PAGES_IN_FLIGHT);
  let expired: ObjectInfo[] = [];
  let maybeOrphans: ObjectInfo[] = [];
  const flushExpired = () => {
    const page = expired;
    expired = [];
    return pages.add(() => deleteListed(page, 'expired'));
  };
  const flushOrphans = () => {
    const page = maybeOrphans;
    maybeOrphans = [];
    return pages.add(() => checkOrphans(page));
  };
  const sort = async (info: ObjectInfo, verdict: boolean) => {
    const modified = info.lastModified?.getTime() ?? Number.NaN;
    if (verdict) {
      expired.push(info);
      if (expired.length >= ctx.pageSize) await flushExpired();
    } else if (ctx.isReferenced && Number.isFinite(modified) && modified <= orphanCutoff) {
      // An unknown modification time counts as young: never delete what we cannot date.
      maybeOrphans.push(info);
      if (maybeOrphans.length >= ctx.pageSize) await flushOrphans();
    }
  };
  let listed = false;
  try {
    for await (const info of ctx.backend.list()) {
      if (!ctx.isValidId(info.key)) continue;
      result.scanned += 1;
      reconciler.count(info.key, info.size);
      const verdict = listedVerdict(info);
      if (verdict !== 'ask') await sort(info, verdict === 'expired');
      else {
        await heads.add(async () => {
          const confirmed = await confirmExpired(info);
          // A HEAD that failed tells nothing: neither expired nor an orphan candidate this pass.
          if (confirmed !== undefined) await sort(info, confirmed);
        });
      }
    }
    listed = true;
  } catch (err) {
    fail('cleanup: listing failed; the pass continues with what it has', err);
  }
  try {
    await heads.drain();
    if (expired.length > 0) await flushExpired();
    if (maybeOrphans.length > 0) await flushOrphans();
    await pages.drain();
    if (listed) {
      accounting.applyPass(reconciler);
      // Entries this complete listing did not confirm are of objects gone or rewritten: forget them.
      for (const [key, entry] of learned) if (entry.pass !== pass) learned.delete(key);
    }
  } finally {
    accounting.endPass(reconciler);
  }
  try {
    result.incomplete = await ctx.backend.cleanupIncomplete(new Date(started - ctx.staleUploadAge));
  } catch (err) {
    fail('cleanup: aborting stale incomplete uploads failed', err);
  }
  return result;
}
