// $util: API Gateway's helper functions, with the exact output of the Java libraries behind them.
// escapeJavaScript is Apache commons-lang 2.x StringEscapeUtils.escapeJavaScript (the guide's note
// that it turns ' into \' is that library's behaviour); urlEncode/urlDecode are
// java.net.URLEncoder/URLDecoder with UTF-8.

import { NO_METHOD, VtlObject, charge as importedCharge, javaString } from '../vtl/index.ts';
import { JavaException } from '../vtl/methods.ts';
import { parseJsonValue } from './json.ts';

// Module-local copies: tsx loads modules as CommonJS, where each use of an imported binding is a getter call (see runtime.ts).
const charge = importedCharge;

const UTIL_CLASS = 'com.amazonaws.apigateway.Util';

function hex(c: number): string {
  return c.toString(16).toUpperCase();
}

const HEX_DIGITS = '0123456789ABCDEF';
/** Texts this long take the native or byte-loop paths below; shorter ones are faster the simple way. */
const BYTE_LOOP_FROM = 4096;

/** Characters escapeJavaScript changes: controls, quotes, backslash, slash and everything above U+007F. */
const NEEDS_ESCAPE = /[\u0000-\u001f"'\\/\u0080-\uffff]/;

/** What JSON.stringify escapes differently from commons-lang: rare controls (lower-case hex there) and non-ASCII. */
const NOT_LIKE_JSON = /[\u0000-\u0007\u000b\u000e-\u001f\u0080-\uffff]/;

/** commons-lang 2.6 StringEscapeUtils.escapeJavaScript. */
export function escapeJavaScript(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  // Long texts: JSON.stringify (native) escapes `"`, `\` and \b \t \n \f \r as commons-lang does, and
  // `'` and `/` are added after; a per-character loop was 20x slower on big bodies, and 5x faster on short values.
  if (s.length >= BYTE_LOOP_FROM && !NOT_LIKE_JSON.test(s)) return escapeQuoteAndSlash(JSON.stringify(s).slice(1, -1));
  return escapeJavaScriptByChar(s);
}

/** escapeJavaScript one character at a time: every case, including those JSON.stringify writes differently. */
export function escapeJavaScriptByChar(s: string): string {
  let out = '';
  let chunk = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | null = null;
    if (c > 0xfff) rep = '\\u' + hex(c);
    else if (c > 0xff) rep = '\\u0' + hex(c);
    else if (c > 0x7f) rep = '\\u00' + hex(c);
    else if (c < 32) {
      switch (c) {
        case 8: rep = '\\b'; break;
        case 10: rep = '\\n'; break;
        case 9: rep = '\\t'; break;
        case 12: rep = '\\f'; break;
        case 13: rep = '\\r'; break;
        default: rep = c > 0xf ? '\\u00' + hex(c) : '\\u000' + hex(c);
      }
    } else if (c === 39) rep = "\\'";
    else if (c === 34) rep = '\\"';
    else if (c === 92) rep = '\\\\';
    else if (c === 47) rep = '\\/';
    if (rep !== null) {
      out += s.slice(chunk, i) + rep;
      chunk = i + 1;
    }
  }
  return chunk === 0 ? s : out + s.slice(chunk);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** What encodeURIComponent leaves alone and URLEncoder does not, and the space URLEncoder writes as `+`. */
const NOT_JAVA_SAFE = /[!'()~]|%20/g;
const NOT_JAVA_SAFE_MARKS = /[!'()~]/;

function javaEscape(c: string): string {
  return c === '%20' ? '+' : '%' + hex(c.charCodeAt(0));
}

/** java.net.URLEncoder.encode(s, "UTF-8"): encodeURIComponent, then its differences from Java's safe set. */
export function urlEncode(s: string): string {
  // A lone surrogate is not UTF-8: Java's encoder writes '?' for it (encodeURIComponent would throw).
  const text = /[\uD800-\uDFFF]/.test(s) ? s.replace(LONE_SURROGATE, '?') : s;
  const encoded = encodeURIComponent(text);
  if (encoded.indexOf('%20') < 0 && !NOT_JAVA_SAFE_MARKS.test(encoded)) return encoded;
  if (encoded.length < BYTE_LOOP_FROM) return encoded.replace(NOT_JAVA_SAFE, javaEscape);
  // The output of encodeURIComponent is ASCII: rewrite it as bytes. String replace builds a rope node
  // per match (about a microsecond each on a 1.6 MB body, where a space is every few characters).
  const src = Buffer.from(encoded, 'latin1');
  const out = Buffer.allocUnsafe(src.length * 3);
  let w = 0;
  for (let r = 0; r < src.length; r++) {
    const b = src[r]!;
    if (b === 37 && src[r + 1] === 50 && src[r + 2] === 48) {
      out[w++] = 43; // %20 → +
      r += 2;
    } else if (b === 33 || b === 39 || b === 40 || b === 41 || b === 126) {
      out[w++] = 37;
      out[w++] = HEX_DIGITS.charCodeAt(b >> 4);
      out[w++] = HEX_DIGITS.charCodeAt(b & 15);
    } else {
      out[w++] = b;
    }
  }
  return out.toString('latin1', 0, w);
}


/** `'` → `\'` and `/` → `\/` in an ASCII string, as bytes (see urlEncode). */
function escapeQuoteAndSlash(ascii: string): string {
  const src = Buffer.from(ascii, 'latin1');
  const out = Buffer.allocUnsafe(src.length * 2);
  let w = 0;
  for (let r = 0; r < src.length; r++) {
    const b = src[r]!;
    if (b === 39 || b === 47) out[w++] = 92;
    out[w++] = b;
  }
  return out.toString('latin1', 0, w);
}


const PLUS = /\+/g;

/** java.net.URLDecoder.decode(s, "UTF-8"). */
export function urlDecode(s: string): string {
  if (s.indexOf('%') < 0) return s.indexOf('+') < 0 ? s : s.replace(PLUS, ' ');
  // decodeURIComponent (native) agrees with URLDecoder on well-formed input; it throws on a bad escape
  // or bytes that are not UTF-8, where the loop below gives Java's exception or U+FFFD.
  try {
    return decodeURIComponent(s.indexOf('+') < 0 ? s : s.replace(PLUS, ' '));
  } catch {
    return urlDecodeByChar(s);
  }
}

/** urlDecode one escape at a time: Java's exceptions for bad escapes, U+FFFD for bytes that are not UTF-8. */
export function urlDecodeByChar(s: string): string {
  let out = '';
  let last = 0;
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', last)) {
    out += s.slice(last, i).replace(PLUS, ' ');
    // A run of escapes is one UTF-8 byte sequence.
    const bytes: number[] = [];
    while (i < s.length && s[i] === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) {
        throw new JavaException('urlDecode', UTIL_CLASS, `java.lang.IllegalArgumentException: URLDecoder: ${h.length < 2 ? 'Incomplete trailing escape (%) pattern' : 'Illegal hex characters in escape (%) pattern'}`);
      }
      bytes.push(parseInt(h, 16));
      i += 3;
    }
    out += Buffer.from(bytes).toString('utf8');
    last = i;
  }
  return out + s.slice(last).replace(PLUS, ' ');
}

export function base64Encode(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

export function base64Decode(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}

/** Arguments this long are charged before the helper runs, so one that does not fit is refused unrun. */
const CHARGE_FIRST_FROM = 65536;

/** Charges a helper's result, and its argument unless that was charged before. */
function walked(argument: string, result: string): string {
  charge((argument.length < CHARGE_FIRST_FROM ? argument.length : 0) + result.length);
  return result;
}

// Module-local copies: see the note in src/vtl/runtime.ts about tsx and imported bindings.
const NONE: typeof NO_METHOD = NO_METHOD;
const toJavaString = javaString;

/** `$util`. Arguments that are not strings are printed first (Java's String.valueOf); null gives null. */
export class UtilVariable extends VtlObject {
  override vtlCall(name: string, args: unknown[]): unknown {
    if (args.length !== 1) return NONE;
    const a = args[0];
    if (a == null) {
      return name === 'escapeJavaScript' || name === 'parseJson' || name === 'urlEncode' || name === 'urlDecode' ||
        name === 'base64Encode' || name === 'base64Decode' ? undefined : NONE;
    }
    const s = typeof a === 'string' ? a : toJavaString(a);
    // Each helper walks its argument once and builds a result: both are charged to the render's work budget.
    if (s.length >= CHARGE_FIRST_FROM) charge(s.length);
    switch (name) {
      case 'escapeJavaScript': return walked(s, escapeJavaScript(s));
      case 'urlEncode': return walked(s, urlEncode(s));
      case 'urlDecode': return walked(s, urlDecode(s));
      case 'base64Encode': return walked(s, base64Encode(s));
      case 'base64Decode': return walked(s, base64Decode(s));
      case 'parseJson':
        if (s.length < CHARGE_FIRST_FROM) charge(s.length);
        try {
          return parseJsonValue(s);
        } catch (e) {
          throw new JavaException('parseJson', UTIL_CLASS, `com.fasterxml.jackson.core.JsonParseException: ${(e as Error).message}`);
        }
    }
    return NONE;
  }
  vtlString(): string {
    return UTIL_CLASS + '@util';
  }
}

export const util = new UtilVariable();
