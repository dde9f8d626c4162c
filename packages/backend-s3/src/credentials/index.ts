// The credential sources and the default chain, one file each; this file only gathers the public names.
export { type CacheOptions, createCachedCredentials } from './cache.js';
export { createCredentialChain, createDefaultCredentials, type DefaultChainOptions } from './chain.js';
export { createContainerCredentials } from './container.js';
export { createEnvCredentials } from './env.js';
export { endpointFromEnvironment, regionFromEnvironment } from './environment.js';
export { createInstanceMetadataCredentials, type InstanceMetadataOptions } from './imds.js';
export { createProfileCredentials, type ProfileOptions } from './profile.js';
export type { AwsCredentials, AwsCredentialsProvider, CredentialSource, SourceOptions } from './types.js';
export { createWebIdentityCredentials, type WebIdentityOptions } from './web-identity.js';
