export type {
  Backend,
  ByteRange,
  GetOptions,
  GetResult,
  ListOptions,
  ObjectInfo,
  PutOptions,
} from './backend.js';
export type { AttErrorCode, AttErrorOptions } from './errors.js';
export { AttError, ERROR_CODES, isAttError } from './errors.js';
