// Dates and bytes created in another realm (a vm context, as some test runners sandbox code) fail `instanceof`
// against this module's globals; the signer must still accept them and sign exactly as for local values.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { isSigV4Error, presignUrl, type SignOptions, sha256Hex, signRequest } from '../src/index.js';

const s3: SignOptions = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 's3',
};

describe('values from another realm', () => {
  it('a foreign Date signs like a local one', () => {
    const foreign = runInNewContext('new Date("2015-08-30T12:36:00Z")') as Date;
    expect(foreign instanceof Date).toBe(false);
    const local = new Date('2015-08-30T12:36:00Z');
    const req = { method: 'GET', url: 'https://bucket.s3.amazonaws.com/key' };
    const mine = signRequest(req, { ...s3, date: foreign }).headers;
    expect(mine['x-amz-date']).toBe('20150830T123600Z');
    expect(mine).toEqual(signRequest(req, { ...s3, date: local }).headers);
    expect(presignUrl(req, { ...s3, date: foreign, expiresIn: 60 })).toBe(
      presignUrl(req, { ...s3, date: local, expiresIn: 60 }),
    );
  });

  it('a foreign invalid Date is still refused with INVALID_DATE', () => {
    const foreign = runInNewContext('new Date("not a date")') as Date;
    let caught: unknown;
    try {
      signRequest({ method: 'GET', url: 'https://h/' }, { ...s3, date: foreign });
    } catch (error) {
      caught = error;
    }
    expect(isSigV4Error(caught) && caught.code).toBe('INVALID_DATE');
  });

  it('a foreign Uint8Array body is hashed byte for byte', () => {
    const foreign = runInNewContext('new Uint8Array([104, 105])') as Uint8Array;
    expect(foreign instanceof Uint8Array).toBe(false);
    const headers = signRequest(
      { method: 'PUT', url: 'https://bucket.s3.amazonaws.com/key', body: foreign },
      { ...s3, date: new Date('2015-08-30T12:36:00Z') },
    ).headers;
    expect(headers['x-amz-content-sha256']).toBe(sha256Hex('hi'));
    expect(headers['x-amz-content-sha256']).toBe('8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4');
  });
});
