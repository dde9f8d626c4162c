/**
 * The stores an instrumentation watches, by name: gauges read them, and events from a named store carry
 * `att.store` so two stores in one process stay apart. Events of stores nobody named are still counted.
 */

import type { Store } from '@att/store-core';
import type { Attributes } from '@opentelemetry/api';
import { ATTRS } from './names.js';

export type StoresOption = Store | readonly Store[] | Readonly<Record<string, Store>>;

export class NamedStores {
  readonly #names = new Map<object, string | undefined>();

  constructor(option: StoresOption | undefined) {
    if (!option) return;
    if (isStore(option)) this.#names.set(option, undefined);
    else if (Array.isArray(option)) for (const store of option) this.#names.set(store, undefined);
    else for (const [name, store] of Object.entries(option as Record<string, Store>)) this.#names.set(store, name);
  }

  /** `{ 'att.store': name }` for a named store, `{}` otherwise (one store needs no name). */
  attributesOf(store: unknown): Attributes {
    const name = typeof store === 'object' && store !== null ? this.#names.get(store) : undefined;
    return name === undefined ? {} : { [ATTRS.store]: name };
  }

  *[Symbol.iterator](): IterableIterator<[Store, Attributes]> {
    for (const [store, name] of this.#names) yield [store as Store, name === undefined ? {} : { [ATTRS.store]: name }];
  }
}

function isStore(value: unknown): value is Store {
  return typeof (value as Store).write === 'function' && typeof (value as Store).on === 'function';
}
