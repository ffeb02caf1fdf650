// Swagger 2.0 / OpenAPI 3.x import and export: ImportRestApi, PutRestApi and GetExport.
import type { Deployment, DocumentationVersion, Stage } from '../model/generated/types.ts';
import type { HandlerTable } from '../control/context.ts';
import { badRequest, notFound } from '../control/errors.ts';
import { K } from '../control/kinds.ts';
import { getApi } from '../control/apis/lookups.ts';
import { loadSnapshot } from '../deploy/index.ts';
import { DOCUMENTATION_VERSION_KIND, documentationVersionParts } from '../control/apis/documentation.ts';
import { errorsFound, importIntoApi, importNewApi, type BasePathMode, type ImportOptions } from './apply.ts';
import { exportApi, parseExtensions, serialize, type ExportedDocumentation, type ExportType } from './export.ts';
import { parseDefinition } from './parse.ts';
import { DefinitionError, readDefinition, type ApiDefinition } from './read.ts';

export { exportApi, serialize, parseExtensions } from './export.ts';
export { parseDefinition } from './parse.ts';
export { readDefinition } from './read.ts';

function importOptions(failOnWarnings: boolean | undefined, parameters: Record<string, string> | undefined, allowEndpointTypes: boolean): ImportOptions {
  const p = parameters ?? {};
  const basePath = (p.basepath ?? p.basePath ?? 'ignore').toLowerCase();
  if (basePath !== 'ignore' && basePath !== 'prepend' && basePath !== 'split') {
    throw badRequest(`Invalid basepath parameter: ${basePath}. Valid values are ignore, prepend and split`);
  }
  const options: ImportOptions = { basePath: basePath as BasePathMode, failOnWarnings: failOnWarnings === true };
  // `ignore=documentation` is the one value AWS documents: the definition's
  // x-amazon-apigateway-documentation is then not imported.
  if (p.ignore !== undefined) {
    const ignored = p.ignore.split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
    const unknown = ignored.filter((v) => v !== 'documentation');
    if (unknown.length > 0 || ignored.length === 0) throw badRequest(`Invalid ignore parameter: ${p.ignore}. The only valid value is documentation`);
    options.ignoreDocumentation = true;
  }
  const types = p.endpointConfigurationTypes;
  if (allowEndpointTypes && types !== undefined) {
    const list = types.split(',').map((t) => t.trim().toUpperCase()).filter(Boolean);
    if (list.length !== 1 || !['EDGE', 'REGIONAL', 'PRIVATE'].includes(list[0]!)) {
      throw badRequest('Invalid endpoint configuration type. Only a single endpoint configuration type (EDGE, REGIONAL or PRIVATE) is supported');
    }
    options.endpointTypes = list;
  }
  return options;
}

/** Parses and reads a definition; every problem that is not a warning ends here as a 400. */
export async function definitionOf(body: Buffer | string): Promise<ApiDefinition> {
  const document = await parseDefinition(body);
  let def: ApiDefinition;
  try {
    def = readDefinition(document);
  } catch (err) {
    if (err instanceof DefinitionError) throw badRequest(err.message);
    throw err;
  }
  if (def.errors.length > 0) throw errorsFound(def.errors);
  return def;
}

const EXPORT_TYPES = ['swagger', 'oas30'];
const EXPORT_ACCEPTS = ['application/json', 'application/yaml'];
// 'integration' is the 2016 guide's spelling. 'postman' is refused: AWS documents only that it
// adds "Postman extensions", not what they are (see docs/openapi.md).
const EXPORT_EXTENSIONS = ['integrations', 'integration', 'apigateway', 'authorizers', 'documentation'];

