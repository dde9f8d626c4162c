/**
 * The options of `redisState()` and their checks. A wrong value is an AttError('INVALID_CONFIG') naming the field,
 * at startup, so a deployment never discovers a typo under load.
 */
import { AttError } from '@att/store-core';
import type { Redis } from 'ioredis';

export interface RedisStateOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Either this or `client`. */
  url?: string;
  /**
   * An ioredis client you configured yourself (Sentinel, TLS, ACL…). Its own settings apply; `close()` leaves it
   * open. For fail-fast behaviour give it `enableOfflineQueue: false` and a `commandTimeout`, as `url` does.
   */
  client?: Redis;
  /** Prepended to every key, so several apps share one Redis. Default `'att:'`. */
  prefix?: string;
  /** Longest wait for one Redis answer before an operation rejects with STATE_UNAVAILABLE. Default 2000 ms. */
  commandTimeout?: number;
  /** How long a settled holder's name is remembered, so a repeated settle commits nothing. Default 1 hour. */
  settledMemoryMs?: number;
  /**
   * Expiring bytes (a visitor's total, daily bandwidth) are kept in slots of this width, their deadline rounded up
   * to the slot's end (bytes may stay up to one slot longer, never shorter). Default 60 000 ms.
   */
  expirySlotMs?: number;
}

export interface ResolvedOptions {
  prefix: string;
  commandTimeout: number;
  settledMemoryMs: number;
  expirySlotMs: number;
}

function positiveInteger(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new AttError('INVALID_CONFIG', `redisState: ${field} must be a positive integer (ms), got ${String(value)}`, {
      details: { field },
    });
  }
  return value;
}

export function resolveOptions(options: RedisStateOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new AttError('INVALID_CONFIG', 'redisState: options must be an object with `url` or `client`', {
      details: { field: 'options' },
    });
  }
  const hasUrl = options.url !== undefined;
  const hasClient = options.client !== undefined;
  if (hasUrl === hasClient) {
    throw new AttError('INVALID_CONFIG', 'redisState: give exactly one of `url` and `client`', {
      details: { field: hasUrl ? 'client' : 'url' },
    });
  }
  if (hasUrl && (typeof options.url !== 'string' || !/^rediss?:\/\//i.test(options.url))) {
    // The URL may carry a password: say what is wrong with it, never echo it.
    throw new AttError('INVALID_CONFIG', 'redisState: url must be a redis:// or rediss:// URL', {
      details: { field: 'url' },
    });
  }
  if (hasClient && typeof (options.client as { evalsha?: unknown }).evalsha !== 'function') {
    throw new AttError('INVALID_CONFIG', 'redisState: client must be an ioredis client (new Redis(...))', {
      details: { field: 'client' },
    });
  }
  const prefix = options.prefix ?? 'att:';
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new AttError('INVALID_CONFIG', 'redisState: prefix must be a non-empty string', {
      details: { field: 'prefix' },
    });
  }
  return {
    prefix,
    commandTimeout: positiveInteger('commandTimeout', options.commandTimeout, 2_000),
    settledMemoryMs: positiveInteger('settledMemoryMs', options.settledMemoryMs, 3_600_000),
    expirySlotMs: positiveInteger('expirySlotMs', options.expirySlotMs, 60_000),
  };
}
