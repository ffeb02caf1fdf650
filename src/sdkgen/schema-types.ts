// JSON Schema draft 4 (API Gateway's models) to TypeScript types, for the typescript SDK:
// object/properties/required (an interface; a property not in `required` is optional),
// additionalProperties (an index signature), array/items, enum (a union of literals),
// string/number/integer/boolean/null, a list of types (a union), oneOf/anyOf (a union),
// allOf (an intersection), $ref to another model of the API (its type, by name) or to the
// schema's own #/definitions (inlined). Anything else is `unknown`: never a type narrower than
// what the API accepts.
import type { Model } from '../model/generated/types.ts';
import { typeName } from './naming.ts';

type Schema = Record<string, unknown>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export const propertyKey = (name: string): string => (IDENTIFIER.test(name) ? name : JSON.stringify(name));

/** Converts the schemas of one API's models; `modelNames` are the API's models. */
export class SchemaTypes {
  readonly #models: ReadonlyMap<string, string>;

  constructor(models: readonly Model[]) {
    this.#models = new Map(models.map((m) => [m.name!, typeName(m.name!)]));
  }

  /** Whether a model's type already has this name. */
  declares(type: string): boolean {
    for (const t of this.#models.values()) if (t === type) return true;
    return false;
  }

  /** The TypeScript type of a model by name, or `unknown` when the API has no such model. */
  typeOf(modelName: string | null): string {
    if (modelName === null) return 'unknown';
    return this.#models.get(modelName) ?? 'unknown';
  }

  /** `export interface Pet {...}` or `export type Pets = Pet[];` for one model. */
  declaration(model: Model): string {
    const name = typeName(model.name!);
    let schema: unknown;
    try {
      schema = JSON.parse(model.schema ?? '{}');
    } catch {
      schema = {};
    }
    const doc = model.description ? `/** ${oneLine(model.description)} */\n` : '';
    const root = isSchema(schema) ? schema : {};
    const defs = isSchema(root.definitions) ? root.definitions : {};
    if (isObjectShape(root)) {
      const body = this.#objectBody(root, defs, '', 0);
      if (body.startsWith('{')) return `${doc}export interface ${name} ${body}\n`;
      return `${doc}export type ${name} = ${body};\n`;
    }
    return `${doc}export type ${name} = ${this.#type(root, defs, '', 0)};\n`;
  }

  #type(schema: unknown, defs: Schema, indent: string, depth: number): string {
    if (!isSchema(schema) || depth > 16) return 'unknown';
    if (typeof schema.$ref === 'string') return this.#ref(schema.$ref, defs, indent, depth);
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
    for (const key of ['oneOf', 'anyOf'] as const) {
      const list = schema[key];
      if (Array.isArray(list) && list.length > 0) return list.map((s) => this.#type(s, defs, indent, depth + 1)).map(paren).join(' | ');
    }
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
      return schema.allOf.map((s) => this.#type(s, defs, indent, depth + 1)).map(paren).join(' & ');
    }
    const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? (isObjectShape(schema) ? ['object'] : []) : [schema.type];
    if (types.length === 0) return 'unknown';
    return types.map((t) => paren(this.#single(String(t), schema, defs, indent, depth))).join(' | ');
  }

  #single(type: string, schema: Schema, defs: Schema, indent: string, depth: number): string {
    switch (type) {
      case 'string':
        return 'string';
      case 'number':
      case 'integer':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'array':
        return `Array<${this.#type(schema.items, defs, indent, depth + 1)}>`;
      case 'object':
        return this.#objectBody(schema, defs, indent, depth);
      default:
        return 'unknown';
    }
  }

  #objectBody(schema: Schema, defs: Schema, indent: string, depth: number): string {
    const props = isSchema(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    const inner = indent + '  ';
    const lines: string[] = [];
    for (const [name, sub] of Object.entries(props)) {
      const doc = isSchema(sub) && typeof sub.description === 'string' ? `${inner}/** ${oneLine(sub.description)} */\n` : '';
      lines.push(`${doc}${inner}${propertyKey(name)}${required.has(name) ? '' : '?'}: ${this.#type(sub, defs, inner, depth + 1)};`);
    }
    const extra = schema.additionalProperties;
    if (isSchema(extra)) {
      // An index signature must admit every declared property's type too.
      const values = [this.#type(extra, defs, inner, depth + 1)];
      if (lines.length > 0) values.push('unknown');
      lines.push(`${inner}[key: string]: ${values.length > 1 ? 'unknown' : values[0]};`);
    } else if (extra !== false && lines.length === 0) {
      return 'Record<string, unknown>';
    }
    return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${indent}}`;
  }

  #ref(ref: string, defs: Schema, indent: string, depth: number): string {
    const local = /^#\/definitions\/(.+)$/.exec(ref);
    if (local !== null) return this.#type(defs[decodeURIComponent(local[1]!)], defs, indent, depth + 1);
    // https://apigateway.amazonaws.com/restapis/{id}/models/{name}, as API Gateway writes them.
    const model = /\/models\/([^/#]+)$/.exec(ref);
    return model === null ? 'unknown' : this.typeOf(decodeURIComponent(model[1]!));
  }
}

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isObjectShape(s: Schema): boolean {
  return (s.type === 'object' || (s.type === undefined && isSchema(s.properties))) && s.$ref === undefined && s.enum === undefined
    && s.oneOf === undefined && s.anyOf === undefined && s.allOf === undefined;
}

/** Parenthesised when it is itself a union or an intersection at its top level. */
function paren(t: string): string {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === '"' && t[i - 1] !== '\\') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '<' || c === '{' || c === '(' || c === '[') depth++;
    else if (c === '>' || c === '}' || c === ')' || c === ']') depth--;
    else if (depth === 0 && (c === '|' || c === '&')) return `(${t})`;
  }
  return t;
}

const oneLine = (s: string): string => s.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim();
