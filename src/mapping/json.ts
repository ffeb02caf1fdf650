// JSON bodies as template values. API Gateway parses bodies with json-smart (through Jayway
// JsonPath): objects become LinkedHashMap (printed `{a=1}`), arrays JSONArray (printed as JSON),
// integral numbers Integer/Long, other numbers Double (`1.0` stays "1.0").
//
// Two representations. Plain objects, which the VTL runtime treats as maps, are exact unless the
// text has integral numbers written as decimals (1.0, 2e3), which JSON.parse turns into integers,
// integer-like keys ("12": ...), which JS objects reorder, or integers too long for a double. A
// cheap textual check spots those (false positives only cost time) and sends the text to the exact
// parser below, which builds JS Maps and JDouble.
//
// Fast path: readPlain, one pass in JavaScript that builds what JSON.parse would, or gives up
// (BAIL) wherever the textual check above would send the text to the exact parser, or the text is
// not JSON, or it is nested deeper than 512; the slow path then decides exactly as before. So
// every text yields the value it yielded before readPlain existed (test/mapping/json.test.ts
// compares the two on generated documents). For small bodies it is faster than JSON.parse plus
// the check (the bench/vtl.ts body of 20 objects: ~3 us against ~5 us) because it finds the textual
// triggers while it reads numbers and reuses the keys of an array's previous object. On bodies of
// megabytes the two are within 2x of each other either way (objects ~1.15x faster, long strings
// ~3x faster through longString, 10 MB of whitespace 84 ms against 24), and both are linear.

import { JDouble, makeDouble } from '../vtl/index.ts';

// Separate small regexes measured faster than one alternation (bench/vtl.ts, ~30% less scan time).
const EXPONENT = /[0-9][eE][-+0-9]/;
const LONG_INTEGER = /[0-9]{16}/;
const INTEGER_KEY = /"-?[0-9]+"\s*:/;

/** Parses JSON text into template values; throws SyntaxError when the text is not JSON. */
export function parseJsonValue(text: string): unknown {
  // readPlain wins on the bodies templates usually read (it saves JSON.parse's per-call costs); on
  // large ones it is no faster and on some much slower (10 MB of whitespace: 84 ms against 24), so
  // a hostile 10 MB body costs what it cost before.
  if (text.length > READ_PLAIN_MAX) return parseJsonValueSlow(text);
  const v = readPlain(text);
  return v === BAIL ? parseJsonValueSlow(text) : v;
}

const READ_PLAIN_MAX = 64 * 1024;

/** The parse without readPlain: the textual check, then JSON.parse or the exact parser. */
export function parseJsonValueSlow(text: string): unknown {
  // False positives (".05", text inside strings) only cost the exact parser.
  const exact = text.indexOf('.0') >= 0 || EXPONENT.test(text) || LONG_INTEGER.test(text) || INTEGER_KEY.test(text);
  if (!exact) return JSON.parse(text);
  return new ExactParser(text).parseDocument();
}

/** What readPlain returns when it leaves the text to the slow path. */
export const BAIL: unique symbol = Symbol('bail');
const MAX_DEPTH = 512;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

// The text being read and the read position: module state rather than a parser object (each
// nested value would otherwise read both through `this`). Each function copies `src` to a local,
// which lets V8 check the string's representation once per call instead of at every charCodeAt.
// Renders are synchronous and readPlain calls nothing that could re-enter it.
let src = '';
let at = 0;

/**
 * JSON.parse(text) for a text the textual check passes, or BAIL. Throws nothing: every failure,
 * including text that is not JSON, is BAIL, and the slow path then throws its own error.
 */
