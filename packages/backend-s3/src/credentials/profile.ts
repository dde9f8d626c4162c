// Credentials from a named profile of the shared files, in the SDK's order: a role to assume (`role_arn` with
// `source_profile` or `credential_source`), static keys, a web identity token file, then `credential_process`.
// Source profiles may chain; a loop is a config error, not a hang.
import { containerEndpoint, createContainerCredentials } from './container.js';
import { createEnvCredentials } from './env.js';
import { createInstanceMetadataCredentials } from './imds.js';
import { loadSharedFiles, type Profile, profileName, type SharedFiles } from './ini.js';
import { processCredentials } from './process.js';
import { assumeRole, type StsOptions } from './sts.js';
import {
  type AwsCredentials,
  type CredentialSource,
  checkedCredentials,
  credentialsError,
  type SourceOptions,
} from './types.js';
import { sessionName, webIdentityCredentials } from './web-identity.js';

export interface ProfileOptions extends SourceOptions {
  /** Profile name. Default AWS_PROFILE, else `default`. */
  profile?: string;
  /** STS endpoint override for `role_arn` profiles (else AWS_ENDPOINT_URL_STS, else regional). */
  stsEndpoint?: string;
}

const MAX_CHAIN = 8;

function staticKeys(profile: Profile, name: string): AwsCredentials | undefined {
  if (!profile.aws_access_key_id || !profile.aws_secret_access_key) return undefined;
  return checkedCredentials(
    {
      accessKeyId: profile.aws_access_key_id,
      secretAccessKey: profile.aws_secret_access_key,
      sessionToken: profile.aws_session_token,
    },
    `profile "${name}"`,
  );
}

/** True when a profile says how to get credentials at all; a region-only profile does not. */
function hasCredentialSettings(profile: Profile): boolean {
  return Boolean(
    profile.role_arn || profile.aws_access_key_id || profile.web_identity_token_file || profile.credential_process,
  );
}

async function fromCredentialSource(source: string, options: ProfileOptions, name: string): Promise<AwsCredentials> {
  const env = options.env ?? process.env;
  let found: AwsCredentials | undefined;
  switch (source) {
    case 'Environment':
      found = await createEnvCredentials({ env })();
      break;
    case 'Ec2InstanceMetadata':
      found = await createInstanceMetadataCredentials({
        env,
        ...(options.timeout ? { timeout: options.timeout } : {}),
      })();
      break;
    case 'EcsContainer':
      if (!containerEndpoint(env))
        throw credentialsError(
          `profile "${name}": credential_source EcsContainer needs AWS_CONTAINER_CREDENTIALS_*_URI`,
        );
      found = await createContainerCredentials({ env })();
      break;
    default:
      throw credentialsError(
        `profile "${name}": credential_source must be Environment, Ec2InstanceMetadata or EcsContainer`,
      );
  }
  if (!found) throw credentialsError(`profile "${name}": credential_source ${source} found no credentials`);
  return found;
}

async function resolveProfile(
  files: SharedFiles,
  name: string,
  options: ProfileOptions,
  visited: string[],
): Promise<AwsCredentials | undefined> {
  const profile = files.profile(name);
  if (!profile) {
    if (visited.length > 0) throw credentialsError(`source_profile "${name}" does not exist`);
    return undefined;
  }
  if (visited.includes(name) || visited.length >= MAX_CHAIN) {
    throw credentialsError(`profile "${name}": source_profile chain loops (${[...visited, name].join(' → ')})`);
  }
  const env = options.env ?? process.env;
  const sts: StsOptions = {
    env,
    ...(profile.region ? { region: profile.region } : {}),
    ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
    ...(options.timeout ? { timeout: options.timeout } : {}),
  };
  // A source profile that has its own keys is used for them, even if it also names a role (the CLI's rule: the
  // chain stops at the first static credentials), so `A → B(role + keys)` assumes A's role with B's keys.
  const keys = staticKeys(profile, name);
  if (profile.role_arn && !(visited.length > 0 && keys)) {
    let source: AwsCredentials | undefined;
    if (profile.source_profile) {
      source = await resolveProfile(files, profile.source_profile, options, [...visited, name]);
    } else if (profile.credential_source) {
      source = await fromCredentialSource(profile.credential_source, options, name);
    } else if (profile.web_identity_token_file) {
      return webIdentityCredentials(
        {
          tokenFile: profile.web_identity_token_file,
          roleArn: profile.role_arn,
          roleSessionName: profile.role_session_name,
        },
        sts,
      );
    } else {
      throw credentialsError(
        `profile "${name}": role_arn needs source_profile, credential_source or web_identity_token_file`,
      );
    }
    if (!source) throw credentialsError(`profile "${name}": its source profile has no credentials`);
    const duration = profile.duration_seconds ? Number(profile.duration_seconds) : undefined;
    if (duration !== undefined && !Number.isSafeInteger(duration)) {
      throw credentialsError(`profile "${name}": duration_seconds must be an integer`);
    }
    return assumeRole(
      source,
      {
        roleArn: profile.role_arn,
        roleSessionName: profile.role_session_name || sessionName(),
        ...(profile.external_id ? { externalId: profile.external_id } : {}),
        ...(duration !== undefined ? { durationSeconds: duration } : {}),
      },
      sts,
    );
  }
  if (keys) return keys;
  if (profile.credential_process) return processCredentials(profile.credential_process, name);
  if (visited.length > 0) throw credentialsError(`source_profile "${name}" has no credentials`);
  if (!hasCredentialSettings(profile)) return undefined;
  throw credentialsError(
    `profile "${name}" has incomplete credentials (aws_access_key_id needs aws_secret_access_key)`,
  );
}

/** The shared files' link of the chain: undefined when the profile is absent or carries no credential settings. */
export function createProfileCredentials(options: ProfileOptions = {}): CredentialSource {
  return async () => {
    const env = options.env ?? process.env;
    return resolveProfile(loadSharedFiles(env), profileName(env, options.profile), options, []);
  };
}
