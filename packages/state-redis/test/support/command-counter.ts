// A loopback TCP proxy in front of Redis that counts the commands clients send through it: a round trip is one
// command a client sent, whatever that command runs inside Redis (INFO commandstats also counts the commands a
// script calls). Parses just enough RESP to find where each request ends.
import net from 'node:net';

export interface CommandCounter {
  readonly url: string;
  /** Commands seen so far, by name (upper case). */
  readonly commands: Map<string, number>;
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

/** Splits a client's byte stream into RESP requests (`*N` arrays of `$len` bulk strings) and names each one. */
function requestParser(onCommand: (name: string) => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      let at = 0;
      const line = () => {
        const end = buffer.indexOf('\r\n', at);
        if (end < 0) return undefined;
        const text = buffer.subarray(at, end).toString();
        at = end + 2;
        return text;
      };
      const header = line();
      if (header === undefined) return;
      if (!header.startsWith('*')) throw new Error(`unexpected RESP request header ${JSON.stringify(header)}`);
      const count = Number(header.slice(1));
      let name: string | undefined;
      for (let i = 0; i < count; i++) {
        const size = line();
        if (size === undefined || buffer.length < at + Number(size.slice(1)) + 2) return;
        const value = buffer.subarray(at, at + Number(size.slice(1))).toString();
        at += Number(size.slice(1)) + 2;
        name ??= value.toUpperCase();
      }
      buffer = buffer.subarray(at);
      onCommand(name ?? '');
    }
  };
}

export async function startCommandCounter(redisPort: number): Promise<CommandCounter> {
  const commands = new Map<string, number>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: redisPort });
    sockets.add(client).add(upstream);
    const parse = requestParser((name) => commands.set(name, (commands.get(name) ?? 0) + 1));
    client.on('data', (chunk) => {
      parse(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    commands,
    total: () => [...commands.values()].reduce((a, b) => a + b, 0),
    reset: () => commands.clear(),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
