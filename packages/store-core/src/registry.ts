/**
 * URL scheme → backend factory. Packages export plugins and never register them on import (no side effects);
 * the app opts in with `registerBackend(fsPlugin)`. Error messages name schemes only, never the URL, because
 * URLs may carry credentials. The core knows no concrete backend: what an UNKNOWN_BACKEND message can suggest
 * comes from what plugins declare about themselves (`package`, `hint`).
 */
import { pathToFileURL } from 'node:url';
import type { Backend } from './backend.js';
import { AttError } from './errors.js';

/**
 * A backend plugin. One rule for every plugin's `create(url, options)`: **a setting the URL states wins over the
 * same setting in `options`**; options fill in what the URL leaves out and carry what a URL cannot (agents,
 * credential providers, callbacks). The URL is the deployment's word (usually one environment variable), the
 * options are the code's defaults: an operator retunes a deployment by editing the URL, with no release, and
 * the same code runs in every environment.
 */
export interface BackendPlugin<Options = unknown> {
  /** URL scheme without the colon, lower case (`file`, `s3`). */
  readonly scheme: string;
  /** The npm package that exports this plugin (`@att/backend-s3`); named when the scheme is used unregistered. */
  readonly package?: string;
  /** The URL's shape in one line (`s3://KEY:SECRET@BUCKET/PREFIX?region=R`), shown in registry messages. */
  readonly hint?: string;
  /** Builds a backend from a URL. Synchronous and lazy: no I/O until the backend's first use. */
  create(url: URL, options?: Options): Backend;
}

const SCHEME = /^[a-z][a-z0-9+.-]*$/;

/**
 * Plugins made by `defineBackend` in this process, by scheme: what they said about themselves. This registers
 * nothing; it lets "imported but never registered" (the commonest setup slip) get a precise message.
 */
const definedPlugins = new Map<string, { package?: string; hint?: string }>();

function normalizeScheme(scheme: string): string {
  return scheme.replace(/:$/, '').toLowerCase();
}

function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 200 || /[\r\n]/.test(value)) {
    throw new AttError('INVALID_CONFIG', `a backend plugin's ${field} must be one line of text`, {
      details: { field },
    });
  }
  return value;
}

/** Declares a backend plugin: validates scheme and metadata, freezes the plugin. Registers nothing. */
export function defineBackend<Options = unknown>(plugin: BackendPlugin<Options>): BackendPlugin<Options> {
  if (typeof plugin?.create !== 'function') {
    throw new AttError('INVALID_CONFIG', 'a backend plugin needs a create(url, options) function', {
      details: { field: 'create' },
    });
  }
  const scheme = normalizeScheme(String(plugin.scheme ?? ''));
  if (!SCHEME.test(scheme) || scheme.length < 2) {
    // One-letter schemes are refused: `C:\data` must stay a Windows path, not a URL.
    throw new AttError('INVALID_CONFIG', `invalid backend scheme "${plugin.scheme}"`, { details: { field: 'scheme' } });
  }
  const facts = { package: optionalText(plugin.package, 'package'), hint: optionalText(plugin.hint, 'hint') };
  const defined: BackendPlugin<Options> = {
    scheme,
    ...(facts.package === undefined ? {} : { package: facts.package }),
    ...(facts.hint === undefined ? {} : { hint: facts.hint }),
    create: plugin.create.bind(plugin),
  };
  if (facts.package !== undefined || facts.hint !== undefined) definedPlugins.set(scheme, facts);
  return Object.freeze(defined);
}

/** Turns a URL string or a bare filesystem path into a URL (paths become `file:` URLs). */
export function toBackendUrl(target: string | URL): URL {
  if (target instanceof URL) return target;
  if (typeof target !== 'string' || target.length === 0) {
    throw new AttError('INVALID_CONFIG', 'a backend URL or path is required', { details: { field: 'backend' } });
  }
  // `scheme:` with at least two letters is a URL; anything else (./data, /var/att, C:\att) is a path.
  if (/^[a-z][a-z0-9+.-]+:/i.test(target)) {
    try {
      return new URL(target);
    } catch {
      // No `cause`: Node's parse error keeps the whole input (credentials included) on its `input` property.
      const scheme = target.slice(0, target.indexOf(':'));
      throw new AttError('INVALID_CONFIG', `malformed backend URL for scheme "${scheme}:"`, {
        details: { field: 'backend' },
      });
    }
  }
  return pathToFileURL(target);
}

/** "s3 (s3://KEY:SECRET@BUCKET…)": a registered scheme as the UNKNOWN_BACKEND message lists it. */
function describePlugin(plugin: BackendPlugin<never>): string {
  return plugin.hint ? `${plugin.scheme} (${plugin.hint})` : plugin.scheme;
}

/** What to do about an unregistered scheme, from what plugins declared; never from a table of known packages. */
function adviceFor(scheme: string): string {
  const defined = definedPlugins.get(scheme);
  if (defined?.package) {
    return `The "${scheme}:" plugin from ${defined.package} is loaded but not registered: call registerBackend(plugin) (or registry.register(plugin)) with it before creating the store.`;
  }
  if (defined) return `A "${scheme}:" plugin is loaded but not registered: pass it to registerBackend(plugin) first.`;
  const path = scheme === 'file' ? ' (a bare path means "file:")' : '';
  return `Install the package whose plugin serves "${scheme}:"${path}, import its plugin and call registerBackend(plugin) first.`;
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
      const listed = registered.map((name) => describePlugin(this.#plugins.get(name) as BackendPlugin<never>));
      throw new AttError(
        'UNKNOWN_BACKEND',
        `no backend registered for scheme "${scheme}:" (registered: ${listed.length ? listed.join(', ') : 'none'}). ${adviceFor(scheme)}`,
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
