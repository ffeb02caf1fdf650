// ajv's errors in the words API Gateway's validator (java-json-tools' json-schema-validator)
// uses for them, e.g. `object has missing required properties (["name"])` or `numeric instance is
// lower than the required minimum (minimum: 1, found: 0)`. Keywords without a known wording
// fall back to ajv's own message.
import type { ErrorObject } from 'ajv';

/** Java-style JSON of a value as the validator prints it (compact). */
const j = (v: unknown): string => JSON.stringify(v);

function at(instance: unknown, pointer: string): unknown {
  if (pointer === '') return instance;
  let v = instance;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  return typeof v === 'object' ? 'object' : 'string';
}

export function schemaErrorMessages(errors: readonly ErrorObject[], instance: unknown): string[] {
  const out: string[] = [];
  // The validator reports every missing property of an object in one message, sorted.
  const missingByObject = new Map<string, string[]>();
  const extraByObject = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword === 'required') {
      const list = missingByObject.get(e.instancePath);
      const name = (e.params as { missingProperty: string }).missingProperty;
      if (list === undefined) {
        missingByObject.set(e.instancePath, [name]);
        out.push(`\u0000required${e.instancePath}`);
      } else if (!list.includes(name)) list.push(name);
      continue;
    }
    if (e.keyword === 'additionalProperties') {
      const list = extraByObject.get(e.instancePath);
      const name = (e.params as { additionalProperty: string }).additionalProperty;
      if (list === undefined) {
        extraByObject.set(e.instancePath, [name]);
        out.push(`\u0000additional${e.instancePath}`);
      } else if (!list.includes(name)) list.push(name);
      continue;
    }
    const message = describe(e, at(instance, e.instancePath));
    if (message !== null) out.push(message);
  }
  return out.map((m) => {
    if (m.startsWith('\u0000required')) {
      const names = missingByObject.get(m.slice('\u0000required'.length))!.sort();
      return `object has missing required properties (${j(names)})`;
    }
    if (m.startsWith('\u0000additional')) {
      const names = extraByObject.get(m.slice('\u0000additional'.length))!.sort();
      return `object instance has properties which are not allowed by the schema: ${j(names)}`;
    }
    return m;
  });
}

function describe(e: ErrorObject, value: unknown): string | null {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const allowed = String(p.type).split(',');
      return `instance type (${typeName(value)}) does not match any allowed primitive type (allowed: ${j(allowed)})`;
    }
    case 'minimum':
      return p.comparison === '>'
        ? `numeric instance is not strictly greater than the required minimum ${p.limit}`
        : `numeric instance is lower than the required minimum (minimum: ${p.limit}, found: ${j(value)})`;
    case 'maximum':
      return p.comparison === '<'
        ? `numeric instance is not strictly lower than the required maximum ${p.limit}`
        : `numeric instance is greater than the required maximum (maximum: ${p.limit}, found: ${j(value)})`;
    case 'enum':
      return `instance value (${j(value)}) not found in enum (possible values: ${j(p.allowedValues)})`;
    case 'minLength':
      return `string ${j(value)} is too short (length: ${[...String(value)].length}, required minimum: ${p.limit})`;
    case 'maxLength':
      return `string ${j(value)} is too long (length: ${[...String(value)].length}, maximum allowed: ${p.limit})`;
    case 'pattern':
      return `ECMA 262 regex ${j(p.pattern)} does not match input string ${j(value)}`;
    case 'minItems':
      return `array is too short: must have at least ${p.limit} elements but instance has ${Array.isArray(value) ? value.length : 0} elements`;
    case 'maxItems':
      return `array is too long: must have at most ${p.limit} elements but instance has ${Array.isArray(value) ? value.length : 0} elements`;
    case 'uniqueItems':
      return 'array must not contain duplicate elements';
    case 'minProperties':
      return `object has too few properties (found ${value !== null && typeof value === 'object' ? Object.keys(value).length : 0} but schema requires at least ${p.limit})`;
    case 'maxProperties':
      return `object has too many properties (found ${value !== null && typeof value === 'object' ? Object.keys(value).length : 0} but schema requires at most ${p.limit})`;
    case 'multipleOf':
      return `numeric instance is not a multiple of divisor (value: ${j(value)}, divisor: ${p.multipleOf})`;
    case 'format':
      return `string ${j(value)} is invalid against requested format ${j(p.format)}`;
    // anyOf/oneOf/not: the sub-errors above say what failed; the combinator adds its own line.
    case 'anyOf':
      return 'instance failed to match at least one required schema';
    case 'oneOf':
      return 'instance failed to match exactly one schema';
    case 'not':
      return 'instance matched a schema which it should not have';
    default:
      return e.message ?? e.keyword;
  }
}
