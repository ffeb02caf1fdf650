// JSONPath as API Gateway evaluates it in $input.path and $input.json (Jayway JsonPath, with
// Goessner's syntax). Simple paths — `$`, `$.a.b`, `$['a']`, `$.a[0]`, `$.a[-1]` — take a
// hand-written fast path, compiled once per path string; anything else (wildcards, `..`,
// slices, unions, filters) goes to jsonpath-plus in its safe evaluation mode.
//
// Jayway's rules kept here: a path without a leading `$` is read as `$.` + path; a definite
// path (no wildcard, deep scan, slice, union or filter) yields one value or nothing; an
// indefinite path yields the list of all matches.

import { JSONPath } from 'jsonpath-plus';
import { JDouble, isMap, mapGet } from '../vtl/index.ts';

type Step = { key: string } | { index: number };

const SIMPLE = /^\$(?:\.[A-Za-z_$][\w$-]*|\['(?:[^'\\]|\\.)*'\]|\["(?:[^"\\]|\\.)*"\]|\[-?\d+\])*$/;
const STEP = /\.([A-Za-z_$][\w$-]*)|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]|\[(-?\d+)\]/gy;

const compiled = new Map<string, Step[] | null>();
const COMPILED_LIMIT = 1000;

function normalize(path: string): string {
  const p = path.trim();
  if (p.startsWith('$')) {
    // `$name` (written in the guide's $util.parseJson example) is read as `$.name`.
    return /^\$[A-Za-z_]/.test(p) ? '$.' + p.slice(1) : p;
  }
  return p.startsWith('[') ? '$' + p : '$.' + p;
}

