import { installRedaction, normalizePrefix, redactConfig, type S3ClientConfig } from './config.js';
import { invalidConfig } from './config-error.js';

/** Query options an `s3://` URL may carry, and how each is read. */
const OPTIONS = {
  region: 'string',
  endpoint: 'string',
  forcePathStyle: 'boolean',
  followRegionRedirects: 'boolean',
  checksum: 'string',
  verifyDownloads: 'boolean',
  serverVerifiesChecksums: 'boolean',
  signPayload: 'boolean',
  partSize: 'size',
  maxBufferedBytes: 'size',
  queueSize: 'integer',
  maxAttempts: 'integer',
  timeout: 'integer',
} as const;

type OptionName = keyof typeof OPTIONS;

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3 };
SIZE_UNITS.gib = SIZE_UNITS.g as number;

function readOption(name: OptionName, raw: string): string | number | boolean {
  switch (OPTIONS[name]) {
    case 'string':
      if (raw.length === 0) throw invalidConfig(name, 'must not be empty');
      return raw;
    case 'boolean':
      if (/^(1|true|yes)$/i.test(raw)) return true;
      if (/^(0|false|no)$/i.test(raw)) return false;
      throw invalidConfig(name, 'must be true or false');
    case 'integer':
      if (!/^\d{1,15}$/.test(raw)) throw invalidConfig(name, 'must be a positive integer');
      return Number(raw);
    case 'size': {
      const match = /^(\d{1,15})\s*([a-z]*)$/i.exec(raw);
      const unit = match ? SIZE_UNITS[(match[2] as string).toLowerCase()] : undefined;
      if (!match || unit === undefined) throw invalidConfig(name, 'must be a byte count like 8388608 or 8MiB');
      return Number(match[1]) * unit;
    }
  }
}

function decode(value: string, field: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalidConfig(field, 'is not validly percent-encoded');
  }
}

/**
 * Parses `s3://ACCESS_KEY:SECRET@BUCKET[/PREFIX]?region=R[&endpoint=URL][&forcePathStyle=true]…` into a client
 * config. Credentials are percent-decoded (`test%3Atester` → `test:tester`; write `/`, `@`, `:` in a secret as
 * `%2F`, `%40`, `%3A`). The result redacts its secret in JSON, `toString` and `util.inspect`. The secret stays an
 * ordinary property so `{ ...parseS3Url(url), queueSize: 8 }` still configures a client (a copy loses the
 * redaction, like any hand-written config object).
 */
export function parseS3Url(url: string): S3ClientConfig {
  if (typeof url !== 'string') throw invalidConfig('url', 'must be a string');
  const schemeMatch = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  if (schemeMatch?.[1]?.toLowerCase() !== 's3') {
    throw invalidConfig('url', `must start with s3:// (got ${schemeMatch ? `'${schemeMatch[1]}:'` : 'no scheme'})`);
  }
  if (/^s3:\/\/(?:[^@/?#]*@)?(?:[/?#]|$)/i.test(url)) {
    throw invalidConfig('bucket', 'is required (the host part of the URL)');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Never echo the URL or the parser's message: both contain the secret.
    throw invalidConfig('url', 'is not a valid URL');
  }
  if (!url.slice(schemeMatch[0].length).startsWith('//')) throw invalidConfig('url', 'must start with s3://');
  const bucket = decode(parsed.hostname, 'bucket');
  if (bucket.length === 0) throw invalidConfig('bucket', 'is required (the host part of the URL)');
  if (parsed.port) throw invalidConfig('bucket', 'must not have a port (put the endpoint port in ?endpoint=)');
  const accessKeyId = decode(parsed.username, 'accessKeyId');
  const secretAccessKey = decode(parsed.password, 'secretAccessKey');
  // No userinfo at all (`s3://BUCKET/PREFIX`): credentials come from the AWS default chain (or the plugin's
  // `credentials` option). Half of one is a mistake, not a request for the chain.
  const hasKeys = parsed.username !== '' || parsed.password !== '' || /^s3:\/\/[^/?#]*@/i.test(url);
  if (hasKeys && accessKeyId.length === 0) {
    throw invalidConfig('accessKeyId', 'is required (s3://ACCESS_KEY:SECRET@BUCKET)');
  }
  if (hasKeys && secretAccessKey.length === 0) {
    throw invalidConfig('secretAccessKey', 'is required (s3://ACCESS_KEY:SECRET@BUCKET)');
  }
  if (parsed.hash) throw invalidConfig('url', 'must not have a #fragment');

  const options: Partial<Record<OptionName, string | number | boolean>> = {};
  for (const [name, raw] of parsed.searchParams) {
    if (!Object.hasOwn(OPTIONS, name)) {
      throw invalidConfig(name, `is not a known option (known: ${Object.keys(OPTIONS).join(', ')})`);
    }
    if (Object.hasOwn(options, name)) throw invalidConfig(name, 'is given twice');
    options[name as OptionName] = readOption(name as OptionName, raw);
  }
  // No ?region= : the client falls back to AWS_REGION or the profile's region, and names `region` if none is set.
  if (options.endpoint !== undefined) {
    let endpoint: URL;
    try {
      endpoint = new URL(options.endpoint as string);
    } catch {
      throw invalidConfig('endpoint', 'is not a valid URL (expected http(s)://host[:port])');
    }
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
      throw invalidConfig('endpoint', 'must use http or https');
    }
  }

  const config: S3ClientConfig = {
    ...(options as Omit<S3ClientConfig, 'bucket'>),
    bucket,
    ...(hasKeys ? { accessKeyId, secretAccessKey } : {}),
  };
  const prefix = normalizePrefix(decode(parsed.pathname, 'prefix'));
  if (prefix) config.prefix = prefix;
  installRedaction(config, () => redactConfig({ ...config, secretAccessKey: '' }), 'S3ClientConfig');
  return config;
}

export function isS3Url(value: unknown): value is string {
  return typeof value === 'string' && /^s3:\/\//i.test(value);
}
