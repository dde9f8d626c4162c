// ECS task roles and EKS Pod Identity: credentials from the container agent at AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
// (on 169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI, with the authorization token from
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (EKS mounts and rotates it; re-read each time) or
// AWS_CONTAINER_AUTHORIZATION_TOKEN.
//
// A full URI over plain http must point at a loopback address or one of the agents' link-local addresses: the
// token and the answer travel in clear, and an env var pointing elsewhere would send them to anyone.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parseJson, requestEndpoint } from './request.js';
import {
  type CredentialSource,
  credentialsError,
  credentialsUnavailable,
  fromAwsJson,
  type SourceOptions,
} from './types.js';

const ECS_HOST = 'http://169.254.170.2';
const AGENT_ADDRESSES = new Set(['169.254.170.2', '169.254.170.23', 'fd00:ec2::23']);

function isAllowedPlainHost(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (AGENT_ADDRESSES.has(host) || host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** The agent's URL from the environment, or undefined when neither variable is set. */
export function containerEndpoint(env: Record<string, string | undefined>): URL | undefined {
  const relative = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
  if (relative) {
    try {
      return new URL(relative.startsWith('/') ? relative : `/${relative}`, ECS_HOST);
    } catch {
      throw credentialsError('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a valid path');
    }
  }
  const full = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  if (!full) return undefined;
  let url: URL;
  try {
    url = new URL(full);
  } catch {
    throw credentialsError('AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL');
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol !== 'http:' || !isAllowedPlainHost(url.hostname)) {
    throw credentialsError(
      'AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http on a loopback address or the ECS/EKS agent address',
    );
  }
  return url;
}

async function authorizationToken(env: Record<string, string | undefined>): Promise<string | undefined> {
  const file = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;
  if (file) {
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (err) {
      throw credentialsError('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE cannot be read', err);
    }
  }
  return env.AWS_CONTAINER_AUTHORIZATION_TOKEN || undefined;
}

export function createContainerCredentials(options: SourceOptions = {}): CredentialSource {
  return async () => {
    const env = options.env ?? process.env;
    const url = containerEndpoint(env);
    if (!url) return undefined;
    const token = await authorizationToken(env);
    if (token !== undefined && /[\r\n]/.test(token)) {
      throw credentialsError('the container authorization token contains a line break');
    }
    const what = 'container credentials endpoint';
    const res = await requestEndpoint({
      url,
      method: 'GET',
      headers: token ? { authorization: token } : {},
      timeout: options.timeout ?? 1_000,
      what,
    });
    if (res.status === 401 || res.status === 403) {
      throw credentialsError(`${what} refused the authorization token (HTTP ${res.status})`);
    }
    if (res.status !== 200) throw credentialsUnavailable(`${what} answered HTTP ${res.status}`);
    return fromAwsJson(parseJson(res.body, what), what);
  };
}
