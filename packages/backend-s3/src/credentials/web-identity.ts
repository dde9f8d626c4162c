// EKS IAM Roles for Service Accounts (and any OIDC federation): AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
// (+ AWS_ROLE_SESSION_NAME) traded at STS with AssumeRoleWithWebIdentity. The token file is re-read on every
// refresh because the kubelet rotates it.
import { readFile } from 'node:fs/promises';
import { assumeRoleWithWebIdentity, type StsOptions } from './sts.js';
import { type AwsCredentials, type CredentialSource, credentialsError, type SourceOptions } from './types.js';

export interface WebIdentityOptions extends SourceOptions {
  /** STS endpoint override (else AWS_ENDPOINT_URL_STS, else regional). */
  stsEndpoint?: string;
  /** Region for STS. Default AWS_REGION, else us-east-1. */
  region?: string;
}

export interface WebIdentitySettings {
  tokenFile: string;
  roleArn: string;
  roleSessionName?: string | undefined;
}

/** Default session name: visible in CloudTrail, unique enough per process. */
export function sessionName(): string {
  return `att-${Date.now()}`;
}

export async function webIdentityCredentials(settings: WebIdentitySettings, sts: StsOptions): Promise<AwsCredentials> {
  let token: string;
  try {
    token = (await readFile(settings.tokenFile, 'utf8')).trim();
  } catch (err) {
    throw credentialsError('the web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE) cannot be read', err);
  }
  if (!token) throw credentialsError('the web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE) is empty');
  return assumeRoleWithWebIdentity(
    token,
    { roleArn: settings.roleArn, roleSessionName: settings.roleSessionName || sessionName() },
    sts,
  );
}

export function createWebIdentityCredentials(options: WebIdentityOptions = {}): CredentialSource {
  return async () => {
    const env = options.env ?? process.env;
    const tokenFile = env.AWS_WEB_IDENTITY_TOKEN_FILE;
    const roleArn = env.AWS_ROLE_ARN;
    if (!tokenFile && !roleArn) return undefined;
    if (!tokenFile || !roleArn) {
      throw credentialsError('AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together');
    }
    return webIdentityCredentials(
      { tokenFile, roleArn, roleSessionName: env.AWS_ROLE_SESSION_NAME },
      {
        env,
        ...(options.region ? { region: options.region } : {}),
        ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
        ...(options.timeout ? { timeout: options.timeout } : {}),
      },
    );
  };
}
