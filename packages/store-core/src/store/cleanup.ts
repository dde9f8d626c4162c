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
import { TaskWindow } from './concurrency.js';
import { EPOCH_KEY, hexOf, isReservedKey, keepsIndex, type Marker, markersOf } from './expiry-index.js';
import { IndexCursor } from './index-cursor.js';
import type { KeyedLock } from './keyed-lock.js';
import { epochs, judgeMarkers, learnedExpiries, MAX_LEARNED, versionOf } from './listed-expiry.js';

/** HEADs in flight at once when expiries must be confirmed (objects older than the expiry index). */
const HEAD_CONCURRENCY = 8;
/** Pages of deletions or isReferenced questions in flight beside the listing. */
const PAGES_IN_FLIGHT = 2;

/**
 * A listed object with the expiry-index markers that are deleted with it; `unindexed` when the listing order did
 * not say them (ids sorting before the index): they are looked up if it is deleted.
 */
type Listed = ObjectInfo & { markers?: readonly string[]; unindexed?: boolean };

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
  const { accounting, backend } = ctx;
  const reconciler = accounting.beginPass();
  const fail = (message: string, err: unknown, details: Record<string, unknown> = {}) => {
    result.errors += 1;
    ctx.logger.warn({ ...details, err }, message);
  };
  const pages = new TaskWindow(PAGES_IN_FLIGHT);
  /** Index markers no object needs any more: deleted along with the next page (or on their own). */
  let garbage: string[] = [];
  const collect = (key: string) => {
    garbage.push(key);
    if (garbage.length >= ctx.pageSize) {
      const keys = garbage;
      garbage = [];
      void pages.add(() => backend.delete(keys).catch((err) => fail('cleanup could not delete index markers', err)));
    }
  };

  /** Deletes listed objects no write touched since; ids locked by a running write are left for the next pass. */
  const deleteListed = async (infos: Listed[], kind: 'expired' | 'orphans') => {
    const candidates = infos.filter((info) => !reconciler.wasTouched(info.key));
    const { taken, release } = ctx.lock.tryLockAll(candidates.map((info) => info.key));
    if (taken.length === 0) return release();
    const byId = new Map(candidates.map((info) => [info.key, info]));
    for (const id of taken) accounting.beginOp(id, byId.get(id)?.size, reconciler);
    // An object's index markers go in the same DeleteObjects, and so does garbage collected meanwhile.
    const keys = [...taken];
    for (const id of taken) {
      const info = byId.get(id);
      keys.push(...(info?.markers ?? []));
      if (info?.unindexed) keys.push(...(await markersOf(backend, id).catch(() => [])));
    }
    const extra = garbage.splice(0, Math.max(0, ctx.pageSize - keys.length));
    let deleted = false;
    try {
      await backend.delete([...keys, ...extra]);
      deleted = true;
    } catch (err) {
      fail(`cleanup could not delete ${kind}`, err, { count: taken.length });
    } finally {
      for (const id of taken) {
        const size = byId.get(id)?.size ?? 0;
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

  const checkOrphans = async (page: Listed[]) => {
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

  const learned = learnedExpiries(backend);
  const pass = Symbol('pass');
  const staleBefore = started - ctx.staleUploadAge;
  const remember = (info: Listed, expiresAt: number) => {
    if (expiresAt > started && learned.size < MAX_LEARNED) {
      const entry = { version: versionOf(info), expiresAt, markers: info.markers ?? [], pass };
      learned.set(info.key, { ...entry, unindexed: info.unindexed === true });
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

  /**
   * Expired by its metadata, by the expiry index, by what an earlier pass learned, or by `expiry` applied to its
   * age: 'expired', 'alive', or 'ask' when nothing tells (a HEAD answers, once).
   */
  const listedVerdict = async (info: ObjectInfo, indexed: boolean): Promise<['expired' | 'alive' | 'ask', Listed]> => {
    const guess = expiryOf(info, ctx.expiry);
    if (info.metadata !== undefined) return [guess && guess.getTime() <= started ? 'expired' : 'alive', info];
    const known = learned.get(info.key);
    if (known && known.version === versionOf(info)) {
      index?.skip();
      known.pass = pass;
      const listed = withMarkers(info, known.markers);
      return [
        known.expiresAt <= started ? 'expired' : 'alive',
        known.unindexed ? { ...listed, unindexed: true } : listed,
      ];
    }
    const markers = indexed && index ? await index.lookup(hexOf(info.key)) : undefined;
    if (markers) {
      const context = { epoch: index?.epoch, defaultExpiry: ctx.expiry, staleBefore };
      const verdict = judgeMarkers(info, markers, context, collect);
      const listed = withMarkers(info, verdict.markers);
      if (verdict.expiresAt !== undefined) {
        remember(listed, verdict.expiresAt);
        return [verdict.expiresAt <= started ? 'expired' : 'alive', listed];
      }
      if (learned.size < MAX_LEARNED) return ['ask', listed];
    }
    // Out of order (or not looked up): should it be deleted, its markers are looked up then.
    const unmatched: Listed = indexed ? { ...info, unindexed: true } : info;
    if (indexed && !markers) index?.skip();
    if (learned.size < MAX_LEARNED) return ['ask', unmatched];
    // Past the cap: only what the age calls expired is asked (an earlier per-write expiry waits for the default).
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
    return pages.add(() => deleteListed(page, 'expired'));
  };
  const flushOrphans = () => {
    const page = maybeOrphans;
    maybeOrphans = [];
    return pages.add(() => checkOrphans(page));
  };
  const sort = async (info: Listed, verdict: boolean) => {
    const modified = info.lastModified?.getTime() ?? Number.NaN;
    if (verdict) {
      expired.push(info);
      expiredKeys += 1 + (info.markers?.length ?? 0);
      if (expiredKeys >= ctx.pageSize) await flushExpired();
    } else if (ctx.isReferenced && Number.isFinite(modified) && modified <= orphanCutoff) {
      // An unknown modification time counts as young: never delete what we cannot date.
      maybeOrphans.push(info);
      if (maybeOrphans.length >= ctx.pageSize) await flushOrphans();
    }
  };
  const handle = async (info: ObjectInfo) => {
    if (isReservedKey(info.key)) return; // a backend that lists the Store's own keys among the objects
    if (!ctx.isValidId(info.key)) return index?.skip();
    result.scanned += 1;
    reconciler.count(info.key, info.size);
    const [verdict, listed] = await listedVerdict(info, index !== undefined);
    if (verdict !== 'ask') await sort(listed, verdict === 'expired');
    else {
      await heads.add(async () => {
        const confirmed = await confirmExpired(listed);
        // A HEAD that failed tells nothing: neither expired nor an orphan candidate this pass.
        if (confirmed !== undefined) await sort(listed, confirmed);
      });
    }
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
    for await (const info of backend.list()) await handle(info);
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
    await pages.drain();
    if (garbage.length > 0) {
      await backend.delete(garbage).catch((err) => fail('cleanup could not delete index markers', err));
    }
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
