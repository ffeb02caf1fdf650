// Reads a Swagger 2.0 or OpenAPI 3.x document with API Gateway's extensions into an
// ApiDefinition: what the import will create, independent of the store. Minor problems become
// warnings (as API Gateway reports them on the RestApi); major ones are collected as errors.
import { createHash } from 'node:crypto';
import type { Authorizer, GatewayResponse, Integration, IntegrationResponse } from '../model/generated/types.ts';

export const MAX_PATHS = 3000;
export const MAX_MODELS = 2000;

export interface ModelDef {
  name: string;
  contentType: string;
  description?: string;
  /** JSON schema whose model references are `{ "$ref": MODEL_REF + name }` until the API id is known. */
  schema: Record<string, unknown>;
}

export interface MethodResponseDef {
  statusCode: string;
  responseParameters?: Record<string, boolean>;
  responseModels?: Record<string, string>;
}

export interface MethodDef {
  path: string;
  verb: string;
  operationName?: string;
  apiKeyRequired: boolean;
  authorizationType: string;
  authorizerName?: string;
  authorizationScopes?: string[];
  validatorName?: string;
  requestParameters?: Record<string, boolean>;
  requestModels?: Record<string, string>;
  methodResponses?: Record<string, MethodResponseDef>;
  integration?: Integration;
  /** Integration request parameters whose value is not a string: [name, value as written]. */
  droppedRequestParameters?: [string, string][];
}

export interface ValidatorDef {
  name: string;
  validateRequestBody: boolean;
  validateRequestParameters: boolean;
}

export interface ApiDefinition {
  format: 'swagger' | 'oas3';
  title: string;
  description?: string;
  version?: string;
  basePath?: string;
  apiKeySource?: string;
  binaryMediaTypes?: string[];
  minimumCompressionSize?: number;
  policy?: string;
  endpointTypes?: string[];
  models: ModelDef[];
  authorizers: Authorizer[];
  validators: ValidatorDef[];
  gatewayResponses: GatewayResponse[];
  /** Every path the definition declares, methods or not, in document order. */
  paths: string[];
  methods: MethodDef[];
  /** The raw x-amazon-apigateway-documentation object, when the definition has one. */
  documentation?: unknown;
  warnings: string[];
  errors: string[];
}

/** Marks a model reference inside a schema until the API's id is known. */
export const MODEL_REF = 'gatehouse:model/';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);
const nonEmpty = (v: unknown): string | undefined => (str(v) === '' ? undefined : str(v));

const VERBS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];
const ANY = 'x-amazon-apigateway-any-method';

export function readDefinition(doc: Obj): ApiDefinition {
  return new Reader(doc).read();
}

class Reader {
  private readonly doc: Obj;
  private readonly oas3: boolean;
  private readonly warnings: string[] = [];
  private readonly errors: string[] = [];
  private readonly models = new Map<string, ModelDef>();
  private readonly definitionNames = new Set<string>();
  private readonly inlineModels = new Map<string, string>();
  private readonly schemes = new Map<string, { kind: 'apikey' | 'sigv4' | 'authorizer' | 'other'; authorizer?: Authorizer }>();

  constructor(doc: Obj) {
    this.doc = doc;
    // `swagger: 2.0` and `openapi: 3.0` unquoted in YAML are numbers (2 and 3): AWS takes them.
    const swagger = typeof doc.swagger === 'number' ? doc.swagger.toFixed(1) : str(doc.swagger);
    const openapi = typeof doc.openapi === 'number' ? String(doc.openapi) : str(doc.openapi);
    if (swagger === '2.0') this.oas3 = false;
    else if (openapi !== undefined && /^3(\.\d+){0,2}$/.test(openapi)) this.oas3 = true;
    else {
      throw new DefinitionError(
        swagger !== undefined || openapi !== undefined
          ? `Unsupported version: ${swagger !== undefined ? `swagger ${swagger}` : `openapi ${openapi}`}. Only Swagger 2.0 and OpenAPI 3.x definitions can be imported`
          : "The definition is neither Swagger 2.0 (a 'swagger: \"2.0\"' field) nor OpenAPI 3.x (an 'openapi: 3.x.x' field)",
      );
    }
  }

