// Raw HTTP/1.1 over a socket, for requests no HTTP client would send (malformed escapes, foreign
// Host headers, half-sent bodies) and for reading headers exactly as the server spelled them.
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

export interface RawResponse {
  status: number;
  /** [name, value] in the order and spelling sent. */
  headers: [string, string][];
  body: string;
  header(name: string): string | undefined;
  json(): any;
}

export function parseResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  const head = text.slice(0, split).split('\r\n');
  const status = Number(head[0]!.split(' ')[1]);
  const headers = head.slice(1).map((l): [string, string] => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]);
  const body = text.slice(split + 4);
  return {
    status,
    headers,
    body,
    header: (name) => headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1],
    json: () => JSON.parse(body),
  };
}

export async function open(url: string): Promise<Socket> {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  await once(socket, 'connect');
  // A reset shows as 'close' to the readers below; unhandled, it would be an uncaught exception.
  socket.on('error', () => undefined);
  return socket;
}

/** Everything the server sends until it closes the connection (the request should say Connection: close). */
export async function readAll(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
  });
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends one request (a `Connection: close` header is added) and parses the answer. */
export async function rawRequest(url: string, requestLine: string, headers: Record<string, string> = {}, body = ''): Promise<RawResponse> {
  const socket = await open(url);
  const u = new URL(url);
  const all = { host: u.host, ...headers, connection: 'close', ...(body === '' ? {} : { 'content-length': String(Buffer.byteLength(body)) }) };
  const text = readAll(socket);
  socket.write(`${requestLine} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
  return parseResponse(await text);
}

/** Reads one complete response (by Content-Length) from a keep-alive socket. */
export function nextResponse(socket: Socket): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (c: Buffer): void => {
      buf = Buffer.concat([buf, c]);
      const split = buf.indexOf('\r\n\r\n');
      if (split === -1) return;
      const head = parseResponse(buf.subarray(0, split + 4).toString('utf8'));
      const length = Number(head.header('content-length') ?? 0);
      if (buf.length < split + 4 + length) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(parseResponse(buf.subarray(0, split + 4 + length).toString('utf8')));
    };
    const onClose = (): void => reject(new Error(`connection closed after ${buf.length} bytes`));
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}
