// Runs one operation in a fresh process and prints how much its peak RSS grew (KiB), as JSON.
// For reads the orchestrator has put the object in place beforehand, so the peak belongs to the read alone.
import { setup } from './ops.mjs';

const [op, fsyncFlag, root, source] = process.argv.slice(2);
const flavour = setup(root, fsyncFlag === '1');
const before = process.resourceUsage().maxRSS;
await flavour[op](source);
const after = process.resourceUsage().maxRSS;
process.stdout.write(JSON.stringify({ op, growthKiB: after - before, peakKiB: after }));
