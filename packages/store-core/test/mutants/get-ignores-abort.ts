/** Mutant: get checks its signal when called, but the body streams to the end after an abort. */
import { NewcomerBackend } from './newcomer-backend.js';

export class GetIgnoresAbort extends NewcomerBackend {
  protected override *bodyOf(data: Buffer): Generator<Buffer> {
    for (let offset = 0; offset < data.length; offset += 64 * 1024) yield data.subarray(offset, offset + 64 * 1024);
  }
}
