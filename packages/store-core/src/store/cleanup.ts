/**
 * One cleanup pass over a streamed listing: expired objects go at once, objects older than the grace period are
 * asked of `isReferenced` a page at a time and deleted when unreferenced, then stale incomplete uploads are
 * aborted. A failing page (isReferenced or delete) is logged and counted, and the pass goes on. When the listing
 * completes, the pass also reconciles the store's size with what it saw.
 *
 * Listings without metadata (S3) show no per-write `expiresAt`, and one can be earlier than the default expiry
 * applied to `lastModified` (the middleware's narrower expiry) or later. Where the backend says so
 * (`listsMetadata: false`), writes with their own expiry leave a marker in an index beside the objects
 * (expiry-index.ts), which the pass reads beside the objects' listing in the same order (index-cursor.ts): a
 * fresh process (a restart, another instance of a fleet) knows every expiry without a HEAD, at the cost of one
 * more listing page per 1000 such writes, and markers go in the same DeleteObjects as their objects. The index
 * lives in the bucket rather than in the shared state (Redis) because the bucket is the truth the pass acts on:
 * it survives restarts and a lost or flushed state, and a single process needs nothing else. Objects written
 * before the index began are HEADed, 8 at a time, once per process (listed-expiry.ts remembers the answers).
 */
import type { Backend, ObjectInfo } from '../backend.js';
import { isAttError } from '../errors.js';
import type { AttLogger } from '../logging/logger.js';
import type { Accounting } from './accounting.js';
import { expiryOf } from './attachment.js';
import { type Listed, PassDeletions } from './cleanup-deletions.js';
import { TaskWindow } from './concurrency.js';
import { EPOCH_KEY, hexOf, isReservedKey, keepsIndex, type Marker, RESERVED_END } from './expiry-index.js';
import { IndexCursor } from './index-cursor.js';
import type { KeyedLock } from './keyed-lock.js';
import { epochs, isVersionOf, judgeMarkers, learnedExpiries, MAX_LEARNED, ownCopy } from './listed-expiry.js';

/** HEADs in flight at once when expiries must be confirmed (objects older than the expiry index). */
const HEAD_CONCURRENCY = 8;

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
  /** No valid id sorts before the reserved range: the listing starts after it (else the backend skips it). */
  idsAfterReserved?: boolean;
  logger: AttLogger;
  /** Told of each object the pass deleted (the Store's `expire` and `remove` events). */
  onDeleted?: (kind: 'expired' | 'orphans', id: string, size: number) => void;
}

