import { describe, expect, it } from 'vitest';
import { holderName } from '../src/state/holder-name.js';

describe('holderName', () => {
  it('is the kind and 32 random hex digits, fresh each time', () => {
    const names = Array.from({ length: 100 }, () => holderName('release'));
    for (const name of names) expect(name).toMatch(/^release-[0-9a-f]{32}$/);
    expect(new Set(names).size).toBe(100);
  });
});
