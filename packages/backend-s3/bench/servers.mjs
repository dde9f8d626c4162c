// The servers for the benchmark, in their own process (fauxqs serves from here; Swift runs as its own processes).
// Prints one JSON line {servers:[...]} when ready; stops everything when stdin closes or on SIGTERM/SIGINT.
import { FAUXQS_CREDENTIALS, SWIFT_CREDENTIALS, startFauxqs, startSwift } from '../test/setup/s3-servers.mjs';

const wanted = (process.argv[2] ?? 'swift,fauxqs').split(',');
const running = [];
const servers = [];
let stopping;
function stopAll() {
  stopping ??= Promise.allSettled(running.map((s) => s.stop())).then(() => process.exit(0));
  return stopping;
}
process.on('SIGTERM', stopAll);
process.on('SIGINT', stopAll);
process.stdin.on('end', stopAll);
process.stdin.on('close', stopAll);
process.stdin.resume();

try {
  if (wanted.includes('swift')) {
    const swift = await startSwift();
    running.push(swift);
    servers.push({ name: 'swift', endpoint: swift.endpoint, ...SWIFT_CREDENTIALS });
  }
  if (wanted.includes('fauxqs')) {
    const fauxqs = await startFauxqs();
    running.push(fauxqs);
    servers.push({ name: 'fauxqs', endpoint: fauxqs.endpoint, ...FAUXQS_CREDENTIALS });
  }
  process.stdout.write(`${JSON.stringify({ servers })}\n`);
} catch (err) {
  process.stderr.write(`bench servers failed to start: ${err?.stack ?? err}\n`);
  await Promise.allSettled(running.map((s) => s.stop()));
  process.exit(1);
}
