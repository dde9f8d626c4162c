import { describe, expect, it } from 'vitest';
import { chunks, freshClient, MiB, randomBytes, readAll, sha256 } from './helpers/clients.js';
import { s3Servers } from './support/servers.js';

describe.each(s3Servers().map((s) => [s.name, s] as const))('round trips on %s', (_name, server) => {
  const sizes: Array<[string, number, boolean]> = [
    ['0 B', 0, true],
    ['1 B', 1, true],
    ['5 MiB exactly (one part size)', 5 * MiB, true],
    ['5 MiB + 1 (two parts)', 5 * MiB + 1, true],
    ['5 MiB exactly of unknown length', 5 * MiB, false],
    ['12 MiB of unknown length', 12 * MiB, false],
  ];
  for (const [label, size, declared] of sizes) {
    it(`stores and returns ${label}`, async () => {
      const { client } = await freshClient(server, 'roundtrip');
      const data = randomBytes(size);
      const progress: number[] = [];
      const put = await client.putObject('obj', chunks(data), {
        ...(declared ? { size } : {}),
        onProgress: (n) => progress.push(n),
      });
      expect(put.size).toBe(size);
      const { info, body } = await client.getObject('obj');
      const got = await readAll(body);
      expect(got.length).toBe(size);
      expect(sha256(got)).toBe(sha256(data));
      expect(info.size).toBe(size);
      expect((await client.headObject('obj')).size).toBe(size);
      if (size > 0) expect(progress.at(-1)).toBe(size);
      await client.close();
    });
  }

  it('uploads buffered parts as UNSIGNED-PAYLOAD too (the https default)', async () => {
    const { client } = await freshClient(server, 'unsigned', { signPayload: false });
    const data = randomBytes(11 * MiB + 3);
    await client.putObject('u', data);
    await client.putObject('small', data.subarray(0, 1000));
    expect(sha256(await readAll((await client.getObject('u')).body))).toBe(sha256(data));
    expect((await readAll((await client.getObject('small')).body)).equals(data.subarray(0, 1000))).toBe(true);
    await client.close();
  });
});