export async function runCleanup(ctx: CleanupContext): Promise<CleanupResult> {
  const result: CleanupResult = { scanned: 0, expired: 0, orphans: 0, incomplete: 0, bytesFreed: 0, errors: 0 };
  const started = ctx.now();
  const orphanCutoff = started - ctx.orphanGracePeriod;
  const { accounting, backend } = ctx;
  const reconciler = accounting.beginPass();
  const fail = (message: string, err: unknown, details: Record<string, unknown> = {}) => {
    result.errors += 1;
    ctx.logger.warn({ ...details, err }, message);
  };
  const deletions = new PassDeletions(ctx, result, reconciler, fail);
  const collect = (key: string) => deletions.collect(key);

  const learned = learnedExpiries(backend);
  const pass = Symbol('pass');
  const staleBefore = started - ctx.staleUploadAge;
  const remember = (info: Listed, expiresAt: number) => {
    if (expiresAt > started && learned.size < MAX_LEARNED) {
      learned.set(ownCopy(info.key), {
        modified: info.lastModified?.getTime() ?? Number.NaN,
        size: info.size,
        expiresAt,
        markers: info.markers,
        unindexed: info.unindexed === true,
        pass,
      });
    }
  };
  const withMarkers = (info: ObjectInfo, markers: readonly string[] | undefined): Listed =>
    markers && markers.length > 0 ? { ...info, markers } : info;
  // Markers of ids the listing did not show (failed writes; young ones may be writes in flight). Collected when
  // the pass ends, and only if both listings were in order all along: else "not shown" proves nothing.
  const orphanMarkers: string[] = [];
  const index = keepsIndex(backend)
    ? new IndexCursor(
        backend,
        ctx.pageSize,
        (marker: Marker) => {
          if (marker.lastModified < staleBefore && orphanMarkers.length < ctx.pageSize) orphanMarkers.push(marker.key);
        },
        epochs.get(backend),
      )
    : undefined;

  type Verdict = ['expired' | 'alive' | 'ask', Listed];
  const byTime = (expiresAt: number): 'expired' | 'alive' => (expiresAt <= started ? 'expired' : 'alive');
  /**
   * Expired by its metadata, by what an earlier pass learned, by the expiry index, or by `expiry` applied to its
   * age: 'expired', 'alive', or 'ask' when nothing tells (a HEAD answers, once). Synchronous unless the index
   * must be read (most objects of a running process cost no promise).
   */
  const listedVerdict = (info: ObjectInfo): Verdict | Promise<Verdict> => {
    if (info.metadata !== undefined) return [byTime(expiryOf(info, ctx.expiry)?.getTime() ?? Infinity), info];
    const known = learned.get(info.key);
    if (known && isVersionOf(known, info)) {
      index?.skip();
      known.pass = pass;
      const listed = withMarkers(info, known.markers);
      return [byTime(known.expiresAt), known.unindexed ? { ...listed, unindexed: true } : listed];
    }
    if (!index) return unknownVerdict(info, false);
    return index.lookup(hexOf(info.key)).then((markers) => {
      if (!markers) {
        index.skip();
        return unknownVerdict(info, true);
      }
      const context = { epoch: index.epoch, defaultExpiry: ctx.expiry, staleBefore };
      const verdict = judgeMarkers(info, markers, context, collect);
      const listed = withMarkers(info, verdict.markers);
      if (verdict.expiresAt !== undefined) {
        remember(listed, verdict.expiresAt);
        return [byTime(verdict.expiresAt), listed];
      }
      return learned.size < MAX_LEARNED ? ['ask', listed] : unknownVerdict(info, true);
    });
  };
  /** Nothing tells: a HEAD will (past the cap only for what its age calls expired). */
  const unknownVerdict = (info: ObjectInfo, indexed: boolean): Verdict => {
    // Out of order (or not looked up): should it be deleted, its markers are looked up then.
    const unmatched: Listed = indexed ? { ...info, unindexed: true } : info;
    if (learned.size < MAX_LEARNED) return ['ask', unmatched];
    // Past the cap: an earlier per-write expiry waits for the default.
    const guess = expiryOf(info, ctx.expiry);
    return [guess && guess.getTime() <= started ? 'ask' : 'alive', unmatched];
  };
  const confirmExpired = async (info: Listed): Promise<boolean | undefined> => {
    try {
      const confirmed = expiryOf(await backend.head(info.key), ctx.expiry);
      const expiresAt = confirmed?.getTime() ?? Number.POSITIVE_INFINITY;
      remember(info, expiresAt);
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
  let expired: Listed[] = [];
  let expiredKeys = 0;
  let maybeOrphans: Listed[] = [];
  const flushExpired = () => {
    const page = expired;
    expired = [];
    expiredKeys = 0;
    return deletions.add(() => deletions.deleteListed(page, 'expired'));
  };
  const flushOrphans = () => {
    const page = maybeOrphans;
    maybeOrphans = [];
    return deletions.add(() => deletions.checkOrphans(page));
  };
  const sort = (info: Listed, verdict: boolean): void | Promise<void> => {
    if (verdict) {
      expired.push(info);
      expiredKeys += 1 + (info.markers?.length ?? 0);
      if (expiredKeys >= ctx.pageSize) return flushExpired();
      return;
    }
    const modified = info.lastModified?.getTime() ?? Number.NaN;
    if (ctx.isReferenced && Number.isFinite(modified) && modified <= orphanCutoff) {
      // An unknown modification time counts as young: never delete what we cannot date.
      maybeOrphans.push(info);
      if (maybeOrphans.length >= ctx.pageSize) return flushOrphans();
    }
  };
  const act = ([verdict, listed]: Verdict): void | Promise<void> => {
    if (verdict !== 'ask') return sort(listed, verdict === 'expired');
    return heads.add(async () => {
      const confirmed = await confirmExpired(listed);
      // A HEAD that failed tells nothing: neither expired nor an orphan candidate this pass.
      if (confirmed !== undefined) await sort(listed, confirmed);
    });
  };
  const handle = (info: ObjectInfo): void | Promise<void> => {
    if (isReservedKey(info.key)) return; // a backend that lists the Store's own keys among the objects
    if (!ctx.isValidId(info.key)) return index?.skip();
    result.scanned += 1;
    reconciler.count(info.key, info.size);
    const verdict = listedVerdict(info);
    return verdict instanceof Promise ? verdict.then(act) : act(verdict);
  };
  let listed = false;
  try {
    if (index && index.epoch === undefined) {
      // First pass of this process: the index is read from its start, where its epoch is.
      await index.open();
      if (index.epoch !== undefined) epochs.set(backend, index.epoch);
      else {
        // The first pass since writes keep the index: from now on an object without a marker needs none.
        await backend
          .put(EPOCH_KEY, (async function* () {})(), { size: 0 })
          .catch((err) => fail('cleanup could not start the expiry index', err));
      }
    }
    const after = ctx.idsAfterReserved && index ? { startAfter: RESERVED_END } : {};
    for await (const info of backend.list(after)) {
      const handled = handle(info);
      if (handled) await handled;
    }
    if (index) {
      await index.drain();
      if (index.ordered) for (const key of orphanMarkers) collect(key);
    }
    listed = true;
  } catch (err) {
    fail('cleanup: listing failed; the pass continues with what it has', err);
  } finally {
    await index?.close().catch(() => {});
  }
  try {
    await heads.drain();
    if (expired.length > 0) await flushExpired();
    if (maybeOrphans.length > 0) await flushOrphans();
    await deletions.drain();
    if (listed) {
      accounting.applyPass(reconciler);
      // Entries this complete listing did not confirm are of objects gone or rewritten: forget them.
      for (const [key, entry] of learned) if (entry.pass !== pass) learned.delete(key);
    }
  } finally {
    accounting.endPass(reconciler);
  }
  try {
    result.incomplete = await backend.cleanupIncomplete(new Date(started - ctx.staleUploadAge));
  } catch (err) {
    fail('cleanup: aborting stale incomplete uploads failed', err);
  }
  return result;
}
