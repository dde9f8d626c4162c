/**
 * `describePluginConformance(plugin, options)`: the checks every att backend plugin must pass, for vitest. Where
 * the backend suite proves the storage, this one proves the face apps meet first: the scheme, `create` (synchronous,
 * lazy), config errors that name the field and never echo the URL or its secret, the one precedence rule (a
 * setting the URL states wins over the same option), and that importing the package registered nothing.
 */
import { randomUUID } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import type { Backend } from '../backend.js';
import { isAttError } from '../errors.js';
import { type BackendPlugin, BackendRegistry, defaultRegistry } from '../registry.js';
import { chunked, describeError, expectAttError, getBytes } from './fixtures.js';
import { leaks, secretForms } from './plugin-checks/leaks.js';
import { describe, expect, it } from './vitest.js';

export interface PluginConformanceOptions<Options = unknown> {
  /** Label of the describe block, when one file runs the suite more than once. Default: the scheme. */
  name?: string;
  /** A URL the plugin accepts. Its backend is used for one small round trip unless `roundTrip` is false. */
  validUrl: string;
  /** URLs the plugin must refuse with INVALID_CONFIG: malformed, missing parts, bad or unknown parameters. */
  invalidUrls: string[];
  /** A secret written into `validUrl` and `invalidUrls` (a password); it must never show in errors or backends. */
  secretInUrl?: string;
  /**
   * A setting both the URL and the options can give. `read` reads it off a backend; the suite checks that the
   * URL's value wins and that the option applies when the URL is silent. Leave out for plugins without options.
   */
  precedence?: {
    /** A valid URL that states the setting. */
    urlWith: string;
    /** The same URL without it. */
    urlWithout: string;
    /** Options that give the setting another value than `urlWith` does. */
    options: Options;
    read(backend: Backend): unknown;
  };
  /** Store, read and delete one object through `validUrl`'s backend. Default true. */
  roundTrip?: boolean;
  /** Per-check timeout in ms. Default 60 000. */
  timeout?: number;
}

/** Calls `fn` and returns what it threw (undefined when it returned). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** Counts sockets and HTTP connections opened while `fn` runs and for two turns of the event loop after it. */
async function connectionsDuring<T>(fn: () => T): Promise<{ result: T; connections: number }> {
  const channels = ['net.client.socket', 'undici:client:beforeConnect'].map((name) => channel(name));
  let connections = 0;
  const count = () => {
    connections += 1;
  };
  for (const c of channels) c.subscribe(count);
  try {
    const result = fn();
    // A lazy plugin may schedule nothing; an eager one starts connecting on a later tick.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    return { result, connections };
  } finally {
    for (const c of channels) c.unsubscribe(count);
  }
}

const METHODS = ['put', 'get', 'head', 'delete', 'list', 'cleanupIncomplete'] as const;

