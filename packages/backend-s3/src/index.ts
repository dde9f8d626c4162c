export { type S3Backend, s3Backend } from './backend.js';
export type { ChecksumAlgorithm, ChecksumAlgorithmName, ChecksumHasher } from './checksum-algorithm.js';
export { CHECKSUM_ALGORITHMS } from './checksum-algorithms.js';
export type {
  ListedObject,
  ListObjectsOptions,
  PendingUpload,
  PresignGetOptions,
  PresignPutOptions,
  PutObjectOptions,
} from './client.js';
export { S3Client } from './client.js';
export type { S3ClientConfig, S3Credentials, S3CredentialsProvider } from './config.js';
export {
  type AwsCredentials,
  type AwsCredentialsProvider,
  createCachedCredentials,
  createContainerCredentials,
  createCredentialChain,
  createDefaultCredentials,
  createEnvCredentials,
  createInstanceMetadataCredentials,
  createProfileCredentials,
  createWebIdentityCredentials,
} from './credentials/index.js';
export { type S3BackendPlugin, type S3PluginOptions, s3Plugin } from './plugin.js';
export { parseS3Url } from './url.js';
