// Direct-to-bucket uploads (`direct` on an S3 store): Uppy sends the bytes straight to the bucket with presigned
// URLs. Uppy itself is bundled by `pnpm build` (src/browser/direct-upload.js → /build/direct-upload.js) and loaded
// only when the server has `direct` on.

/**
 * Uploads `file` through Uppy, showing progress in `row`. `done(attachment)` gets the shape of the plain upload's
 * answer; `failed(status, body)` a refusal (status 0: network or no answer).
 */
export async function uploadDirectly(file, { base, row, done, failed }) {
  const progress = row.querySelector('progress');
  try {
    const { uploadDirect } = await import('./build/direct-upload.js');
    await uploadDirect(file, {
      endpoint: base,
      onProgress: (fraction) => {
        progress.value = Math.round(fraction * 100);
      },
      onStored: (answer) => {
        progress.value = 100;
        done({ ...answer, url: new URL(answer.url, base).href });
      },
      onError: failed,
    });
  } catch (err) {
    failed(0, { error: { message: err.message } });
  }
}
