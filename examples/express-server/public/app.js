// The upload page: plain ES module, no build step. One XHR per file, because only XHR reports upload progress.
const endpoint = new URL('attachments/', document.baseURI).href;
const drop = document.getElementById('drop');
const picker = document.getElementById('picker');
const list = document.getElementById('uploads');
const rowTemplate = document.getElementById('row');

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

/** Messages for the error codes the middleware answers with. */
function describeError(status, body) {
  const code = body?.error?.code;
  if (code === 'TOO_LARGE') return 'Too large: the file is over the size limit or your storage allowance.';
  if (code === 'RATE_LIMITED') return 'Rate limited: too many uploads or too much data today. Try again later.';
  if (code === 'QUOTA_EXCEEDED') return 'The server is out of storage space.';
  if (code === 'FORBIDDEN') return 'You are not allowed to upload.';
  return body?.error?.message ?? `Upload failed (HTTP ${status || 'network error'}).`;
}

function upload(file) {
  const row = rowTemplate.content.firstElementChild.cloneNode(true);
  row.querySelector('.name').textContent = file.name;
  row.querySelector('.size').textContent = formatSize(file.size);
  const progress = row.querySelector('progress');
  const result = row.querySelector('.result');
  list.prepend(row);

  const xhr = new XMLHttpRequest();
  xhr.open('POST', `${endpoint}?filename=${encodeURIComponent(file.name)}`);
  xhr.responseType = 'json';
  xhr.upload.addEventListener('progress', (event) => {
    if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
  });
  xhr.addEventListener('load', () => {
    row.classList.add('done');
    if (xhr.status !== 201) {
      showError(result, describeError(xhr.status, xhr.response));
      return;
    }
    progress.value = 100;
    showStored(row, result, xhr.response);
  });
  xhr.addEventListener('error', () => {
    row.classList.add('done');
    showError(result, describeError(0, null));
  });
  // The raw file as the body: no multipart encoding needed for one file.
  xhr.send(file);
}

function showError(result, message) {
  result.className = 'result error';
  result.textContent = message;
}

function showStored(row, result, attachment) {
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
  result.replaceChildren(link, expires);
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
