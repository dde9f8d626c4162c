import type { UserWorkspaceConfig } from 'vitest/config';

export const testTimeouts: { testTimeout: number; hookTimeout: number };
export function attProject(test: NonNullable<UserWorkspaceConfig['test']>): UserWorkspaceConfig;
