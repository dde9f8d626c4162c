/**
 * The one door to Redis: every command of this package goes through `send`, which fails fast and uniformly. No
 * offline queue and no resending after a lost connection — a reserve that may or may not have run must not run
 * again later behind the caller's back (its TTL cleans it up) — and a bounded wait for each answer. Every failure
 * becomes AttError('STATE_UNAVAILABLE') with a message that names where Redis is but never its password.
 */
import { AttError } from '@att/store-core';
import { Redis, type RedisOptions } from 'ioredis';

export interface Connection {
  /** Sends one command and resolves to its reply; rejects with STATE_UNAVAILABLE. */
  send(command: string, args: readonly (string | number)[]): Promise<unknown>;
  /** `redis://host:port/db` without credentials: safe for messages and logs. */
  readonly where: string;
  close(): Promise<void>;
}

/** Reconnect backoff: quick at first, then every 2 s at most, forever (Redis coming back must be noticed). */
const retryStrategy = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000);

/** The URL without user and password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'redis://(unparsable url)';
  }
}

export function openConnection(source: { url: string } | { client: Redis }, commandTimeout: number): Connection {
  const owned = 'url' in source;
  const where = owned ? redactUrl(source.url) : describeClient(source.client);
  const secrets = owned ? secretsOf(source.url) : [];
  const options: RedisOptions = {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout,
    connectTimeout: Math.max(commandTimeout, 1_000),
    retryStrategy,
  };
  const client = owned ? new Redis(source.url, options) : source.client;
  // ioredis reports connection trouble as 'error' events. The operations themselves reject with
  // STATE_UNAVAILABLE; the last event only sharpens their message (refused password, connection refused…).
  let lastError: unknown;
  const remember = (err: unknown) => {
    lastError = err;
  };
  const recovered = () => remember(undefined);
  client.on('error', remember);
  client.on('ready', recovered);
  const lastTrouble = () => (lastError === undefined ? '' : `: ${firstLine(scrubbed(lastError, secrets).message)}`);
  let everReady = client.status === 'ready';
  // One listener for the first connection, however many operations wait for it.
  const firstReady = everReady
    ? Promise.resolve()
    : new Promise<void>((resolve) =>
        client.once('ready', () => {
          everReady = true;
          resolve();
        }),
      );

  const fail = (reason: string, cause?: unknown): AttError =>
    new AttError('STATE_UNAVAILABLE', `shared state unavailable: Redis at ${where} ${reason}`, {
      cause: cause === undefined ? undefined : scrubbed(cause, secrets),
      details: { redisError: replyCode(cause) },
    });

  /**
   * Before the first connection, wait for it (bounded): a state used right after creation must work. After that a
   * lost connection fails at once: the caller answers 503 now rather than hold a request while Redis is away.
   */
  const ready = async (): Promise<void> => {
    if (client.status === 'ready') return;
    if (everReady || client.status === 'end') {
      throw fail(client.status === 'end' ? 'is closed' : `is not connected (reconnecting${lastTrouble()})`);
    }
    // A client given to us with lazyConnect waits for a first command that we never send while not ready.
    if (client.status === 'wait') client.connect().catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(fail(`did not answer within ${commandTimeout} ms (connecting${lastTrouble()})`)),
        commandTimeout,
      );
    });
    try {
      await Promise.race([firstReady, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    where,
    async send(command, args) {
      await ready();
      try {
        return await client.call(command, ...args);
      } catch (err) {
        // A connection that let a command time out is suspect (a frozen server, a half-open socket after a
        // failover or a partition): drop it and reconnect, which also fails the commands queued behind it now
        // instead of letting them pile up and run late.
        if (owned && isTimeout(err) && client.status === 'ready') client.disconnect(true);
        throw fail(explain(err, commandTimeout), err);
      }
    },
    async close() {
      if (!owned) {
        // The app's client stays the app's: connected, and without our listeners.
        client.off('error', remember);
        client.off('ready', recovered);
        return;
      }
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}

const isTimeout = (err: unknown) => err instanceof Error && /timed out/i.test(err.message);

/** A short reason for an ioredis failure, worded for someone reading the log of an upload that got 503. */
function explain(err: unknown, commandTimeout: number): string {
  const message = err instanceof Error ? err.message : String(err);
  if (isTimeout(err)) return `did not answer within ${commandTimeout} ms`;
  if (/enableOfflineQueue|Connection is closed|max retries|Stream isn't writeable/i.test(message)) {
    return 'is not connected (reconnecting)';
  }
  if (/^(WRONGPASS|NOAUTH|NOPERM)/.test(message)) return `refused the command: ${message.split(/\s/)[0]}`;
  return `failed: ${firstLine(message)}`;
}

const firstLine = (message: string) => (message.split('\n')[0] ?? '').slice(0, 200);

/** The first word of a Redis error reply (NOSCRIPT, WRONGPASS…), or undefined for a connection failure. */
function replyCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || err.name !== 'ReplyError') return undefined;
  return /^[A-Z]+/.exec(err.message)?.[0];
}

/** Host and port of a client someone else configured (its options may hold a password: only these two are read). */
function describeClient(client: Redis): string {
  const { host, port, db } = client.options ?? {};
  return `redis://${host ?? '?'}:${port ?? '?'}${db ? `/${db}` : ''}`;
}

/** The password of a URL, raw and percent-decoded, so it can be cut out of any text. */
function secretsOf(url: string): string[] {
  try {
    const { password } = new URL(url);
    return password ? [...new Set([password, decodeURIComponent(password)])] : [];
  } catch {
    return [];
  }
}

/** The cause kept on the AttError: the original's name and message with any secret replaced, nothing else. */
function scrubbed(cause: unknown, secrets: readonly string[]): Error {
  let message = cause instanceof Error ? cause.message : String(cause);
  for (const secret of secrets) message = message.split(secret).join('***');
  const copy = new Error(message);
  copy.name = cause instanceof Error ? cause.name : 'Error';
  copy.stack = `${copy.name}: ${message}`;
  return copy;
}
