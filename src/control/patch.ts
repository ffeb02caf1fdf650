// PATCH operations as API Gateway takes them: a list of {op, path, value, from} applied in
// order to a copy of the resource, each path checked against the paths that resource accepts.
// Paths are JSON Pointers: '/' inside a key is written '~1' and '~' is '~0'.
import { badRequest } from './errors.ts';

export type Op = 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';

export interface PatchOperation {
  op?: string;
  path?: string;
  value?: string;
  from?: string;
}

export interface PatchRule<T> {
  /** Path pattern: literal segments, and '*' for one key segment (e.g. '/variables/*'). */
  readonly path: string;
  readonly ops: readonly Op[];
  /** keys: the segments matched by '*', unescaped. */
  apply(doc: T, op: Op, value: string | undefined, keys: string[]): void;
}

const OPS: readonly Op[] = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

export function splitPointer(path: string): string[] {
  if (!path.startsWith('/')) return [];
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function matchRule<T>(rule: PatchRule<T>, segs: string[]): string[] | null {
  const pat = rule.path.split('/').slice(1);
  if (pat.length !== segs.length) return null;
  const keys: string[] = [];
  for (let i = 0; i < pat.length; i++) {
    if (pat[i] === '*') {
      if (segs[i] === '') return null;
      keys.push(segs[i]!);
    } else if (pat[i] !== segs[i]) return null;
  }
  return keys;
}

/**
 * How a resource words a path its rules do not accept. AWS words it two ways, per resource
 * (docs/aws-recorded.md): 'listed' names the paths the op accepts ("Invalid patch path  '/x'
 * specified for op 'replace'. Must be one of: [...]"); 'short' says "Invalid patch path /x" for a
 * path it does not know and "Invalid patch operation specified. Must be one of: [replace]" for a
 * known path and the wrong op; 'path' says "Invalid patch path /x" for both (gateway responses).
 */
export type PatchErrorStyle = 'listed' | 'short' | 'path' | UnacceptedPath;

/** A resource's own wording for a path (or op on it) that its rules do not take (stages). */
export type UnacceptedPath = (op: Op, path: string) => Error;

/** Applies `ops` to a deep copy of `doc` and returns the copy; throws BadRequestException. */
export function applyPatch<T>(doc: T, ops: readonly PatchOperation[] | undefined, rules: readonly PatchRule<T>[], style: PatchErrorStyle = 'listed'): T {
  const copy = structuredClone(doc);
  for (const p of ops ?? []) {
    const op = p.op as Op;
    if (!OPS.includes(op)) throw badRequest(`Invalid patch operation specified. Must be one of: [add, remove, replace, move, copy]`);
    const path = p.path ?? '';
    if (op === 'move' || op === 'copy') {
      // move/copy read a value at `from` and write it at `path`, through the same rules.
      const from = p.from ?? '';
      const value = readAt(copy, from, rules);
      if (op === 'move') applyOne(copy, 'remove', from, undefined, rules, style);
      applyOne(copy, 'add', path, value, rules, style, op);
      continue;
    }
    if (op === 'test') throw badRequest(`Invalid patch operation specified. Must be one of: [add, remove, replace, move, copy]`);
    // As on create (coral.ts): a name may not carry a NUL.
    if (path === '/name' && p.value?.includes('\u0000')) throw badRequest('Invalid name specified: it contains a NUL character');
    applyOne(copy, op, path, p.value, rules, style);
  }
  return copy;
}

function applyOne<T>(doc: T, op: Op, path: string, value: string | undefined, rules: readonly PatchRule<T>[], style: PatchErrorStyle, shownOp: Op = op): void {
  const segs = splitPointer(path);
  const known: PatchRule<T>[] = [];
  for (const rule of rules) {
    const keys = matchRule(rule, segs);
    if (keys === null) continue;
    known.push(rule);
    if (!rule.ops.includes(op)) continue;
    rule.apply(doc, op, value, keys);
    return;
  }
  if (typeof style === 'function') throw style(shownOp, path);
  if (style === 'path') throw badRequest(`Invalid patch path ${path === '' ? 'null' : path}`);
  if (style === 'short') {
    if (known.length === 0) throw badRequest(`Invalid patch path ${path === '' ? 'null' : path}`);
    throw badRequest(`Invalid patch operation specified. Must be one of: [${known[0]!.ops.join(', ')}]`);
  }
  const valid = [...new Set(rules.filter((r) => r.ops.includes(op)).map((r) => r.path))];
  if (valid.length === 0) throw badRequest(`Invalid patch path  '${path}' specified for op '${shownOp}'. Please choose supported operations`);
  throw badRequest(`Invalid patch path  '${path}' specified for op '${shownOp}'. Must be one of: [${valid.join(', ')}]`);
}

function readAt<T>(doc: T, path: string, rules: readonly PatchRule<T>[]): string {
  const segs = splitPointer(path);
  if (segs.length === 0 || !rules.some((r) => matchRule(r, segs) !== null)) {
    throw badRequest(`Invalid patch path  '${path}' specified for op 'from'`);
  }
  let cur: unknown = doc;
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, s)) {
      throw badRequest(`Invalid from path '${path}': no value found`);
    }
    cur = (cur as Record<string, unknown>)[s];
  }
  return typeof cur === 'string' ? cur : JSON.stringify(cur);
}

