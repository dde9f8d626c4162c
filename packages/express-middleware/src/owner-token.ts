/**
 * Owner delete without accounts: the uploader gets a `deleteToken`, an HMAC of the attachment id under a server
 * secret, and proves ownership by sending it back as `Authorization: Bearer <token>`. Nothing is stored per
 * upload; whoever holds the secret can mint tokens, so it never leaves the server.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AttError } from '@att/store-core';
import type { Request } from 'express';

/** Secrets shorter than this are refused: the token is only as strong as the key. */
const MIN_SECRET_BYTES = 32;

export interface OwnerTokens {
  tokenFor(id: string): string;
  /** True when the request carries `Authorization: Bearer <the token for id>` (constant-time compare). */
  proves(req: Request, id: string): boolean;
}

/**
 * `secret` undefined: a random key for this process (tokens stop working at restart and differ between
 * processes; pass a secret shared by all of them to keep tokens valid).
 */
export function createOwnerTokens(secret: string | Uint8Array | undefined): OwnerTokens {
  const key = secret === undefined ? randomBytes(MIN_SECRET_BYTES) : Buffer.from(secret);
  if (key.length < MIN_SECRET_BYTES) {
    throw new AttError('INVALID_CONFIG', `ownerDeleteSecret must be at least ${MIN_SECRET_BYTES} bytes`, {
      details: { field: 'ownerDeleteSecret' },
    });
  }
  const mac = (id: string) => createHmac('sha256', key).update(`att-delete:${id}`).digest();
  return {
    tokenFor: (id) => mac(id).toString('base64url'),
    proves(req, id) {
      const match = /^Bearer\s+([A-Za-z0-9_-]{43})\s*$/.exec(req.get('authorization') ?? '');
      if (!match) return false;
      return timingSafeEqual(Buffer.from(match[1] as string, 'base64url'), mac(id));
    },
  };
}
