// Reading an uploaded API definition: JSON or YAML, with limits that keep a hostile file (huge,
// deeply nested, alias bombs) from costing more than a bounded amount of memory and time.
import { lazy } from '../lazy.ts';

const yamlLib = lazy<typeof import('yaml')>('yaml');
import { badRequest } from '../control/errors.ts';

/** API Gateway's limit on an imported definition. */
export const MAX_DEFINITION_BYTES = 6 * 1024 * 1024;
export const MAX_DEPTH = 64;
export const MAX_NODES = 1_000_000;
/** YAML aliases expanded at most this many times (a "billion laughs" file needs far more). */
export const MAX_YAML_ALIASES = 100;

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const invalid = (detail: string) => badRequest(`Invalid API definition: ${detail}`);

export function parseDefinition(body: Buffer | string): Record<string, unknown> {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size === 0) throw invalid('the body is empty');
  if (size > MAX_DEFINITION_BYTES) throw invalid(`the definition is ${size} bytes; the limit is ${MAX_DEFINITION_BYTES} bytes`);
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, '');
  let value: unknown;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      value = JSON.parse(text);
    } catch (err) {
      // JSON is YAML, but a broken JSON file reads better with JSON's error.
      if (err instanceof RangeError) throw invalid('the definition is nested too deeply');
      value = parseYaml(text, (err as Error).message);
    }
  } else {
    value = parseYaml(text);
  }
  checkShape(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('the definition must be a JSON or YAML object');
  return value as Record<string, unknown>;
}

function parseYaml(text: string, jsonError?: string): unknown {
  let doc;
  try {
    doc = yamlLib().parseDocument(text, { uniqueKeys: true, merge: false, prettyErrors: false });
  } catch (err) {
    if (err instanceof RangeError) throw invalid('the definition is nested too deeply');
    throw invalid(`the body is neither JSON nor YAML (${(err as Error).message})`);
  }
  if (doc.errors.length > 0) {
    const detail = jsonError ?? doc.errors[0]!.message.split('\n')[0];
    throw invalid(`the body is neither valid JSON nor valid YAML (${detail})`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    if (err instanceof RangeError) throw invalid('the definition is nested too deeply');
    throw invalid(`the YAML could not be read (${(err as Error).message})`);
  }
}

/** Depth and size limits, checked without recursion. */
function checkShape(root: unknown): void {
  const stack: [unknown, number][] = [[root, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (++nodes > MAX_NODES) throw invalid(`the definition has more than ${MAX_NODES} values`);
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function') throw invalid('the definition holds a value JSON cannot represent');
      continue;
    }
    if (depth >= MAX_DEPTH) throw invalid(`the definition is nested deeper than ${MAX_DEPTH} levels`);
    if (v instanceof Date) continue;
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, depth + 1]);
  }
}
