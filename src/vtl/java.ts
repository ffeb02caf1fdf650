// Java-like values for templates, kept in cheap JS representations:
//   null            undefined or null
//   String          string
//   Integer / Long  an integral JS number
//   Double          a non-integral JS number, or a JDouble when the value is integral (1.0 prints "1.0")
//   Boolean         boolean
//   List            JS array (java arrays, e.g. from String.split, are arrays listed in JAVA_ARRAYS)
//   Map             JS Map, or a plain object (parsed JSON, the caller's $context), read through own keys only
//   host objects    instances of VtlObject ($input, $util, $foreach, ...), which answer by explicit switch
// Formatting follows Java's toString, which is what Velocity prints.

import { charged as importedCharged } from './budget.ts';
import { VtlLimitError } from './errors.ts';

// Module-local copies: tsx loads modules as CommonJS, where each use of an imported binding is a getter call (see runtime.ts).
const charged = importedCharged;

/** A Java double whose value is integral (a plain JS number cannot carry "1.0"). */
export class JDouble {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** Objects the engine exposes to templates: they answer properties and methods by explicit name. */
export abstract class VtlObject {
  /** `$obj.name`: undefined when there is no such property. */
  vtlGet(_name: string): unknown {
    return undefined;
  }
  /** `$obj.name(args)`: NO_METHOD when there is no such method. */
  vtlCall(_name: string, _args: unknown[]): unknown {
    return NO_METHOD;
  }
  abstract vtlString(): string;
}

/** Returned by method lookups that found nothing: Velocity then prints the reference as written. */
export const NO_METHOD: unique symbol = Symbol('no such method');

/** Arrays that stand for Java arrays (String[] from split): Java prints them by identity, not content. */
export const JAVA_ARRAYS = new WeakSet<unknown[]>();

/**
 * Lists made by templates (list literals, ranges, keySet(), ...) are java.util.ArrayList and print as
 * `[a, b]`. Every other array came from JSON ($input.path, $util.parseJson, the caller): API Gateway
 * holds those as json-smart JSONArray, whose toString() is compact JSON (`["a",{"b":1}]`).
 */
const JAVA_LIST: unique symbol = Symbol('java.util.ArrayList');

/** Marks an array as a template-made java.util.ArrayList (a symbol-keyed flag: cheaper than a WeakSet). */
export function javaList<T>(items: T[]): T[] {
  (items as T[] & { [JAVA_LIST]?: true })[JAVA_LIST] = true;
  return items;
}

const VIEW_OF: unique symbol = Symbol('view of a map');

/**
 * Marks a snapshot of a map's keys, values or entries (keySet(), values(), #foreach over a map), so
 * that a #foreach over it can fail as Java does when the map changes meanwhile.
 */
export function mapView<T>(items: T[], m: JMap): T[] {
  // A view is also a Java list (isJavaList checks both flags): one property, not two.
  (items as T[] & { [VIEW_OF]?: JMap })[VIEW_OF] = m;
  return items;
}

export function viewSource(items: unknown[]): JMap | null {
  return (items as unknown[] & { [VIEW_OF]?: JMap })[VIEW_OF] ?? null;
}

export function isJavaList(v: unknown[]): boolean {
  const flags = v as unknown[] & { [JAVA_LIST]?: true; [VIEW_OF]?: JMap };
  return flags[JAVA_LIST] === true || flags[VIEW_OF] !== undefined;
}

export type JMap = Map<unknown, unknown> | Record<string, unknown>;

const hasOwn = Object.prototype.hasOwnProperty;

export function isMap(v: unknown): v is JMap {
  if (typeof v !== 'object' || v === null) return false;
  if (v instanceof Map) return true;
  return !Array.isArray(v) && !(v instanceof VtlObject) && !(v instanceof JDouble);
}

export function mapGet(m: JMap, key: unknown): unknown {
  if (m instanceof Map) return m.get(key);
  if (typeof key !== 'string') key = javaString(key);
  return hasOwn.call(m, key as string) ? (m as Record<string, unknown>)[key as string] : undefined;
}

export function mapHas(m: JMap, key: unknown): boolean {
  if (m instanceof Map) return m.has(key);
  return hasOwn.call(m, typeof key === 'string' ? key : javaString(key));
}

const MOD_COUNT: unique symbol = Symbol('modCount');

/**
 * Java's modCount for a map: how many times keys were added or removed through the runtime (the
 * only way templates change maps). #foreach compares it to detect changes during iteration.
 */
export function modCount(m: JMap): number {
  return (m as { [MOD_COUNT]?: number })[MOD_COUNT] ?? 0;
}

function bumpModCount(m: JMap): void {
  const counted = m as { [MOD_COUNT]?: number };
  if (counted[MOD_COUNT] === undefined) {
    Object.defineProperty(m, MOD_COUNT, { value: 1, writable: true, enumerable: false, configurable: true });
  } else {
    counted[MOD_COUNT]++;
  }
}

export function mapSet(m: JMap, key: unknown, value: unknown): unknown {
  if (m instanceof Map) {
    const old = m.get(key);
    if (!m.has(key)) bumpModCount(m);
    m.set(key, value);
    return old;
  }
  const k = typeof key === 'string' ? key : javaString(key);
  if (!hasOwn.call(m, k)) bumpModCount(m);
  const old = hasOwn.call(m, k) ? (m as Record<string, unknown>)[k] : undefined;
  // defineProperty never reaches a prototype setter, so "__proto__" stays an ordinary key.
  Object.defineProperty(m, k, { value, writable: true, enumerable: true, configurable: true });
  return old;
}

export function mapDelete(m: JMap, key: unknown): unknown {
  if (m instanceof Map) {
    const old = m.get(key);
    if (m.delete(key)) bumpModCount(m);
    return old;
  }
  const k = typeof key === 'string' ? key : javaString(key);
  if (!hasOwn.call(m, k)) return undefined;
  bumpModCount(m);
  const old = (m as Record<string, unknown>)[k];
  delete (m as Record<string, unknown>)[k];
  return old;
}

export function mapKeys(m: JMap): unknown[] {
  return m instanceof Map ? [...m.keys()] : Object.keys(m);
}

export function mapValues(m: JMap): unknown[] {
  return m instanceof Map ? [...m.values()] : Object.values(m);
}

export function mapSize(m: JMap): number {
  return m instanceof Map ? m.size : Object.keys(m).length;
}

export function isNumber(v: unknown): boolean {
  return typeof v === 'number' || v instanceof JDouble;
}

export function isDouble(v: unknown): boolean {
  return v instanceof JDouble || (typeof v === 'number' && !Number.isInteger(v));
}

export function numberValue(v: unknown): number {
  return typeof v === 'number' ? v : (v as JDouble).value;
}

/** A double result: integral values keep their double-ness in a JDouble. */
export function makeDouble(n: number): number | JDouble {
  return Number.isInteger(n) ? new JDouble(n) : n;
}

/** ".0" to ".9", and ".00" to ".99": fixed digit strings, the same for every input. */
const FRACTION_SUFFIXES = [[], Array.from({ length: 10 }, (_, i) => '.' + i), Array.from({ length: 100 }, (_, i) => (i < 10 ? '.0' : '.') + i)];

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18];

