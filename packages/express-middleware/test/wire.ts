import net from 'node:net';

/** What a client pushing a body saw: the answer's head, how much it wrote, and whether the server hung up. */
export interface PushResult {
  head: string;
  body: string;
  written: number;
  closedByServer: boolean;
}

/**
 * Sends a request head, then (unless `waitForContinue` and no `100 Continue` comes) a chunked body of up to
 * `maxBytes`, writing on after the answer the way a streaming client does, until the server closes the
 * connection or the body is all sent. Bounded by `maxBytes`.
 */
export async function pushBody(
  url: string,
  options: {
    path: string;
    headers: Record<string, string>;
    maxBytes: number;
    waitForContinue?: boolean;
    /** Body bytes sent before the filler. */
    prefix?: string;
  },
): Promise<PushResult> {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const headers = { host: '127.0.0.1', 'transfer-encoding': 'chunked', ...options.headers };
  socket.write(
    `POST ${options.path} HTTP/1.1\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`,
  );
  let received = '';
  let closed = false;
  let written = 0;
  const gotContinue = () => received.startsWith('HTTP/1.1 100');
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  const closedPromise = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  if (options.waitForContinue) {
    // Wait for the server's decision: `100 Continue`, or a final answer (then the body is never sent).
    for (let i = 0; i < 500 && !closed && !/\r\n\r\n/.test(received); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
  if (!options.waitForContinue || gotContinue()) {
    if (options.prefix) {
      const prefix = Buffer.from(options.prefix);
      socket.write(Buffer.concat([Buffer.from(`${prefix.length.toString(16)}\r\n`), prefix, Buffer.from('\r\n')]));
    }
    while (!closed && written < options.maxBytes) {
      written += chunk.length;
      if (!socket.write(frame)) {
        await Promise.race([new Promise((r) => socket.once('drain', r)), closedPromise]);
      }
    }
    if (!closed) socket.write('0\r\n\r\n');
  }
  // The answer (and the server's close, if it closes) arrive within a bounded wait; then we hang up ourselves.
  await Promise.race([closedPromise, new Promise((r) => setTimeout(r, 2_000))]);
  const closedByServer = closed;
  socket.destroy();
  const final = received.replace(/^HTTP\/1\.1 100[^\r]*\r\n\r\n/, '');
  const split = final.indexOf('\r\n\r\n');
  return {
    head: split < 0 ? final : final.slice(0, split),
    body: split < 0 ? '' : final.slice(split + 4),
    written,
    closedByServer,
  };
}
