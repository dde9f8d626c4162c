// Repository-wide packaging checks, kept here because the HTTP package is the one users meet first: every
// published package carries the MIT LICENSE and the fields that make its README links work on the registry, and
// `pnpm test` leaves out only the projects whose system tools a machine cannot install.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unavailableProjects } from '../../../scripts/test-prerequisites.mjs';

const root = path.resolve(import.meta.dirname, '../../..');
const packages = readdirSync(path.join(root, 'packages'));

describe('packaging', () => {
  it.each(packages)(
    '%s: the tarball has LICENSE (MIT) and package.json has repository, homepage, bugs',
    (name) => {
      const dir = path.join(root, 'packages', name);
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect(pkg.license).toBe('MIT');
      expect(pkg.repository).toMatchObject({ type: 'git', directory: `packages/${name}` });
      expect(pkg.homepage).toMatch(/^https:\/\//);
      expect(pkg.bugs?.url).toMatch(/^https:\/\//);
      const packed = JSON.parse(
        execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' }),
      );
      const files = packed[0].files.map((f: { path: string }) => f.path);
      expect(files, `${name} tarball`).toContain('LICENSE');
      expect(readFileSync(path.join(dir, 'LICENSE'), 'utf8')).toBe(readFileSync(path.join(root, 'LICENSE'), 'utf8'));
    },
    60_000,
  );

  it('a machine that cannot apt-get skips only the Swift and Chromium projects; CI=true skips nothing', () => {
    const bare = { present: () => false, canInstall: () => false };
    const skipped = unavailableProjects({}, bare);
    expect(skipped.map((s) => s.project)).toEqual(['backend-s3', 'express-server-example']);
    for (const s of skipped) expect(s.reason).toMatch(/cannot install it here/);
    expect(unavailableProjects({ CI: 'true' }, bare)).toEqual([]);
    expect(unavailableProjects({}, { present: () => false, canInstall: () => true }), 'installable: run').toEqual([]);
    expect(unavailableProjects({}, { present: () => true, canInstall: () => false }), 'installed: run').toEqual([]);
  });
});
