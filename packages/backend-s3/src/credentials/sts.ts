// The two STS calls the chain needs: AssumeRole (signed with the source profile's keys, for `role_arn` +
// `source_profile`) and AssumeRoleWithWebIdentity (unsigned: the OIDC token is the proof; EKS IRSA). Form-encoded
// POSTs with an XML answer, sent to the regional endpoint, to AWS_ENDPOINT_URL_STS, or to an explicit override.
import { signRequest } from '@att/s3-sigv4';
import { parseXml, rootElement, text, type XmlNode } from '../xml.js';
import { requestEndpoint } from './request.js';
import { type AwsCredentials, checkedCredentials, credentialsError, credentialsUnavailable } from './types.js';

export interface StsOptions {
  env: Record<string, string | undefined>;
  /** Region of the STS endpoint and of the signature. Default us-east-1. */
  region?: string;
  /** Overrides AWS_ENDPOINT_URL_STS and the regional endpoint. */
  endpoint?: string;
  timeout?: number;
}

/**
 * The STS endpoint: explicit, else AWS_ENDPOINT_URL_STS, else regional (the SDK's default since 2024);
 * AWS_STS_REGIONAL_ENDPOINTS=legacy keeps the old global endpoint for the regions that used it.
 */
export function stsEndpoint(options: StsOptions): URL {
  const configured = options.endpoint ?? options.env.AWS_ENDPOINT_URL_STS;
  const region = stsRegion(options);
  const legacy = options.env.AWS_STS_REGIONAL_ENDPOINTS?.toLowerCase() === 'legacy' && region === 'us-east-1';
  const fallback = legacy ? 'https://sts.amazonaws.com' : `https://sts.${region}.amazonaws.com`;
  try {
    const url = new URL(configured || fallback);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return url;
  } catch {
    throw credentialsError('the STS endpoint (AWS_ENDPOINT_URL_STS) is not an http(s) URL');
  }
}

function stsRegion(options: StsOptions): string {
  return options.region || options.env.AWS_REGION || 'us-east-1';
}

const STS_VERSION = '2011-06-15';

function form(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, value);
  return search.toString();
}

export interface AssumeRoleParams {
  roleArn: string;
  roleSessionName: string;
  externalId?: string;
  durationSeconds?: number;
}

/** AssumeRole signed with `source` (service `sts`). */
export async function assumeRole(
  source: AwsCredentials,
  params: AssumeRoleParams,
  options: StsOptions,
): Promise<AwsCredentials> {
  const url = stsEndpoint(options);
  const body = form({
    Action: 'AssumeRole',
    Version: STS_VERSION,
    RoleArn: params.roleArn,
    RoleSessionName: params.roleSessionName,
    ExternalId: params.externalId,
    DurationSeconds: params.durationSeconds === undefined ? undefined : String(params.durationSeconds),
  });
  const { headers } = signRequest(
    { method: 'POST', url: url.href, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body },
    {
      accessKeyId: source.accessKeyId,
      secretAccessKey: source.secretAccessKey,
      ...(source.sessionToken ? { sessionToken: source.sessionToken } : {}),
      region: stsRegion(options),
      service: 'sts',
    },
  );
  return call(url, headers, body, 'AssumeRole', options);
}

/** AssumeRoleWithWebIdentity: no signature, the token file's content is the credential. */
export async function assumeRoleWithWebIdentity(
  webIdentityToken: string,
  params: AssumeRoleParams,
  options: StsOptions,
): Promise<AwsCredentials> {
  const url = stsEndpoint(options);
  const body = form({
    Action: 'AssumeRoleWithWebIdentity',
    Version: STS_VERSION,
    RoleArn: params.roleArn,
    RoleSessionName: params.roleSessionName,
    WebIdentityToken: webIdentityToken,
    DurationSeconds: params.durationSeconds === undefined ? undefined : String(params.durationSeconds),
  });
  return call(url, { 'content-type': 'application/x-www-form-urlencoded' }, body, 'AssumeRoleWithWebIdentity', options);
}

async function call(
  url: URL,
  headers: Record<string, string>,
  body: string,
  action: string,
  options: StsOptions,
): Promise<AwsCredentials> {
  const what = `STS ${action}`;
  const res = await requestEndpoint({ url, method: 'POST', headers, body, timeout: options.timeout ?? 5_000, what });
  if (res.status !== 200) {
    // STS error documents name the problem (AccessDenied, InvalidIdentityToken…) and never echo the token.
    const code = /<Code>([A-Za-z.]{1,64})<\/Code>/.exec(res.body)?.[1];
    const message = `${what} failed: HTTP ${res.status}${code ? ` ${code}` : ''}`;
    if (res.status >= 500 || res.status === 429) throw credentialsUnavailable(message);
    throw credentialsError(message);
  }
  let credentials: XmlNode | undefined;
  try {
    const root = rootElement(parseXml(res.body, what), `${action}Response`, what);
    const result = root[`${action}Result`] as XmlNode | undefined;
    credentials = result?.Credentials as XmlNode | undefined;
  } catch {
    credentials = undefined;
  }
  if (!credentials || typeof credentials !== 'object')
    throw credentialsUnavailable(`${what} answered without Credentials`);
  return checkedCredentials(
    {
      accessKeyId: text(credentials, 'AccessKeyId'),
      secretAccessKey: text(credentials, 'SecretAccessKey'),
      sessionToken: text(credentials, 'SessionToken'),
      expiration: text(credentials, 'Expiration'),
    },
    what,
  );
}
