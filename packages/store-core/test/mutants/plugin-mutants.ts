/**
 * A correct plugin (`mem-plugin://user:secret@name?chunkSize=N`, a memory backend) and mutants of it, each with
 * one slip a newcomer makes when writing a plugin. The plugin suite must fail each on exactly its check.
 */
import { connect } from 'node:net';
import type { Backend } from '../../src/backend.js';
import { AttError } from '../../src/errors.js';
import { type BackendPlugin, defineBackend } from '../../src/registry.js';
import { createMemoryBackend } from '../../src/testing/memory-backend.js';

export interface MemPluginOptions {
  chunkSize?: number;
}

/** The chunk size a backend was made with, so the precedence check can read it. */
export type SizedBackend = Backend & { readonly chunkSize: number };

/** Reads `mem-plugin://NAME?chunkSize=N`; anything else is INVALID_CONFIG naming the field, never the URL. */
function parse(url: URL): { name: string; chunkSize?: number } {
  if (url.hostname === '') {
    throw new AttError('INVALID_CONFIG', 'mem-plugin: URLs need a name (mem-plugin://NAME)', {
      details: { field: 'name' },
    });
  }
  let chunkSize: number | undefined;
  for (const [name, value] of url.searchParams) {
    if (name !== 'chunkSize') {
      throw new AttError('INVALID_CONFIG', `mem-plugin: parameter ${name} is not known`, { details: { field: name } });
    }
    if (!/^[1-9]\d{0,8}$/.test(value)) {
      throw new AttError('INVALID_CONFIG', 'mem-plugin: chunkSize must be a positive integer', {
        details: { field: 'chunkSize' },
      });
    }
    chunkSize = Number(value);
  }
  return { name: url.hostname, ...(chunkSize === undefined ? {} : { chunkSize }) };
}

/** One storage per name for every backend of the plugin, as one bucket would be. */
const storages = new Map<string, Backend>();

function backendFor(name: string, chunkSize: number): SizedBackend {
  // One memory backend per name holds the objects; each created backend is a view with its own chunk size.
  let shared = storages.get(name);
  if (!shared) {
    shared = createMemoryBackend();
    storages.set(name, shared);
  }
  return Object.assign(Object.create(shared) as Backend, { chunkSize });
}

/** The correct plugin: the URL's chunkSize wins over the option; the option fills in. */
export function memPlugin(scheme = 'mem-plugin'): BackendPlugin<MemPluginOptions> {
  return defineBackend<MemPluginOptions>({
    scheme,
    create(url, options = {}) {
      const parsed = parse(url);
      return backendFor(parsed.name, parsed.chunkSize ?? options.chunkSize ?? 65_536);
    },
  });
}

/** Mutant: a hand-made object "matching the interface", neither checked nor frozen by defineBackend. */
export const handMadePlugin: BackendPlugin<MemPluginOptions> = {
  scheme: 'mem-plugin',
  create: (url, options) => memPlugin().create(url, options),
};

/** Mutant: create() opens a connection at once (to "check the credentials") instead of on first use. */
export const eagerPlugin = defineBackend<MemPluginOptions>({
  scheme: 'mem-plugin',
  create(url, options) {
    const socket = connect(9, '127.0.0.1');
    socket.on('error', () => {}).on('connect', () => socket.destroy());
    return memPlugin().create(url, options);
  },
});

/** Mutant: config errors quote the URL "to help", credentials and all. */
export const echoingPlugin = defineBackend<MemPluginOptions>({
  scheme: 'mem-plugin',
  create(url, options) {
    try {
      return memPlugin().create(url, options);
    } catch (err) {
      throw new AttError('INVALID_CONFIG', `bad mem-plugin URL ${url.href}`, { details: { field: 'url' }, cause: err });
    }
  },
});

/** Mutant: options override the URL (the opposite of att's rule). */
export const optionsWinPlugin = defineBackend<MemPluginOptions>({
  scheme: 'mem-plugin',
  create(url, options = {}) {
    const parsed = parse(url);
    return backendFor(parsed.name, options.chunkSize ?? parsed.chunkSize ?? 65_536);
  },
});