export function describePluginConformance<Options>(
  plugin: BackendPlugin<Options>,
  options: PluginConformanceOptions<Options>,
): void {
  const timeout = { timeout: options.timeout ?? 60_000 };
  const needles = options.secretInUrl ? secretForms(options.secretInUrl) : [];
  const registry = () => new BackendRegistry().register(plugin);
  /** Creates through a registry (as apps do), runs `fn`, closes what was created. */
  const withBackend = async (url: string, pluginOptions: Options | undefined, fn: (b: Backend) => Promise<void>) => {
    const backend = registry().resolve(url, pluginOptions);
    try {
      await fn(backend);
    } finally {
      await backend.close?.();
    }
  };

  describe(`${options.name ?? String(plugin?.scheme)}: plugin conformance`, () => {
    it('is a plugin made by defineBackend: frozen, a lower-case scheme of two or more letters', timeout, async () => {
      expect(Object.isFrozen(plugin), 'the plugin is not frozen: make it with defineBackend()').toBe(true);
      expect(plugin.scheme, 'scheme: lower case, no colon, two or more characters').toMatch(/^[a-z][a-z0-9+.-]+$/);
      expect(typeof plugin.create, 'create must be a function').toBe('function');
      for (const field of ['package', 'hint'] as const) {
        const value = plugin[field];
        if (value !== undefined) expect(typeof value, `${field} must be a string`).toBe('string');
      }
      const scheme = new URL(options.validUrl).protocol.slice(0, -1);
      expect(scheme, 'validUrl has another scheme than the plugin').toBe(plugin.scheme);
    });

    it('registers nothing on import: the default registry does not know the scheme', timeout, async () => {
      // The test file imported the plugin's package; a package that registers itself has done so by now.
      expect(
        defaultRegistry.has(plugin.scheme),
        `"${plugin.scheme}:" is registered in the default registry without registerBackend() in the test: importing the package must not register it`,
      ).toBe(false);
    });

    it('creates a backend synchronously and lazily: no connection until it is used', timeout, async () => {
      const { result: backend, connections } = await connectionsDuring(() => plugin.create(new URL(options.validUrl)));
      try {
        expect(typeof (backend as { then?: unknown })?.then, 'create() returned a promise').not.toBe('function');
        for (const method of METHODS) {
          expect(typeof backend[method], `the backend has no ${method}() method`).toBe('function');
        }
        expect(connections, 'create() opened connections: connect on first use instead').toBe(0);
      } finally {
        await backend.close?.();
      }
    });

    it('resolves its URLs through a registry, whatever the case of the scheme', timeout, async () => {
      const upper = options.validUrl.replace(/^[a-z][a-z0-9+.-]*:/i, (s) => s.toUpperCase());
      for (const url of [options.validUrl, upper]) {
        const backend = registry().resolve(url);
        expect(typeof backend.put, `resolve() of a ${url === upper ? 'upper-case' : 'lower-case'} scheme`).toBe(
          'function',
        );
        await backend.close?.();
      }
    });

    it(
      'refuses malformed URLs with INVALID_CONFIG naming the field, never echoing the URL or its secret',
      timeout,
      async () => {
        expect(options.invalidUrls.length, 'give the suite some invalidUrls').toBeGreaterThan(0);
        for (const url of options.invalidUrls) {
          const err = thrownBy(() => registry().resolve(url));
          const label = `invalid URL #${options.invalidUrls.indexOf(url) + 1}`;
          expect(err, `${label} was accepted`).toBeDefined();
          expect(isAttError(err, 'INVALID_CONFIG'), `${label}: threw ${describeError(err)}, not INVALID_CONFIG`).toBe(
            true,
          );
          const field = isAttError(err) ? err.details?.field : undefined;
          expect(typeof field, `${label}: the error's details.field must name the bad part`).toBe('string');
          // A URL hardly longer than its scheme (`x:///`) may well appear in a helpful message about the URL shape.
          const urlNeedle = url.length > plugin.scheme.length + 6 ? [url] : [];
          expect(leaks(err, [...urlNeedle, ...needles]), `${label}: the error reveals the URL or its secret`).toEqual(
            [],
          );
        }
      },
    );

    it('keeps the secret of its URL out of the backend’s inspect, JSON and toString', timeout, async () => {
      await withBackend(options.validUrl, undefined, async (backend) => {
        expect(leaks(backend, needles), 'the backend shows the secret of its URL').toEqual([]);
      });
    });

    const { precedence } = options;
    if (precedence) {
      it('lets a setting the URL states win over the same option; options fill in the rest', timeout, async () => {
        const before = JSON.stringify(precedence.options);
        const read = async (url: string, pluginOptions?: Options) => {
          let value: unknown;
          await withBackend(url, pluginOptions, async (backend) => {
            value = precedence.read(backend);
          });
          return value;
        };
        expect(await read(precedence.urlWith, precedence.options), 'the option overrode the URL').toEqual(
          await read(precedence.urlWith),
        );
        expect(
          await read(precedence.urlWithout, precedence.options),
          'the option did not apply where the URL is silent (or precedence.options sets nothing)',
        ).not.toEqual(await read(precedence.urlWithout));
        expect(JSON.stringify(precedence.options), 'create() changed the options object it was given').toBe(before);
      });
    }

    if (options.roundTrip ?? true) {
      it('gives a backend that works once used', timeout, async () => {
        await withBackend(options.validUrl, undefined, async (backend) => {
          const key = `att-plugin-conformance-${randomUUID()}`;
          await backend.put(key, chunked(Buffer.from('plugin conformance')), { contentType: 'text/plain' });
          try {
            expect((await getBytes(backend, key)).toString(), 'get() after put() through validUrl').toBe(
              'plugin conformance',
            );
          } finally {
            await backend.delete([key]);
          }
          await expectAttError(backend.head(key), 'NOT_FOUND', 'head() after delete() through validUrl');
        });
      });
    }
  });
}