export function readPlain(text: string): unknown {
  src = text;
  at = 0;
  let v: unknown;
  try {
    v = value(0, null);
    if (v !== BAIL && skipSpace(text, at) !== text.length) v = BAIL;
  } finally {
    // Not kept: a 10 MB body must not outlive its request in a module variable.
    src = '';
  }
  return v;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** The position of the first non-whitespace character from i. */
function skipSpace(s: string, i: number): number {
  while (isSpace(s.charCodeAt(i))) i++;
  return i;
}

/**
 * A value at `at` (whitespace allowed before it). `keys`, for an element of an array, is the key
 * list of the array's previous object: arrays of objects mostly repeat their keys, and a key matched
 * against the text is a string already made (and, once used as a property name, internalized by V8).
 */
function value(depth: number, keys: (string | null)[] | null): unknown {
  const s = src;
  let i = at;
  let c = s.charCodeAt(i);
  if (isSpace(c)) c = s.charCodeAt((i = skipSpace(s, i)));
  at = i;
  if (c === 34) return string(s, i);
  if (c === 123) return depth >= MAX_DEPTH ? BAIL : object(s, depth + 1, keys);
  if (c === 91) return depth >= MAX_DEPTH ? BAIL : array(s, depth + 1);
  if (c === 45 || (c >= 48 && c <= 57)) return number(s, i, c);
  if (c === 116 && s.startsWith('true', i)) {
    at = i + 4;
    return true;
  }
  if (c === 102 && s.startsWith('false', i)) {
    at = i + 5;
    return false;
  }
  if (c === 110 && s.startsWith('null', i)) {
    at = i + 4;
    return null;
  }
  return BAIL;
}

function array(s: string, depth: number): unknown {
  const a: unknown[] = [];
  let i = at + 1;
  let c = s.charCodeAt(i);
  if (isSpace(c)) c = s.charCodeAt((i = skipSpace(s, i)));
  if (c === 93) {
    at = i + 1;
    return a;
  }
  at = i;
  const keys: (string | null)[] = [];
  for (;;) {
    const v = value(depth, keys);
    if (v === BAIL) return BAIL;
    a.push(v);
    i = at;
    c = s.charCodeAt(i);
    if (isSpace(c)) c = s.charCodeAt((i = skipSpace(s, i)));
    at = i + 1;
    if (c === 93) return a;
    if (c !== 44) return BAIL;
  }
}

function object(s: string, depth: number, previous: (string | null)[] | null): unknown {
  const o: Record<string, unknown> = {};
  let i = at + 1;
  let c = s.charCodeAt(i);
  if (isSpace(c)) c = s.charCodeAt((i = skipSpace(s, i)));
  if (c === 125) {
    at = i + 1;
    return o;
  }
  let n = 0;
  for (;;) {
    if (c !== 34) return BAIL;
    const known = previous !== null && n < previous.length ? previous[n]! : null;
    let k: string;
    if (known !== null && s.charCodeAt(i + 1 + known.length) === 34 && s.startsWith(known, i + 1)) {
      // The same raw text as a key already read (and checked) in this document.
      k = known;
      i += known.length + 2;
    } else {
      const key = string(s, i);
      if (key === BAIL) return BAIL;
      // The textual check's INTEGER_KEY: a key that is an integer, or whose text ends in \" and one.
      const first = s.charCodeAt(i + 1);
      if ((first === 45 || (first >= 48 && first <= 57) || stringEscaped) && INTEGER_KEY_TEXT.test(s.slice(i + 1, at - 1))) return BAIL;
      // JSON.parse makes "__proto__" an own property; an assignment would set the prototype.
      if (key === '__proto__') return BAIL;
      k = key;
      i = at;
      if (previous !== null) {
        // An escaped key's text differs from its value: not reusable by matching the text.
        if (n < previous.length) previous[n] = stringEscaped ? null : k;
        else previous.push(stringEscaped ? null : k);
      }
    }
    n++;
    c = s.charCodeAt(i);
    if (isSpace(c)) c = s.charCodeAt((i = skipSpace(s, i)));
    if (c !== 58) return BAIL;
    at = i + 1;
    const v = value(depth, null);
    if (v === BAIL) return BAIL;
    o[k] = v;
    i = at;
    c = s.charCodeAt(i);
    if (isSpace(c)) c = s.charCodeAt((i = skipSpace(s, i)));
    if (c === 125) {
      at = i + 1;
      if (previous !== null && previous.length > n) previous.length = n;
      return o;
    }
    if (c !== 44) return BAIL;
    c = s.charCodeAt(++i);
    if (isSpace(c)) c = s.charCodeAt((i = skipSpace(s, i)));
  }
}

/** The raw text of a key that INTEGER_KEY would match (an escaped quote can start the match). */
const INTEGER_KEY_TEXT = /(?:^|")-?[0-9]+$/;

/** Whether the last string() read had escapes. */
let stringEscaped = false;

/** The string whose opening quote is at q; leaves `at` after its closing quote. */
function string(s: string, q: number): string | typeof BAIL {
  const start = q + 1;
  let i = start;
  let escaped = false;
  let digits = false;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 34) break;
    if (c < 32 || c !== c) return BAIL; // a control character, or the end of the text
    if (c === 92) {
      escaped = true;
      i++;
    } else if (c <= 57 && c >= 48) {
      digits = true;
    }
    if (++i - start === LONG_STRING && !escaped) {
      const long = longString(s, start);
      if (long !== NOT_PLAIN) return long;
    }
  }
  at = i + 1;
  stringEscaped = escaped;
  const raw = s.slice(start, i);
  // The textual check looks inside strings too: a string it would flag sends the text to the exact parser.
  if (digits && (raw.indexOf('.0') >= 0 || EXPONENT.test(raw) || LONG_INTEGER.test(raw))) return BAIL;
  if (!escaped) return raw;
  try {
    return JSON.parse(s.slice(q, i + 1)) as string;
  } catch {
    return BAIL;
  }
}

/** Past this many characters without a backslash, a string is read by longString. */
const LONG_STRING = 64;
const NOT_PLAIN: unique symbol = Symbol('not plain');
const CONTROL = /[\u0000-\u001f]/;
const DIGIT = /[0-9]/;

