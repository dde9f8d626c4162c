// node:https and node:dns are loaded on first use (http.ts): what needs them must still get them.
import http from 'node:http';
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { createAgent, loopbackLookup } from '../src/http.js';

const lookup = (hostname: string, options: { all?: boolean }) =>
  new Promise<unknown>((resolve, reject) => {
    loopbackLookup(hostname, options, (err, address, family) => (err ? reject(err) : resolve({ address, family })));
  });

describe('modules loaded on first use', () => {
  it('an https endpoint gets an https agent, an http endpoint a plain one', () => {
    const secure = createAgent('https:');
    const plain = createAgent('http:');
    try {
      expect(secure).toBeInstanceOf(https.Agent);
      expect(plain).toBeInstanceOf(http.Agent);
      expect(plain).not.toBeInstanceOf(https.Agent);
    } finally {
      secure.destroy();
      plain.destroy();
    }
  });

  it('names other than *.localhost go to node:dns (an address literal resolves to itself)', async () => {
    expect(await lookup('127.0.0.2', {})).toEqual({ address: '127.0.0.2', family: 4 });
    expect(await lookup('::1', { all: true })).toEqual({ address: [{ address: '::1', family: 6 }], family: undefined });
    expect(await lookup('bucket.localhost', {})).toEqual({ address: '127.0.0.1', family: 4 });
  });
});
