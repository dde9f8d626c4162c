/**
 * Where a secret from a URL could leak out of an error or a backend: every text a log line, an error reporter or
 * a debugger prints. `leaks` renders them all and says which one shows the secret, so the failure is precise.
 */
import { inspect } from 'node:util';

function safely(render: () => string | undefined): string {
  try {
    return render() ?? '';
  } catch {
    return ''; // JSON of a cyclic object, a throwing toString: nothing printed, nothing leaked
  }
}

/** The renderings of `value` a process might print: message, stack, String, JSON, inspect (hidden parts too). */
function renderings(value: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['String()', safely(() => String(value))],
    ['JSON.stringify', safely(() => JSON.stringify(value))],
    ['util.inspect', safely(() => inspect(value, { depth: 10, showHidden: true, getters: true }))],
  ];
  let current: unknown = value;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const label = depth === 0 ? 'error' : `cause #${depth}`;
    out.push([`${label} message`, current.message], [`${label} stack`, current.stack ?? '']);
    out.push([`${label} details`, safely(() => JSON.stringify((current as { details?: unknown }).details))]);
    current = current.cause;
  }
  return out;
}

/** The forms a secret takes in and out of a URL: as written, percent-decoded, percent-encoded. */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret)]);
  forms.add(safely(() => decodeURIComponent(secret)) || secret);
  return [...forms].filter((form) => form.length > 0);
}

/**
 * Stack frames name files, not values: a secret that happens to be a word of a path (`testing`) is no leak.
 * Frames are removed from stacks and inspect output only, as printed lines or as `\n`-escaped ones.
 */
function withoutFrames(text: string): string {
  return text.replace(/\bat (?:[^\n]*? \()?(?:file:\/\/|node:|\/|[A-Za-z]:\\)[^\n]*?(?=\\n|\n|$)/g, 'at <frame>');
}

/** Names of the renderings of `value` that contain one of `needles` (empty when nothing leaks). */
export function leaks(value: unknown, needles: string[]): string[] {
  const found: string[] = [];
  for (const [where, rendered] of renderings(value)) {
    const text = /stack|inspect/.test(where) ? withoutFrames(rendered) : rendered;
    for (const needle of needles) if (text.includes(needle)) found.push(`${where} shows "${needle}"`);
  }
  return found;
}
