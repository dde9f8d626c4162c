// Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (and AWS_CREDENTIAL_EXPIRATION,
// which the SDK reads too): the first link of the default chain, the way CI jobs and Lambda hand keys over.
import { type CredentialSource, checkedCredentials, type SourceOptions } from './types.js';

export function createEnvCredentials(options: SourceOptions = {}): CredentialSource {
  return async () => {
    const env = options.env ?? process.env;
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    // Both or nothing, like the SDK: a lone key id is an unrelated leftover, not a broken configuration.
    if (!accessKeyId || !secretAccessKey) return undefined;
    return checkedCredentials(
      {
        accessKeyId,
        secretAccessKey,
        sessionToken: env.AWS_SESSION_TOKEN,
        expiration: env.AWS_CREDENTIAL_EXPIRATION || undefined,
      },
      'the AWS_* environment variables',
    );
  };
}
