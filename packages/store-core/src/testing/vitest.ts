/**
 * The suite's handle on vitest. It is looked up when the suite is declared — from vitest's worker global (the one
 * behind `import.meta.vitest`), or from `globals: true` — instead of being imported, because vitest refuses to be
 * `require()`d: this keeps `@att/store-core/testing` loadable from CommonJS test files as well as ESM ones, and
 * keeps vitest a truly optional peer dependency.
 */
import type * as Vitest from 'vitest';
import { AttError } from '../errors.js';

type Api = Pick<typeof Vitest, 'describe' | 'it' | 'expect'>;

function vitestApi(): Api {
  const scope = globalThis as Record<string, unknown>;
  const index = scope.__vitest_index__ as Partial<Api> | undefined;
  if (index?.describe && index.it && index.expect) return index as Api;
  if (typeof scope.describe === 'function' && typeof scope.it === 'function' && typeof scope.expect === 'function') {
    return scope as unknown as Api;
  }
  throw new AttError(
    'INVALID_CONFIG',
    '@att/store-core/testing must be used inside a vitest (>= 4.1) test file: call describeBackendConformance() there',
  );
}

/** A check as `collectChecks` hands it out: its full name (describe blocks joined by " > ") and its body. */
export interface CollectedCheck {
  name: string;
  run: () => Promise<void>;
}

/** Set while `collectChecks` runs: describe/it then record instead of declaring tests. */
let collecting: { path: string[]; checks: CollectedCheck[] } | undefined;

/**
 * Runs `declare` (a `describe…Conformance` call) and returns its checks instead of declaring vitest tests, so a
 * test can run them one by one and see which fail: how store-core proves its suites catch the broken backends in
 * `test/mutants/`. Internal to this package's tests; not exported from `@att/store-core/testing`.
 */
export function collectChecks(declare: () => void): CollectedCheck[] {
  const previous = collecting;
  collecting = { path: [], checks: [] };
  try {
    declare();
    return collecting.checks;
  } finally {
    collecting = previous;
  }
}

export function describe(name: string, fn: () => void): void {
  if (collecting) {
    collecting.path.push(name);
    try {
      fn();
    } finally {
      collecting.path.pop();
    }
    return;
  }
  vitestApi().describe(name, fn);
}

export function it(name: string, options: { timeout: number }, fn: () => Promise<void>): void {
  if (collecting) {
    collecting.checks.push({ name: [...collecting.path, name].join(' > '), run: fn });
    return;
  }
  vitestApi().it(name, options, fn);
}

export const expect: Api['expect'] = ((value: unknown, message?: string) =>
  vitestApi().expect(value, message)) as Api['expect'];
