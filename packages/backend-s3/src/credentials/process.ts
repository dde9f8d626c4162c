// `credential_process` from a profile: runs the configured command through the shell (as the CLI does) and reads
// its JSON (`Version: 1`, `AccessKeyId`, `SecretAccessKey`, `SessionToken`, `Expiration`). Output and stderr may
// carry secrets, so neither ever appears in an error; only the exit code does.
import { parseJson } from './request.js';
import { type AwsCredentials, credentialsError, fromAwsJson } from './types.js';

const MAX_OUTPUT = 64 * 1024;

export function processCredentials(command: string, profile: string, timeout = 30_000): Promise<AwsCredentials> {
  const what = `credential_process of profile "${profile}"`;
  return new Promise((resolve, reject) => {
    // node:child_process on first use: loading it costs every process RSS, and few profiles run a command.
    process
      .getBuiltinModule('node:child_process')
      .exec(command, { timeout, maxBuffer: MAX_OUTPUT, windowsHide: true }, (err, stdout) => {
        if (err) {
          const code = (err as { code?: unknown }).code;
          const why = (err as { killed?: boolean }).killed ? 'was killed (timeout)' : `exited with ${String(code)}`;
          reject(credentialsError(`${what} ${why}`));
          return;
        }
        try {
          const json = parseJson(stdout, what) as { Version?: unknown };
          if (json?.Version !== 1) throw credentialsError(`${what} printed JSON without "Version": 1`);
          resolve(fromAwsJson(json, what));
        } catch (parseErr) {
          reject(parseErr);
        }
      });
  });
}
