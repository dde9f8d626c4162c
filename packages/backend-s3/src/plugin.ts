import type { Backend } from '@att/store-core';
import { s3Backend } from './backend.js';
import type { S3ClientConfig } from './config.js';
import { parseS3Url } from './url.js';

/** Client options that cannot travel in a URL (an HTTP agent, a credentials provider…), merged over it. */
export type S3PluginOptions = Partial<S3ClientConfig>;

/** Matches store-core's `BackendPlugin` structurally, so this package needs nothing from the registry at runtime. */
export interface S3BackendPlugin {
  readonly scheme: 's3';
  create(url: URL | string, options?: S3PluginOptions): Backend;
}

/**
 * The registry plugin for `s3://KEY:SECRET@BUCKET/PREFIX?region=R&endpoint=URL`. Importing this package
 * registers nothing: call `registerBackend(s3Plugin)` (or `registry.register(s3Plugin)`).
 */
export const s3Plugin: S3BackendPlugin = Object.freeze({
  scheme: 's3' as const,
  create(url: URL | string, options?: S3PluginOptions): Backend {
    const parsed = parseS3Url(String(url));
    if (!options) return s3Backend(parsed);
    // The merged config goes straight into the client, which keeps the secret in a closure only.
    return s3Backend({ ...parsed, ...options } as S3ClientConfig);
  },
});
