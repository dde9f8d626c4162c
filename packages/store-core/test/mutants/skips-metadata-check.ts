/** Mutant: put stores any metadata. S3 would refuse (or mangle) it, so the backends stop being interchangeable. */
import { NewcomerBackend } from './newcomer-backend.js';

export class SkipsMetadataCheck extends NewcomerBackend {
  protected override checkMetadata(): void {}
}