/**
 * `'' + d` for a non-integral d with 1e-3 <= |d| < 1e7, the range where JS and Java's
 * Double.toString both print plain decimals. V8's shortest-digits conversion costs ~200 ns a double
 * (a quarter of rendering a JSON array of prices); most doubles in bodies are short decimals
 * (10.99), found here with a few multiplications.
 *
 * Why this is exact: for the smallest k with an integer m such that m / 10^k === |d|, m / 10^k is
 * the decimal with the fewest digits that reads back as d, which is what JS prints (ECMA-262
 * Number::toString). The division is one correctly rounded IEEE operation on exact operands (m <
 * 2^53, 10^k <= 10^18 exact), so `m / 10^k === a` is exactly "the decimal m·10^-k reads as a".
 * With m < 10^15 (at most 15 significant digits) no other decimal of k digits reads as the same
 * double, so there is no tie for JS to break. And |d|·10^k, rounded once, is within 1/4 of any such
 * m, so Math.round finds it. Anything longer falls back to V8 (test/vtl/double-format.test.ts
 * checks millions of doubles against it).
 */
export function shortDouble(d: number): string {
  const a = d < 0 ? -d : d;
  for (let k = 1; k <= 18; k++) {
    const p = POW10[k]!;
    const m = Math.round(a * p);
    if (m >= 1e15) break;
    if (m / p === a) {
      let text: string;
      const whole = Math.floor(a);
      const f = m - whole * p;
      if (k <= 2 && f >= 0 && f < p) {
        // One or two decimals (prices): the whole part and a suffix from a constant table, one
        // concatenation instead of slicing m's digits (~35% less time).
        text = whole + FRACTION_SUFFIXES[k]![f]!;
      } else {
        const digits = '' + m;
        const point = digits.length - k;
        text = point > 0 ? digits.slice(0, point) + '.' + digits.slice(point) : '0.' + '0'.repeat(-point) + digits;
      }
      return d < 0 ? '-' + text : text;
    }
  }
  return '' + d;
}

