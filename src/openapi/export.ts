// GetExport: a stage's deployed snapshot as Swagger 2.0 or OpenAPI 3.0, with the API Gateway
// extensions the caller asks for. Output depends only on the snapshot, so the same deployment
// always exports to the same bytes.
import { lazy } from '../lazy.ts';

const yamlLib = lazy<typeof import('yaml')>('yaml');
import type { Authorizer, DocumentationPart, GatewayResponse, Integration, Method, Model, RequestValidator } from '../model/generated/types.ts';
import { AUTHORIZER_KIND } from '../control/apis/authorizers.ts';
import { GATEWAY_RESPONSE_KIND } from '../control/apis/gateway-responses.ts';
import { REQUEST_VALIDATOR_KIND } from '../control/apis/request-validators.ts';
import type { ApiSnapshot } from '../deploy/index.ts';

export type ExportType = 'swagger' | 'oas30';

export interface ExportOptions {
  type: ExportType;
  stageName: string;
  region: string;
  /** Deployment creation time, seconds since the epoch (becomes info.version). */
  deployedAt: number;
  /** Values of the `extensions` parameter: integrations, authorizers, apigateway, documentation. */
  extensions: ReadonlySet<string>;
  /** The stage's documentation version and its snapshot of parts, when they are to be exported. */
  documentation?: ExportedDocumentation;
}

export interface ExportedDocumentation {
  version: string;
  /** Seconds since the epoch. */
  createdDate?: number;
  parts: DocumentationPart[];
}

type Obj = Record<string, unknown>;

