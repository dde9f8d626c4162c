/**
 * Options about the HTTP surface (owner delete, form fields), kept apart from the limit options in options.ts:
 * these shape answers and requests, they meter nothing.
 */
import { AttError } from '@att/store-core';
import { createOwnerTokens, type OwnerTokens } from './owner-token.js';

export interface AttachmentsHttpOptions {
  /**
   * Each 201 carries a `deleteToken`; `DELETE /:id` with `Authorization: Bearer <token>` deletes without asking
   * `authorize`. Default false (delete only as `authorize` allows).
   */
  ownerDelete?: boolean;
  /**
   * Key for delete tokens (at least 32 bytes), shared by every process behind one URL. Default: a random key per
   * process, so tokens stop working when it restarts.
   */
  ownerDeleteSecret?: string | Uint8Array;
  /** Bytes of multipart form fields, preamble and epilogue per request, in total. Default 64 KiB. */
  fieldsSizeLimit?: number;
}

export interface ResolvedHttpOptions {
  ownerTokens: OwnerTokens | undefined;
  fieldsSizeLimit: number;
}

export const DEFAULT_FIELDS_SIZE_LIMIT = 64 * 1024;

export function resolveHttpOptions(options: AttachmentsHttpOptions): ResolvedHttpOptions {
  const { fieldsSizeLimit = DEFAULT_FIELDS_SIZE_LIMIT } = options;
  if (!Number.isSafeInteger(fieldsSizeLimit) || fieldsSizeLimit < 0) {
    throw new AttError('INVALID_CONFIG', 'fieldsSizeLimit must be a non-negative integer', {
      details: { field: 'fieldsSizeLimit' },
    });
  }
  if (options.ownerDeleteSecret !== undefined && !options.ownerDelete) {
    throw new AttError('INVALID_CONFIG', 'ownerDeleteSecret is set but ownerDelete is not', {
      details: { field: 'ownerDeleteSecret' },
    });
  }
  return {
    ownerTokens: options.ownerDelete ? createOwnerTokens(options.ownerDeleteSecret) : undefined,
    fieldsSizeLimit,
  };
}
