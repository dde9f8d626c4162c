// The upload page: plain ES module, no build step. One XHR per file, because only XHR reports upload progress;
// files over the server's resumable threshold go through tus instead (resumable.js), with pause and resume.
// Limits come from the server (/config.json); finished uploads are remembered in localStorage with their delete
// token, so a reload keeps the list and its delete buttons.
import { uploadDirectly } from './direct.js';
import { uploadResumable } from './resumable.js';

const endpoint = new URL('attachments/', document.baseURI).href;
const STORAGE_KEY = 'att-example-uploads';
const drop = document.getElementById('drop');
const picker = document.getElementById('picker');
const list = document.getElementById('uploads');
const limitsText = document.getElementById('limits');
const status = document.getElementById('status');
const rowTemplate = document.getElementById('row');

/** The server's limits; null until /config.json answered. */
let config = null;

function formatSize(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function formatDuration(ms) {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} hours` : `${Math.round(hours / 24)} days`;
}

async function loadConfig() {
  try {
    const res = await fetch('config.json');
    config = await res.json();
    const parts = [];
    if (config.fileSizeLimit) parts.push(`Up to ${formatSize(config.fileSizeLimit)} per file`);
    if (config.visitorTotalSizeLimit) parts.push(`${formatSize(config.visitorTotalSizeLimit)} in total`);
    parts.push(config.expiry ? `files expire after ${formatDuration(config.expiry)}` : 'files never expire');
    limitsText.textContent = `${parts.join(', ')}.`;
  } catch {
    limitsText.textContent = 'Could not load the server limits.';
  }
}

/** A message naming the limit that was hit, with the numbers the server enforces. */
function describeError(status, body, file) {
  const code = body?.error?.code;
  const message = body?.error?.message ?? '';
  if (code === 'TOO_LARGE') {
    if (/visitor/.test(message) && config?.visitorTotalSizeLimit) {
      return `Too large: your uploads would exceed the limit of ${formatSize(config.visitorTotalSizeLimit)} in total.`;
    }
    const limit = config?.fileSizeLimit
      ? ` the limit is ${formatSize(config.fileSizeLimit)} per file`
      : ' over the limit';
    return `Too large: ${file.name} is ${formatSize(file.size)};${limit}.`;
  }
  if (code === 'RATE_LIMITED') {
    if (/bandwidth/.test(message) && config?.visitorDailyBandwidth) {
      return `Daily limit reached: ${formatSize(config.visitorDailyBandwidth)} of uploads and downloads per day.`;
    }
    return 'Rate limited: too many uploads in a short time. Try again in a minute.';
  }
  if (code === 'QUOTA_EXCEEDED') return 'The server is out of storage space.';
  if (code === 'FORBIDDEN') return 'You are not allowed to upload.';
  if (code === 'BACKEND_UNAVAILABLE')
    return `Storage is unavailable, try again later (request ${body.error.requestId}).`;
  return message || `Upload failed (HTTP ${status || 'network error'}).`;
}

function remembered() {
  try {
    const entries = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    const now = Date.now() / 1000;
    return Array.isArray(entries) ? entries.filter((e) => e && (!e.expires || e.expires > now)) : [];
  } catch {
    return [];
  }
}

function remember(entries) {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(entries));
}

function newRow(name, size) {
  const row = rowTemplate.content.firstElementChild.cloneNode(true);
  row.querySelector('.name').textContent = name;
  row.querySelector('.size').textContent = formatSize(size);
  list.prepend(row);
  return row;
}

function upload(file) {
  const row = newRow(file.name, file.size);
  const progress = row.querySelector('progress');
  const result = row.querySelector('.result');
  if (config?.fileSizeLimit && file.size > config.fileSizeLimit) {
    // Checked here too, so a large file is refused before it is sent; the server refuses it anyway.
    row.classList.add('done');
    showError(result, describeError(413, { error: { code: 'TOO_LARGE', message: '' } }, file));
    return;
  }
  if (config?.direct) {
    // S3 with `direct`: the bytes go straight to the bucket through Uppy (direct.js), whatever the size.
    uploadDirectly(file, {
      base: endpoint,
      row,
      done: (attachment) => stored(row, attachment),
      failed: (code, body) => {
        row.classList.add('done');
        showError(result, describeError(code, body, file));
      },
    });
    return;
  }
  if (config?.resumable && window.tus && file.size > config.resumable.threshold) {
    uploadResumable(file, {
      base: endpoint,
      chunkSize: config.resumable.chunkSize,
      expiry: config.expiry,
      row,
      done: (attachment) => stored(row, attachment),
      failed: (code, body) => {
        row.classList.add('done');
        showError(result, describeError(code, body, file));
      },
      announce: (text) => {
        status.textContent = text;
      },
    });
    return;
  }
  const xhr = new XMLHttpRequest();
  xhr.open('POST', `${endpoint}?filename=${encodeURIComponent(file.name)}`);
  xhr.responseType = 'json';
  xhr.upload.addEventListener('progress', (event) => {
    if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
  });
  xhr.addEventListener('load', () => {
    row.classList.add('done');
    if (xhr.status !== 201) {
      showError(result, describeError(xhr.status, xhr.response, file));
      return;
    }
    progress.value = 100;
    stored(row, { ...xhr.response, url: new URL(xhr.response.url, endpoint).href });
  });
  xhr.addEventListener('error', () => {
    row.classList.add('done');
    showError(result, describeError(0, null, file));
  });
  // The raw file as the body: no multipart encoding needed for one file.
  xhr.send(file);
}

function stored(row, attachment) {
  remember([attachment, ...remembered().filter((e) => e.id !== attachment.id)]);
  showStored(row, attachment);
  status.textContent = `Uploaded ${attachment.name}.`;
}

function showError(result, message) {
  result.className = 'result error';
  result.setAttribute('role', 'alert');
  result.textContent = message;
}

function button(label, className, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

function showStored(row, attachment) {
  row.classList.add('done');
  row.dataset.id = attachment.id;
  row.querySelector('.name').textContent = attachment.name;
  row.querySelector('.size').textContent = formatSize(attachment.size);
  const link = document.createElement('a');
  link.href = attachment.url;
  link.textContent = attachment.name;
  link.className = 'download';
  link.download = attachment.name;
  const expires = document.createElement('span');
  expires.className = 'expires';
  expires.textContent = attachment.expires
    ? ` · expires ${new Date(attachment.expires * 1000).toLocaleString()}`
    : ' · never expires';
  row.querySelector('.result').replaceChildren(link, expires);

  const copy = button('Copy link', 'copy', async () => {
    try {
      await navigator.clipboard.writeText(attachment.url);
      status.textContent = `Link to ${attachment.name} copied.`;
    } catch {
      status.textContent = `Copy failed: the link is ${attachment.url}`;
    }
  });
  copy.setAttribute('aria-label', `Copy link to ${attachment.name}`);
  const actions = [copy];
  if (attachment.deleteToken) {
    const del = button('Delete', 'delete', () => removeUpload(row, attachment));
    del.setAttribute('aria-label', `Delete ${attachment.name}`);
    actions.push(del);
  }
  row.querySelector('.actions').replaceChildren(...actions);
}

async function removeUpload(row, attachment) {
  const res = await fetch(attachment.url, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${attachment.deleteToken}` },
  }).catch(() => null);
  // 404: already gone (expired or deleted elsewhere); forget it either way.
  if (res && (res.status === 204 || res.status === 404)) {
    remember(remembered().filter((e) => e.id !== attachment.id));
    row.remove();
    status.textContent = `Deleted ${attachment.name}.`;
    picker.focus();
    return;
  }
  const body = res ? await res.json().catch(() => null) : null;
  status.textContent = `Could not delete ${attachment.name}: ${body?.error?.message ?? 'network error'}.`;
}

picker.addEventListener('change', () => {
  for (const file of picker.files) upload(file);
  picker.value = '';
});
for (const type of ['dragenter', 'dragover']) {
  drop.addEventListener(type, (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
}
for (const type of ['dragleave', 'drop']) {
  drop.addEventListener(type, () => drop.classList.remove('over'));
}
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  for (const file of event.dataTransfer.files) upload(file);
});

for (const attachment of remembered().reverse()) showStored(newRow(attachment.name, attachment.size), attachment);
loadConfig();
