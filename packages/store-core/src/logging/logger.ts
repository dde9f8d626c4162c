/**
 * att's one logger shape, pino's: `level(obj, msg)`. Every package logs through `attLogger()`, which redacts the
 * object at this boundary (redact.ts), so what reaches the app's logger cannot hold a credential whatever the
 * caller put in it, and a logger that throws never fails the operation that logged.
 */
import { redactSecrets } from './redact.js';

/** What att calls; a pino or bunyan logger fits as it is, and any object with some of these methods does. */
export interface Logger {
  debug?(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
  warn?(obj: object, msg?: string): void;
  error?(obj: object, msg?: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The logger att's code holds: every level present, objects redacted. */
export interface AttLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Warnings and errors on the console, one line each; debug and info dropped (the default when none is given). */
export const consoleLogger: Logger = {
  warn(obj, msg) {
    console.warn(`[att] ${msg ?? ''}`, obj);
  },
  error(obj, msg) {
    console.error(`[att] ${msg ?? ''}`, obj);
  },
};

/** Logs nothing. */
export const silentLogger: Logger = {};

const wrapped = new WeakSet<object>();

/** `logger` behind att's redaction (idempotent: an attLogger is returned as it is). */
export function attLogger(logger: Logger = consoleLogger): AttLogger {
  if (wrapped.has(logger)) return logger as AttLogger;
  const out = {} as AttLogger;
  for (const level of LEVELS) {
    const method = logger[level];
    out[level] =
      typeof method === 'function'
        ? (obj, msg) => {
            try {
              method.call(logger, redactSecrets(obj) as object, msg);
            } catch {
              // A broken logger must not fail a write or a cleanup pass; there is nowhere left to report it.
            }
          }
        : () => {};
  }
  wrapped.add(out);
  return out;
}