export const openapiHandlers: HandlerTable = {
  async ImportRestApi(input, ctx) {
    const options = importOptions(input.failOnWarnings, input.parameters, true);
    const def = await definitionOf(input.body);
    return ctx.write((tx) => importNewApi(tx, ctx, def, options));
  },

  async PutRestApi(input, ctx) {
    const mode = input.mode ?? 'merge';
    if (mode !== 'merge' && mode !== 'overwrite') throw badRequest(`Invalid mode: ${String(mode)}. Valid values are merge and overwrite`);
    const options = importOptions(input.failOnWarnings, input.parameters, false);
    const def = await definitionOf(input.body);
    return ctx.write(async (tx) => {
      const api = await getApi(tx, ctx.accountId, input.restApiId);
      return importIntoApi(tx, api, def, options, mode, ctx);
    });
  },

  async GetExport(input, ctx) {
    const { snapshot, deployment, api, documentation } = await ctx.read(async (tx) => {
      const api = await getApi(tx, ctx.accountId, input.restApiId);
      const stage = await tx.get<Stage>(K.stage, input.restApiId, input.stageName);
      if (stage === undefined) throw notFound('Invalid Stage identifier specified');
      const deployment = await tx.get<Deployment>(K.deployment, input.restApiId, stage.deploymentId!);
      const snapshot = await loadSnapshot(tx, input.restApiId, stage.deploymentId!);
      if (deployment === undefined || snapshot === undefined) throw notFound('Invalid Deployment identifier specified');
      // The documentation a stage publishes is the snapshot of its documentation version.
      let documentation: ExportedDocumentation | undefined;
      if (stage.documentationVersion !== undefined && stage.documentationVersion !== '') {
        const version = await tx.get<DocumentationVersion>(DOCUMENTATION_VERSION_KIND, input.restApiId, stage.documentationVersion);
        const parts = await documentationVersionParts(tx, input.restApiId, stage.documentationVersion);
        if (version !== undefined && parts !== undefined) documentation = { version: version.version!, createdDate: version.createdDate, parts };
      }
      return { snapshot, deployment, api, documentation };
    });
    const type = input.exportType;
    if (!EXPORT_TYPES.includes(type)) throw badRequest(`Invalid export type specified: ${type}. Valid values are ${EXPORT_TYPES.join(', ')}`);
    // Without an Accept (or with */*, as curl sends) the export is JSON.
    const accept = (input.accepts ?? '').split(';')[0]!.trim().toLowerCase();
    if (accept !== '' && accept !== '*/*' && !EXPORT_ACCEPTS.includes(accept)) {
      throw badRequest(`Invalid accepts value specified: ${input.accepts}. Valid values are ${EXPORT_ACCEPTS.join(', ')}`);
    }
    const yaml = accept === 'application/yaml';
    const extensions = parseExtensions(input.parameters?.extensions);
    for (const e of extensions) {
      if (e === 'postman') {
        throw badRequest(
          'Invalid extensions parameter specified: postman. Gatehouse does not implement Postman extensions: AWS documents that they exist but not what they are. ' +
            `Valid values are ${EXPORT_EXTENSIONS.join(', ')}`,
        );
      }
      if (!EXPORT_EXTENSIONS.includes(e)) throw badRequest(`Invalid extensions parameter specified: ${e}. Valid values are ${EXPORT_EXTENSIONS.join(', ')}`);
    }
    // As the guide says: documentation parts are exported by default (no extensions parameter)
    // and when the list names 'documentation'; a list without it leaves them out.
    const withDocumentation = extensions.size === 0 || extensions.has('documentation');
    const doc = exportApi(snapshot, {
      type: type as ExportType,
      stageName: input.stageName,
      region: ctx.region,
      deployedAt: deployment.createdDate ?? 0,
      extensions,
      ...(withDocumentation && documentation !== undefined ? { documentation } : {}),
    });
    const ext = yaml ? 'yaml' : 'json';
    // As recorded: {type}_{info.version}.json, typed application/octet-stream.
    const version = String((doc.info as { version?: unknown }).version ?? '').replace(/[^A-Za-z0-9._:-]/g, '_');
    return {
      contentType: yaml ? 'application/yaml' : 'application/octet-stream',
      contentDisposition: `attachment; filename="${type}_${version}.${ext}"`,
      body: Buffer.from(serialize(doc, yaml)),
    };
  },
};
