/** Mutant: put keeps the caller's chunks instead of copies; a caller that reuses its buffer rewrites the object. */
import { NewcomerBackend } from './newcomer-backend.js';

export class KeepsCallerBuffers extends NewcomerBackend {
  protected override keep(chunk: Uint8Array): Uint8Array {
    return chunk;
  }
}
