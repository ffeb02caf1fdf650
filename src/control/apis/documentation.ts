// API documentation: documentation parts (content attached to a location in the API) and
// documentation versions (named snapshots of all parts, which a stage can point at).
import { exceedsNesting } from '../../openapi/nesting.ts';
import { MAX_DEPTH, parseDefinitionText } from '../../openapi/parse-text.ts';
import { MAX_INDENT } from '../../openapi/parse.ts';
import type { DocumentationPart, DocumentationPartLocation, DocumentationVersion, ImportDocumentationPartsRequest, Stage } from '../../model/generated/types.ts';
import type { ReadTx, WriteTx } from '../../store/index.ts';
import type { HandlerTable } from '../context.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import { newId, now } from '../ids.ts';
import { K } from '../kinds.ts';
import { listPage, pageArray } from '../paging.ts';
import { applyPatch, field, type PatchRule } from '../patch.ts';
import { HTTP_METHODS } from './methods.ts';
import { getStage } from './stages.ts';

export const DOCUMENTATION_PART_KIND = K.documentationPart;
export const DOCUMENTATION_VERSION_KIND = K.documentationVersion;
/** The parts as they were when a version was created; id = the version. */
export const DOCUMENTATION_VERSION_PARTS_KIND = K.documentationVersionParts;

type LocationType = DocumentationPartLocation['type'];
type Field = 'path' | 'method' | 'statusCode' | 'name';

/** Per location type: the fields it may have, and whether `name` is required. */
const LOCATION_FIELDS: Record<LocationType, { fields: Field[]; nameRequired: boolean }> = {
  API: { fields: [], nameRequired: false },
  AUTHORIZER: { fields: ['name'], nameRequired: true },
  MODEL: { fields: ['name'], nameRequired: true },
  RESOURCE: { fields: ['path'], nameRequired: false },
  METHOD: { fields: ['path', 'method'], nameRequired: false },
  PATH_PARAMETER: { fields: ['path', 'method', 'name'], nameRequired: true },
  QUERY_PARAMETER: { fields: ['path', 'method', 'name'], nameRequired: true },
  REQUEST_HEADER: { fields: ['path', 'method', 'name'], nameRequired: true },
  REQUEST_BODY: { fields: ['path', 'method', 'name'], nameRequired: false },
  RESPONSE: { fields: ['path', 'method', 'statusCode'], nameRequired: false },
  RESPONSE_HEADER: { fields: ['path', 'method', 'statusCode', 'name'], nameRequired: true },
  RESPONSE_BODY: { fields: ['path', 'method', 'statusCode', 'name'], nameRequired: false },
};
export const LOCATION_TYPES = Object.keys(LOCATION_FIELDS) as LocationType[];

/** Validates a location and returns it with AWS's defaults filled in (path '/', method and statusCode '*'). */
export function normalizeLocation(loc: Partial<DocumentationPartLocation> | undefined): DocumentationPartLocation {
  if (loc === undefined || loc === null || typeof loc !== 'object') throw badRequest('Documentation part location must be specified');
  const type = loc.type as LocationType;
  const spec = LOCATION_FIELDS[type];
  if (spec === undefined) {
    throw badRequest(`Invalid documentation part location type specified: ${String(loc.type)}. Valid values are ${LOCATION_TYPES.join(', ')}`);
  }
  for (const f of ['path', 'method', 'statusCode', 'name'] as Field[]) {
    if (loc[f] !== undefined && loc[f] !== null && !spec.fields.includes(f)) {
      throw badRequest(`Invalid location: '${f}' is not a valid field for documentation parts of type ${type}`);
    }
  }
  const out: DocumentationPartLocation = { type };
  if (spec.fields.includes('path')) {
    const path = loc.path ?? '/';
    if (typeof path !== 'string' || !path.startsWith('/') || /\s/.test(path) || (path.length > 1 && path.endsWith('/'))) {
      throw badRequest(`Invalid location: '${String(path)}' is not a valid resource path`);
    }
    out.path = path;
  }
  if (spec.fields.includes('method')) {
    const method = loc.method ?? '*';
    if (method !== '*' && !HTTP_METHODS.includes(method)) throw badRequest(`Invalid location: '${method}' is not a valid HTTP method. Valid values are *, ${HTTP_METHODS.join(', ')}`);
    out.method = method;
  }
  if (spec.fields.includes('statusCode')) {
    const code = loc.statusCode ?? '*';
    if (code !== '*' && !/^[1-5]\d\d$/.test(code)) throw badRequest(`Invalid location: '${code}' is not a valid status code`);
    out.statusCode = code;
  }
  if (spec.fields.includes('name')) {
    if (loc.name !== undefined && loc.name !== '') out.name = loc.name;
    else if (spec.nameRequired) throw badRequest(`Invalid location: 'name' is required for documentation parts of type ${type}`);
  }
  return out;
}

