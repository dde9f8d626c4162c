/**
 * One DeleteObjects batch (≤ 1000 keys), repeated until every key is accounted for. Verbose mode, not Quiet: the
 * answer names each key as Deleted or Error, so a key the server skipped, or an empty 200, is noticed instead of
 * being counted as deleted. Keys failing with a retryable code (SlowDown, InternalError…) and keys not named at all
 * go again after a backoff, up to maxAttempts; whatever is left is then reported per key. A key already gone
 * (NoSuchKey) is deleted. Content-MD5 is sent because Swift and AWS refuse the call without a checksum.
 */
import { createHash } from 'node:crypto';
import { isRetryableS3Code, parseErrorBody, s3ResponseError } from './errors.js';
import { sleep } from './retry.js';
import type { S3Transport } from './transport.js';
import { deleteObjectsXml, list, parseXml, rootElement, text } from './xml.js';

export interface KeyFailure {
  key: string;
  code: string | undefined;
  message: string | undefined;
}

/** What a server's answer left undecided: failures to retry, and failures that stand. */
interface BatchOutcome {
  again: KeyFailure[];
  failed: KeyFailure[];
}

const UNACCOUNTED = 'NotAccountedFor';

export async function deleteBatch(
  transport: S3Transport,
  batch: readonly string[],
  root: string,
  signal: AbortSignal | undefined,
): Promise<KeyFailure[]> {
  const failures: KeyFailure[] = [];
  let pending = batch;
  for (let attempt = 1; ; attempt++) {
    const { again, failed } = await deleteOnce(transport, pending, signal);
    failures.push(...failed);
    if (again.length === 0) break;
    if (attempt >= transport.maxAttempts) {
      failures.push(...again);
      break;
    }
    await sleep(transport.retryDelay(attempt), signal);
    pending = again.map((failure) => failure.key);
  }
  return failures.map((f) => ({ ...f, key: f.key.startsWith(root) ? f.key.slice(root.length) : f.key }));
}

async function deleteOnce(
  transport: S3Transport,
  keys: readonly string[],
  signal: AbortSignal | undefined,
): Promise<BatchOutcome> {
  const body = deleteObjectsXml(keys);
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
  const outcome: BatchOutcome = { again: [], failed: [] };
  const named = new Set<string>();
  if (response.text.trim()) {
    const result = rootElement(parseXml(response.text, context.operation), 'DeleteResult', context.operation);
    for (const deleted of list(result, 'Deleted')) {
      const key = text(deleted, 'Key');
      if (key !== undefined) named.add(key);
    }
    for (const error of list(result, 'Error')) {
      const key = text(error, 'Key');
      if (key === undefined) continue;
      named.add(key);
      const code = text(error, 'Code');
      if (code === 'NoSuchKey') continue;
      const failure = { key, code, message: text(error, 'Message') };
      (code !== undefined && isRetryableS3Code(code) ? outcome.again : outcome.failed).push(failure);
    }
  }
  for (const key of keys) {
    if (!named.has(key)) {
      outcome.again.push({ key, code: UNACCOUNTED, message: 'the DeleteObjects answer did not name this key' });
    }
  }
  return outcome;
}
