/**
 * Reports each S3 request (all its attempts) on diagnostics channels, so metrics and traces (@att/otel) can see
 * operation, status, latency and retries without this client knowing about them. `att:s3:request:start` is
 * published in the caller's async context (a subscriber may start a span there, as a child of the active one);
 * `att:s3:request:end` gets the same message object, completed. Nothing is built while nobody subscribes.
 */
import { channel } from 'node:diagnostics_channel';
import { AttError, S3_REQUEST_END_CHANNEL, S3_REQUEST_START_CHANNEL, type S3RequestMessage } from '@att/store-core';

const starts = channel(S3_REQUEST_START_CHANNEL);
const ends = channel(S3_REQUEST_END_CHANNEL);

/** A request being reported; undefined (no cost) while nobody listens. */
export class S3RequestReport {
  readonly message: S3RequestMessage;
  readonly #since = performance.now();

  private constructor(message: S3RequestMessage) {
    this.message = message;
    starts.publish(message);
  }

  static begin(operation: string, method: string, bucket: string): S3RequestReport | undefined {
    if (!starts.hasSubscribers && !ends.hasSubscribers) return undefined;
    return new S3RequestReport({ operation, method, bucket, attempts: 0, retries: [] });
  }

  retry(error: AttError): void {
    this.message.retries.push(causeOf(error));
  }

  succeeded(status: number, attempts: number): void {
    this.#end({ status, attempts });
  }

  failed(error: AttError, attempts: number): void {
    const status = error.details?.httpStatus;
    this.#end({ status: typeof status === 'number' ? status : 0, attempts, code: error.code });
  }

  #end(outcome: { status: number; attempts: number; code?: string }): void {
    Object.assign(this.message, outcome, { durationMs: Math.round((performance.now() - this.#since) * 1000) / 1000 });
    ends.publish(this.message);
  }
}

/** `http_503`, `SlowDown`-style S3 codes are in the status already; transport failures name their AttError code. */
function causeOf(error: AttError): string {
  const status = error.details?.httpStatus;
  if (typeof status === 'number') return `http_${status}`;
  return error.code === 'TIMEOUT' ? 'timeout' : error instanceof AttError ? error.code.toLowerCase() : 'unknown';
}
