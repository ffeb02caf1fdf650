// The REST-JSON protocol of the management API, driven by the generated operation and shape
// tables: route a request to its operation, bind labels, query strings, headers and the JSON
// body into a typed input (validating types as the service model declares them), and write
// outputs and errors back in the wire format the AWS SDKs parse.
import { OPERATIONS, type OperationDef, type OperationName } from '../model/generated/operations.ts';
import { SHAPES, type ShapeDef, type ShapeName } from '../model/generated/shapes.ts';
import { ApiError, badRequest, missingMember } from './errors.ts';

type StructureDef = Extract<ShapeDef, { type: 'structure' }>;

interface RouteNode {
  statics: Map<string, RouteNode>;
  label: RouteNode | null;
  /** method → operations ending here (several when a query discriminator tells them apart) */
  ops: Map<string, OperationDef[]>;
}

function node(): RouteNode {
  return { statics: new Map(), label: null, ops: new Map() };
}

export interface RouteMatch {
  readonly op: OperationDef;
  readonly labels: Record<string, string>;
}

export class OperationRouter {
  readonly #root = node();
  readonly #labelNames = new Map<OperationDef, string[]>();

  constructor(ops: readonly OperationDef[] = OPERATIONS) {
    for (const op of ops) {
      this.#labelNames.set(op, [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!));
      let n = this.#root;
      for (const seg of op.path.split('/').filter(Boolean)) {
        if (seg.startsWith('{')) {
          // Operations name the same position differently ({resource_id}, {parent_id}), so
          // labels are collected by position and named per operation after the match.
          n.label ??= node();
          n = n.label;
        } else {
          let next = n.statics.get(seg);
          if (next === undefined) n.statics.set(seg, (next = node()));
          n = next;
        }
      }
      const list = n.ops.get(op.method) ?? [];
      list.push(op);
      // Operations with a discriminator are tried first.
      list.sort((a, b) => Number(b.discriminator !== null) - Number(a.discriminator !== null));
      n.ops.set(op.method, list);
    }
  }

  /** `path` is the raw (still percent-encoded) path; labels are decoded after splitting. */
  match(method: string, path: string, query: URLSearchParams): RouteMatch | null | 'method-not-allowed' {
    const segs = path.split('/').filter(Boolean);
    const values: string[] = [];
    const found = this.#walk(this.#root, segs, 0, values);
    if (found === null) return null;
    const ops = found.ops.get(method);
    if (ops === undefined) return 'method-not-allowed';
    for (const op of ops) {
      if (op.discriminator === null || query.get(op.discriminator[0]) === op.discriminator[1]) {
        const labels: Record<string, string> = {};
        this.#labelNames.get(op)!.forEach((name, i) => (labels[name] = values[i]!));
        return { op, labels };
      }
    }
    return 'method-not-allowed';
  }

  #walk(n: RouteNode, segs: string[], i: number, values: string[]): RouteNode | null {
    if (i === segs.length) return n.ops.size > 0 ? n : null;
    const seg = segs[i]!;
    const s = n.statics.get(seg);
    if (s !== undefined) {
      const r = this.#walk(s, segs, i + 1, values);
      if (r !== null) return r;
    }
    if (n.label !== null) {
      let value: string;
      try {
        value = decodeURIComponent(seg);
      } catch {
        return null;
      }
      const at = values.length;
      values.push(value);
      const r = this.#walk(n.label, segs, i + 1, values);
      if (r !== null) return r;
      values.length = at;
    }
    return null;
  }
}

// ---------------------------------------------------------------- input binding

export interface HttpInput {
  readonly labels: Record<string, string>;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

const MAX_STRING = 1 << 20;

/** Binds and validates an operation's input; throws ApiError (400) on bad input. */
export function bindInput(op: OperationDef, http: HttpInput): Record<string, unknown> {
  if (op.input === null) return {};
  const shape = SHAPES[op.input] as StructureDef;
  const out: Record<string, unknown> = {};
  let json: Record<string, unknown> | null = null;
  const needsJson = shape.payload === null && Object.values(shape.members).some((m) => m.location === null);
  if (needsJson && http.body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(http.body.toString('utf8'));
    } catch {
      throw badRequest('Invalid request body: the body is not valid JSON');
    }
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw badRequest('Invalid request body: expected a JSON object');
    }
    json = parsed as Record<string, unknown> | null;
  }
  const usedQuery = new Set<string>();
  for (const [name, m] of Object.entries(shape.members)) {
    let value: unknown;
    switch (m.location) {
      case 'uri':
        value = http.labels[m.wireName!];
        break;
      case 'querystring':
        if (m.wireName === null) break; // the query map, filled below
        usedQuery.add(m.wireName);
        value = queryValue(http.query, m.wireName, m.shape, name);
        break;
      case 'header': {
        const h = http.headers[m.wireName!.toLowerCase()];
        value = Array.isArray(h) ? h.join(',') : h;
        break;
      }
      default:
        if (shape.payload === name) {
          value = http.body.length > 0 || SHAPES[m.shape].type === 'blob' ? http.body : undefined;
        } else if (json !== null) {
          const key = m.wireName ?? name;
          value = json[key] ?? (key !== name ? json[name] : undefined);
          if (value !== undefined) value = checkValue(value, m.shape, name);
        }
    }
    if (value !== undefined) out[name] = value;
  }
  // A querystring member without a wire name collects every other query parameter (e.g. import's `parameters`).
  for (const [name, m] of Object.entries(shape.members)) {
    if (m.location !== 'querystring' || m.wireName !== null) continue;
    const map: Record<string, string> = {};
    for (const [k, v] of http.query) if (!usedQuery.has(k) && (op.discriminator === null || k !== op.discriminator[0])) map[k] = v;
    out[name] = map;
  }
  for (const r of shape.required) {
    // Coral: only an absent member is "null"; an empty string reaches API Gateway's own checks.
    if (out[r] === undefined) {
      throw missingMember(op.name, r);
    }
  }
  return out;
}

