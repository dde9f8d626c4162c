// The default chain, in the AWS SDK's order: environment → shared files (AWS_PROFILE) → web identity token file
// → container endpoint (ECS/EKS) → EC2 instance metadata. The first source whose settings are present answers;
// if its settings are present but broken, the chain stops there with that error (see types.ts).
import { createCachedCredentials } from './cache.js';
import { createContainerCredentials } from './container.js';
import { createEnvCredentials } from './env.js';
import { createInstanceMetadataCredentials } from './imds.js';
import { createProfileCredentials } from './profile.js';
import { type AwsCredentialsProvider, type CredentialSource, credentialsError, type SourceOptions } from './types.js';
import { createWebIdentityCredentials } from './web-identity.js';

export interface DefaultChainOptions extends SourceOptions {
  /** Profile of the shared files. Default AWS_PROFILE, else `default`. */
  profile?: string;
  /** Region for STS calls (web identity, role profiles). Default AWS_REGION, else the profile's, else us-east-1. */
  region?: string;
  /** STS endpoint override (else AWS_ENDPOINT_URL_STS, else regional). */
  stsEndpoint?: string;
  /** Overrides AWS_EC2_METADATA_SERVICE_ENDPOINT. */
  metadataEndpoint?: string;
}

const TRIED =
  'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, the shared config and credentials files, AWS_WEB_IDENTITY_TOKEN_FILE, ' +
  'AWS_CONTAINER_CREDENTIALS_*_URI and EC2 instance metadata';

/** Runs the sources in order; the first answer wins. Not cached: see `createDefaultCredentials`. */
export function createCredentialChain(sources: readonly CredentialSource[]): AwsCredentialsProvider {
  return async () => {
    for (const source of sources) {
      const found = await source();
      if (found) return found;
    }
    throw credentialsError(`none found; tried ${TRIED}. Pass credentials in the config or set one of these`);
  };
}

/** The SDK-style default provider, cached and refreshed before expiry (cache.ts). */
export function createDefaultCredentials(options: DefaultChainOptions = {}): AwsCredentialsProvider {
  const common: SourceOptions = {
    ...(options.env ? { env: options.env } : {}),
    ...(options.timeout ? { timeout: options.timeout } : {}),
  };
  const sts = {
    ...(options.stsEndpoint ? { stsEndpoint: options.stsEndpoint } : {}),
  };
  const chain = createCredentialChain([
    createEnvCredentials(common),
    createProfileCredentials({ ...common, ...sts, ...(options.profile ? { profile: options.profile } : {}) }),
    createWebIdentityCredentials({ ...common, ...sts, ...(options.region ? { region: options.region } : {}) }),
    createContainerCredentials(common),
    createInstanceMetadataCredentials({
      ...common,
      ...(options.metadataEndpoint ? { endpoint: options.metadataEndpoint } : {}),
    }),
  ]);
  return createCachedCredentials(chain);
}
