// Reading an uploaded API definition: JSON or YAML, with limits that keep a hostile file (huge,
// deeply nested, alias bombs) from costing more than a bounded amount of memory and time, and
// from holding up anyone else's requests while it is read.
import { badRequest } from '../control/errors.ts';
import { log } from '../observe/log.ts';
import { exceedsNesting } from './nesting.ts';
import { parseDefinitionText, parseJsonDefinition, DefinitionParseError, MAX_DEPTH } from './parse-text.ts';
import { parseInWorker } from './parse-worker-pool.ts';

export { MAX_DEPTH, MAX_NODES, MAX_YAML_ALIASES } from './parse-text.ts';

/** API Gateway's limit on an imported definition. */
export const MAX_DEFINITION_BYTES = 6 * 1024 * 1024;
/**
 * Columns of indentation (plus `- ` indicators) a YAML line may start at. Deep enough for 64
 * levels at eight spaces each; a line further in is refused before parsing.
 */
export const MAX_INDENT = 512;
/**
 * Definitions up to this size are parsed on the event loop (a few milliseconds), and so is valid
 * JSON of any size; larger YAML goes to a worker thread, because the YAML parser reads about a
 * megabyte a second.
 */
export const INLINE_MAX_BYTES = 64 * 1024;

/** What API Gateway answers for a body it cannot read as a definition, whatever the reason. */
export const UNREADABLE_MESSAGE = 'Invalid OpenAPI input.';

function unreadable(detail: string): Error {
  // AWS gives no detail; the server log keeps it for whoever runs the gateway.
  log().info({ reason: detail }, 'import: definition not readable');
  return badRequest(UNREADABLE_MESSAGE);
}

/** The definition's document, or a 400 `Invalid OpenAPI input.` */
export async function parseDefinition(body: Buffer | string): Promise<Record<string, unknown>> {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > MAX_DEFINITION_BYTES) throw badRequest(`Invalid API definition: the definition is ${size} bytes; the limit is ${MAX_DEFINITION_BYTES} bytes`);
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, '');
  if (text.trim() === '') throw unreadable('the body is empty');
  const trimmed = text.trimStart();
  const json = trimmed.startsWith('{') || trimmed.startsWith('[');
  if (exceedsNesting(text, MAX_DEPTH, MAX_INDENT, !json)) throw unreadable(`the definition is nested deeper than ${MAX_DEPTH} levels`);
  try {
    if (size <= INLINE_MAX_BYTES) return parseDefinitionText(text);
    return (json ? parseJsonDefinition(text) : undefined) ?? (await parseInWorker(text));
  } catch (err) {
    if (err instanceof DefinitionParseError) throw unreadable(err.message);
    throw err;
  }
}