/** Java's Double.toString. */
export function javaDouble(d: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  if (!Number.isFinite(d)) return Number.isNaN(d) ? 'NaN' : d > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    return Number.isInteger(d) ? String(d) + '.0' : shortDouble(d);
  }
  const e = d.toExponential();
  const at = e.indexOf('e');
  let mantissa = e.slice(0, at);
  if (mantissa.indexOf('.') < 0) mantissa += '.0';
  const exp = e.slice(at + 1);
  return mantissa + 'E' + (exp[0] === '+' ? exp.slice(1) : exp);
}

const MAX_PRINT_DEPTH = 100;

/** Java's String.valueOf(v). Printing a list or map builds text as long as its contents: charged to the render. */
export function javaString(v: unknown): string {
  return typeof v === 'object' && v !== null ? charged(toJava(v, 0)) : toJava(v, 0);
}

function toJava(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isInteger(v) ? String(v) : javaDouble(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'bigint':
      return String(v);
    case 'object':
      break;
    default:
      return 'null';
  }
  if (v === null) return 'null';
  if (depth > MAX_PRINT_DEPTH) throw new VtlLimitError('Value nested too deeply to print');
  if (v instanceof JDouble) return javaDouble(v.value);
  if (Array.isArray(v)) {
    if (JAVA_ARRAYS.has(v)) return '[Ljava.lang.String;@' + arrayHash(v);
    if (!isJavaList(v)) return jsonText(v, depth);
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ', ';
      const item = v[i];
      s += item === v ? '(this Collection)' : toJava(item, depth + 1);
    }
    return s + ']';
  }
  if (v instanceof VtlObject) return v.vtlString();
  if (v instanceof Map) {
    let s = '{';
    let first = true;
    for (const [k, item] of v) {
      if (!first) s += ', ';
      first = false;
      s += (k === v ? '(this Map)' : toJava(k, depth + 1)) + '=' + (item === v ? '(this Map)' : toJava(item, depth + 1));
    }
    return s + '}';
  }
  let s = '{';
  let first = true;
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (!hasOwn.call(o, k)) continue;
    if (!first) s += ', ';
    first = false;
    const item = o[k];
    s += k + '=' + (item === v ? '(this Map)' : toJava(item, depth + 1));
  }
  return s + '}';
}

/** json-smart's toJSONString, compact: what a JSONArray prints. */
export function jsonText(v: unknown, depth = 0): string {
  if (depth > MAX_PRINT_DEPTH) throw new VtlLimitError('Value nested too deeply to print');
  switch (typeof v) {
    case 'string': return jsonQuote(v);
    case 'number': return Number.isInteger(v) ? String(v) : javaDouble(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'undefined': return 'null';
    case 'bigint': return String(v);
    case 'object': break;
    default: return 'null';
  }
  if (v === null) return 'null';
  if (v instanceof JDouble) return javaDouble(v.value);
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ',';
      s += jsonText(v[i], depth + 1);
    }
    return s + ']';
  }
  if (v instanceof VtlObject) return jsonQuote(v.vtlString());
  let s = '{';
  let first = true;
  if (v instanceof Map) {
    for (const [k, item] of v) {
      if (!first) s += ',';
      first = false;
      s += jsonQuote(javaString(k)) + ':' + jsonText(item, depth + 1);
    }
  } else {
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (!hasOwn.call(o, k)) continue;
      if (!first) s += ',';
      first = false;
      s += jsonQuote(k) + ':' + jsonText(o[k], depth + 1);
    }
  }
  return s + '}';
}