/**
 * The string starting at `start` read with V8's native searches (a few times faster a character
 * than string()'s loop: 10 MB strings in bodies are base64 payloads and the like), or NOT_PLAIN
 * when it has a backslash before its first quote, which the loop then reads (so every character
 * is looked at twice at most).
 */
function longString(s: string, start: number): string | typeof BAIL | typeof NOT_PLAIN {
  const end = s.indexOf('"', start);
  if (end < 0) return BAIL;
  const raw = s.slice(start, end);
  if (raw.indexOf('\\') >= 0) return NOT_PLAIN;
  if (CONTROL.test(raw)) return BAIL;
  if (DIGIT.test(raw) && (raw.indexOf('.0') >= 0 || EXPONENT.test(raw) || LONG_INTEGER.test(raw))) return BAIL;
  at = end + 1;
  stringEscaped = false;
  return raw;
}

/**
 * The number starting at `start` (c its first character). Gives up on what the textual check flags
 * in numbers (an exponent, a fraction starting with 0, 16 digits in a row), which also covers every
 * number JSON.parse reads inexactly for templates (1.0, 2e3, integers beyond 2^53).
 */
function number(s: string, start: number, c: number): number | typeof BAIL {
  let i = start;
  if (c === 45) c = s.charCodeAt(++i);
  const intStart = i;
  let m = 0;
  while (c >= 48 && c <= 57) {
    m = m * 10 + (c - 48);
    c = s.charCodeAt(++i);
  }
  const intDigits = i - intStart;
  if (intDigits === 0 || intDigits >= 16 || (intDigits > 1 && s.charCodeAt(intStart) === 48)) return BAIL;
  let fraction = 0;
  if (c === 46) {
    const fracStart = ++i;
    c = s.charCodeAt(i);
    if (c === 48) return BAIL;
    while (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      c = s.charCodeAt(++i);
    }
    fraction = i - fracStart;
    if (fraction === 0 || fraction >= 16) return BAIL;
  }
  if (c === 101 || c === 69) return BAIL;
  at = i;
  let v: number;
  if (intDigits + fraction <= 15) {
    // m < 10^15 is exact, and so is 10^fraction: one correctly rounded division is the exact
    // reading of the decimal (the fast path of Clinger's algorithm).
    v = fraction === 0 ? m : m / POW10[fraction]!;
  } else {
    v = Number(s.slice(intStart, i));
  }
  return s.charCodeAt(start) === 45 ? -v : v;
}

class ExactParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseDocument(): unknown {
    const v = this.value(0);
    this.ws();
    if (this.i < this.s.length) this.fail();
    return v;
  }

  private fail(): never {
    throw new SyntaxError(`Unexpected token in JSON at position ${this.i}`);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  private value(depth: number): unknown {
    if (depth > 512) throw new SyntaxError('JSON nested too deeply');
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (c === '{') {
      this.i++;
      const m = new Map<string, unknown>();
      this.ws();
      if (s[this.i] === '}') {
        this.i++;
        return m;
      }
      for (;;) {
        this.ws();
        if (s[this.i] !== '"') this.fail();
        const k = this.string();
        this.ws();
        if (s[this.i++] !== ':') this.fail();
        m.set(k, this.value(depth + 1));
        this.ws();
        const d = s[this.i++];
        if (d === '}') return m;
        if (d !== ',') this.fail();
      }
    }
    if (c === '[') {
      this.i++;
      const a: unknown[] = [];
      this.ws();
      if (s[this.i] === ']') {
        this.i++;
        return a;
      }
      for (;;) {
        a.push(this.value(depth + 1));
        this.ws();
        const d = s[this.i++];
        if (d === ']') return a;
        if (d !== ',') this.fail();
      }
    }
    if (c === '"') return this.string();
    if (s.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (s.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    if (s.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
    m.lastIndex = this.i;
    const r = m.exec(s);
    if (r === null) this.fail();
    this.i += r[0].length;
    const n = Number(r[0]);
    if (r[1] !== undefined || r[2] !== undefined) return makeDouble(n);
    // Integers beyond 2^53 stay exact as BigInt (json-smart gives Long or BigInteger): they print whole.
    return Number.isSafeInteger(n) ? n : BigInt(r[0]);
  }

  private string(): string {
    const s = this.s;
    const start = this.i;
    let end = start + 1;
    let escaped = false;
    for (;;) {
      const c = s.charCodeAt(end);
      if (Number.isNaN(c)) this.fail();
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        end++;
      } else if (c < 32) {
        this.i = end;
        this.fail();
      }
      end++;
    }
    this.i = end + 1;
    const raw = s.slice(start, end + 1);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }
}

/** JSON text of a template value, as $input.json prints it (compact, as json-smart writes it). */
export { jsonText as toJsonText } from '../vtl/java.ts';

export { JDouble };
