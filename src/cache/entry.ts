// A cached method response as the bytes a SharedCache stores (memory, IPC and Redis alike):
//   [u32 big-endian: length of the head][head: JSON [statusCode, headers, multiValueHeaders | 0, textBody]][body]
// The body stays raw bytes after the head, so a binary body is stored as it is (no base64) and a
// hit copies nothing but the head's few hundred bytes of JSON.
import type { MethodResponse } from '../execute/types.ts';

/** AWS: "The maximum size of a response that can be cached is 1048576 bytes." */
export const MAX_CACHED_BODY_BYTES = 1_048_576;

type Head = [statusCode: number, headers: Record<string, string>, multiValueHeaders: Record<string, readonly string[]> | 0, textBody: 0 | 1];

/** The response as stored; undefined when its body is too large to cache. */
export function encodeResponse(out: MethodResponse): Buffer | undefined {
  const text = typeof out.body === 'string';
  const body = text ? Buffer.from(out.body as string, 'utf8') : (out.body as Buffer);
  if (body.length > MAX_CACHED_BODY_BYTES) return undefined;
  const head: Head = [out.statusCode, out.headers, out.multiValueHeaders ?? 0, text ? 1 : 0];
  const headBytes = Buffer.from(JSON.stringify(head), 'utf8');
  const data = Buffer.allocUnsafe(4 + headBytes.length + body.length);
  data.writeUInt32BE(headBytes.length, 0);
  headBytes.copy(data, 4);
  body.copy(data, 4 + headBytes.length);
  return data;
}

/** The stored response, frozen (hits share it); undefined for bytes that are not an entry (a
 *  foreign or truncated value is a miss, never a crash). */
export function decodeResponse(data: Buffer): MethodResponse | undefined {
  if (data.length < 4) return undefined;
  const headLength = data.readUInt32BE(0);
  if (4 + headLength > data.length) return undefined;
  let head: unknown;
  try {
    head = JSON.parse(data.toString('utf8', 4, 4 + headLength));
  } catch {
    return undefined;
  }
  if (!Array.isArray(head) || head.length !== 4 || typeof head[0] !== 'number' || typeof head[1] !== 'object' || head[1] === null) return undefined;
  const [statusCode, headers, multi, textBody] = head as Head;
  const bodyBytes = data.subarray(4 + headLength);
  const out: MethodResponse = {
    statusCode,
    headers: Object.freeze(headers) as Record<string, string>,
    ...(multi === 0 ? {} : { multiValueHeaders: Object.freeze(multi) }),
    body: textBody === 1 ? bodyBytes.toString('utf8') : bodyBytes,
  };
  return Object.freeze(out);
}
