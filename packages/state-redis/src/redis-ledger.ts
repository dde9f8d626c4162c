/**
 * The Ledger in Redis: the store total and the visitors' byte budgets, exact across every process sharing one
 * Redis. Each method is one script (ledger-lua.ts), hence one round trip and atomic; this class only encodes the
 * arguments and remembers what the replies said about each counter, for the synchronous `peek`.
 */
import type { Claim, Commitment, CounterUsage, Ledger } from '@att/store-core';
import type { Connection } from './connection.js';
import { RENEW, RESERVE, SETTLE, USAGE } from './ledger-lua.js';
import { runScript } from './script.js';

export interface RedisLedgerSettings {
  prefix: string;
  settledMemoryMs: number;
  expirySlotMs: number;
}

/** Counters remembered for `peek`; the least recently seen go first (a process sees many visitors over a day). */
const SEEN_LIMIT = 10_000;

export class RedisLedger implements Ledger {
  readonly #connection: Connection;
  readonly #settings: RedisLedgerSettings;
  readonly #seen = new Map<string, number>();

  constructor(connection: Connection, settings: RedisLedgerSettings) {
    this.#connection = connection;
    this.#settings = settings;
  }

  async reserve(holder: string, claims: readonly Claim[], ttlMs: number): Promise<string | undefined> {
    const args: (string | number)[] = [this.#settings.prefix, holder, Math.max(1, Math.ceil(ttlMs))];
    for (const claim of claims) {
      args.push(claim.counter, claim.bytes, Number.isFinite(claim.limit) ? Math.floor(claim.limit) : '');
    }
    const [refused, ...values] = (await runScript(this.#connection, RESERVE, [], args)) as [string, ...unknown[]];
    if (refused !== '') {
      this.#remember(refused, Number(values[0]));
      return refused;
    }
    this.#rememberPairs(values);
    return undefined;
  }

  async renew(holders: readonly string[], ttlMs: number): Promise<string[]> {
    if (holders.length === 0) return [];
    const args = [this.#settings.prefix, Math.max(1, Math.ceil(ttlMs)), ...holders];
    return (await runScript(this.#connection, RENEW, [], args)) as string[];
  }

  async settle(holder: string, keep: readonly Commitment[]): Promise<void> {
    const { prefix, settledMemoryMs, expirySlotMs } = this.#settings;
    const args: (string | number)[] = [prefix, holder, settledMemoryMs, expirySlotMs];
    for (const item of keep) args.push(item.counter, item.bytes, item.expiresAt === undefined ? '' : item.expiresAt);
    this.#rememberPairs((await runScript(this.#connection, SETTLE, [], args)) as unknown[]);
  }

  async usage(counter: string): Promise<CounterUsage> {
    const reply = (await runScript(this.#connection, USAGE, [], [this.#settings.prefix, counter])) as [number, number];
    const usage = { committed: Number(reply[0]), reserved: Number(reply[1]) };
    this.#remember(counter, usage.committed + usage.reserved);
    return usage;
  }

  peek(counter: string): number {
    return this.#seen.get(counter) ?? 0;
  }

  #rememberPairs(pairs: readonly unknown[]): void {
    for (let i = 0; i + 1 < pairs.length; i += 2) this.#remember(String(pairs[i]), Number(pairs[i + 1]));
  }

  #remember(counter: string, value: number): void {
    this.#seen.delete(counter);
    this.#seen.set(counter, value);
    if (this.#seen.size > SEEN_LIMIT) this.#seen.delete(this.#seen.keys().next().value as string);
  }
}
