import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  type AttError,
  type Backend,
  BackendRegistry,
  createBackend,
  createStore,
  defineBackend,
  isAttError,
  registerBackend,
} from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';

function thrown(fn: () => unknown): AttError {
  try {
    fn();
  } catch (err) {
    if (isAttError(err)) return err;
    throw err;
  }
  throw new Error('expected a throw');
}

describe('backend registry', () => {
  it('registers plugins by scheme and resolves URLs to backends', () => {
    const seen: Array<[string, unknown]> = [];
    const memPlugin = defineBackend<{ tag: string }>({
      scheme: 'mem:',
      create(url, options) {
        seen.push([url.href, options]);
        return createMemoryBackend();
      },
    });
    expect(memPlugin.scheme).toBe('mem');
    const registry = new BackendRegistry().register(memPlugin);
    expect(registry.schemes()).toEqual(['mem']);
    expect(registry.has('MEM:')).toBe(true);
    const backend = registry.resolve('mem://bucket/prefix?x=1', { tag: 't' });
    expect(typeof backend.put).toBe('function');
    expect(seen).toEqual([['mem://bucket/prefix?x=1', { tag: 't' }]]);
  });

  it('explains an unknown scheme from what plugins declared, never from a list in the core', () => {
    const registry = new BackendRegistry();
    registry.register(defineBackend({ scheme: 'mem', hint: 'mem://anything', create: () => createMemoryBackend() }));
    const unheard = thrown(() => registry.resolve('s3://AKIDEXAMPLE:wJalrXUtnFEMI@bucket/prefix'));
    expect(unheard.code).toBe('UNKNOWN_BACKEND');
    expect(unheard.message, 'the scheme is named').toContain('"s3:"');
    expect(unheard.message, 'registered plugins are listed with their hints').toContain(
      'registered: mem (mem://anything)',
    );
    expect(unheard.message, 'an unheard-of scheme still says what to do').toContain('registerBackend(plugin)');
    expect(unheard.message, 'the core names no package of its own').not.toContain('@att/');
    expect(inspect(unheard, { showHidden: true, depth: 10 })).not.toContain('wJalrXUtnFEMI');
    expect(JSON.stringify(unheard)).not.toContain('wJalrXUtnFEMI');

    // A third-party plugin gets the same help as att's own: it was defined (imported) but never registered.
    defineBackend({ scheme: 'azure-blob', package: 'att-azure', create: () => createMemoryBackend() });
    const forgotten = thrown(() => registry.resolve('azure-blob://account/container'));
    expect(forgotten.message).toContain('"azure-blob:" plugin from att-azure is loaded but not registered');
    expect(forgotten.details).toEqual({ scheme: 'azure-blob', registered: ['mem'] });

    const path = thrown(() => new BackendRegistry().resolve('/var/lib/att'));
    expect(path.code).toBe('UNKNOWN_BACKEND');
    expect(path.message).toContain('registered: none');
  });

  it('checks the metadata a plugin declares about itself', () => {
    const create = () => createMemoryBackend();
    const plugin = defineBackend({ scheme: 'Meta:', package: 'att-meta', hint: 'meta://x', create });
    expect([plugin.scheme, plugin.package, plugin.hint, Object.isFrozen(plugin)]).toEqual([
      'meta',
      'att-meta',
      'meta://x',
      true,
    ]);
    expect(thrown(() => defineBackend({ scheme: 'meta', package: '', create })).details).toEqual({ field: 'package' });
    expect(thrown(() => defineBackend({ scheme: 'meta', hint: 'two\nlines', create })).details).toEqual({
      field: 'hint',
    });
  });

  it('rejects bad plugins and malformed URLs with INVALID_CONFIG', () => {
    expect(thrown(() => defineBackend({ scheme: 'c', create: () => createMemoryBackend() })).code).toBe(
      'INVALID_CONFIG',
    );
    expect(thrown(() => defineBackend({ scheme: 'bad scheme', create: () => createMemoryBackend() })).code).toBe(
      'INVALID_CONFIG',
    );
    expect(thrown(() => defineBackend({ scheme: 'ok' } as never)).code).toBe('INVALID_CONFIG');
    const registry = new BackendRegistry();
    expect(thrown(() => registry.resolve('')).code).toBe('INVALID_CONFIG');
    const malformed = thrown(() => registry.resolve('s3://user:p@ss:word@[bad'));
    expect(malformed.code).toBe('INVALID_CONFIG');
    expect(malformed.message).not.toContain('word');
    // An AWS-style secret with an unencoded '/' makes the URL unparsable; the secret must not ride along anywhere.
    const leaky = thrown(() => registry.resolve('s3://AKIAX:wJalr/EXAMPLEKEY@bucket?region=us-east-1'));
    expect(leaky.code).toBe('INVALID_CONFIG');
    expect(inspect(leaky, { showHidden: true, depth: 10 })).not.toContain('EXAMPLEKEY');
    expect(JSON.stringify(leaky)).not.toContain('EXAMPLEKEY');
  });

  it('has a default registry behind registerBackend/createBackend, and createStore uses it', async () => {
    let closed = 0;
    const countClose = async () => {
      closed += 1;
    };
    registerBackend(
      defineBackend({
        scheme: 'closing-mem',
        create(): Backend {
          return { ...createMemoryBackend(), close: countClose };
        },
      }),
    );
    expect(typeof createBackend('closing-mem://x').put).toBe('function');
    const store = createStore({ backend: 'closing-mem://y' });
    await store.close();
    expect(closed).toBe(1);
    const given = { ...createMemoryBackend(), close: countClose };
    await createStore({ backend: given }).close();
    expect(closed, 'a Store must not close a backend it was given').toBe(1);
  });
});
