/** Mutant: list checks its signal once, before the first object, and then lists to the end regardless. */
import type { ListOptions, ObjectInfo } from '../../src/backend.js';
import { throwIfAborted } from '../../src/streams.js';
import { copyInfo, NewcomerBackend } from './newcomer-backend.js';

export class ListIgnoresAbort extends NewcomerBackend {
  override async *list(options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    throwIfAborted(options.signal, 'listing');
    const prefix = options.prefix ?? '';
    for (const { info } of this.objects.values()) if (info.key.startsWith(prefix)) yield copyInfo(info);
  }
}
