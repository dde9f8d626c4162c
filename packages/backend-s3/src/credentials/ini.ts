// The shared config and credentials files (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE): parsed into profiles the way the AWS CLI reads them. Read synchronously because
// the client's constructor needs the profile's region, and these files are a few hundred bytes.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type Profile = Record<string, string>;
export type Env = Record<string, string | undefined>;

/** The profile name in use: AWS_PROFILE, else `default`. */
export function profileName(env: Env, explicit?: string): string {
  return explicit || env.AWS_PROFILE || 'default';
}

function home(env: Env): string {
  return env.HOME || env.USERPROFILE || homedir();
}

function expandHome(path: string, env: Env): string {
  return path.startsWith('~/') || path === '~' ? join(home(env), path.slice(1)) : path;
}

/**
 * Sections and `key = value` lines; `#`/`;` comments; continuation lines (indented, as in `s3 =` sub-sections) are
 * kept as `parent.child`. Keys are lower-cased: the CLI treats `AWS_ACCESS_KEY_ID` and `aws_access_key_id` alike.
 */
export function parseIni(text: string): Map<string, Profile> {
  const sections = new Map<string, Profile>();
  let current: Profile | undefined;
  let parentKey: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/^\uFEFF/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const section = /^\[\s*([^\]]*?)\s*\]\s*(?:[#;].*)?$/.exec(trimmed);
    if (section) {
      const name = section[1] as string;
      current = sections.get(name) ?? {};
      sections.set(name, current);
      parentKey = undefined;
      continue;
    }
    if (!current) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    const key = trimmed.slice(0, eq).trim().toLowerCase();
    // Inline comments need whitespace before them, so a secret containing `#` survives.
    const value = trimmed
      .slice(eq + 1)
      .replace(/\s+[#;].*$/, '')
      .trim();
    if (/^\s/.test(line) && parentKey !== undefined) {
      current[`${parentKey}.${key}`] = value;
      continue;
    }
    current[key] = value;
    parentKey = value === '' ? key : undefined;
  }
  return sections;
}

function readIni(path: string): Map<string, Profile> {
  try {
    return parseIni(readFileSync(path, 'utf8'));
  } catch {
    // A missing file is the normal case on servers; an unreadable one is treated the same: the chain then says no
    // source was found, and nothing of the file ever reaches an error message.
    return new Map();
  }
}

export interface SharedFiles {
  /** The named profile merged from both files (the credentials file wins key by key), or undefined. */
  profile(name: string): Profile | undefined;
}

/**
 * Loads both files. In the config file profiles are `[profile NAME]` (and `[default]`); in the credentials file
 * they are `[NAME]`. Re-read on each call so edits (and `aws sso login`-style rewrites) are seen at refresh.
 */
export function loadSharedFiles(env: Env): SharedFiles {
  const configPath = expandHome(env.AWS_CONFIG_FILE || join(home(env), '.aws', 'config'), env);
  const credentialsPath = expandHome(env.AWS_SHARED_CREDENTIALS_FILE || join(home(env), '.aws', 'credentials'), env);
  const config = readIni(configPath);
  const credentials = readIni(credentialsPath);
  return {
    profile(name) {
      const fromConfig = name === 'default' ? (config.get('default') ?? config.get('profile default')) : undefined;
      const merged = { ...(fromConfig ?? config.get(`profile ${name}`)), ...credentials.get(name) };
      const found = fromConfig !== undefined || config.has(`profile ${name}`) || credentials.has(name);
      return found ? merged : undefined;
    },
  };
}
