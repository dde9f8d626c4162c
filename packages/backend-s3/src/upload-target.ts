/** What an upload works on (the object's key in its forms) and what it ends with, shared by every upload path. */

/** Where an upload goes: the prefixed key, its once-encoded path form, and the caller's key for messages. */
export interface UploadTarget {
  key: string;
  fullKey: string;
  encodedKey: string;
}

export interface UploadResult {
  size: number;
  etag: string | undefined;
  date: string | undefined;
}