  read(): ApiDefinition {
    const doc = this.doc;
    const info = isObj(doc.info) ? doc.info : {};
    const title = str(info.title);
    if (!isObj(doc.paths) && doc.paths !== undefined) this.errors.push("Invalid API definition: 'paths' must be an object");
    const def: ApiDefinition = {
      format: this.oas3 ? 'oas3' : 'swagger',
      title: title?.trim() ? title : '',
      models: [],
      authorizers: [],
      validators: [],
      gatewayResponses: [],
      paths: [],
      methods: [],
      warnings: this.warnings,
      errors: this.errors,
    };
    if (str(info.description) !== undefined) def.description = str(info.description);
    if (str(info.version) !== undefined) def.version = str(info.version);
    def.basePath = this.basePath();
    this.readApiExtensions(def);
    this.readDefinitions();
    this.readSecuritySchemes(def);
    def.validators = this.readValidators();
    def.gatewayResponses = this.readGatewayResponses();
    this.readPaths(def);
    def.models = [...this.models.values()];
    if (doc['x-amazon-apigateway-documentation'] !== undefined) def.documentation = doc['x-amazon-apigateway-documentation'];
    return def;
  }

  // ---------------------------------------------------------------- top level

  private basePath(): string | undefined {
    if (!this.oas3) return str(this.doc.basePath);
    const servers = Array.isArray(this.doc.servers) ? this.doc.servers : [];
    const first = servers.find(isObj);
    if (first === undefined) return undefined;
    const vars = isObj(first.variables) ? first.variables : {};
    const bp = isObj(vars.basePath) ? str(vars.basePath.default) : undefined;
    if (bp !== undefined) return bp.startsWith('/') ? bp : `/${bp}`;
    const url = str(first.url) ?? '';
    try {
      return new URL(url.replace(/\{[^}]*\}/g, 'x'), 'https://placeholder.invalid').pathname;
    } catch {
      return undefined;
    }
  }

  private readApiExtensions(def: ApiDefinition): void {
    const d = this.doc;
    const source = d['x-amazon-apigateway-api-key-source'];
    if (source !== undefined) {
      const s = str(source)?.toUpperCase();
      if (s !== 'HEADER' && s !== 'AUTHORIZER') this.errors.push(`Invalid x-amazon-apigateway-api-key-source: ${String(source)}. Valid values are HEADER and AUTHORIZER`);
      else def.apiKeySource = s;
    }
    const binary = d['x-amazon-apigateway-binary-media-types'];
    if (binary !== undefined) {
      if (!Array.isArray(binary) || binary.some((t) => typeof t !== 'string')) this.errors.push('Invalid x-amazon-apigateway-binary-media-types: must be an array of media type strings');
      else if (binary.length > 0) def.binaryMediaTypes = [...new Set(binary as string[])];
    }
    const mcs = d['x-amazon-apigateway-minimum-compression-size'];
    if (mcs !== undefined) {
      if (typeof mcs !== 'number' || !Number.isInteger(mcs)) this.errors.push('Invalid x-amazon-apigateway-minimum-compression-size: must be an integer');
      else def.minimumCompressionSize = mcs;
    }
    const policy = d['x-amazon-apigateway-policy'];
    if (policy !== undefined) def.policy = typeof policy === 'string' ? policy : JSON.stringify(policy);
    const ec = d['x-amazon-apigateway-endpoint-configuration'];
    if (isObj(ec) && Array.isArray(ec.types)) def.endpointTypes = ec.types.map(String);
  }

  private ref(v: unknown, depth = 0): unknown {
    if (!isObj(v) || typeof v.$ref !== 'string' || depth > 16) return v;
    const ref = v.$ref;
    if (!ref.startsWith('#/')) return v;
    let cur: unknown = this.doc;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (!isObj(cur) && !Array.isArray(cur)) return undefined;
      cur = (cur as Obj)[key];
    }
    return this.ref(cur, depth + 1);
  }

  // ---------------------------------------------------------------- models

  private schemaPrefix(): string {
    return this.oas3 ? '#/components/schemas/' : '#/definitions/';
  }

  private readDefinitions(): void {
    const defs = this.oas3 ? (isObj(this.doc.components) ? this.doc.components.schemas : undefined) : this.doc.definitions;
    if (defs === undefined) return;
    if (!isObj(defs)) {
      this.errors.push(`Invalid API definition: '${this.oas3 ? 'components.schemas' : 'definitions'}' must be an object`);
      return;
    }
    const names = Object.keys(defs);
    if (names.length > MAX_MODELS) {
      this.errors.push(`Too many models: ${names.length}; the limit is ${MAX_MODELS}`);
      return;
    }
    for (const name of names) this.definitionNames.add(name);
    for (const name of names) {
      if (!/^[A-Za-z0-9]+$/.test(name)) {
        this.errors.push(`Unable to create model '${name}': Model name must be alphanumeric`);
        continue;
      }
      const schema = defs[name];
      if (!isObj(schema)) {
        this.errors.push(`Unable to create model '${name}': the schema must be an object`);
        continue;
      }
      const m: ModelDef = { name, contentType: 'application/json', schema: this.modelSchema(schema, `model '${name}'`) };
      if (typeof schema.description === 'string') m.description = schema.description;
      this.models.set(name, m);
    }
  }

  /** Copies a schema, pointing references to other definitions at their models. */
  private modelSchema(schema: Obj, where: string): Obj {
    const prefix = this.schemaPrefix();
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk);
      if (!isObj(v)) return v;
      if (typeof v.$ref === 'string') {
        const ref = v.$ref;
        if (ref.startsWith(prefix) && this.definitionNames.has(decodeURIComponent(ref.slice(prefix.length)))) {
          return { $ref: MODEL_REF + decodeURIComponent(ref.slice(prefix.length)) };
        }
        this.warnings.push(`Ignoring reference '${ref}' in ${where}: it does not name a model the definition declares`);
        return {};
      }
      const out: Obj = {};
      for (const [k, x] of Object.entries(v)) out[k] = k === 'properties' || k === 'definitions' || k === 'patternProperties' ? mapValues(x, walk) : walk(x);
      return out;
    };
    return walk(schema) as Obj;
  }

  /** The model for a body or response schema: a named definition, or a model made for an inline one. */
  private modelFor(schema: unknown, where: string): string | undefined {
    if (!isObj(schema)) return undefined;
    if (typeof schema.$ref === 'string') {
      const prefix = this.schemaPrefix();
      const name = schema.$ref.startsWith(prefix) ? decodeURIComponent(schema.$ref.slice(prefix.length)) : undefined;
      if (name !== undefined && this.models.has(name)) return name;
      this.warnings.push(`Unable to find model for ${where}: '${schema.$ref}' is not a model the definition declares; the model is left out`);
      return undefined;
    }
    if (Object.keys(schema).length === 0) return undefined;
    const copy = this.modelSchema(schema, where);
    const canonical = stableJson(copy);
    let name = this.inlineModels.get(canonical);
    if (name === undefined) {
      name = 'Model' + createHash('sha256').update(canonical).digest('hex').slice(0, 10);
      this.inlineModels.set(canonical, name);
      this.models.set(name, { name, contentType: 'application/json', schema: copy });
    }
    return name;
  }

  // ---------------------------------------------------------------- security

  private readSecuritySchemes(def: ApiDefinition): void {
    // An OpenAPI 3 document with Swagger's `securityDefinitions` instead of
    // `components.securitySchemes` is read too: aws-samples/amazon-api-gateway-url-shortener's
    // Cognito-authorized routes are written that way and depend on it.
    const oas3Schemes = isObj(this.doc.components) ? this.doc.components.securitySchemes : undefined;
    const schemes = this.oas3 ? (oas3Schemes ?? this.doc.securityDefinitions) : this.doc.securityDefinitions;
    if (schemes === undefined) return;
    if (!isObj(schemes)) {
      this.errors.push('Invalid API definition: security definitions must be an object');
      return;
    }
    for (const [name, raw] of Object.entries(schemes)) {
      const s = this.ref(raw);
      if (!isObj(s)) {
        this.errors.push(`Invalid security definition '${name}': must be an object`);
        continue;
      }
      const authtype = str(s['x-amazon-apigateway-authtype']);
      const ext = s['x-amazon-apigateway-authorizer'];
      if (isObj(ext)) {
        const a = this.authorizer(name, s, ext, authtype);
        if (a !== undefined) {
          def.authorizers.push(a);
          this.schemes.set(name, { kind: 'authorizer', authorizer: a });
        }
      } else if (authtype?.toLowerCase() === 'awssigv4') {
        this.schemes.set(name, { kind: 'sigv4' });
      } else if (s.type === 'apiKey') {
        this.schemes.set(name, { kind: 'apikey' });
      } else {
        this.warnings.push(`Security definition '${name}' of type '${String(s.type)}' is not supported by API Gateway and is ignored`);
        this.schemes.set(name, { kind: 'other' });
      }
    }
  }

  private authorizer(name: string, scheme: Obj, ext: Obj, authtype: string | undefined): Authorizer | undefined {
    const type = str(ext.type)?.toUpperCase();
    if (type !== 'TOKEN' && type !== 'REQUEST' && type !== 'COGNITO_USER_POOLS') {
      this.errors.push(`Invalid authorizer definition '${name}': type must be token, request or cognito_user_pools, not ${String(ext.type)}`);
      return undefined;
    }
    const a: Authorizer = { name, type };
    if (Array.isArray(ext.providerARNs)) {
      if (ext.providerARNs.some((x) => typeof x !== 'string')) this.errors.push(`Invalid authorizer definition '${name}': providerARNs must be ARN strings`);
      else a.providerARNs = ext.providerARNs as string[];
    }
    if (authtype !== undefined) a.authType = authtype;
    if (type !== 'COGNITO_USER_POOLS' && str(ext.authorizerUri) !== undefined) a.authorizerUri = str(ext.authorizerUri);
    // Generated definitions (Pulumi, Terraform) write unset fields as empty strings; AWS imports
    // them as unset.
    if (nonEmpty(ext.authorizerCredentials) !== undefined) a.authorizerCredentials = nonEmpty(ext.authorizerCredentials);
    const header = scheme.in === 'header' && typeof scheme.name === 'string' ? `method.request.header.${scheme.name}` : undefined;
    const source = nonEmpty(ext.identitySource) ?? (type === 'REQUEST' ? undefined : header);
    if (source !== undefined) a.identitySource = source;
    if (str(ext.identityValidationExpression) !== undefined) a.identityValidationExpression = str(ext.identityValidationExpression);
    // Left unset when the definition does not set it (recorded): the authorizer then caches for
    // the default 300 seconds, but GetAuthorizer shows no value.
    const ttl = ext.authorizerResultTtlInSeconds;
    if (ttl !== undefined) {
      const n = Number(ttl);
      if (!Number.isInteger(n)) this.errors.push(`Invalid authorizer definition '${name}': authorizerResultTtlInSeconds must be an integer`);
      a.authorizerResultTtlInSeconds = n;
    }
    return a;
  }

  private security(op: Obj, where: string): Pick<MethodDef, 'apiKeyRequired' | 'authorizationType' | 'authorizerName' | 'authorizationScopes'> {
    const out: Pick<MethodDef, 'apiKeyRequired' | 'authorizationType' | 'authorizerName' | 'authorizationScopes'> = { apiKeyRequired: false, authorizationType: 'NONE' };
    // The 2015 extension of AWS's first importer, still in old definitions: {type: aws_iam | none}.
    const legacy = op['x-amazon-apigateway-auth'];
    if (isObj(legacy) && str(legacy.type)?.toLowerCase() === 'aws_iam') out.authorizationType = 'AWS_IAM';
    const reqs = op.security !== undefined ? op.security : this.doc.security;
    if (reqs === undefined) return out;
    if (!Array.isArray(reqs)) {
      this.errors.push(`Invalid security requirement on ${where}: must be an array`);
      return out;
    }
    for (const req of reqs) {
      if (!isObj(req)) continue;
      for (const [name, scopes] of Object.entries(req)) {
        const s = this.schemes.get(name);
        if (s === undefined) {
          this.warnings.push(`Unable to find security definition '${name}' referenced by ${where}; it is ignored`);
          continue;
        }
        if (s.kind === 'apikey') out.apiKeyRequired = true;
        else if (s.kind === 'sigv4') out.authorizationType = 'AWS_IAM';
        else if (s.kind === 'authorizer') {
          out.authorizationType = s.authorizer!.type === 'COGNITO_USER_POOLS' ? 'COGNITO_USER_POOLS' : 'CUSTOM';
          out.authorizerName = name;
          if (s.authorizer!.type === 'COGNITO_USER_POOLS' && Array.isArray(scopes) && scopes.length > 0) out.authorizationScopes = scopes.map(String);
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- validators and gateway responses

  private readValidators(): ValidatorDef[] {
    const v = this.doc['x-amazon-apigateway-request-validators'];
    if (v === undefined) return [];
    if (!isObj(v)) {
      this.errors.push('Invalid x-amazon-apigateway-request-validators: must be an object');
      return [];
    }
    return Object.entries(v).map(([name, x]) => {
      const o = isObj(x) ? x : {};
      return { name, validateRequestBody: o.validateRequestBody === true || o.validateRequestBody === 'true', validateRequestParameters: o.validateRequestParameters === true || o.validateRequestParameters === 'true' };
    });
  }

  private readGatewayResponses(): GatewayResponse[] {
    const g = this.doc['x-amazon-apigateway-gateway-responses'];
    if (g === undefined) return [];
    if (!isObj(g)) {
      this.errors.push('Invalid x-amazon-apigateway-gateway-responses: must be an object');
      return [];
    }
    const out: GatewayResponse[] = [];
    for (const [type, x] of Object.entries(g)) {
      const o = isObj(x) ? x : {};
      const r: GatewayResponse = { responseType: type as GatewayResponse['responseType'] };
      if (str(o.statusCode) !== undefined) r.statusCode = str(o.statusCode);
      r.responseParameters = stringMap(o.responseParameters, `gateway response ${type} responseParameters`, this.errors) ?? {};
      r.responseTemplates = stringMap(o.responseTemplates, `gateway response ${type} responseTemplates`, this.errors) ?? {};
      out.push(r);
    }
    return out;
  }

  // ---------------------------------------------------------------- paths and operations

  private readPaths(def: ApiDefinition): void {
    const paths = isObj(this.doc.paths) ? this.doc.paths : {};
    const entries = Object.entries(paths);
    if (entries.length > MAX_PATHS) {
      this.errors.push(`Too many paths: ${entries.length}; the limit is ${MAX_PATHS}`);
      return;
    }
    const defaultValidator = str(this.doc['x-amazon-apigateway-request-validator']);
    for (const [path, rawItem] of entries) {
      if (!path.startsWith('/')) {
        this.errors.push(`Invalid path '${path}': paths must start with '/'`);
        continue;
      }
      const item = this.ref(rawItem);
      if (!isObj(item)) {
        this.errors.push(`Invalid path item '${path}': must be an object`);
        continue;
      }
      def.paths.push(path);
      const shared = Array.isArray(item.parameters) ? item.parameters : [];
      for (const [key, op] of Object.entries(item)) {
        const verb = VERBS.includes(key) ? key.toUpperCase() : key === ANY ? 'ANY' : undefined;
        if (verb === undefined) {
          if (key !== 'parameters' && !key.startsWith('x-') && key !== 'summary' && key !== 'description' && key !== 'servers' && key !== '$ref') {
            this.warnings.push(`Ignoring unsupported operation '${key}' on path '${path}'`);
          }
          continue;
        }
        if (!isObj(op)) {
          this.errors.push(`Invalid operation ${verb} ${path}: must be an object`);
          continue;
        }
        def.methods.push(this.method(path, verb, op, shared, defaultValidator));
      }
    }
  }

  private method(path: string, verb: string, op: Obj, shared: unknown[], defaultValidator: string | undefined): MethodDef {
    const where = `method '${verb} ${path}'`;
    const m: MethodDef = { path, verb, ...this.security(op, where) };
    if (typeof op.operationId === 'string' && op.operationId !== '') m.operationName = op.operationId;
    const validator = str(op['x-amazon-apigateway-request-validator']) ?? defaultValidator;
    if (validator !== undefined) m.validatorName = validator;

    // Parameters: the operation's override the path item's of the same name and location.
    const params = new Map<string, Obj>();
    for (const raw of [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
      const p = this.ref(raw);
      if (!isObj(p) || typeof p.name !== 'string' || typeof p.in !== 'string') {
        this.warnings.push(`Ignoring a malformed parameter of ${where}`);
        continue;
      }
      params.set(`${p.in}:${p.name}`, p);
    }
    const requestParameters: Record<string, boolean> = {};
    const requestModels: Record<string, string> = {};
    const consumes = mediaTypes(op.consumes ?? this.doc.consumes);
    for (const p of params.values()) {
      const name = p.name as string;
      switch (p.in) {
        case 'path':
          requestParameters[`method.request.path.${name}`] = true;
          break;
        case 'query':
          requestParameters[`method.request.querystring.${name}`] = p.required === true;
          break;
        case 'header':
          requestParameters[`method.request.header.${name}`] = p.required === true;
          break;
        case 'body': {
          const model = this.modelFor(p.schema, `the body of ${where}`);
          if (model !== undefined) for (const ct of consumes) requestModels[ct] = model;
          break;
        }
        default:
          this.warnings.push(`Ignoring parameter '${name}' of ${where}: parameters in '${String(p.in)}' are not supported`);
      }
    }
    if (this.oas3 && op.requestBody !== undefined) {
      const body = this.ref(op.requestBody);
      const content = isObj(body) && isObj(body.content) ? body.content : {};
      for (const [ct, media] of Object.entries(content)) {
        const model = isObj(media) ? this.modelFor(media.schema, `the body of ${where}`) : undefined;
        if (model !== undefined) requestModels[ct] = model;
      }
    }
    // API Gateway declares every variable of the resource path as a required path parameter,
    // whether or not the operation lists it (SAM-generated definitions often do not).
    for (const [, name] of path.matchAll(/\{([^}+]+)\+?\}/g)) requestParameters[`method.request.path.${name}`] ??= true;
    if (Object.keys(requestParameters).length > 0) m.requestParameters = requestParameters;
    if (Object.keys(requestModels).length > 0) m.requestModels = requestModels;

    // Responses become method responses.
    const responses = op.responses;
    const produces = mediaTypes(op.produces ?? this.doc.produces);
    if (isObj(responses)) {
      const out: Record<string, MethodResponseDef> = {};
      for (const [code, raw] of Object.entries(responses)) {
        if (!/^[1-5]\d\d$/.test(code)) {
          if (!code.startsWith('x-')) this.warnings.push(`Ignoring response '${code}' of ${where}: API Gateway method responses need a status code`);
          continue;
        }
        const r = this.ref(raw);
        const mr: MethodResponseDef = { statusCode: code };
        if (isObj(r)) {
          const headers = isObj(r.headers) ? Object.keys(r.headers) : [];
          if (headers.length > 0) mr.responseParameters = Object.fromEntries(headers.map((h) => [`method.response.header.${h}`, false]));
          const models: Record<string, string> = {};
          if (this.oas3) {
            for (const [ct, media] of Object.entries(isObj(r.content) ? r.content : {})) {
              const model = isObj(media) ? this.modelFor(media.schema, `the ${code} response of ${where}`) : undefined;
              if (model !== undefined) models[ct] = model;
            }
          } else {
            const model = this.modelFor(r.schema, `the ${code} response of ${where}`);
            if (model !== undefined) for (const ct of produces) models[ct] = model;
          }
          if (Object.keys(models).length > 0) mr.responseModels = models;
        }
        out[code] = mr;
      }
      if (Object.keys(out).length > 0) m.methodResponses = out;
    }

    const x = op['x-amazon-apigateway-integration'];
    if (x !== undefined) {
      if (!isObj(x)) this.errors.push(`Invalid x-amazon-apigateway-integration on ${where}: must be an object`);
      else m.integration = this.integration(x, where, m);
    }
    return m;
  }

  private integration(x: Obj, where: string, m: MethodDef): Integration {
    const i: Integration = {};
    const type = str(x.type)?.toUpperCase();
    i.type = type as Integration['type'];
    // A mock calls nothing: AWS drops the httpMethod a definition gives it (recorded).
    if (str(x.httpMethod) !== undefined && type !== 'MOCK') i.httpMethod = str(x.httpMethod)!.toUpperCase();
    if (str(x.uri) !== undefined) i.uri = str(x.uri);
    if (str(x.connectionType) !== undefined) i.connectionType = str(x.connectionType)!.toUpperCase() as Integration['connectionType'];
    if (str(x.connectionId) !== undefined) i.connectionId = str(x.connectionId);
    if (str(x.credentials) !== undefined) i.credentials = str(x.credentials);
    if (x.requestParameters !== undefined && x.requestParameters !== null) {
      if (!isObj(x.requestParameters)) this.errors.push(`Invalid requestParameters of ${where}: must be an object of strings`);
      else {
        // A value that is not a string is left out with a warning, as API Gateway does.
        const rp: Record<string, string> = {};
        for (const [k, v] of Object.entries(x.requestParameters)) {
          if (typeof v === 'string') rp[k] = v;
          else (m.droppedRequestParameters ??= []).push([k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
        }
        if (Object.keys(rp).length > 0) i.requestParameters = rp;
      }
    }
    const rt = stringMap(x.requestTemplates, `requestTemplates of ${where}`, this.errors);
    if (rt !== undefined && Object.keys(rt).length > 0) i.requestTemplates = rt;
    if (str(x.passthroughBehavior) !== undefined) i.passthroughBehavior = str(x.passthroughBehavior)!.toUpperCase();
    if (str(x.contentHandling) !== undefined) i.contentHandling = str(x.contentHandling)!.toUpperCase() as Integration['contentHandling'];
    if (x.timeoutInMillis !== undefined) {
      const t = Number(x.timeoutInMillis);
      if (!Number.isInteger(t)) this.errors.push(`Invalid timeoutInMillis on ${where}: must be an integer`);
      else i.timeoutInMillis = t;
    }
    if (str(x.cacheNamespace) !== undefined) i.cacheNamespace = str(x.cacheNamespace);
    if (x.cacheKeyParameters !== undefined) {
      if (!Array.isArray(x.cacheKeyParameters)) this.errors.push(`Invalid cacheKeyParameters on ${where}: must be an array`);
      else i.cacheKeyParameters = x.cacheKeyParameters.map(String);
    }
    if (isObj(x.tlsConfig) && typeof x.tlsConfig.insecureSkipVerification === 'boolean') i.tlsConfig = { insecureSkipVerification: x.tlsConfig.insecureSkipVerification };
    if (x.responses !== undefined) {
      if (!isObj(x.responses)) this.errors.push(`Invalid integration responses on ${where}: must be an object`);
      else {
        const out: Record<string, IntegrationResponse> = {};
        for (const [pattern, raw] of Object.entries(x.responses)) {
          if (!isObj(raw)) {
            this.errors.push(`Invalid integration response '${pattern}' on ${where}: must be an object`);
            continue;
          }
          const status = str(raw.statusCode);
          if (status === undefined) {
            this.errors.push(`Invalid integration response '${pattern}' on ${where}: statusCode is required`);
            continue;
          }
          const r: IntegrationResponse = { statusCode: status };
          if (pattern !== 'default') r.selectionPattern = pattern;
          const p = stringMap(raw.responseParameters, `responseParameters of integration response '${pattern}' on ${where}`, this.errors);
          if (p !== undefined && Object.keys(p).length > 0) r.responseParameters = p;
          const t = stringMap(raw.responseTemplates, `responseTemplates of integration response '${pattern}' on ${where}`, this.errors);
          if (t !== undefined && Object.keys(t).length > 0) r.responseTemplates = t;
          if (str(raw.contentHandling) !== undefined) r.contentHandling = str(raw.contentHandling)!.toUpperCase() as IntegrationResponse['contentHandling'];
          if (out[status] !== undefined) this.warnings.push(`Integration responses '${out[status]!.selectionPattern ?? 'default'}' and '${pattern}' of ${where} both map to status ${status}; the last one is kept`);
          out[status] = r;
        }
        if (Object.keys(out).length > 0) i.integrationResponses = out;
      }
    }
    return i;
  }
}

export class DefinitionError extends Error {}

function mediaTypes(v: unknown): string[] {
  if (Array.isArray(v)) {
    const list = v.filter((x): x is string => typeof x === 'string');
    if (list.length > 0) return list;
  }
  return ['application/json'];
}

function mapValues(v: unknown, f: (x: unknown) => unknown): unknown {
  if (!isObj(v)) return f(v);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, f(x)]));
}

function stringMap(v: unknown, where: string, errors: string[]): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    errors.push(`Invalid ${where}: must be an object of strings`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    const s = str(x);
    if (s === undefined) {
      errors.push(`Invalid ${where}: '${k}' must be a string`);
      continue;
    }
    out[k] = s;
  }
  return out;
}

/** JSON with object keys sorted: the same schema always hashes the same. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