function queryValue(query: URLSearchParams, key: string, shapeName: ShapeName, member: string): unknown {
  const all = query.getAll(key);
  if (all.length === 0) return undefined;
  const s = SHAPES[shapeName];
  if (s.type === 'list') return all.flatMap((v) => v.split(',')).filter((v) => v !== '');
  const v = all[all.length - 1]!;
  switch (s.type) {
    case 'boolean':
      if (v === 'true' || v === 'false') return v === 'true';
      throw badRequest(`Invalid value for parameter ${member}: '${v}' is not a boolean`);
    case 'integer':
    case 'long': {
      if (!/^-?\d{1,15}$/.test(v)) throw badRequest(`Invalid value for parameter ${member}: '${v}' is not an integer`);
      return Number(v);
    }
    default:
      return v;
  }
}

/** Checks a JSON value against its shape (types, enums, sizes); returns it, or throws 400. */
export function checkValue(value: unknown, shapeName: ShapeName, path: string): unknown {
  if (value === null) return undefined;
  const s = SHAPES[shapeName];
  switch (s.type) {
    case 'string':
      if (typeof value !== 'string') {
        if (typeof value === 'number' || typeof value === 'boolean') return String(value);
        throw badRequest(`Invalid value at '${path}': expected a string`);
      }
      if (value.length > MAX_STRING) throw badRequest(`Invalid value at '${path}': string is too long`);
      if (s.enum !== null && !s.enum.includes(value)) {
        throw badRequest(`Invalid value at '${path}': '${value}' is not one of [${s.enum.join(', ')}]`);
      }
      return value;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw badRequest(`Invalid value at '${path}': expected a boolean`);
    case 'integer':
    case 'long':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
      throw badRequest(`Invalid value at '${path}': expected an integer`);
    case 'double':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      throw badRequest(`Invalid value at '${path}': expected a number`);
    case 'timestamp':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value) / 1000;
      throw badRequest(`Invalid value at '${path}': expected a timestamp`);
    case 'blob':
      if (typeof value === 'string') return Buffer.from(value, 'base64');
      throw badRequest(`Invalid value at '${path}': expected base64 data`);
    case 'list': {
      if (!Array.isArray(value)) throw badRequest(`Invalid value at '${path}': expected a list`);
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        const v = checkValue(value[i], s.member, `${path}.${i + 1}`);
        if (v !== undefined) out.push(v);
      }
      return out;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`Invalid value at '${path}': expected a map`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as object)) {
        const c = checkValue(v, s.value, `${path}.${k}`);
        if (c !== undefined) defineKey(out, k, c);
        // AWS keeps a response template sent as JSON null, as null (recorded); the stores treat it
        // as an empty template. Other maps' nulls are dropped (not recorded).
        else if (v === null && (path === 'responseTemplates' || path.endsWith('.responseTemplates'))) defineKey(out, k, null);
      }
      return out;
    }
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`Invalid value at '${path}': expected an object`);
      const out: Record<string, unknown> = {};
      for (const [name, m] of Object.entries(s.members)) {
        const raw = (value as Record<string, unknown>)[m.wireName ?? name];
        if (raw === undefined) continue;
        const c = checkValue(raw, m.shape, `${path}.${name}`);
        if (c !== undefined) out[name] = c;
      }
      return out;
    }
  }
}

/** Sets a key that may be `__proto__` or `constructor` as plain data. */
export function defineKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

// ---------------------------------------------------------------- output

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** Serialises an operation's output: JSON with wire member names, header members, a blob payload. */
export function writeOutput(op: OperationDef, output: unknown): WireResponse {
  if (op.output === null || output === undefined) return { status: op.status, headers: {}, body: '' };
  const shape = SHAPES[op.output] as StructureDef;
  const headers: Record<string, string> = {};
  const obj = output as Record<string, unknown>;
  if (shape.payload !== null) {
    for (const [name, m] of Object.entries(shape.members)) {
      if (m.location === 'header' && obj[name] !== undefined) headers[m.wireName!] = String(obj[name]);
    }
    const payload = obj[shape.payload];
    return { status: op.status, headers, body: Buffer.isBuffer(payload) ? payload : String(payload ?? '') };
  }
  let json = obj;
  // Only top-level members are renamed on the wire in this service model (items → item/values).
  for (const [name, m] of Object.entries(shape.members)) {
    if (m.wireName !== null && m.location === null && name in obj) {
      if (json === obj) json = { ...obj };
      json[m.wireName] = json[name];
      delete json[name];
    }
  }
  headers['content-type'] = 'application/json';
  return { status: op.status, headers, body: JSON.stringify(json) };
}

export function writeError(err: ApiError): WireResponse {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': err.type },
    body: err.body(),
  };
}

export function operationByName(name: OperationName): OperationDef {
  const op = OPERATIONS.find((o) => o.name === name);
  if (op === undefined) throw new Error(`no operation ${name}`);
  return op;
}

export { ApiError };