const JSON_ESCAPE = /["\\\u0000-\u001f\u007f-\u009f\u2000-\u20ff]/;

/** A JSON string literal as json-smart writes it (control characters and U+2000..U+20FF as \uXXXX). */
/** What json-smart escapes and JSON.stringify writes differently (rarer controls, U+007F-U+009F, U+2000-U+20FF) or not at all (lone surrogates). */
const NOT_LIKE_JSON = /[\u0000-\u0007\u000b\u000e-\u001f\u007f-\u009f\u2000-\u20ff\ud800-\udfff]/;

export function jsonQuote(s: string): string {
  if (!JSON_ESCAPE.test(s)) return '"' + s + '"';
  // JSON.stringify (native) escapes `"`, `\` and \b \t \n \f \r as json-smart does; a per-character loop was 50x slower.
  if (!NOT_LIKE_JSON.test(s)) return JSON.stringify(s);
  return jsonQuoteByChar(s);
}

/** jsonQuote one character at a time: every case, including those JSON.stringify writes differently. */
export function jsonQuoteByChar(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 34: out += '\\"'; break;
      case 92: out += '\\\\'; break;
      case 8: out += '\\b'; break;
      case 12: out += '\\f'; break;
      case 10: out += '\\n'; break;
      case 13: out += '\\r'; break;
      case 9: out += '\\t'; break;
      default:
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x2000 && c <= 0x20ff)) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
        else out += s[i];
    }
  }
  return out + '"';
}

/** Java prints arrays by identity hash; we print a stable hash of the contents so output stays deterministic. */
function arrayHash(a: unknown[]): string {
  let h = 7;
  for (const item of a) {
    const s = javaString(item);
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  }
  return (h >>> 0).toString(16);
}

/** Java's equals() between two values of our representation. */
export function javaEquals(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  if (depth > MAX_PRINT_DEPTH) throw new VtlLimitError('Value nested too deeply to compare');
  if (isNumber(a) && isNumber(b)) return isDouble(a) === isDouble(b) && numberValue(a) === numberValue(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!javaEquals(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (isMap(a)) {
    if (!isMap(b) || mapSize(a) !== mapSize(b)) return false;
    for (const k of mapKeys(a)) {
      if (!mapHas(b, k) || !javaEquals(mapGet(a, k), mapGet(b, k), depth + 1)) return false;
    }
    return true;
  }
  return false;
}

const hashView = new DataView(new ArrayBuffer(8));

/** Java's hashCode() of a value: String, Integer, Double, Boolean, List and Map rules. */
export function javaHashCode(v: unknown, depth = 0): number {
  if (v == null) return 0;
  if (depth > MAX_PRINT_DEPTH) throw new VtlLimitError('Value nested too deeply to hash');
  if (typeof v === 'string') return stringHash(v);
  if (typeof v === 'boolean') return v ? 1231 : 1237;
  if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
  if (typeof v === 'number' && Number.isInteger(v)) return Number(BigInt.asIntN(32, BigInt(v) ^ (BigInt(v) >> 32n)));
  if (typeof v === 'number' || v instanceof JDouble) {
    hashView.setFloat64(0, typeof v === 'number' ? v : v.value);
    return (hashView.getInt32(0) ^ hashView.getInt32(4)) | 0;
  }
  if (Array.isArray(v)) {
    let h = 1;
    for (const x of v) h = (Math.imul(31, h) + (x === v ? 0 : javaHashCode(x, depth + 1))) | 0;
    return h;
  }
  if (isMap(v)) {
    let h = 0;
    for (const k of mapKeys(v)) h = (h + (javaHashCode(k, depth + 1) ^ javaHashCode(mapGet(v, k), depth + 1))) | 0;
    return h;
  }
  return 0;
}

/** Java's hashCode() for strings, used by String.hashCode(). */
export function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** The Java class name Velocity would report for a value, for error messages. */
export function javaClassName(v: unknown): string {
  if (typeof v === 'string') return 'java.lang.String';
  if (typeof v === 'boolean') return 'java.lang.Boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'java.lang.Integer' : 'java.lang.Double';
  if (v instanceof JDouble) return 'java.lang.Double';
  if (Array.isArray(v)) return JAVA_ARRAYS.has(v) ? '[Ljava.lang.String;' : 'java.util.ArrayList';
  if (isMap(v)) return 'java.util.LinkedHashMap';
  return 'java.lang.Object';
}
