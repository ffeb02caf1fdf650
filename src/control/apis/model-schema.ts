// Model schemas: JSON Schema draft-04 (what API Gateway models are), with `$ref`s to other
// models of the same API by URL (https://apigateway.amazonaws.com/restapis/{id}/models/{name}).
import { lazy } from '../../lazy.ts';
import type { Model } from '../../model/generated/types.ts';
import { badRequest } from '../errors.ts';

type Ajv04Class = typeof import('ajv-draft-04').default;
// ajv-draft-04 is CommonJS with the class on `exports.default`.
const ajvDraft04 = lazy<{ default: Ajv04Class }>('ajv-draft-04');

const MODEL_REF = /^https:\/\/apigateway\.amazonaws\.com\/restapis\/([^/]+)\/models\/([^/#]+)(#.*)?$/;

function invalid(detail: string) {
  return badRequest(`Invalid model specified: Validation Result: warnings : [], errors : [${detail}]`);
}

/** Names of the models a schema refers to, in order of appearance. */
export function referencedModels(schema: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown) => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) return v.forEach(walk);
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') {
        const m = MODEL_REF.exec(x);
        if (m !== null && !out.includes(m[2]!)) out.push(m[2]!);
      } else walk(x);
    }
  };
  walk(schema);
  return out;
}

export function parseSchema(text: string | undefined): Record<string, unknown> {
  // AWS's words for a missing or empty schema, for JSON and XML content types alike (recorded).
  if (text === undefined || text.trim() === '') throw badRequest('Model schema must have at least 1 property or array items defined');
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch {
    throw invalid('Invalid model schema specified: the schema is not valid JSON');
  }
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw invalid('Invalid model schema specified: the schema must be a JSON object');
  return schema as Record<string, unknown>;
}

/**
 * Checks a model's schema as draft-04 and that every referenced model exists.
 * `models` are the API's other models by name (their schemas may refer back: cycles are fine).
 */
export function checkModelSchema(restApiId: string, text: string | undefined, models: ReadonlyMap<string, Model>): void {
  const schema = parseSchema(text);
  for (const name of referencedModels(schema)) {
    if (!models.has(name)) throw invalid(`Invalid model identifier specified: ${name}`);
  }
  const ajv = new (ajvDraft04().default)({ strict: false, validateSchema: true, allErrors: false, loadSchema: undefined });
  for (const [name, m] of models) {
    try {
      ajv.addSchema(JSON.parse(m.schema ?? '{}'), modelUrl(restApiId, name));
    } catch {
      // another model's schema was accepted earlier; a broken one does not block this one
    }
  }
  try {
    if (!ajv.validateSchema(stripId(schema))) throw new Error(ajv.errorsText(ajv.errors));
    ajv.compile(stripId(schema));
  } catch (err) {
    throw invalid(`Invalid model schema specified: ${(err as Error).message}`);
  }
}

function stripId(schema: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, ...rest } = schema;
  return rest;
}

export function modelUrl(restApiId: string, name: string): string {
  return `https://apigateway.amazonaws.com/restapis/${restApiId}/models/${name}`;
}

// ------------------------------------------------------------------ default template

/**
 * GetModelTemplate: a Velocity template that rebuilds the model's shape from $input.path('$'),
 * in the form the console's "Generate template from model" produces.
 */
export function modelTemplate(restApiId: string, name: string, models: ReadonlyMap<string, Model>): string {
  const resolve = (s: Record<string, unknown>, depth: number): Record<string, unknown> => {
    const ref = s.$ref;
    if (typeof ref === 'string' && depth < 8) {
      const m = MODEL_REF.exec(ref);
      const target = m ? models.get(m[2]!) : undefined;
      if (target) return resolve(JSON.parse(target.schema ?? '{}'), depth + 1);
    }
    return s;
  };
  const root = resolve(parseSchema(models.get(name)?.schema), 0);
  const lines: string[] = ['#set($inputRoot = $input.path(\'$\'))'];
  const value = (s: Record<string, unknown>, ref: string, indent: string, depth: number): string => {
    s = resolve(s, 0);
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    if (depth > 6) return `"${'$'}${ref}"`;
    if (type === 'object' || (type === undefined && s.properties)) {
      const props = Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>);
      if (props.length === 0) return '{}';
      const inner = props.map(([k, p]) => `${indent}  "${k}" : ${value(p, `${ref}.${k}`, indent + '  ', depth + 1)}`);
      return `{\n${inner.join(',\n')}\n${indent}}`;
    }
    if (type === 'array') {
      const item = (s.items ?? {}) as Record<string, unknown>;
      const v = `elem${depth === 0 ? '' : depth}`;
      return `[\n#foreach($${v} in $${ref})\n${indent} ${value(item, v, indent + ' ', depth + 1)}#if($foreach.hasNext),#end\n\n#end\n${indent}]`;
    }
    if (type === 'string') return `"$${ref}"`;
    return `$${ref}`;
  };
  lines.push(value(root, 'inputRoot', '', 0));
  return lines.join('\n');
}

export const DEFAULT_MODELS: readonly Pick<Model, 'name' | 'description' | 'schema' | 'contentType'>[] = [
  {
    name: 'Error',
    description: 'This is a default error schema model',
    contentType: 'application/json',
    schema: '{\n  "$schema" : "http://json-schema.org/draft-04/schema#",\n  "title" : "Error Schema",\n  "type" : "object",\n  "properties" : {\n    "message" : { "type" : "string" }\n  }\n}',
  },
  {
    name: 'Empty',
    description: 'This is a default empty schema model',
    contentType: 'application/json',
    schema: '{\n  "$schema": "http://json-schema.org/draft-04/schema#",\n  "title" : "Empty Schema",\n  "type" : "object"\n}',
  },
];
