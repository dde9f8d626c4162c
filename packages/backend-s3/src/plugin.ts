/**
 * The `s3:` registry plugin, made with store-core's `defineBackend` like every att plugin. Importing this package
 * registers nothing: the app calls `registerBackend(s3Plugin)` (or `registry.register(s3Plugin)`).
 */
import { type BackendPlugin, defineBackend } from '@att/store-core';
import { s3Backend } from './backend.js';
import type { S3ClientConfig } from './config.js';
import { parseS3Url } from './url.js';

/** Client options: defaults for what the URL leaves out, and what cannot travel in a URL (agent, credentials). */
export type S3PluginOptions = Partial<S3ClientConfig>;

export type S3BackendPlugin = BackendPlugin<S3PluginOptions>;

/**
 * `s3://KEY:SECRET@BUCKET/PREFIX?region=R&endpoint=URL`. As for every att plugin, a setting the URL states wins
 * over the same option (see store-core's `BackendPlugin`): `{ partSize }` is a default `?partSize=` overrides.
 */
export const s3Plugin: S3BackendPlugin = defineBackend<S3PluginOptions>({
  scheme: 's3',
  package: '@att/backend-s3',
  hint: 's3://KEY:SECRET@BUCKET/PREFIX?region=R&endpoint=URL',
  create(url, options) {
    const parsed = parseS3Url(String(url));
    if (!options) return s3Backend(parsed);
    // The merged config goes straight into the client, which keeps the secret in a closure only.
    return s3Backend({ ...options, ...parsed } as S3ClientConfig);
  },
});
