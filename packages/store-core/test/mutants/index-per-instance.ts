/**
 * Mutant: an index of "my keys" kept in the instance (a cache to skip storage lookups). Another instance, or the
 * same app after a restart, gets NOT_FOUND for objects that are there.
 */
import { AttError } from '../../src/errors.js';
import { NewcomerBackend, type StoredObject } from './newcomer-backend.js';

export class IndexPerInstance extends NewcomerBackend {
  readonly #mine = new Set<string>();

  protected override publish(key: string, stored: StoredObject): void {
    this.#mine.add(key);
    super.publish(key, stored);
  }

  protected override find(key: string): StoredObject {
    if (!this.#mine.has(key)) throw new AttError('NOT_FOUND', 'object not found');
    return super.find(key);
  }
}
