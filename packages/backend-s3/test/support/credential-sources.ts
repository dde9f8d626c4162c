// What the credential-source tests share: secrets that must never show, an env isolated from the machine's own AWS files, and the no-secret check on every view of an error.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { expect } from 'vitest';

export const SECRET = 'SECRET/never+shown';
export const TOKEN = 'TOKEN-never-shown';
export const later = () => new Date(Date.now() + 3_600_000);

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'att-creds-'));
}

/** An env with no real AWS settings and home in an empty temp dir, so the machine's own files never leak in. */
export function isolatedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dir = tempDir();
  return {
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** The error, its message, JSON and inspect form: none may contain a secret or token. */
export function expectNoSecrets(err: unknown, ...secrets: string[]) {
  const views = [String(err), inspect(err, { depth: 5 }), JSON.stringify(err)];
  for (const view of views)
    for (const secret of secrets) expect(view, 'a secret leaked into an error').not.toContain(secret);
}
