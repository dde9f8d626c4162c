/** Mutant: delete stops at the first key that is not there, leaving the rest of the batch behind. */
import { NewcomerBackend } from './newcomer-backend.js';

export class DeleteStopsAtMissing extends NewcomerBackend {
  override async delete(keys: string[]): Promise<void> {
    for (const key of keys) if (!this.objects.delete(key)) return;
  }
}
