/**
 * A Lua script run as one command: EVALSHA by its digest, and EVAL with the source only when Redis answers
 * NOSCRIPT (first use, or after a Redis restart emptied the script cache). So each operation is one round trip in
 * the steady state, and recovers by itself after a restart.
 */
import { createHash } from 'node:crypto';
import { isAttError } from '@att/store-core';
import type { Connection } from './connection.js';

export interface Script {
  readonly source: string;
  readonly sha: string;
}

export function defineScript(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

export async function runScript(
  connection: Connection,
  script: Script,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await connection.send('EVALSHA', [script.sha, keys.length, ...keys, ...args]);
  } catch (err) {
    if (!(isAttError(err) && err.details?.redisError === 'NOSCRIPT')) throw err;
    return connection.send('EVAL', [script.source, keys.length, ...keys, ...args]);
  }
}
