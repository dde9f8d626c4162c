import { defineProject } from 'vitest/config';

// Vitest projects defined in their own files do not inherit the root config's test options, so every
// project takes its timeouts from here. Generous on purpose: CI machines are small and shared, and a
// test that asserts on bytes and codes should not fail because the machine was busy.
export const testTimeouts = { testTimeout: 60_000, hookTimeout: 180_000 };

/** defineProject with the repository's timeouts; `test` fields override them. */
export function attProject(test) {
  return defineProject({ test: { ...testTimeouts, ...test } });
}
