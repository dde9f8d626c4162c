/** Maps Node fs errors to AttError codes. Messages name the operation, never full paths. */
import { AttError } from '@att/store-core';

export function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

export function isMissing(err: unknown): boolean {
  const code = errnoOf(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function notFound(): AttError {
  return new AttError('NOT_FOUND', 'object not found');
}

export function fsError(operation: string, err: unknown): AttError {
  const code = errnoOf(err);
  const details = { errno: code };
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EISDIR':
      return new AttError('NOT_FOUND', 'object not found', { cause: err, details });
    case 'EACCES':
    case 'EPERM':
      return new AttError('ACCESS_DENIED', `fs backend: permission denied while trying to ${operation}`, {
        cause: err,
        details,
      });
    case 'ENOSPC':
    case 'EDQUOT':
      return new AttError('QUOTA_EXCEEDED', `fs backend: disk full while trying to ${operation}`, {
        cause: err,
        details,
      });
    case 'EMFILE':
    case 'ENFILE':
    case 'EBUSY':
    case 'EAGAIN':
      return new AttError('BACKEND_UNAVAILABLE', `fs backend: resources exhausted while trying to ${operation}`, {
        cause: err,
        details,
      });
    default:
      return new AttError('BACKEND_ERROR', `fs backend: could not ${operation}`, { cause: err, details });
  }
}

/** `promise`, its rejection turned into the AttError `fsError` gives for `operation`. */
export function orFsError<T>(operation: string, promise: Promise<T>): Promise<T> {
  return promise.catch((err) => Promise.reject(fsError(operation, err)));
}
