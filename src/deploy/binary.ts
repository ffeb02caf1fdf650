// Binary payloads ("Content type conversions in API Gateway"): which media types an API treats as
// binary (its binaryMediaTypes, with '*' wildcards: "image/*", "*/*"), matched against a request's
// Content-Type, the first media type of its Accept header, and a back end's Content-Type; and the
// conversions contentHandling asks for. Compiled once per deployment: an API without
// binaryMediaTypes compiles to null, and every request of it takes the text path it always took.
//
// How the tables are applied (docs/binary.md):
//   request (non-proxy)  payload binary when Content-Type matches. CONVERT_TO_TEXT turns a binary
//                        payload into its base64 text before the template; CONVERT_TO_BINARY turns
//                        the text that reaches the back end (a template's output, or the payload)
//                        into the bytes it encodes. Unset: the payload passes as it came; a binary
//                        payload is never given to a template.
//   response (non-proxy) payload binary when the back end's Content-Type matches; the client
//                        wants binary when the first Accept type matches. Unset: binary to a
//                        binary Accept passes as it came, binary to a text Accept becomes base64
//                        text, text to a binary Accept is base64-decoded; CONVERT_TO_TEXT and
//                        CONVERT_TO_BINARY as on the request side.
//   Lambda proxy         the event's body is base64 with isBase64Encoded when the request's
//                        Content-Type matches; a result with isBase64Encoded is decoded when the
//                        Accept or the result's Content-Type matches.
import { isUtf8 } from 'node:buffer';
import { mimeType } from './templates.ts';

export type ContentHandling = 'CONVERT_TO_TEXT' | 'CONVERT_TO_BINARY' | null;

export interface BinaryMediaTypes {
  /** True when the media type of a Content-Type header value is one of the API's binary types. */
  matches(contentType: string | undefined): boolean;
  /** True when the first media type of an Accept header value is one of them. */
  accepts(accept: string | undefined): boolean;
}

export function contentHandling(v: string | undefined | null): ContentHandling {
  return v === 'CONVERT_TO_TEXT' || v === 'CONVERT_TO_BINARY' ? v : null;
}

/** null when the API lists no binary media types. */
export function compileBinaryMediaTypes(list: readonly string[] | undefined): BinaryMediaTypes | null {
  const patterns = (list ?? []).map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
  if (patterns.length === 0) return null;
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const wild = patterns.filter((p) => p.includes('*')).map((p) => new RegExp(`^${p.split('*').map(escapeRegExp).join('[^]*')}$`));
  const any = patterns.includes('*/*') || patterns.includes('*');
  const test = (type: string | undefined): boolean => {
    if (type === undefined) return false;
    if (any || exact.has(type)) return true;
    for (const re of wild) if (re.test(type)) return true;
    return false;
  };
  return {
    matches: (contentType) => test(mimeType(contentType)),
    accepts(accept) {
      if (accept === undefined) return false;
      const comma = accept.indexOf(',');
      return test(mimeType(comma === -1 ? accept : accept.slice(0, comma)));
    },
  };
}

/** The bytes a base64 text stands for (AWS's "Base64-decoded binary blob"); whitespace is ignored. */
export function fromBase64(text: Buffer | string): Buffer {
  return Buffer.from(typeof text === 'string' ? text : text.toString('latin1'), 'base64');
}

/**
 * A payload API Gateway treats as text is UTF-8 text: bytes that are not valid UTF-8 become
 * U+FFFD, as AWS's recordings show for a PNG sent to an API without binary media types (67 bytes
 * in, 99 out). Valid UTF-8, every JSON body, passes untouched and uncopied.
 */
export function asText(payload: Buffer): Buffer {
  return payload.length === 0 || isUtf8(payload) ? payload : Buffer.from(payload.toString('utf8'));
}

export function toBase64(bytes: Buffer): string {
  return bytes.toString('base64');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
