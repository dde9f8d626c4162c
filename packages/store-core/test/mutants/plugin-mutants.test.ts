// The plugin suite's own conformance: a correct plugin passes every check, and each mutant plugin fails exactly
// the check written for its slip.
import { describe, expect, it } from 'vitest';
import type { BackendPlugin } from '../../src/registry.js';
import { registerBackend } from '../../src/registry.js';
import { describeError } from '../../src/testing/fixtures.js';
import { describePluginConformance } from '../../src/testing/plugin-conformance.js';
import { collectChecks } from '../../src/testing/vitest.js';
import {
  eagerPlugin,
  echoingPlugin,
  handMadePlugin,
  type MemPluginOptions,
  memPlugin,
  optionsWinPlugin,
  type SizedBackend,
} from './plugin-mutants.js';

/** Registering on import, simulated: this plugin's package "ran" registerBackend when it was loaded. */
const selfRegistering = memPlugin('mem-self-registering');
registerBackend(selfRegistering);

async function failingChecks(plugin: BackendPlugin<MemPluginOptions>): Promise<{ failed: string[]; why: string }> {
  const s = plugin.scheme;
  const checks = collectChecks(() =>
    describePluginConformance(plugin, {
      validUrl: `${s}://admin:pl4in-s3cret@one`,
      invalidUrls: [`${s}://admin:pl4in-s3cret@one?chunkSize=big`, `${s}://admin:pl4in-s3cret@one?colour=blue`],
      secretInUrl: 'pl4in-s3cret',
      precedence: {
        urlWith: `${s}://one?chunkSize=1024`,
        urlWithout: `${s}://one`,
        options: { chunkSize: 4096 },
        read: (backend) => (backend as SizedBackend).chunkSize,
      },
    }),
  );
  const failed: string[] = [];
  const reasons: string[] = [];
  for (const check of checks) {
    try {
      await check.run();
    } catch (err) {
      failed.push(check.name.slice(check.name.lastIndexOf(' > ') + 3));
      reasons.push(`${check.name}: ${describeError(err)}`);
    }
  }
  return { failed, why: reasons.join('\n') };
}

const MUTANTS: Array<[string, BackendPlugin<MemPluginOptions>, string]> = [
  [
    'a hand-made plugin object',
    handMadePlugin,
    'is a plugin made by defineBackend: frozen, a lower-case scheme of two or more letters',
  ],
  [
    'a plugin registering itself on import',
    selfRegistering,
    'registers nothing on import: the default registry does not know the scheme',
  ],
  [
    'a plugin connecting in create()',
    eagerPlugin,
    'creates a backend synchronously and lazily: no connection until it is used',
  ],
  [
    'a plugin quoting the URL in errors',
    echoingPlugin,
    'refuses malformed URLs with INVALID_CONFIG naming the field, never echoing the URL or its secret',
  ],
  [
    'a plugin letting options win',
    optionsWinPlugin,
    'lets a setting the URL states win over the same option; options fill in the rest',
  ],
];

describe('plugin suite against planted slips', () => {
  it('passes the correct plugin the mutants are made from', async () => {
    const { failed, why } = await failingChecks(memPlugin());
    expect(failed, why).toEqual([]);
  });

  for (const [label, plugin, catcher] of MUTANTS) {
    it(`catches ${label} with "${catcher}" and with nothing else`, async () => {
      const { failed, why } = await failingChecks(plugin);
      expect(failed, `checks that failed on ${label}:\n${why}`).toEqual([catcher]);
    });
  }
});
