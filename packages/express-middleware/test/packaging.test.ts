// Repository-wide packaging checks, kept here because the HTTP package is the one users meet first: every
// published package carries the MIT LICENSE and the fields that make its README links work on the registry, and
// `pnpm test` leaves out only the projects whose system tools a machine cannot install.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

  it('every package names the same repository, and homepage and bugs point into it', () => {
    const urls = new Set<string>();
    for (const name of packages) {
      const pkg = JSON.parse(readFileSync(path.join(root, 'packages', name, 'package.json'), 'utf8'));
      urls.add(pkg.repository.url);
      const web = String(pkg.repository.url)
        .replace(/^git\+/, '')
        .replace(/\.git$/, '');
      expect(pkg.homepage, name).toBe(`${web}/tree/main/packages/${name}#readme`);
      expect(pkg.bugs.url, name).toBe(`${web}/issues`);
    }
    expect([...urls]).toHaveLength(1);
    expect([...urls][0]).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
  });

  it.each(packages)(
    '%s: README links to files of the repository resolve (the registry rewrites them to it)',
    (name) => {
      const dir = path.join(root, 'packages', name);
      const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
      const relative = [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
        .map((m) => (m[1] as string).split('#')[0] as string)
        .filter((link) => link !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(link));
      for (const link of relative) expect(existsSync(path.resolve(dir, link)), `${name}: ${link}`).toBe(true);
    },
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
