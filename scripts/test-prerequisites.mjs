// Which test projects need a system tool this machine neither has nor can install. The Swift S3 server
// (backend-s3) and Chromium (the example page) come from Debian packages that the tests apt-get install
// themselves; on a machine that cannot (not root, no sudo, not Debian) `pnpm test` skips those two projects,
// each with one line saying why, instead of failing (express-middleware's few Swift tests go with backend-s3:
// see its vitest.config.ts). With CI=true nothing is skipped: there, a missing tool is a
// failure. ATT_TEST_CANNOT_INSTALL=1 pretends apt-get is unavailable (to see the skip path on a CI-like machine).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function onPath(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function canAptInstall(env) {
  if (env.ATT_TEST_CANNOT_INSTALL === '1' || !onPath('apt-get')) return false;
  if (process.getuid?.() === 0) return true;
  try {
    execFileSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The tools each optional project needs (as its own setup checks for them). */
const NEEDS = [
  {
    dir: 'packages/backend-s3',
    project: 'backend-s3',
    tool: 'OpenStack Swift',
    present: () => ['swift-proxy-server', 'swift-object-server', 'memcached', 'curl'].every(onPath),
  },
  {
    dir: 'examples/express-server',
    project: 'express-server-example',
    tool: 'Chromium',
    present: () => existsSync('/usr/bin/chromium'),
  },
];

/**
 * `[{ dir, project, reason }]` for the projects to leave out of this run. `probe` replaces the machine checks
 * (tests of this function).
 */
export function unavailableProjects(env = process.env, probe = {}) {
  if (env.CI === 'true') return [];
  const missing = NEEDS.filter((need) => !(probe.present?.(need.tool) ?? need.present()));
  if (missing.length === 0 || (probe.canInstall ?? (() => canAptInstall(env)))()) return [];
  return missing.map(({ dir, project, tool }) => ({
    dir,
    project,
    reason: `${tool} is not installed and apt-get cannot install it here (needs root or sudo on Debian); CI=true runs it`,
  }));
}
