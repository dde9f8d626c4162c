/**
 * The uploads this server signed: a signing, confirmation or completion request names an id, and only an id
 * handed out here (and not yet settled) is served — any other is 403, so a client can never aim a URL at a key
 * of its choosing. Each record holds what was declared and signed, which confirmation checks the object against.
 * Behind a small interface so a fleet can share it (the default lives in this process, like the rate limiter).
 */

export interface IssuedUpload {
  id: string;
  /** Declared size in bytes: signed into the URL(s), reserved, and what the object must measure. */
  size: number;
  contentType: string;
  /** att's metadata as signed (`att-created`, `att-filename`, `att-expires`). */
  metadata: Record<string, string>;
  /** Who pays: the visitor at signing time (their budgets hold the reservation). */
  visitor: string;
  /** Multipart only: S3's upload id and the part size every part but the last has. */
  uploadId?: string;
  partSize?: number;
}

export interface IssuedUploads {
  /** Records (or refreshes) `upload` for `ttlMs`. */
  put(upload: IssuedUpload, ttlMs: number): Promise<void>;
  /** The live record for `id`, or undefined (never issued, settled, or expired). */
  get(id: string): Promise<IssuedUpload | undefined>;
  delete(id: string): Promise<void>;
}

/** Records most issued at once in one process before old ones are dropped early (bounds memory under abuse). */
const MAX_RECORDS = 100_000;

export function createMemoryIssuedUploads(now: () => number = Date.now): IssuedUploads {
  const records = new Map<string, { upload: IssuedUpload; until: number }>();
  const sweep = () => {
    const time = now();
    for (const [id, record] of records) if (record.until <= time) records.delete(id);
    // Still full: the oldest insertions go first (a Map iterates in insertion order).
    for (const id of records.keys()) {
      if (records.size < MAX_RECORDS) break;
      records.delete(id);
    }
  };
  return {
    async put(upload, ttlMs) {
      if (records.size >= MAX_RECORDS) sweep();
      records.delete(upload.id);
      records.set(upload.id, { upload: { ...upload }, until: now() + ttlMs });
    },
    async get(id) {
      const record = records.get(id);
      if (!record) return undefined;
      if (record.until <= now()) {
        records.delete(id);
        return undefined;
      }
      return { ...record.upload };
    },
    async delete(id) {
      records.delete(id);
    },
  };
}
