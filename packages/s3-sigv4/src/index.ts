export { encodeKey, encodeRfc3986 } from './encode.js';
export { isSigV4Error, SIGV4_ERROR_CODES, SigV4Error, type SigV4ErrorCode } from './errors.js';
export { EMPTY_SHA256, sha256Hex } from './hash.js';
export type { PresignOptions, SignableRequest, SignOptions } from './options.js';
export { presignUrl } from './presign.js';
export { type SignedRequest, signRequest } from './sign.js';
export { clearSigningKeyCache } from './signing-key.js';
export { UNSIGNED_PAYLOAD } from './string-to-sign.js';
