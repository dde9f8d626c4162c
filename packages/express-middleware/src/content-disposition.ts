/** Content-Disposition lives in store-core (serving/content-disposition.ts): one format for downloads and objects. */
export {
  contentDispositionFor,
  dispositionFilename,
  encodeRfc5987,
  formatContentDisposition,
  parseContentDispositionFilename,
} from '@att/store-core';
