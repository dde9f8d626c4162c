/**
 * Mutant: list takes the key names first and looks each one up as it goes (readdir, then stat). A key deleted in
 * between makes the whole listing fail with NOT_FOUND.
 */
import type { ListOptions, ObjectInfo } from '../../src/backend.js';
import { throwIfAborted } from '../../src/streams.js';
import { copyInfo, NewcomerBackend } from './newcomer-backend.js';

export class ListsAStaleSnapshot extends NewcomerBackend {
  override async *list(options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    const prefix = options.prefix ?? '';
    for (const key of [...this.objects.keys()]) {
      throwIfAborted(options.signal, 'listing');
      if (key.startsWith(prefix)) yield copyInfo(this.find(key).info);
    }
  }
}
