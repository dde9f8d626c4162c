/** Per-test setup of the conformance suite: a fresh backend, unique keys, cleanup of those keys, close(). */
import type { Backend } from '../backend.js';
import { runPrefix } from './fixtures.js';

export interface ConformanceCapabilities {
  /** Range reads (`get(key, { range })`). Default true. */
  range?: boolean;
  /** Keys with spaces, `+`, `%` and non-ASCII letters. Default true. */
  unicodeKeys?: boolean;
  /**
   * Two backends from the factory share their objects (one directory, one bucket), as after a restart or across
   * processes. Default true; only a backend whose objects live inside the instance (plain memory) turns it off.
   */
  sharedStorage?: boolean;
}

export interface ConformanceOptions {
  /** Narrow the suite to what the backend supports. Everything is checked by default. */
  capabilities?: ConformanceCapabilities;
  /** Run the 6 MiB and 12 MiB body checks. Default true. */
  largeBodies?: boolean;
  /** Run the listing of more than 1000 keys. Default true. */
  manyKeys?: boolean;
  /** Per-test timeout in ms. Default 120 000. */
  timeout?: number;
}

export type BackendFactory = () => Backend | Promise<Backend>;

export interface Harness {
  /** The suite's factory, for checks that need a second instance on the same storage (resuming after a restart). */
  readonly create: BackendFactory;
  readonly options: Required<ConformanceOptions> & { capabilities: Required<ConformanceCapabilities> };
  /**
   * Creates a backend, runs `fn` with a key maker (`key(name)`, remembered and deleted afterwards) and a prefix
   * maker (`prefix(name)`, for listings), deletes the keys it made, closes the backend.
   */
  use(
    fn: (backend: Backend, key: (name: string) => string, prefix: (name: string) => string) => Promise<void>,
  ): Promise<void>;
}

export function createHarness(create: BackendFactory, options: ConformanceOptions = {}): Harness {
  const prefix = runPrefix();
  let testNumber = 0;
  const resolved = {
    capabilities: { range: true, unicodeKeys: true, sharedStorage: true, ...options.capabilities },
    largeBodies: options.largeBodies ?? true,
    manyKeys: options.manyKeys ?? true,
    timeout: options.timeout ?? 120_000,
  };
  return {
    create,
    options: resolved,
    async use(fn) {
      testNumber += 1;
      const testPrefix = `${prefix}t${testNumber}/`;
      const made = new Set<string>();
      const key = (name: string) => {
        const full = testPrefix + name;
        made.add(full);
        return full;
      };
      const backend = await create();
      try {
        await fn(backend, key, (name) => testPrefix + name);
      } finally {
        try {
          if (made.size > 0) await backend.delete([...made]);
        } finally {
          await backend.close?.();
        }
      }
    },
  };
}
