// Sign a typical S3 PUT (virtual-hosted, encoded key, 5 headers, UNSIGNED-PAYLOAD) with @att/s3-sigv4 (built
// dist) and the reference libraries, interleaved round by round so machine noise hits everyone alike.
// Each library first has to produce the identical Authorization header for the identical input.
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import aws4 from 'aws4';
import { AwsV4Signer } from 'aws4fetch';
import { signRequest } from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
// Fixed op counts per round, the same for the three fast signers so their samples are directly comparable;
// aws4fetch (WebCrypto, async) gets fewer so a run stays around ten seconds.
const OPS = Number(process.env.BENCH_OPS ?? 4000);
const OPS_SLOW = Math.max(100, Math.round(OPS / 4));

const accessKeyId = 'AKIAIOSFODNN7EXAMPLE';
const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const region = 'eu-west-1';
const date = new Date('2024-05-06T07:08:09Z');
const amzDate = '20240506T070809Z';
const host = 'my-bucket.s3.eu-west-1.amazonaws.com';
const path = '/uploads/2024/05/photo%20of%20the%20team%2C%20summer.jpg';
const url = `https://${host}${path}`;
const headers = () => ({
  'content-type': 'image/jpeg',
  'content-length': '482113',
  'content-md5': 'rL0Y20zC+Fzt72VPzMSk2A==',
  'x-amz-meta-owner': 'user-1234',
  'x-amz-storage-class': 'STANDARD_IA',
});

const smithy = new SignatureV4({
  credentials: { accessKeyId, secretAccessKey },
  region,
  service: 's3',
  sha256: Hash.bind(null, 'sha256'),
  uriEscapePath: false,
});

const aws4fetchKeyCache = new Map();

// Every contender builds its own fresh input per operation (several mutate it), so that cost is shared fairly.
const contenders = {
  '@att/s3-sigv4': () =>
    signRequest(
      { method: 'PUT', url, headers: headers() },
      { accessKeyId, secretAccessKey, region, service: 's3', date, signedPayload: false },
    ).headers.authorization,
  aws4: () =>
    aws4.sign(
      {
        host,
        path,
        method: 'PUT',
        service: 's3',
        region,
        headers: { ...headers(), 'X-Amz-Date': amzDate, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
      },
      { accessKeyId, secretAccessKey },
    ).headers.Authorization,
  '@smithy/signature-v4': async () =>
    (
      await smithy.sign(
        new HttpRequest({
          method: 'PUT',
          protocol: 'https:',
          hostname: host,
          path,
          headers: { ...headers(), host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        }),
        { signingDate: date },
      )
    ).headers.authorization,
  aws4fetch: async () =>
    (
      await new AwsV4Signer({
        method: 'PUT',
        url,
        headers: headers(),
        accessKeyId,
        secretAccessKey,
        service: 's3',
        region,
        datetime: amzDate,
        allHeaders: true, // it skips content-type/-length by default; sign the same headers as everyone else
        cache: aws4fetchKeyCache, // share derived keys across signers, as every other contender does
      }).sign()
    ).headers.get('authorization'),
};

// 1. Same input, same answer — otherwise the race is meaningless.
const expected = contenders['@att/s3-sigv4']();
for (const [name, run] of Object.entries(contenders)) {
  const got = await run();
  if (got !== expected) {
    console.error(`${name} disagrees:\n  ours:   ${expected}\n  theirs: ${got}`);
    process.exit(1);
  }
}
console.log(`all ${Object.keys(contenders).length} libraries agree: ${expected.slice(0, 60)}…\n`);

// 2. Interleaved rounds; async signers are awaited one at a time, as a caller signing a request would.
async function round(run, ops) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) {
    const r = run();
    if (r instanceof Promise) await r;
  }
  return (ops * 1e9) / Number(process.hrtime.bigint() - start);
}

const names = Object.keys(contenders);
const samples = Object.fromEntries(names.map((n) => [n, []]));
const ops = Object.fromEntries(names.map((n) => [n, n === 'aws4fetch' ? OPS_SLOW : OPS]));
for (const name of names) {
  for (let w = 0; w < 2; w++) await round(contenders[name], ops[name]); // warm-up (JIT, key caches), not recorded
}
for (let r = 0; r < ROUNDS; r++) {
  const order = names.map((_, i) => names[(i + r) % names.length]); // rotate who goes first
  for (const name of order) samples[name].push(await round(contenders[name], ops[name]));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ours = median(samples['@att/s3-sigv4']);
console.log(`S3 PUT signing, ${ROUNDS} interleaved rounds, median ops/s (node ${process.version})`);
for (const name of names) {
  const m = median(samples[name]);
  // Also the median of per-round ratios: each round's samples sit side by side, so load spikes cancel out.
  const paired = median(samples[name].map((x, r) => samples['@att/s3-sigv4'][r] / x));
  const ratio =
    name === '@att/s3-sigv4'
      ? ''
      : `   @att/s3-sigv4 is ${(ours / m).toFixed(2)}× (per-round median ${paired.toFixed(2)}×)`;
  const perRound = `(${ops[name]} ops/round)`.padEnd(18);
  console.log(`  ${name.padEnd(22)} ${Math.round(m).toLocaleString('en-US').padStart(10)} ops/s ${perRound}${ratio}`);
}