// ---------------------------------------------------------------- rule builders

type Obj = Record<string, unknown>;

export function requireValue(value: string | undefined, path: string): string {
  if (value === undefined) throw badRequest(`Invalid patch value for path '${path}': a value is required`);
  return value;
}

export function toBoolean(value: string | undefined, path: string): boolean {
  const v = requireValue(value, path).toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest(`Invalid boolean value '${value}' for path ${path}`);
}

/** Java's Boolean.parseBoolean, which AWS applies to method and validator flags: anything but "true" is false. */
export function parseBoolean(value: string | undefined): boolean {
  return value?.toLowerCase() === 'true';
}

export function toInteger(value: string | undefined, path: string): number {
  const v = requireValue(value, path);
  if (!/^-?\d{1,10}$/.test(v.trim())) throw badRequest(`Invalid integer value '${value}' for path ${path}`);
  return Number(v);
}

export function toNumber(value: string | undefined, path: string): number {
  const v = requireValue(value, path);
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw badRequest(`Invalid number value '${value}' for path ${path}`);
  return n;
}

type Convert = (value: string | undefined, path: string) => unknown;

/** A top-level field: replace sets it (remove, when allowed, clears it). */
export function field<T>(name: string, options: { ops?: readonly Op[]; convert?: Convert; check?: (v: unknown) => void } = {}): PatchRule<T> {
  const path = '/' + name;
  const convert = options.convert ?? requireValue;
  return {
    path,
    ops: options.ops ?? ['replace'],
    apply(doc, op, value) {
      const d = doc as Obj;
      if (op === 'remove') {
        delete d[name];
        return;
      }
      const v = convert(value, path);
      options.check?.(v);
      d[name] = v;
    },
  };
}

/** A nested field such as /quota/limit, creating the parent object when missing. */
export function nestedField<T>(parent: string, name: string, options: { ops?: readonly Op[]; convert?: Convert } = {}): PatchRule<T> {
  const path = `/${parent}/${name}`;
  const convert = options.convert ?? requireValue;
  return {
    path,
    ops: options.ops ?? ['replace'],
    apply(doc, op, value) {
      const d = doc as Obj;
      if (op === 'remove') {
        if (d[parent] && typeof d[parent] === 'object') delete (d[parent] as Obj)[name];
        return;
      }
      const p = (d[parent] ??= {}) as Obj;
      p[name] = convert(value, path);
    },
  };
}

/** Entries of a string map, e.g. /variables/NAME or /requestTemplates/application~1json. */
export function mapEntry<T>(name: string, options: { ops?: readonly Op[]; convert?: Convert; checkKey?: (k: string) => void } = {}): PatchRule<T> {
  const convert = options.convert ?? ((v: string | undefined) => v ?? '');
  return {
    path: `/${name}/*`,
    ops: options.ops ?? ['add', 'replace', 'remove'],
    apply(doc, op, value, keys) {
      const d = doc as Obj;
      const key = keys[0]!;
      options.checkKey?.(key);
      if (op === 'remove') {
        const m = d[name] as Obj | undefined;
        if (m !== undefined) {
          delete m[key];
          if (Object.keys(m).length === 0) delete d[name];
        }
        return;
      }
      const m = (d[name] ??= {}) as Obj;
      const v = convert(value, `/${name}/${key}`);
      if (key === '__proto__') Object.defineProperty(m, key, { value: v, enumerable: true, writable: true, configurable: true });
      else m[key] = v;
    },
  };
}

/** Items of a string list addressed by value, e.g. /binaryMediaTypes/image~1png. */
export function listItem<T>(name: string): PatchRule<T> {
  return {
    path: `/${name}/*`,
    ops: ['add', 'remove', 'replace'],
    apply(doc, op, value, keys) {
      const d = doc as Obj;
      const list = ((d[name] as string[] | undefined) ?? []).slice();
      const item = keys[0]!;
      const i = list.indexOf(item);
      if (op === 'add') {
        if (i === -1) list.push(item);
      } else if (op === 'remove') {
        if (i !== -1) list.splice(i, 1);
      } else {
        // AWS replaces by removing the old item and appending the new one (recorded order).
        if (i === -1) throw badRequest(`Invalid patch path /${name}/${item}: no such item`);
        list.splice(i, 1);
        list.push(requireValue(value, `/${name}/${item}`));
      }
      if (list.length === 0) delete d[name];
      else d[name] = list;
    },
  };
}
