// Text to document, synchronously: run on the event loop for small definitions and inside the
// parse worker for large ones, so it imports nothing of the server.
import { lazy } from '../lazy.ts';

const yamlLib = lazy<typeof import('yaml')>('yaml');

export const MAX_DEPTH = 64;
export const MAX_NODES = 1_000_000;
/** YAML aliases expanded at most this many times (a "billion laughs" file needs far more). */
export const MAX_YAML_ALIASES = 100;

/** Why a text is not a definition; the caller decides what the client is told. */
export class DefinitionParseError extends Error {}

export function parseDefinitionText(text: string): Record<string, unknown> {
  let value: unknown;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      value = JSON.parse(text);
    } catch (err) {
      // JSON is YAML, but a broken JSON file reads better with JSON's error.
      if (err instanceof RangeError) throw new DefinitionParseError('the definition is nested too deeply');
      value = parseYaml(text, (err as Error).message);
    }
  } else {
    value = parseYaml(text);
  }
  checkShape(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DefinitionParseError('the definition must be a JSON or YAML object');
  return value as Record<string, unknown>;
}

/**
 * A JSON body's document, or undefined when the text is not JSON (then it may still be YAML).
 * JSON.parse is fast enough for the event loop at any allowed size (about 60 ms for 6 MB); only
 * YAML needs the worker.
 */
export function parseJsonDefinition(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (err instanceof RangeError) throw new DefinitionParseError('the definition is nested too deeply');
    return undefined;
  }
  checkShape(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DefinitionParseError('the definition must be a JSON or YAML object');
  return value as Record<string, unknown>;
}

function parseYaml(text: string, jsonError?: string): unknown {
  let doc;
  try {
    // Duplicate keys: the last wins. AWS imports such definitions: the public sample
    // aws-samples/amazon-api-gateway-step-functions-xml deploys one with `paths:` written twice.
    doc = yamlLib().parseDocument(text, { uniqueKeys: false, merge: false, prettyErrors: false });
  } catch (err) {
    if (err instanceof RangeError) throw new DefinitionParseError('the definition is nested too deeply');
    throw new DefinitionParseError(`the body is neither JSON nor YAML (${(err as Error).message})`);
  }
  if (doc.errors.length > 0) {
    const detail = jsonError ?? doc.errors[0]!.message.split('\n')[0];
    throw new DefinitionParseError(`the body is neither valid JSON nor valid YAML (${detail})`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    if (err instanceof RangeError) throw new DefinitionParseError('the definition is nested too deeply');
    throw new DefinitionParseError(`the YAML could not be read (${(err as Error).message})`);
  }
}

/** Depth and size limits, checked without recursion. */
function checkShape(root: unknown): void {
  const stack: [unknown, number][] = [[root, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (++nodes > MAX_NODES) throw new DefinitionParseError(`the definition has more than ${MAX_NODES} values`);
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function') throw new DefinitionParseError('the definition holds a value JSON cannot represent');
      continue;
    }
    if (depth >= MAX_DEPTH) throw new DefinitionParseError(`the definition is nested deeper than ${MAX_DEPTH} levels`);
    if (v instanceof Date) continue;
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, depth + 1]);
  }
}
