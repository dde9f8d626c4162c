// One example server per process for the direct-vs-proxied bench, so each one's CPU time and peak RSS are its own
// (the bench reads them from /proc, so the server does nothing extra to report them). argv: <direct|proxied>
// <storage URL>. Prints its port on stdout. Limits are opened up for the bench's 20 × 24 MiB from one visitor;
// everything else is the example's createApp() as `pnpm start` runs it.
import { createApp } from '../src/app.js';

const [mode, storage] = process.argv.slice(2);
const MiB = 1024 * 1024;

const { app } = createApp({
  storage,
  store: { fileSizeLimit: 64 * MiB, totalSizeLimit: 64 * 1024 * MiB },
  middleware: {
    ...(mode === 'direct' ? { direct: true } : {}),
    rateLimit: false,
    visitorTotalSizeLimit: false,
    visitorDailyBandwidth: false,
    fileSizeLimit: 64 * MiB,
  },
});
const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.stdin.on('end', () => process.exit(0)).resume();