function unescapeQuoted(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** The steps of a simple path, or null when the path needs the general evaluator. */
function compile(path: string): Step[] | null {
  let steps = compiled.get(path);
  if (steps !== undefined) return steps;
  steps = null;
  if (SIMPLE.test(path)) {
    steps = [];
    STEP.lastIndex = 1;
    let m: RegExpExecArray | null;
    while ((m = STEP.exec(path)) !== null) {
      if (m[1] !== undefined) steps.push({ key: m[1] });
      else if (m[2] !== undefined) steps.push({ key: unescapeQuoted(m[2]) });
      else if (m[3] !== undefined) steps.push({ key: unescapeQuoted(m[3]) });
      else steps.push({ index: Number(m[4]) });
    }
  }
  if (compiled.size >= COMPILED_LIMIT) compiled.clear();
  compiled.set(path, steps);
  return steps;
}

const MISSING = Symbol('missing');

function walk(doc: unknown, steps: Step[]): unknown {
  let v = doc;
  for (const step of steps) {
    if ('key' in step) {
      if (!isMap(v)) return MISSING;
      const next = mapGet(v, step.key);
      if (next === undefined) return MISSING;
      v = next;
    } else {
      if (!Array.isArray(v)) return MISSING;
      const i = step.index < 0 ? v.length + step.index : step.index;
      if (i < 0 || i >= v.length) return MISSING;
      v = v[i];
    }
  }
  return v;
}

/** A path as given in a template, compiled once: $input.path runs per request. */
interface CompiledPath {
  readonly normalized: string;
  /** The steps of the fast path, or null for the general evaluator. */
  readonly steps: Step[] | null;
  readonly definite: boolean;
  /** Why the general evaluator will not run this path, or null. */
  readonly refused: string | null;
}

const QUOTED = /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g;

/**
 * jsonpath-plus evaluates filters (`?(...)`) and script steps (`[(...)]`) as JavaScript in its safe
 * mode: no globals, but string methods and regular expression literals run, and
 * `@.p.match(/(a|a)*b/)` blocks the process for minutes (a backtracking engine, beyond any time
 * check). Filters may compare, combine and do arithmetic on values; calls and regular expressions
 * (including Jayway's `=~`, written with one) are refused.
 */
function refusedFilter(normalized: string): string | null {
  const text = normalized.replace(QUOTED, "''");
  for (let i = text.indexOf('('); i >= 0; i = text.indexOf('(', i + 1)) {
    if (text[i - 1] !== '?' && text[i - 1] !== '[') continue;
    let depth = 0;
    let end = i;
    for (; end < text.length; end++) {
      if (text[end] === '(') depth++;
      else if (text[end] === ')' && --depth === 0) break;
    }
    const expression = text.slice(i + 1, end);
    if (/[/`]/.test(expression)) return 'regular expressions are not supported in filters';
    if (/[\w$\])]\s*\(/.test(expression)) return 'function calls are not supported in filters';
    i = end;
  }
  return null;
}

const paths = new Map<string, CompiledPath>();

/** Paths are short in practice; the parsers (ours and jsonpath-plus's) take time quadratic in the length of odd ones. */
const MAX_PATH_LENGTH = 1000;

function compilePath(path: string): CompiledPath {
  let c = paths.get(path);
  if (c !== undefined) return c;
  if (path.length > MAX_PATH_LENGTH) {
    return { normalized: path, steps: null, definite: true, refused: `paths longer than ${MAX_PATH_LENGTH} characters are not supported` };
  }
  const normalized = normalize(path);
  const steps = compile(normalized);
  const definite = steps !== null ||
    !/\*|\.\.|\?\(|\[[^\]]*[:,][^\]]*\]/.test(normalized.replace(QUOTED, "''"));
  c = { normalized, steps, definite, refused: steps === null ? refusedFilter(normalized) : null };
  if (paths.size >= COMPILED_LIMIT) paths.clear();
  paths.set(path, c);
  return c;
}

/** Whether a path takes the compiled fast path (a few map or list reads, whatever the document's size). */
export function isSimplePath(path: string): boolean {
  return compilePath(path).steps !== null;
}

/** Whether a path names at most one value (Jayway's "definite" path). */
export function isDefinitePath(path: string): boolean {
  return compilePath(path).definite;
}

function evaluate(json: unknown, c: CompiledPath, path: string): unknown[] {
  if (c.steps !== null) {
    const v = walk(json, c.steps);
    return v === MISSING ? [] : [v];
  }
  if (c.refused !== null) throw new SyntaxError(`Invalid JSONPath ${path}: ${c.refused}`);
  let result: unknown;
  try {
    result = JSONPath({ path: c.normalized, json: toPlain(json, 0) as object, wrap: true, eval: 'safe' });
  } catch (e) {
    throw new SyntaxError(`Invalid JSONPath ${path}: ${(e as Error).message}`);
  }
  return Array.isArray(result) ? result : [];
}

/**
 * Every value `path` selects in `json` (a template value: plain objects or Maps, arrays, ...).
 * An invalid path throws a SyntaxError.
 */
export function evaluateJsonPath(json: unknown, path: string): unknown[] {
  return evaluate(json, compilePath(path), path);
}

/**
 * What $input.path returns: the value of a definite path (undefined when nothing matches),
 * or the list of matches of an indefinite one.
 */
export function readJsonPath(json: unknown, path: string): unknown {
  const c = compilePath(path);
  if (c.steps !== null) {
    const v = walk(json, c.steps);
    return v === MISSING ? undefined : v;
  }
  const values = evaluate(json, c, path);
  if (c.definite) return values.length === 0 ? undefined : values[0];
  return values;
}

/** jsonpath-plus walks plain objects only: Maps from the exact JSON parser are converted (JDouble to number). */
function toPlain(v: unknown, depth: number): unknown {
  if (depth > 512) return null;
  if (v instanceof JDouble) return v.value;
  if (Array.isArray(v)) return v.some((x) => typeof x === 'object' && x !== null) ? v.map((x) => toPlain(x, depth + 1)) : v;
  if (v instanceof Map) {
    const o: Record<string, unknown> = Object.create(null);
    for (const [k, x] of v) Object.defineProperty(o, String(k), { value: toPlain(x, depth + 1), enumerable: true, writable: true, configurable: true });
    return o;
  }
  if (typeof v === 'object' && v !== null && isMap(v)) {
    const src = v as Record<string, unknown>;
    let nested = false;
    for (const k in src) if (typeof src[k] === 'object' && src[k] !== null) nested = true;
    if (!nested) return v;
    const o: Record<string, unknown> = Object.create(null);
    for (const k of Object.keys(src)) Object.defineProperty(o, k, { value: toPlain(src[k], depth + 1), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return v;
}
