import { encodeKey } from '@att/s3-sigv4';
import { AttError, isAttError } from '@att/store-core';
import { deleteBatch, type KeyFailure } from './delete-batch.js';
import { isXmlSafe } from './keys.js';
import type { S3Transport } from './transport.js';

const BATCH = 1000;
/** Batches in flight at once: servers work through a batch key by key (Swift ≈ 3 ms a key), so overlap pays. */
const CONCURRENT_BATCHES = 4;
const REPORTED_FAILURES = 50;
/** Single DELETEs in flight when keys cannot go in a batch. */
const CONCURRENT_SINGLES = 8;

/**
 * DeleteObjects in batches of 1000 (delete-batch.ts: every key accounted for, retryable per-key errors retried).
 * A key that is already gone is a success. Up to CONCURRENT_BATCHES
 * batches are in flight; every batch is tried, and the per-key failures of all batches (in key order) are then
 * thrown as one error listing them. A key no XML document can name (a control character, written by someone else)
 * goes in a DELETE of its own, and a batch the server refuses whole as a bad document (400) is retried key by key:
 * one odd key never keeps a thousand others.
 */
export async function deleteKeys(
  transport: S3Transport,
  allKeys: readonly string[],
  root: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const fullKeys = allKeys.filter(isXmlSafe);
  const singles = fullKeys.length === allKeys.length ? [] : allKeys.filter((key) => !isXmlSafe(key));
  const batchFailures: KeyFailure[][] = [];
  let batchError: unknown;
  let abortError: unknown;
  let next = 0;
  const worker = async () => {
    while (next < fullKeys.length && abortError === undefined) {
      const start = next;
      next += BATCH;
      const batch = fullKeys.slice(start, start + BATCH);
      try {
        batchFailures[start / BATCH] = await deleteBatch(transport, batch, root, signal);
      } catch (err) {
        if (signal?.aborted) abortError ??= err;
        else if (isAttError(err, 'BACKEND_ERROR') && err.details?.httpStatus === 400) {
          batchFailures[start / BATCH] = await deleteSingles(transport, batch, root, signal);
        } else batchError ??= err;
      }
    }
  };
  const workers = Math.min(CONCURRENT_BATCHES, Math.ceil(fullKeys.length / BATCH));
  await Promise.all(Array.from({ length: workers }, worker));
  if (abortError !== undefined) throw abortError;
  if (singles.length > 0) batchFailures.push(await deleteSingles(transport, singles, root, signal));
  const failures = batchFailures.flat();
  if (batchError !== undefined && failures.length === 0) throw batchError;
  if (failures.length > 0) {
    const allDenied = failures.every((f) => f.code === 'AccessDenied');
    const first = failures[0] as KeyFailure;
    throw new AttError(
      allDenied ? 'ACCESS_DENIED' : 'BACKEND_ERROR',
      `S3 DeleteObjects: ${failures.length} key(s) not deleted, e.g. "${first.key}": ${first.code ?? 'error'}`,
      {
        ...(batchError !== undefined ? { cause: batchError } : {}),
        details: {
          operation: 'DeleteObjects',
          failed: failures.length,
          failures: failures.slice(0, REPORTED_FAILURES),
        },
      },
    );
  }
}

/** Deletes keys one DELETE each (a few in flight); returns the failures. A key already gone is fine. */
async function deleteSingles(
  transport: S3Transport,
  fullKeys: readonly string[],
  root: string,
  signal: AbortSignal | undefined,
): Promise<KeyFailure[]> {
  const failures: (KeyFailure | undefined)[] = [];
  let next = 0;
  const worker = async () => {
    while (next < fullKeys.length) {
      const index = next++;
      const fullKey = fullKeys[index] as string;
      const key = fullKey.startsWith(root) ? fullKey.slice(root.length) : fullKey;
      try {
        await transport.send(
          { operation: 'DeleteObject', key, method: 'DELETE', signal, readText: true },
          encodeKey(fullKey),
        );
      } catch (err) {
        if (signal?.aborted) throw err;
        if (isAttError(err, 'NOT_FOUND')) continue;
        const code = isAttError(err) ? ((err.details?.s3Code as string | undefined) ?? err.code) : undefined;
        failures[index] = { key, code, message: err instanceof Error ? err.message : String(err) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_SINGLES, fullKeys.length) }, worker));
  return failures.filter((f): f is KeyFailure => f !== undefined);
}
