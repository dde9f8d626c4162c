/**
 * The Lease in Redis: SET NX PX takes it, and renew/release are scripts that act only while the caller's token
 * still holds it, so a holder whose lease expired and was taken by another instance cannot extend or drop the
 * new holder's lease.
 */
import { randomUUID } from 'node:crypto';
import type { Lease } from '@att/store-core';
import type { Connection } from './connection.js';
import { leaseKey } from './keys.js';
import { defineScript, runScript } from './script.js';

/** KEYS[1] = lease; ARGV = token, ttlMs. */
const RENEW = defineScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`);

/** KEYS[1] = lease; ARGV = token. */
const RELEASE = defineScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`);

const ttl = (ms: number) => Math.max(1, Math.ceil(ms));

export function createRedisLease(connection: Connection, prefix: string): Lease {
  return {
    async acquire(name, ttlMs) {
      const token = randomUUID();
      const reply = await connection.send('SET', [leaseKey(prefix, name), token, 'NX', 'PX', ttl(ttlMs)]);
      return reply === 'OK' ? token : undefined;
    },
    async renew(name, token, ttlMs) {
      return Number(await runScript(connection, RENEW, [leaseKey(prefix, name)], [token, ttl(ttlMs)])) === 1;
    },
    async release(name, token) {
      await runScript(connection, RELEASE, [leaseKey(prefix, name)], [token]);
    },
  };
}
