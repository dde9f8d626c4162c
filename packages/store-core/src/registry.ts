/**
 * URL scheme → backend factory. Packages export plugins and never register them on import (no side effects);
 * the app opts in with `registerBackend(fsPlugin)`. Error messages name schemes only, never the URL, because
 * URLs may carry credentials.
 */
import { pathToFileURL } from 'node:url';
import type { Backend } from './backend.js';
import { AttError } from './errors.js';

export interface BackendPlugin<Options = unknown> {
  /** URL scheme without the colon, lower case (`file`, `s3`). */
  readonly scheme: string;
  /** Builds a backend from a URL. Synchronous: backends connect lazily on first use. */
  create(url: URL, options?: Options): Backend;
}

/** Known plugins and the package that exports them, for helpful UNKNOWN_BACKEND messages. */
const KNOWN_PLUGINS: Record<string, string> = {
  file: 'fsPlugin from @att/backend-fs',
  s3: 's3Plugin from @att/backend-s3',
};

const SCHEME = /^[a-z][a-z0-9+.-]*$/;

function normalizeScheme(scheme: string): string {
  return scheme.replace(/:$/, '').toLowerCase();
}

/** Declares a backend plugin (validates the scheme and freezes the plugin). */
export function defineBackend<Options = unknown>(plugin: BackendPlugin<Options>): BackendPlugin<Options> {
  if (typeof plugin?.create !== 'function') {
    throw new AttError('INVALID_CONFIG', 'a backend plugin needs a create(url, options) function');
  }
  const scheme = normalizeScheme(String(plugin.scheme ?? ''));
  if (!SCHEME.test(scheme) || scheme.length < 2) {
    // One-letter schemes are refused: `C:\data` must stay a Windows path, not a URL.
    throw new AttError('INVALID_CONFIG', `invalid backend scheme "${plugin.scheme}"`);
  }
  return Object.freeze({ scheme, create: plugin.create.bind(plugin) });
}

/** Turns a URL string or a bare filesystem path into a URL (paths become `file:` URLs). */
export function toBackendUrl(target: string | URL): URL {
  if (target instanceof URL) return target;
  if (typeof target !== 'string' || target.length === 0) {
    throw new AttError('INVALID_CONFIG', 'a backend URL or path is required');
  }
  // `scheme:` with at least two letters is a URL; anything else (./data, /var/att, C:\att) is a path.
  if (/^[a-z][a-z0-9+.-]+:/i.test(target)) {
    try {
      return new URL(target);
    } catch {
      // No `cause`: Node's parse error keeps the whole input (credentials included) on its `input` property.
      const scheme = target.slice(0, target.indexOf(':'));
      throw new AttError('INVALID_CONFIG', `malformed backend URL for scheme "${scheme}:"`);
    }
  }
  return pathToFileURL(target);
}

export class BackendRegistry {
  readonly #plugins = new Map<string, BackendPlugin<never>>();

  /** Adds a plugin; registering another plugin for the same scheme replaces it. */
  register<Options>(plugin: BackendPlugin<Options>): this {
    const defined = defineBackend(plugin);
    this.#plugins.set(defined.scheme, defined as BackendPlugin<never>);
    return this;
  }

  has(scheme: string): boolean {
    return this.#plugins.has(normalizeScheme(scheme));
  }

  /** Registered schemes, sorted. */
  schemes(): string[] {
    return [...this.#plugins.keys()].sort();
  }

  /** Creates a backend for a URL (or a bare path, which means `file:`). */
  resolve(target: string | URL, options?: unknown): Backend {
    const url = toBackendUrl(target);
    const scheme = normalizeScheme(url.protocol);
    const plugin = this.#plugins.get(scheme);
    if (!plugin) {
      const registered = this.schemes();
      const known = KNOWN_PLUGINS[scheme];
      const hint = known ? ` Register ${known} first: registerBackend(plugin).` : '';
      throw new AttError(
        'UNKNOWN_BACKEND',
        `no backend registered for scheme "${scheme}:" (registered: ${registered.length ? registered.join(', ') : 'none'}).${hint}`,
        { details: { scheme, registered } },
      );
    }
    return (plugin as BackendPlugin<unknown>).create(url, options);
  }
}

/** The process-wide registry used by `registerBackend`, `createBackend` and `createStore({ backend: url })`. */
export const defaultRegistry = new BackendRegistry();

export function registerBackend<Options>(plugin: BackendPlugin<Options>): void {
  defaultRegistry.register(plugin);
}

export function createBackend(target: string | URL, options?: unknown): Backend {
  return defaultRegistry.resolve(target, options);
}
