// The page's direct-to-bucket path (bundled by scripts/build-page.js; app.js loads it only when /config.json says
// `direct`). Uppy's @uppy/aws-s3 5.x asks /attachments/s3/… for presigned URLs and sends the bytes straight to the
// bucket; this server never sees them. What att needs from the page:
// - each file's size in Uppy's file meta (`size`), which Uppy sends as `metadata[size]`: the declared size the
//   server checks against the limits and signs into the URLs;
// - Uppy's chunk size from the server's published part size (GET /attachments/s3/config), so the parts Uppy cuts
//   are the ones the server signed;
// - a single PUT confirmed from Uppy's `upload-success` (POST /attachments/s3/confirm/<key>); a multipart upload is
//   confirmed by its `complete` call, whose answer is already att's upload answer.
import AwsS3 from '@uppy/aws-s3';
import Uppy from '@uppy/core';

const MiB = 1024 * 1024;
/** Files above this go in parts (parallel, resumable part by part); smaller ones in one PUT. */
const MULTIPART_ABOVE = 16 * MiB;

/** HTTP status → the code att's JSON errors carry, for the page's messages (Uppy keeps only the status). */
const CODE_OF_STATUS = {
  403: 'FORBIDDEN',
  413: 'TOO_LARGE',
  429: 'RATE_LIMITED',
  503: 'BACKEND_UNAVAILABLE',
  507: 'QUOTA_EXCEEDED',
};

let started;
/** Per Uppy file id: the page's callbacks for that file. */
const watchers = new Map();

function statusOf(err) {
  for (let e = err; e; e = e.cause) {
    if (typeof e.statusCode === 'number') return e.statusCode;
    if (typeof e.source?.status === 'number') return e.source.status;
  }
  return 0;
}

async function startUppy(endpoint) {
  const res = await fetch(new URL('s3/config', endpoint));
  if (!res.ok) throw new Error(`direct uploads are not available (HTTP ${res.status})`);
  const { partSize, maxParts } = await res.json();
  const uppy = new Uppy({ autoProceed: true });
  uppy.use(AwsS3, {
    endpoint: endpoint.replace(/\/$/, ''),
    shouldUseMultipart: (file) => file.size > MULTIPART_ABOVE,
    // The server's rule (see its README): the published part size, raised so the file fits in maxParts.
    getChunkSize: (file) => Math.max(partSize, Math.ceil(file.size / maxParts)),
  });
  uppy.on('upload-progress', (file, progress) => {
    const watcher = watchers.get(file.id);
    if (watcher && progress.bytesTotal) watcher.onProgress(progress.bytesUploaded / progress.bytesTotal);
  });
  uppy.on('upload-success', async (file, response) => {
    const watcher = watchers.get(file.id);
    if (!watcher) return;
    const body = response.body ?? {};
    try {
      // Multipart: `complete` answered att's upload answer. Single PUT: confirm it now.
      let answer = body.id ? body : undefined;
      if (!answer) {
        const confirm = await fetch(new URL(`s3/confirm/${encodeURIComponent(body.key)}`, endpoint), {
          method: 'POST',
        });
        const json = await confirm.json().catch(() => null);
        if (confirm.status !== 201) {
          watcher.onError(confirm.status, json);
          return;
        }
        answer = json;
      }
      watcher.onStored(answer);
    } finally {
      finish(uppy, file.id);
    }
  });
  uppy.on('upload-error', (file, err) => {
    const watcher = watchers.get(file.id);
    if (!watcher) return;
    const status = statusOf(err);
    const code = CODE_OF_STATUS[status];
    watcher.onError(status, code ? { error: { code, message: '' } } : { error: { message: err?.message } });
    finish(uppy, file.id);
  });
  return uppy;
}

/** Forgets a finished file, so the same file can be picked again. */
function finish(uppy, fileId) {
  watchers.delete(fileId);
  if (uppy.getFile(fileId)) uppy.removeFile(fileId);
}

/**
 * Uploads `file` through Uppy to the bucket. `onProgress(fraction)`, then `onStored(answer)` with att's upload
 * answer (`{ id, url, name, size, expires, … }`) or `onError(status, body)` with att's JSON error when known.
 */
export async function uploadDirect(file, { endpoint, onProgress, onStored, onError }) {
  started ??= startUppy(endpoint);
  let uppy;
  try {
    uppy = await started;
  } catch (err) {
    started = undefined;
    onError(0, { error: { message: err.message } });
    return;
  }
  let fileId;
  try {
    fileId = uppy.addFile({ name: file.name, type: file.type, data: file, meta: { size: file.size } });
  } catch (err) {
    onError(0, { error: { message: err.message } });
    return;
  }
  watchers.set(fileId, { onProgress, onStored, onError });
}
