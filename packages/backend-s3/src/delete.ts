import { createHash } from 'node:crypto';
import { AttError } from '@att/store-core';
import { parseErrorBody, s3ResponseError } from './errors.js';
import type { S3Transport } from './transport.js';
import { deleteObjectsXml, list, parseXml, rootElement, text } from './xml.js';

const BATCH = 1000;
const REPORTED_FAILURES = 50;

interface KeyFailure {
  key: string;
  code: string | undefined;
  message: string | undefined;
}

/**
 * DeleteObjects in batches of 1000, quiet mode (only failures come back). Content-MD5 is sent because Swift and
 * AWS refuse the call without a checksum. A key that is already gone is a success. Every batch is tried; the
 * per-key failures of all batches are then thrown as one error listing them.
 */
export async function deleteKeys(
  transport: S3Transport,
  fullKeys: readonly string[],
  root: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const failures: KeyFailure[] = [];
  let batchError: unknown;
  for (let i = 0; i < fullKeys.length; i += BATCH) {
    const batch = fullKeys.slice(i, i + BATCH);
    const body = deleteObjectsXml(batch);
    const context = { operation: 'DeleteObjects' };
    try {
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
      if (response.text.trim()) {
        const result = rootElement(parseXml(response.text, context.operation), 'DeleteResult', context.operation);
        for (const error of list(result, 'Error')) {
          const code = text(error, 'Code');
          if (code === 'NoSuchKey') continue;
          const key = text(error, 'Key') ?? '';
          failures.push({
            key: key.startsWith(root) ? key.slice(root.length) : key,
            code,
            message: text(error, 'Message'),
          });
        }
      }
    } catch (err) {
      if (signal?.aborted) throw err;
      batchError ??= err;
    }
  }
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
