/**
 * The JSON bodies of the signing API (multipart creation, completion), read with a hard cap: a completion lists
 * at most 10 000 parts, so anything past the cap is not ours to buffer. A body a parser mounted before us already
 * read (`express.json()`) is taken from `req.body`.
 */
import { AttError } from '@att/store-core';
import type { Request } from 'express';

/** 10 000 parts of `{"PartNumber":10000,"ETag":"\"<32 hex>-<n>\""}` fit with room to spare. */
const MAX_JSON_BYTES = 1024 * 1024;

export async function readJson(req: Request): Promise<Record<string, unknown>> {
  if (req.readableEnded || req.readableFlowing !== null) {
    const parsed = (req as { body?: unknown }).body;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    throw new AttError('BODY_CONSUMED', 'the JSON body was read by another middleware and is not available here');
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_JSON_BYTES) {
      req.resume();
      throw new AttError('TOO_LARGE', `JSON body over ${MAX_JSON_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  if (length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AttError('INVALID_REQUEST', 'the body is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new AttError('INVALID_REQUEST', 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
