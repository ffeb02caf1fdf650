// Request validation (a method's requestValidatorId): required request parameters and the JSON
// body against the method's request model, compiled once per deployment. A failure is the
// BAD_REQUEST_PARAMETERS or BAD_REQUEST_BODY gateway response with AWS's message, and the
// execution log line AWS writes; $context.error.validationErrorString carries the detail.
//
// AWS's rules (developer guide, "Request validation for REST APIs"):
// - required parameters (method.request.{path|querystring|header}.X marked true) must be present
//   and not blank; only existence is checked, never type or format;
// - the body is validated against the model mapped to the request's content type, else the
//   `$default` model; with neither, the body is not validated. No Content-Type is application/json.
import type { Method, Model, RequestValidator } from '../model/generated/types.ts';
import { lazy } from '../lazy.ts';
import { GatewayError } from '../execute/errors.ts';
import { schemaErrorMessages } from './messages.ts';

type Ajv04Class = typeof import('ajv-draft-04').default;
type Ajv = InstanceType<Ajv04Class>;
type ValidateFunction = import('ajv').ValidateFunction;
const ajvDraft04 = lazy<{ default: Ajv04Class }>('ajv-draft-04');

/** What the validator needs of a method request. */
export interface ValidatedRequest {
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly headersLower: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly contentType: string | undefined;
}

export interface RequestCheck {
  /** Throws the gateway error AWS answers with (its log line is the execution log's validation result). */
  check(request: ValidatedRequest): void;
}

interface RequiredParameter {
  readonly location: 'path' | 'querystring' | 'header';
  /** As the method names it (the message shows it so); lower-case for headers when looking up. */
  readonly name: string;
  readonly key: string;
}

interface BodyModel {
  readonly contentType: string;
  readonly validate: ValidateFunction | null;
  /** Why the model could not be compiled (a broken schema): requests fail as AWS's 500 would. */
  readonly broken: string | null;
}

const MODEL_URL = (restApiId: string, name: string) => `https://apigateway.amazonaws.com/restapis/${restApiId}/models/${name}`;

/**
 * The API's models in one ajv instance, built on first use by a method that validates a body
 * (most deployments have none): each schema under its model URL, so `$ref`s between models resolve.
 */
export class ModelSchemas {
  private ajv: Ajv | null = null;
  private readonly compiled = new Map<string, BodyModel>();
  constructor(
    private readonly restApiId: string,
    private readonly models: readonly Model[],
  ) {}

  private instance(): Ajv {
    if (this.ajv !== null) return this.ajv;
    const ajv = new (ajvDraft04().default)({ strict: false, allErrors: true, validateSchema: false });
    for (const m of this.models) {
      try {
        const { id: _id, ...schema } = JSON.parse(m.schema ?? '{}') as Record<string, unknown>;
        ajv.addSchema(schema, MODEL_URL(this.restApiId, m.name!));
      } catch {
        // a schema the control plane accepted but ajv cannot take: methods using it report it
      }
    }
    return (this.ajv = ajv);
  }

  model(name: string, contentType: string): BodyModel {
    const key = `${contentType}\n${name}`;
    let m = this.compiled.get(key);
    if (m === undefined) {
      try {
        const validate = this.instance().getSchema(MODEL_URL(this.restApiId, name));
        m = validate === undefined
          ? { contentType, validate: null, broken: `Invalid model identifier specified: ${name}` }
          : { contentType, validate: validate as ValidateFunction, broken: null };
      } catch (err) {
        m = { contentType, validate: null, broken: `Invalid model schema specified: ${(err as Error).message}` };
      }
      this.compiled.set(key, m);
    }
    return m;
  }
}

const LOCATIONS = /^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$/;

/** The method's validator, or null when it has none or its validator checks nothing. */
export function compileRequestCheck(
  method: Method,
  validators: ReadonlyMap<string, RequestValidator>,
  schemas: ModelSchemas,
): RequestCheck | null {
  const id = method.requestValidatorId;
  if (id === undefined || id === null || id === '') return null;
  const validator = validators.get(id);
  if (validator === undefined) return null;
  const required: RequiredParameter[] = [];
  if (validator.validateRequestParameters === true) {
    // In the order of the expressions, sorted (recorded from AWS: header, path, querystring → "[x-header-param, issuer, qs1]").
    for (const [expr, isRequired] of Object.entries(method.requestParameters ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (isRequired !== true) continue;
      const m = LOCATIONS.exec(expr);
      if (m === null) continue;
      const location = m[1] === 'multivaluequerystring' ? 'querystring' : m[1] === 'multivalueheader' ? 'header' : (m[1] as RequiredParameter['location']);
      required.push({ location, name: m[2]!, key: location === 'header' ? m[2]!.toLowerCase() : m[2]! });
    }
  }
  const models = new Map<string, BodyModel>();
  if (validator.validateRequestBody === true) {
    for (const [contentType, name] of Object.entries(method.requestModels ?? {})) {
      if (typeof name !== 'string' || name === '') continue;
      models.set(contentType.toLowerCase(), schemas.model(name, contentType));
    }
  }
  if (required.length === 0 && models.size === 0) return null;
  return new MethodValidator(required, models);
}

class MethodValidator implements RequestCheck {
  constructor(
    private readonly required: readonly RequiredParameter[],
    private readonly models: ReadonlyMap<string, BodyModel>,
  ) {}

  check(request: ValidatedRequest): void {
    if (this.required.length !== 0) {
      let missing: string[] | null = null;
      for (const p of this.required) {
        const v = p.location === 'path' ? request.pathParameters[p.key] : p.location === 'querystring' ? request.querystring[p.key] : request.headersLower[p.key];
        if (v === undefined || v.trim() === '') (missing ??= []).push(p.name);
      }
      if (missing !== null) {
        const detail = `Missing required request parameters: [${missing.join(', ')}]`;
        throw new GatewayError('BAD_REQUEST_PARAMETERS', detail, { log: `Request validation failed for: ${detail}`, validationErrorString: detail });
      }
    }
    if (this.models.size === 0) return;
    const contentType = request.contentType ?? 'application/json';
    const model = this.models.get(contentType) ?? this.models.get('$default');
    if (model === undefined) return;
    if (model.broken !== null) {
      throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', { log: `Execution failed due to configuration error: ${model.broken}` });
    }
    const text = request.body.length === 0 ? '' : request.body.toString('utf8');
    let instance: unknown;
    let errors: string[];
    if (text.trim() === '') instance = {};
    else {
      try {
        instance = JSON.parse(text);
      } catch (err) {
        errors = [`Unable to parse JSON: ${(err as Error).message}`];
        return this.refuse(contentType, errors);
      }
    }
    if (model.validate!(instance)) return;
    errors = schemaErrorMessages(model.validate!.errors ?? [], instance);
    this.refuse(contentType, errors);
  }

  private refuse(contentType: string, errors: readonly string[]): never {
    const detail = `[${errors.join(', ')}]`;
    throw new GatewayError('BAD_REQUEST_BODY', 'Invalid request body', {
      log: `Request body does not match model schema for content type ${contentType}: ${detail}`,
      validationErrorString: detail,
    });
  }
}
