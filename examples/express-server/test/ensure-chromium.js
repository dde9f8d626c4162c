import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** Idempotent: does nothing when chromium is there; otherwise installs it with apt (the CI machine is root). */
export default function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const run = (args) =>
    execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    run(['update']);
    run(['install', '-y', '--no-install-recommends', 'chromium']);
  } catch (err) {
    throw new Error(`chromium is missing and could not be installed with apt-get: ${err.message}`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get finished but ${CHROMIUM} does not exist`);
}