const VERB_ORDER = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'ANY'];
const MODEL_URL = /^https:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/([^/#]+)$/;

export function parseExtensions(value: string | undefined): Set<string> {
  return new Set((value ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}

export function exportApi(s: ApiSnapshot, o: ExportOptions): Obj {
  const all = o.extensions.has('apigateway');
  const withIntegrations = all || o.extensions.has('integrations') || o.extensions.has('integration');
  const withAuthorizers = all || withIntegrations || o.extensions.has('authorizers');
  const oas3 = o.type === 'oas30';
  const schemaRef = (name: string) => ({ $ref: `${oas3 ? '#/components/schemas/' : '#/definitions/'}${name}` });
  const authorizers = (s.extras[AUTHORIZER_KIND] ?? []) as Authorizer[];
  const authorizerName = new Map(authorizers.map((a) => [a.id!, a.name!]));
  const validators = (s.extras[REQUEST_VALIDATOR_KIND] ?? []) as RequestValidator[];
  const validatorName = new Map(validators.map((v) => [v.id!, v.name ?? v.id!]));
  let usesApiKey = false;
  let usesSigv4 = false;

  const hasChildren = new Set(s.resources.map((r) => r.parentId).filter((x): x is string => x !== undefined));
  const resources = [...s.resources].filter((r) => r.resourceMethods !== undefined || (r.parentId !== undefined && !hasChildren.has(r.id!)));
  resources.sort((a, b) => (a.path! < b.path! ? -1 : a.path! > b.path! ? 1 : 0));

  const paths: Obj = {};
  for (const r of resources) {
    const item: Obj = {};
    const methods = r.resourceMethods ?? {};
    for (const verb of VERB_ORDER) {
      const m = methods[verb];
      if (m === undefined) continue;
      const op = operation(m, r.id!);
      item[verb === 'ANY' ? 'x-amazon-apigateway-any-method' : verb.toLowerCase()] = op;
    }
    paths[r.path!] = item;
  }

  function operation(m: Method, resourceId: string): Obj {
    const op: Obj = {};
    if (m.operationName !== undefined) op.operationId = m.operationName;
    const requestModels = Object.entries(m.requestModels ?? {});
    const responseTypes = [...new Set(Object.values(m.methodResponses ?? {}).flatMap((r) => Object.keys(r.responseModels ?? {})))];
    // As AWS exports them (recorded): consumes are the request models' and request templates'
    // media types, produces the response models' and integration response templates'.
    if (!oas3) {
      const consumes = new Set(requestModels.map(([ct]) => ct));
      for (const ct of Object.keys(m.methodIntegration?.requestTemplates ?? {})) consumes.add(ct);
      const produces = new Set(responseTypes);
      for (const r of Object.values(m.methodIntegration?.integrationResponses ?? {})) for (const ct of Object.keys(r.responseTemplates ?? {})) produces.add(ct);
      if (consumes.size > 0) op.consumes = [...consumes];
      if (produces.size > 0) op.produces = [...produces];
    }
    const params: Obj[] = [];
    for (const [key, required] of Object.entries(m.requestParameters ?? {})) {
      const match = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(key);
      if (match === null) continue;
      const where = match[1] === 'querystring' ? 'query' : match[1]!;
      // OpenAPI 3 leaves out required: false (recorded); Swagger writes it.
      const p: Obj = { name: match[2], in: where };
      if (where === 'path' || required === true || !oas3) p.required = where === 'path' ? true : required === true;
      if (oas3) p.schema = { type: 'string' };
      else p.type = 'string';
      params.push(p);
    }
    if (!oas3 && requestModels.length > 0) {
      const model = (m.requestModels!['application/json'] ?? requestModels[0]![1])!;
      params.push({ in: 'body', name: model, required: true, schema: schemaRef(model) });
    }
    if (params.length > 0) op.parameters = params;
    if (oas3 && requestModels.length > 0) {
      op.requestBody = { content: Object.fromEntries(requestModels.map(([ct, model]) => [ct, { schema: schemaRef(model) }])), required: true };
    }
    const responses: Obj = {};
    for (const [code, r] of Object.entries(m.methodResponses ?? {})) {
      const out: Obj = { description: `${code} response` };
      const models = Object.entries(r.responseModels ?? {});
      if (!oas3 && models.length > 0) out.schema = schemaRef((r.responseModels!['application/json'] ?? models[0]![1])!);
      const headers = Object.keys(r.responseParameters ?? {})
        .map((k) => /^method\.response\.header\.(.+)$/.exec(k)?.[1])
        .filter((h): h is string => h !== undefined);
      if (headers.length > 0) out.headers = Object.fromEntries(headers.map((h) => [h, oas3 ? { schema: { type: 'string' } } : { type: 'string' }]));
      // AWS writes content {} on a response without models (recorded).
      if (oas3) out.content = Object.fromEntries(models.map(([ct, model]) => [ct, { schema: schemaRef(model) }]));
      responses[code] = out;
    }
    op.responses = responses;
    const security: Obj[] = [];
    if (m.apiKeyRequired) {
      usesApiKey = true;
      security.push({ api_key: [] });
    }
    if (m.authorizationType === 'AWS_IAM') {
      usesSigv4 = true;
      security.push({ sigv4: [] });
    }
    if ((m.authorizationType === 'CUSTOM' || m.authorizationType === 'COGNITO_USER_POOLS') && m.authorizerId !== undefined) {
      const name = authorizerName.get(m.authorizerId);
      if (name !== undefined) security.push({ [name]: m.authorizationScopes ?? [] });
    }
    if (security.length > 0) op.security = security;
    if (all && m.requestValidatorId !== undefined && validatorName.has(m.requestValidatorId)) {
      op['x-amazon-apigateway-request-validator'] = validatorName.get(m.requestValidatorId);
    }
    if (withIntegrations && m.methodIntegration !== undefined) op['x-amazon-apigateway-integration'] = integration(m.methodIntegration, resourceId);
    return op;
  }

  const securitySchemes: Obj = {};
  if (usesApiKey) securitySchemes.api_key = { type: 'apiKey', name: 'x-api-key', in: 'header' };
  if (usesSigv4) securitySchemes.sigv4 = { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' };
  for (const a of authorizers) {
    const header = /^method\.request\.header\.(.+)$/.exec(a.identitySource ?? '')?.[1];
    const def: Obj = { type: 'apiKey', name: header ?? 'Unused', in: 'header' };
    if (a.authType !== undefined) def['x-amazon-apigateway-authtype'] = a.authType;
    if (withAuthorizers) {
      const x: Obj = { type: a.type!.toLowerCase() };
      if (a.authorizerUri !== undefined) x.authorizerUri = a.authorizerUri;
      if (a.authorizerCredentials !== undefined) x.authorizerCredentials = a.authorizerCredentials;
      if (a.providerARNs !== undefined) x.providerARNs = a.providerARNs;
      if (a.identitySource !== undefined) x.identitySource = a.identitySource;
      if (a.identityValidationExpression !== undefined) x.identityValidationExpression = a.identityValidationExpression;
      if (a.authorizerResultTtlInSeconds !== undefined) x.authorizerResultTtlInSeconds = a.authorizerResultTtlInSeconds;
      def['x-amazon-apigateway-authorizer'] = x;
    }
    securitySchemes[a.name!] = def;
  }

  const schemas: Obj = {};
  for (const model of s.models) schemas[model.name!] = exportSchema(model, oas3);

  const info: Obj = {};
  if (s.api.description !== undefined) info.description = s.api.description;
  // The API's version (an imported info.version) or else a date (recorded as "date"; which date is
  // not recorded: the deployment's here).
  info.version = s.api.version ?? isoSeconds(o.deployedAt);
  info.title = s.api.name;

  const host = `${s.api.id}.execute-api.${o.region}.amazonaws.com`;
  const doc: Obj = oas3
    ? { openapi: '3.0.1', info, servers: [{ url: `https://${host}/{basePath}`, variables: { basePath: { default: o.stageName } } }], paths }
    : { swagger: '2.0', info, host, basePath: `/${o.stageName}`, schemes: ['https'], paths };
  if (oas3) {
    const components: Obj = {};
    if (Object.keys(schemas).length > 0) components.schemas = schemas;
    if (Object.keys(securitySchemes).length > 0) components.securitySchemes = securitySchemes;
    doc.components = components; // {} when empty, as AWS exports it (recorded)
  } else {
    if (Object.keys(securitySchemes).length > 0) doc.securityDefinitions = securitySchemes;
    if (Object.keys(schemas).length > 0) doc.definitions = schemas;
  }
  if (all) {
    const gateway = (s.extras[GATEWAY_RESPONSE_KIND] ?? []) as GatewayResponse[];
    if (gateway.length > 0) {
      doc['x-amazon-apigateway-gateway-responses'] = Object.fromEntries(
        gateway.map((g) => {
          const x: Obj = {};
          if (g.statusCode !== undefined) x.statusCode = g.statusCode;
          if (g.responseParameters !== undefined && Object.keys(g.responseParameters).length > 0) x.responseParameters = g.responseParameters;
          if (g.responseTemplates !== undefined && Object.keys(g.responseTemplates).length > 0) x.responseTemplates = g.responseTemplates;
          return [g.responseType!, x];
        }),
      );
    }
    if (validators.length > 0) {
      doc['x-amazon-apigateway-request-validators'] = Object.fromEntries(
        validators.map((v) => [v.name ?? v.id!, { validateRequestBody: v.validateRequestBody ?? false, validateRequestParameters: v.validateRequestParameters ?? false }]),
      );
    }
    if (s.api.apiKeySource !== undefined && s.api.apiKeySource !== 'HEADER') doc['x-amazon-apigateway-api-key-source'] = s.api.apiKeySource;
    if (s.api.binaryMediaTypes !== undefined && s.api.binaryMediaTypes.length > 0) doc['x-amazon-apigateway-binary-media-types'] = s.api.binaryMediaTypes;
    if (s.api.minimumCompressionSize !== undefined) doc['x-amazon-apigateway-minimum-compression-size'] = s.api.minimumCompressionSize;
    if (s.api.policy !== undefined) doc['x-amazon-apigateway-policy'] = parsePolicy(s.api.policy);
  }
  if (o.documentation !== undefined) doc['x-amazon-apigateway-documentation'] = exportDocumentation(o.documentation);
  return doc;
}

/** x-amazon-apigateway-documentation as the guide's export shows it: version, createdDate, parts without ids. */
function exportDocumentation(d: ExportedDocumentation): Obj {
  const out: Obj = { version: d.version };
  if (d.createdDate !== undefined) out.createdDate = isoSeconds(d.createdDate);
  out.documentationParts = d.parts.map((p) => ({ location: { ...p.location }, properties: parseProperties(p.properties) }));
  return out;
}

function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseProperties(p: string | undefined): unknown {
  // Stored properties are always a JSON object (CreateDocumentationPart checks it).
  return JSON.parse(p ?? '{}');
}

function integration(i: Integration, resourceId: string): Obj {
  const x: Obj = { type: i.type!.toLowerCase() };
  if (i.httpMethod !== undefined) x.httpMethod = i.httpMethod;
  if (i.uri !== undefined) x.uri = i.uri;
  if (i.connectionType === 'VPC_LINK') {
    x.connectionType = 'VPC_LINK';
    if (i.connectionId !== undefined) x.connectionId = i.connectionId;
  }
  if (i.credentials !== undefined) x.credentials = i.credentials;
  if (i.requestParameters !== undefined && Object.keys(i.requestParameters).length > 0) x.requestParameters = i.requestParameters;
  if (i.requestTemplates !== undefined && Object.keys(i.requestTemplates).length > 0) x.requestTemplates = i.requestTemplates;
  if (i.integrationResponses !== undefined) {
    const responses: Obj = {};
    // 'default' (no selection pattern) last, as it is the fallback.
    const list = Object.values(i.integrationResponses);
    for (const r of [...list.filter((r) => r.selectionPattern !== undefined && r.selectionPattern !== ''), ...list.filter((r) => !r.selectionPattern)]) {
      const out: Obj = { statusCode: r.statusCode };
      if (r.responseParameters !== undefined && Object.keys(r.responseParameters).length > 0) out.responseParameters = r.responseParameters;
      if (r.responseTemplates !== undefined && Object.keys(r.responseTemplates).length > 0) out.responseTemplates = r.responseTemplates;
      if (r.contentHandling !== undefined) out.contentHandling = r.contentHandling;
      responses[r.selectionPattern ? r.selectionPattern : 'default'] = out;
    }
    x.responses = responses;
  }
  if (i.passthroughBehavior !== undefined) x.passthroughBehavior = i.passthroughBehavior.toLowerCase();
  if (i.contentHandling !== undefined) x.contentHandling = i.contentHandling;
  // The default 29000 is left out, as AWS exports it (recorded).
  if (i.timeoutInMillis !== undefined && i.timeoutInMillis !== 29000) x.timeoutInMillis = i.timeoutInMillis;
  // The default namespace is the resource's own id, which means nothing in another API.
  if (i.cacheNamespace !== undefined && i.cacheNamespace !== resourceId) x.cacheNamespace = i.cacheNamespace;
  if (i.cacheKeyParameters !== undefined && i.cacheKeyParameters.length > 0) x.cacheKeyParameters = i.cacheKeyParameters;
  if (i.tlsConfig !== undefined) x.tlsConfig = i.tlsConfig;
  return x;
}

function exportSchema(model: Model, oas3: boolean): unknown {
  let schema: unknown;
  try {
    schema = JSON.parse(model.schema ?? '{}');
  } catch {
    schema = {};
  }
  const prefix = oas3 ? '#/components/schemas/' : '#/definitions/';
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') {
        const m = MODEL_URL.exec(x);
        out[k] = m !== null ? prefix + m[1] : x;
      } else out[k] = walk(x);
    }
    return out;
  };
  return walk(schema);
}

function parsePolicy(p: string): unknown {
  try {
    return JSON.parse(p);
  } catch {
    return p;
  }
}

export function serialize(doc: Obj, yaml: boolean): string {
  return yaml ? yamlLib().stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 }) : JSON.stringify(doc, null, 2);
}
