import { createHash } from 'node:crypto';
import { AttError } from '@att/store-core';
import { parseErrorBody, s3ResponseError } from './errors.js';
import type { S3Transport } from './transport.js';
import { deleteObjectsXml, list, parseXml, rootElement, text } from './xml.js';

const BATCH = 1000;
/** Batches in flight at once: servers work through a batch key by key (Swift ≈ 3 ms a key), so overlap pays. */
const CONCURRENT_BATCHES = 4;
const REPORTED_FAILURES = 50;

interface KeyFailure {
  key: string;
  code: string | undefined;
  message: string | undefined;
}

/**
 * DeleteObjects in batches of 1000, quiet mode (only failures come back). Content-MD5 is sent because Swift and
 * AWS refuse the call without a checksum. A key that is already gone is a success. Up to CONCURRENT_BATCHES
 * batches are in flight; every batch is tried, and the per-key failures of all batches (in key order) are then
 * thrown as one error listing them.
 */
export async function deleteKeys(
  transport: S3Transport,
  fullKeys: readonly string[],
  root: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const batchFailures: KeyFailure[][] = [];
  let batchError: unknown;
  let abortError: unknown;
  let next = 0;
  const worker = async () => {
    while (next < fullKeys.length && abortError === undefined) {
      const start = next;
      next += BATCH;
      try {
        batchFailures[start / BATCH] = await deleteBatch(transport, fullKeys.slice(start, start + BATCH), root, signal);
      } catch (err) {
        if (signal?.aborted) abortError ??= err;
        else batchError ??= err;
      }
    }
  };
  const workers = Math.min(CONCURRENT_BATCHES, Math.ceil(fullKeys.length / BATCH));
  await Promise.all(Array.from({ length: workers }, worker));
  if (abortError !== undefined) throw abortError;
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

/** One DeleteObjects call; returns the keys the server reports as not deleted (a key already gone is fine). */
async function deleteBatch(
  transport: S3Transport,
  batch: string[],
  root: string,
  signal: AbortSignal | undefined,
): Promise<KeyFailure[]> {
  const failures: KeyFailure[] = [];
  const body = deleteObjectsXml(batch);
  const context = { operation: 'DeleteObjects' };
  const response = await transport.send(
    {
      ...context,
      method: 'POST',
      query: { delete: '' },
      headers: {
        'content-type': 'application/xml',
        'content-md5': createHash('md5').update(body).digest('base64'),
      },
      body,
      signal,
      readText: true,
      validate: (text, headers) => {
        if (parseErrorBody(text).code && !text.includes('<DeleteResult')) {
          throw s3ResponseError(context, 200, headers, text);
        }
      },
    },
    undefined,
  );
  if (!response.text.trim()) return failures;
  const result = rootElement(parseXml(response.text, context.operation), 'DeleteResult', context.operation);
  for (const error of list(result, 'Error')) {
    const code = text(error, 'Code');
    if (code === 'NoSuchKey') continue;
    const key = text(error, 'Key') ?? '';
    failures.push({ key: key.startsWith(root) ? key.slice(root.length) : key, code, message: text(error, 'Message') });
  }
  return failures;
}
