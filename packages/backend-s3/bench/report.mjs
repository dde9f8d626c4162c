// Prints medians and ratios (ours / SDK) per server. Throughput: higher is better; RSS: lower is better.
const MIB = 1024 * 1024;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function printReport(samples, cfg) {
  const budget = cfg.partSize * cfg.queueSize + 24 * MIB;
  const rows = [];
  for (const s of samples.filter((x) => x.impl === 'null')) {
    const growth = (Math.max(s.maxRss, s.sampledPeak) - s.baseline) / MIB;
    console.log(
      `harness alone (no client): ${s.kind} RSS growth ${growth.toFixed(1)} MiB, peak ${(s.maxRss / MIB).toFixed(0)} MiB`,
    );
  }
  for (const server of [...new Set(samples.filter((x) => x.impl !== 'null').map((s) => s.server))]) {
    const pick = (impl, kind, f) => {
      const xs = samples.filter((s) => s.server === server && s.impl === impl && s.kind === kind).map(f);
      return xs.length ? median(xs) : Number.NaN;
    };
    const metric = (name, kind, f, unit, higherIsBetter, goal) => {
      const ours = pick('ours', kind, f);
      const sdk = pick('sdk', kind, f);
      rows.push({ server, name, ours, sdk, unit, ratio: ours / sdk, higherIsBetter, goal });
    };
    const growth = (s) => (Math.max(s.maxRss, s.sampledPeak) - s.baseline) / MIB;
    metric('upload', 'upload', (s) => s.bytes / MIB / s.seconds, 'MiB/s', true, '≥ 1.0');
    metric('download', 'download', (s) => s.bytes / MIB / s.seconds, 'MiB/s', true, '≥ 1.0');
    metric('list', 'listDelete', (s) => s.keys / s.listSeconds, 'keys/s', true, '≥ 1.0');
    metric('delete', 'listDelete', (s) => s.keys / s.deleteSeconds, 'keys/s', true, '≥ 1.0');
    metric('peak RSS upload', 'upload', (s) => s.maxRss / MIB, 'MiB', false, '≤ 0.7');
    metric('peak RSS download', 'download', (s) => s.maxRss / MIB, 'MiB', false, '≤ 0.7');
    metric('peak RSS list+delete', 'listDelete', (s) => s.maxRss / MIB, 'MiB', false, '≤ 0.7');
    metric('RSS growth upload', 'upload', growth, 'MiB', false, `≤ ${budget / MIB} MiB`);
    metric('RSS growth download', 'download', growth, 'MiB', false, '');
  }
  const fmt = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '-');
  console.log(`\nmedians of ${cfg.rounds} rounds; ratio = ours / sdk`);
  console.log(
    `${'server'.padEnd(7)} ${'metric'.padEnd(24)} ${'ours'.padStart(9)} ${'sdk'.padStart(9)} unit    ratio  goal`,
  );
  for (const r of rows) {
    console.log(
      `${r.server.padEnd(7)} ${r.name.padEnd(24)} ${fmt(r.ours).padStart(9)} ${fmt(r.sdk).padStart(9)} ` +
        `${r.unit.padEnd(7)} ${Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : '-'.padStart(5)}  ${r.goal}`,
    );
  }
  printChecksumCost(samples);
  for (const r of rows.filter((x) => x.name === 'RSS growth upload')) {
    for (const [impl, v] of [
      ['ours', r.ours],
      ['sdk', r.sdk],
    ]) {
      if (!Number.isFinite(v)) continue;
      const ok = v * MIB <= budget ? 'within' : 'OVER';
      console.log(
        `${r.server} ${impl}: upload RSS growth ${fmt(v)} MiB ${ok} budget partSize × queueSize + 24 MiB = ${budget / MIB} MiB`,
      );
    }
  }
}

/** Upload/download throughput of each checksum variant against `ours:unsigned:none` (goal: ≤ 5 % cost). */
function printChecksumCost(samples) {
  const variants = [
    'ours:unsigned',
    'ours:unsigned:crc32-always',
    'ours:unsigned:crc32c-always',
    'ours:unsigned:crc64nvme-always',
    'ours:unsigned:md5',
  ];
  if (!samples.some((s) => s.impl === 'ours:unsigned:none')) return;
  console.log('\nchecksum cost (payloads unsigned, as on https); ratio = variant / no checksum, goal ≥ 0.95');
  for (const server of [...new Set(samples.filter((x) => x.impl === 'ours:unsigned:none').map((s) => s.server))]) {
    for (const kind of ['upload', 'download']) {
      const of = (impl, f) =>
        median(samples.filter((s) => s.server === server && s.impl === impl && s.kind === kind).map(f));
      const rate = (impl) => of(impl, (s) => s.bytes / MIB / s.seconds);
      // Client CPU ms per MiB: what the checksum adds where the client's CPU is the limit.
      const cpu = (impl) => of(impl, (s) => ((s.cpuSeconds ?? Number.NaN) * 1000) / (s.bytes / MIB));
      const none = rate('ours:unsigned:none');
      const noneCpu = cpu('ours:unsigned:none');
      for (const impl of variants) {
        const value = rate(impl);
        if (!Number.isFinite(value)) continue;
        const label =
          { 'ours:unsigned': 'default', 'ours:unsigned:md5': 'md5' }[impl] ?? impl.split(':')[2].replace('-', ' ');
        console.log(
          `${server.padEnd(7)} ${kind.padEnd(9)} ${label.padEnd(14)} ${value.toFixed(0).padStart(5)} MiB/s vs none ` +
            `${none.toFixed(0).padStart(5)} MiB/s  ${(value / none).toFixed(3)}×; client CPU ` +
            `${cpu(impl).toFixed(2)} vs ${noneCpu.toFixed(2)} ms/MiB (${(noneCpu / cpu(impl)).toFixed(3)}×)`,
        );
      }
    }
  }
}
