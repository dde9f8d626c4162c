// s3Plugin as a plugin: made with defineBackend, and the one precedence rule (a setting in the URL wins over the
// same option; options fill in what the URL leaves out). No server needed: create is lazy.
import { BackendRegistry } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { type S3Backend, s3Plugin } from '../src/index.js';

const MiB = 1024 * 1024;
const base = 's3://AKIDPLUGIN:plugin%2Fsecret@bucket/prefix?region=us-east-1&endpoint=http%3A%2F%2F127.0.0.1%3A9';

function resolve(url: string, options?: object): S3Backend {
  return new BackendRegistry().register(s3Plugin).resolve(url, options) as S3Backend;
}

describe('s3Plugin', () => {
  it('is a frozen plugin made by defineBackend, with its package and URL shape declared', () => {
    expect(Object.isFrozen(s3Plugin)).toBe(true);
    expect([s3Plugin.scheme, s3Plugin.package]).toEqual(['s3', '@att/backend-s3']);
    expect(s3Plugin.hint).toMatch(/^s3:\/\//);
  });

  it('lets a setting in the URL win over the same option, and options fill in the rest', async () => {
    const fromUrl = resolve(`${base}&partSize=6MiB`, { partSize: 9 * MiB, queueSize: 2 });
    expect(fromUrl.client.config.partSize, 'the URL says partSize=6MiB').toBe(6 * MiB);
    expect(fromUrl.client.config.queueSize, 'the URL is silent on queueSize: the option applies').toBe(2);
    const fromOptions = resolve(base, { partSize: 9 * MiB, prefix: 'ignored-when-the-url-has-one' });
    expect(fromOptions.client.config.partSize, 'the URL is silent on partSize: the option applies').toBe(9 * MiB);
    expect(fromOptions.client.config.prefix, 'the URL path is the prefix').toBe('prefix');
    await Promise.all([fromUrl.close(), fromOptions.close()]);
  });
});
