// A process that reserves bytes and renews them as a Store does while an upload runs, until it is killed.
// argv: redis url, prefix, counter, bytes, ttl ms. Prints "reserved" once the reservation is granted.
import { redisState } from '../../dist/index.js';

const [url, prefix, counter, bytes, ttl] = process.argv.slice(2);
const state = redisState({ url, prefix });
const refused = await state.ledger.reserve(
  'doomed-writer',
  [{ counter, bytes: Number(bytes), limit: 1000 }],
  Number(ttl),
);
if (refused) throw new Error(`reservation refused by ${refused}`);
setInterval(() => state.ledger.renew(['doomed-writer'], Number(ttl)).catch(() => {}), Number(ttl) / 3);
process.stdout.write('reserved\n');
