// EC2 instance role credentials from the instance metadata service, IMDSv2: a PUT for a session token first, then
// the role name and the role's credentials with that token. The last link of the default chain.
//
// Why the short timeouts and the fallback: the token's PUT answer travels back with an IP hop limit (1 by default).
// From a container on the instance (one more hop) the answer is dropped, so the PUT just times out. The SDK then
// falls back to IMDSv1 (no token) unless the instance requires v2 (AWS_EC2_METADATA_V1_DISABLED=true); so do we,
// and an error says to raise the hop limit (`HttpPutResponseHopLimit` 2) when neither works.
import { parseJson, requestEndpoint } from './request.js';
import {
  type CredentialSource,
  credentialsError,
  credentialsUnavailable,
  fromAwsJson,
  type SourceOptions,
} from './types.js';

const DEFAULT_ENDPOINT = 'http://169.254.169.254';
const DEFAULT_ENDPOINT_IPV6 = 'http://[fd00:ec2::254]';
const TOKEN_TTL_SECONDS = '21600';
const CREDENTIALS_PATH = '/latest/meta-data/iam/security-credentials/';

export interface InstanceMetadataOptions extends SourceOptions {
  /** Overrides AWS_EC2_METADATA_SERVICE_ENDPOINT. */
  endpoint?: string;
}

/** The metadata endpoint: the option, AWS_EC2_METADATA_SERVICE_ENDPOINT, the IPv6 mode, or 169.254.169.254. */
export function metadataEndpoint(options: InstanceMetadataOptions): URL {
  const env = options.env ?? process.env;
  const configured = options.endpoint ?? env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  const fallback =
    env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE?.toLowerCase() === 'ipv6' ? DEFAULT_ENDPOINT_IPV6 : DEFAULT_ENDPOINT;
  try {
    const url = new URL(configured || fallback);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return url;
  } catch {
    throw credentialsError('AWS_EC2_METADATA_SERVICE_ENDPOINT is not an http(s) URL');
  }
}

export function createInstanceMetadataCredentials(options: InstanceMetadataOptions = {}): CredentialSource {
  return async () => {
    const env = options.env ?? process.env;
    if (env.AWS_EC2_METADATA_DISABLED?.toLowerCase() === 'true') return undefined;
    const base = metadataEndpoint(options);
    const timeout = options.timeout ?? 1_000;
    const v1Disabled = env.AWS_EC2_METADATA_V1_DISABLED?.toLowerCase() === 'true';
    const { token, answered } = await sessionToken(base, timeout, v1Disabled);
    const headers: Record<string, string> = token === undefined ? {} : { 'x-aws-ec2-metadata-token': token };
    const get = async (path: string, what: string) => {
      const res = await requestEndpoint({ url: new URL(path, base), method: 'GET', headers, timeout, what });
      if (res.status === 404) throw credentialsError('this EC2 instance has no IAM role (instance profile) attached');
      if (res.status !== 200) {
        throw credentialsUnavailable(`${what} answered HTTP ${res.status}`);
      }
      return res.body;
    };
    let roleList: string;
    try {
      roleList = await get(CREDENTIALS_PATH, 'EC2 instance metadata (role name)');
    } catch (err) {
      // Neither the token nor the role answered: this is not an EC2 instance (or no metadata is reachable), which
      // for the last link of the chain means "not configured", not "broken".
      if (!answered && (err as { code?: string }).code === 'BACKEND_UNAVAILABLE') return undefined;
      throw err;
    }
    const role = roleList.split('\n')[0]?.trim();
    if (!role) throw credentialsError('this EC2 instance has no IAM role (instance profile) attached');
    const what = 'EC2 instance metadata (role credentials)';
    const json = parseJson(await get(CREDENTIALS_PATH + encodeURIComponent(role), what), what) as { Code?: string };
    if (json.Code !== undefined && json.Code !== 'Success') {
      throw credentialsUnavailable(`${what} reported ${String(json.Code).slice(0, 64)}`);
    }
    return fromAwsJson(json, what);
  };
}

/**
 * The IMDSv2 session token, or undefined to go on with IMDSv1. 403/404/405 mean "v2 not offered here" (older
 * emulators, some proxies); a timeout usually means the hop limit dropped the answer. A 400 is a real error.
 */
async function sessionToken(
  base: URL,
  timeout: number,
  v1Disabled: boolean,
): Promise<{ token?: string; answered: boolean }> {
  const what = 'EC2 instance metadata (IMDSv2 token)';
  let status: number;
  let body = '';
  try {
    const res = await requestEndpoint({
      url: new URL('/latest/api/token', base),
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS },
      timeout,
      what,
    });
    status = res.status;
    body = res.body;
  } catch (err) {
    if (v1Disabled) {
      throw credentialsUnavailable(
        `${what} did not answer and IMDSv1 is disabled; from a container, raise the instance's metadata hop limit to 2`,
        err,
      );
    }
    return { answered: false };
  }
  if (status === 200 && body.length > 0) return { token: body, answered: true };
  if (!v1Disabled && (status === 403 || status === 404 || status === 405)) return { answered: true };
  throw credentialsUnavailable(`${what} answered HTTP ${status}`);
}
