import { setTimeout as delay } from 'node:timers/promises';
import { isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { list, parseXmlPage, rootElement, text } from '../src/xml.js';
import { freshClient, MiB, randomBytes, readAll } from './helpers/clients.js';
import { s3Servers } from './support/servers.js';

const PAGE =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
  '<Name>b</Name><IsTruncated>false</IsTruncated><Contents><Key>a&amp;b</Key><Size>3</Size></Contents>' +
  '</ListBucketResult>\n';

describe('parseXmlPage (listing pages must end with their root)', () => {
  it('accepts a complete page and decodes its entities', () => {
    const doc = parseXmlPage(PAGE, 'Op', ['ListBucketResult']);
    const root = rootElement(doc, 'ListBucketResult', 'Op');
    expect(list(root, 'Contents').map((c) => text(c, 'Key'))).toEqual(['a&b']);
    expect(parseXmlPage('<ListBucketResult/>', 'Op', ['ListBucketResult'])).toHaveProperty('ListBucketResult');
  });

  it('rejects pages cut anywhere before the closing root tag, and other roots', () => {
    const cuts = [PAGE.indexOf('<Key>') + 5, PAGE.indexOf('</Contents>') + 11, PAGE.lastIndexOf('</') + 5];
    for (const at of cuts) {
      expect(() => parseXmlPage(PAGE.slice(0, at), 'Op', ['ListBucketResult']), String(at)).toThrow(
        /Op: the server sent malformed XML/,
      );
    }
    expect(() => parseXmlPage('<Error><Code>x</Code></Error>', 'Op', ['ListBucketResult'])).toThrow(/malformed XML/);
    expect(() => parseXmlPage('', 'Op', ['ListBucketResult'])).toThrow(/malformed XML/);
  });
});

describe.each(s3Servers().map((s) => [s.name, s] as const))('listing and bodies on %s', (_name, server) => {
  it('prefetches pages in order, and a consumer may stop early or abort', async () => {
    const { client } = await freshClient(server, 'prefetch', { prefix: 'p' });
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
    for (const key of keys) await client.putObject(key, Buffer.from(key));
    const all: string[] = [];
    for await (const o of client.listObjects({ pageSize: 2 })) all.push(o.key);
    expect(all).toEqual(keys);
    // Stopping after the first key leaves a prefetched page behind: it is cancelled, nothing fails later.
    for await (const o of client.listObjects({ pageSize: 2 })) {
      expect(o.key).toBe('k0');
      break;
    }
    const controller = new AbortController();
    const seen: string[] = [];
    const err = await (async () => {
      for await (const o of client.listObjects({ pageSize: 2, signal: controller.signal })) {
        seen.push(o.key);
        controller.abort();
      }
    })().catch((e) => e);
    expect(isAttError(err, 'ABORTED'), String(err)).toBe(true);
    expect(seen).toEqual(['k0', 'k1']);
    await delay(50); // an abandoned prefetch that rejected unobserved would surface as an unhandled rejection
    await client.close();
  });

  it('does not time out a download the consumer holds back', async () => {
    const { client } = await freshClient(server, 'held', { timeout: 300 });
    const data = randomBytes(2 * MiB);
    await client.putObject('big', data);
    const { body } = await client.getObject('big');
    await delay(1_000); // longer than the idle timeout, with the server done and the body unread
    expect((await readAll(body)).equals(data)).toBe(true);
    await client.close();
  });
});
