import { describe, expect, it } from 'vitest';
import { AttError, isAttError } from '../src/index.js';

describe('AttError', () => {
  it('carries a stable code, a status hint and retryability', () => {
    const err = new AttError('NOT_FOUND', 'no such attachment: abc');
    expect(err.code).toBe('NOT_FOUND');
    expect(err.status).toBe(404);
    expect(err.retryable).toBe(false);
    expect(isAttError(err)).toBe(true);
    expect(isAttError(err, 'NOT_FOUND')).toBe(true);
    expect(isAttError(err, 'TOO_LARGE')).toBe(false);
    expect(isAttError(new Error('x'))).toBe(false);
  });

  it('keeps the cause off the message and out of JSON', () => {
    const cause = new Error('secret=hunter2');
    const err = new AttError('BACKEND_UNAVAILABLE', 'backend unreachable', { cause });
    expect(err.cause).toBe(cause);
    expect(err.retryable).toBe(true);
    expect(JSON.stringify(err)).not.toContain('hunter2');
  });
});
