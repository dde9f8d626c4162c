// Resumable uploads for big files: tus through tus-js-client (window.tus, served by this server from node_modules
// at vendor/tus.min.js). The file goes in chunks; Pause stops the request in flight and Resume carries on from
// the offset the server has (HEAD), and a dropped connection is waited out: when the browser is back online the
// upload resumes by itself instead of starting again from zero.

/**
 * Uploads `file` with tus to `<base>uploads`, showing progress in `row`. `done(attachment)` gets the shape of the
 * plain upload's answer; `failed(status, body)` a refusal (status 0: network); `announce(text)` status messages.
 */
export function uploadResumable(file, { base, chunkSize, expiry, row, done, failed, announce }) {
  const endpoint = new URL('uploads', base).href;
  const progress = row.querySelector('progress');
  const actions = row.querySelector('.actions');
  let deleteToken;
  let paused = false;
  let waitingForNetwork = false;
  const resumeWhenOnline = () => {
    if (!waitingForNetwork || paused) return;
    waitingForNetwork = false;
    row.dataset.state = 'uploading';
    announce(`${file.name}: connection back, resuming.`);
    upload.start();
  };

  const pause = document.createElement('button');
  pause.type = 'button';
  pause.className = 'pause';
  const label = () => {
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-label', `${paused ? 'Resume' : 'Pause'} ${file.name}`);
  };
  label();
  actions.replaceChildren(pause);

  const upload = new window.tus.Upload(file, {
    endpoint,
    chunkSize,
    retryDelays: [0, 1000, 3000, 5000, 10000],
    metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
    // The browser remembers the upload's URL per file, so picking the same file again after a reload resumes it.
    removeFingerprintOnSuccess: true,
    onAfterResponse(_req, res) {
      deleteToken ??= res.getHeader('Att-Delete-Token') || undefined;
    },
    onProgress(sent, total) {
      progress.value = total ? Math.floor((sent / total) * 100) : 100;
    },
    onError(err) {
      if (!navigator.onLine) {
        // Retries were spent while offline: wait for the network, then carry on from where the server is.
        waitingForNetwork = true;
        row.dataset.state = 'offline';
        window.addEventListener('online', resumeWhenOnline, { once: true });
        announce(`${file.name}: connection lost, the upload resumes when it is back.`);
        return;
      }
      row.dataset.state = 'failed';
      const res = err.originalResponse;
      let body = null;
      try {
        body = res ? JSON.parse(res.getBody()) : null;
      } catch {}
      actions.replaceChildren();
      failed(res ? res.getStatus() : 0, body);
    },
    onSuccess() {
      row.dataset.state = 'done';
      progress.value = 100;
      const id = upload.url.split('/').pop();
      done({
        id,
        name: file.name,
        size: file.size,
        url: new URL(id, base).href,
        ...(expiry ? { expires: Math.floor((Date.now() + expiry) / 1000) } : {}),
        ...(deleteToken ? { deleteToken } : {}),
      });
    },
  });

  pause.addEventListener('click', () => {
    paused = !paused;
    label();
    if (paused) {
      row.dataset.state = 'paused';
      // abort() keeps the upload on the server; start() asks it for the offset and sends the rest.
      upload.abort();
      announce(`${file.name} paused.`);
    } else {
      row.dataset.state = 'uploading';
      waitingForNetwork = false;
      upload.start();
      announce(`${file.name} resumed.`);
    }
  });

  row.dataset.state = 'uploading';
  upload.start();
}
