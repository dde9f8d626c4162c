// Region and endpoint the way the SDK finds them when the config leaves them out: AWS_REGION, else the profile's
// `region`; AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else the profile's `endpoint_url` (unless
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true). So one set of env vars configures the SDK and att alike.
import { type Env, loadSharedFiles, profileName } from './ini.js';

export function regionFromEnvironment(env: Env = process.env): string | undefined {
  if (env.AWS_REGION) return env.AWS_REGION;
  return loadSharedFiles(env).profile(profileName(env))?.region || undefined;
}

export function endpointFromEnvironment(env: Env = process.env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  if (env.AWS_ENDPOINT_URL_S3) return env.AWS_ENDPOINT_URL_S3;
  if (env.AWS_ENDPOINT_URL) return env.AWS_ENDPOINT_URL;
  const profile = loadSharedFiles(env).profile(profileName(env));
  return profile?.endpoint_url || undefined;
}
