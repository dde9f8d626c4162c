import { fileURLToPath } from 'node:url';
import { AttError, defineBackend } from '@att/store-core';
import { packdirBackend } from './packdir-backend.js';

/** `packdir:///var/lib/att` (absolute path) → packdirBackend. Register it with `registerBackend(packdirPlugin)`. */
export const packdirPlugin = defineBackend({
  scheme: 'packdir',
  package: 'custom-backend-example',
  hint: 'packdir:///absolute/directory',
  create(url) {
    if (url.host !== '' || url.pathname === '' || url.pathname === '/') {
      throw new AttError('INVALID_CONFIG', 'packdir URLs look like packdir:///absolute/directory');
    }
    return packdirBackend({ dir: fileURLToPath(`file://${url.pathname}`) });
  },
});