function locationKey(l: DocumentationPartLocation): string {
  return JSON.stringify([l.type, l.path ?? null, l.method ?? null, l.statusCode ?? null, l.name ?? null]);
}

function describeLocation(l: DocumentationPartLocation): string {
  return Object.entries(l).map(([k, v]) => `${k}=${v}`).join(', ');
}

/** Properties are a JSON object encoded as a string. */
function checkProperties(properties: string | undefined): string {
  if (properties === undefined) throw badRequest('Documentation part properties must be specified');
  let parsed: unknown;
  try {
    parsed = JSON.parse(properties);
  } catch {
    throw badRequest('Invalid documentation part properties: properties must be a JSON object encoded as a string');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('Invalid documentation part properties: properties must be a JSON object encoded as a string');
  }
  return properties;
}

function isDocumented(p: DocumentationPart): boolean {
  try {
    const v = JSON.parse(p.properties ?? '{}');
    return v !== null && typeof v === 'object' && Object.keys(v).length > 0;
  } catch {
    return (p.properties ?? '') !== '';
  }
}

async function allParts(tx: ReadTx, restApiId: string): Promise<DocumentationPart[]> {
  const out: DocumentationPart[] = [];
  let after: string | undefined;
  do {
    const page = await tx.list<DocumentationPart>(DOCUMENTATION_PART_KIND, restApiId, { after, limit: 500 });
    out.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return out;
}

async function getPart(tx: ReadTx, restApiId: string, id: string): Promise<DocumentationPart> {
  const p = await tx.get<DocumentationPart>(DOCUMENTATION_PART_KIND, restApiId, id);
  if (p === undefined) throw notFound('Invalid Documentation part identifier specified');
  return p;
}

async function getVersion(tx: ReadTx, restApiId: string, version: string): Promise<DocumentationVersion> {
  const v = await tx.get<DocumentationVersion>(DOCUMENTATION_VERSION_KIND, restApiId, version);
  if (v === undefined) throw notFound('Invalid Documentation version identifier specified');
  return v;
}

/** The parts a documentation version captured (for exports and the execution plane). */
export async function documentationVersionParts(tx: ReadTx, restApiId: string, version: string): Promise<DocumentationPart[] | undefined> {
  return (await tx.get<{ parts: DocumentationPart[] }>(DOCUMENTATION_VERSION_PARTS_KIND, restApiId, version))?.parts;
}

async function insertPart(tx: WriteTx, restApiId: string, location: DocumentationPartLocation, properties: string): Promise<DocumentationPart> {
  const part: DocumentationPart = { id: newId(6), location, properties };
  await tx.put(DOCUMENTATION_PART_KIND, restApiId, part.id!, part);
  return part;
}

// ------------------------------------------------------------------ import

export const DOCUMENTATION_EXTENSION = 'x-amazon-apigateway-documentation';
const EXTENSION = DOCUMENTATION_EXTENSION;

function parseDefinition(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  let doc: unknown;
  try {
    // Bounded as an imported definition is (src/openapi): nesting refused before parsing (5 MB of
    // '[' stalled the server for minutes), YAML aliases limited while reading.
    if (exceedsNesting(text, MAX_DEPTH, MAX_INDENT, !text.trimStart().startsWith('{'))) throw new Error('nested too deeply');
    doc = parseDefinitionText(text);
  } catch {
    // AWS's words for a body that is not JSON or YAML (recorded, for both).
    throw badRequest('Unable to build importer with provided input.');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw badRequest('Unable to build importer with provided input.');
  return doc as Record<string, unknown>;
}

async function importParts(tx: WriteTx, restApiId: string, input: ImportDocumentationPartsRequest): Promise<{ ids: string[]; warnings?: string[] }> {
  const mode = input.mode ?? 'merge';
  if (mode !== 'merge' && mode !== 'overwrite') throw badRequest(`Invalid import mode specified: ${String(mode)}. Valid values are merge, overwrite`);
  return importDocumentationFrom(tx, restApiId, parseDefinition(input.body), mode, input.failOnWarnings === true);
}

/**
 * Writes the parts of an already parsed definition's x-amazon-apigateway-documentation into the
 * caller's transaction (ImportDocumentationParts, and ImportRestApi / PutRestApi).
 */
export async function importDocumentationFrom(
  tx: WriteTx, restApiId: string, def: Record<string, unknown>, mode: 'merge' | 'overwrite', failOnWarnings: boolean,
): Promise<{ ids: string[]; warnings?: string[] }> {
  const warnings: string[] = [];
  const entries: { location: DocumentationPartLocation; properties: string }[] = [];
  const ext = def[EXTENSION] as { documentationParts?: unknown } | undefined;
  if (ext === undefined) {
    warnings.push(`The definition has no ${EXTENSION} extension: no documentation parts were imported`);
  } else if (ext === null || typeof ext !== 'object' || !Array.isArray(ext.documentationParts)) {
    warnings.push(`${EXTENSION}.documentationParts must be a list of {location, properties}`);
  } else {
    const seen = new Set<string>();
    ext.documentationParts.forEach((raw: unknown, i: number) => {
      try {
        const p = raw as { location?: DocumentationPartLocation; properties?: unknown };
        if (p === null || typeof p !== 'object') throw badRequest('a documentation part must be an object');
        const location = normalizeLocation(p.location);
        const props = p.properties;
        if (props === null || typeof props !== 'object' || Array.isArray(props)) throw badRequest('properties must be an object');
        const key = locationKey(location);
        if (seen.has(key)) throw badRequest(`another documentation part in the definition has the same location (${describeLocation(location)})`);
        seen.add(key);
        entries.push({ location, properties: JSON.stringify(props) });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        warnings.push(`Documentation part ${i + 1} was not imported: ${err.message}`);
      }
    });
  }
  if (warnings.length > 0 && failOnWarnings) {
    throw badRequest(`Import failed on warnings: [${warnings.join('; ')}]`);
  }
  if (mode === 'overwrite') await tx.deleteChildren(restApiId, [DOCUMENTATION_PART_KIND]);
  const existing = new Map((mode === 'overwrite' ? [] : await allParts(tx, restApiId)).map((p) => [locationKey(p.location!), p]));
  const ids: string[] = [];
  for (const e of entries) {
    const old = existing.get(locationKey(e.location));
    if (old !== undefined) {
      await tx.put(DOCUMENTATION_PART_KIND, restApiId, old.id!, { ...old, properties: e.properties });
      ids.push(old.id!);
    } else {
      ids.push((await insertPart(tx, restApiId, e.location, e.properties)).id!);
    }
  }
  return warnings.length > 0 ? { ids, warnings } : { ids };
}

// ------------------------------------------------------------------ handlers

const partRules: PatchRule<DocumentationPart>[] = [field('properties', { check: (v) => checkProperties(v as string) })];
const versionRules: PatchRule<DocumentationVersion>[] = [field('description', { ops: ['replace', 'add', 'remove'] })];

export const documentationHandlers: HandlerTable = {
  async CreateDocumentationPart(input, ctx) {
    return ctx.write(async (tx) => {
      const location = normalizeLocation(input.location);
      const properties = checkProperties(input.properties);
      const key = locationKey(location);
      if ((await allParts(tx, input.restApiId)).some((p) => locationKey(p.location!) === key)) {
        throw conflict(`Documentation part already exists for the specified location: ${describeLocation(location)}`);
      }
      return insertPart(tx, input.restApiId, location, properties);
    });
  },

  async GetDocumentationPart(input, ctx) {
    return ctx.read(async (tx) => {
      // The part is looked up first: a missing API answers "Invalid Documentation part identifier specified" (recorded).
      return getPart(tx, input.restApiId, input.documentationPartId);
    });
  },

  async GetDocumentationParts(input, ctx) {
    return ctx.read(async (tx) => {
      const nameQuery = input.nameQuery?.toLowerCase();
      const parts = (await allParts(tx, input.restApiId)).filter((p) => {
        const l = p.location!;
        if (input.type !== undefined && l.type !== input.type) return false;
        if (input.path !== undefined && l.path !== input.path) return false;
        if (nameQuery !== undefined && !(l.name ?? '').toLowerCase().includes(nameQuery)) return false;
        if (input.locationStatus === 'DOCUMENTED' && !isDocumented(p)) return false;
        if (input.locationStatus === 'UNDOCUMENTED' && isDocumented(p)) return false;
        return true;
      });
      return pageArray(parts, input);
    });
  },

  async UpdateDocumentationPart(input, ctx) {
    return ctx.write(async (tx) => {
      // The part is looked up first: a missing API answers "Invalid Documentation part identifier specified" (recorded).
      const p = await getPart(tx, input.restApiId, input.documentationPartId);
      const next = applyPatch(p, input.patchOperations, partRules);
      await tx.put(DOCUMENTATION_PART_KIND, input.restApiId, p.id!, next);
      return next;
    });
  },

  async DeleteDocumentationPart(input, ctx) {
    await ctx.write(async (tx) => {
      await getPart(tx, input.restApiId, input.documentationPartId);
      await tx.delete(DOCUMENTATION_PART_KIND, input.restApiId, input.documentationPartId);
    });
  },

  async ImportDocumentationParts(input, ctx) {
    return ctx.write((tx) => importParts(tx, input.restApiId, input));
  },

  async CreateDocumentationVersion(input, ctx) {
    const out = await ctx.write(async (tx) => {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(input.documentationVersion)) {
        throw badRequest(`Invalid documentation version specified: ${input.documentationVersion}. Versions may contain a-zA-Z0-9._- and be at most 64 characters long`);
      }
      if (await tx.get(DOCUMENTATION_VERSION_KIND, input.restApiId, input.documentationVersion)) {
        throw conflict(`Documentation version already exists: ${input.documentationVersion}`);
      }
      let stage: Stage | undefined;
      if (input.stageName !== undefined && input.stageName !== '') stage = await getStage(tx, input.restApiId, input.stageName);
      const v: DocumentationVersion = { version: input.documentationVersion, createdDate: now() };
      if (input.description !== undefined) v.description = input.description;
      await tx.put(DOCUMENTATION_VERSION_KIND, input.restApiId, v.version!, v);
      await tx.put(DOCUMENTATION_VERSION_PARTS_KIND, input.restApiId, v.version!, { parts: await allParts(tx, input.restApiId) });
      if (stage !== undefined) {
        await tx.put(K.stage, input.restApiId, input.stageName!, { ...stage, documentationVersion: v.version, lastUpdatedDate: now() });
      }
      return v;
    });
    return out;
  },

  async GetDocumentationVersion(input, ctx) {
    return ctx.read((tx) => getVersion(tx, input.restApiId, input.documentationVersion));
  },

  async GetDocumentationVersions(input, ctx) {
    return ctx.read((tx) => listPage<DocumentationVersion>(tx, DOCUMENTATION_VERSION_KIND, input.restApiId, input));
  },

  async UpdateDocumentationVersion(input, ctx) {
    return ctx.write(async (tx) => {
      const v = await getVersion(tx, input.restApiId, input.documentationVersion);
      const next = applyPatch(v, input.patchOperations, versionRules);
      await tx.put(DOCUMENTATION_VERSION_KIND, input.restApiId, v.version!, next);
      return next;
    });
  },

  async DeleteDocumentationVersion(input, ctx) {
    await ctx.write(async (tx) => {
      await getVersion(tx, input.restApiId, input.documentationVersion);
      await tx.delete(DOCUMENTATION_VERSION_KIND, input.restApiId, input.documentationVersion);
      await tx.delete(DOCUMENTATION_VERSION_PARTS_KIND, input.restApiId, input.documentationVersion);
    });
  },
};
