/** The in-process Lease (the default): exclusive inside one process, which is all one process needs. */
import { randomUUID } from 'node:crypto';
import type { Lease } from './lease.js';

export function createMemoryLease(now: () => number = Date.now): Lease {
  const held = new Map<string, { token: string; until: number }>();
  const holds = (name: string, token: string) => {
    const entry = held.get(name);
    return entry !== undefined && entry.token === token && entry.until > now();
  };
  return {
    async acquire(name, ttlMs) {
      const entry = held.get(name);
      if (entry && entry.until > now()) return undefined;
      const token = randomUUID();
      held.set(name, { token, until: now() + ttlMs });
      return token;
    },
    async renew(name, token, ttlMs) {
      if (!holds(name, token)) return false;
      held.set(name, { token, until: now() + ttlMs });
      return true;
    },
    async release(name, token) {
      if (held.get(name)?.token === token) held.delete(name);
    },
  };
}
