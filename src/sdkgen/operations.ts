// What every generator needs of a deployment's snapshot: one operation per resource and verb,
// in a fixed order (path, then verb), with the parameters its method request declares. The
// output depends only on the snapshot, so the same deployment always gives the same SDK.
import type { ApiSnapshot } from '../deploy/snapshot.ts';
import { methodName, uniqueNames } from './naming.ts';

export interface SdkParameter {
  /** The name the caller uses in `params`: the path variable, query string or header name. */
  readonly name: string;
  readonly required: boolean;
}

export interface SdkOperation {
  /** `petsPetIdGet`. */
  readonly name: string;
  /** GET, POST, ... or ANY. */
  readonly httpMethod: string;
  /** The resource path, braces kept: `/pets/{petId}`, `/files/{proxy+}`. */
  readonly path: string;
  readonly pathParameters: readonly SdkParameter[];
  readonly queryParameters: readonly SdkParameter[];
  readonly headerParameters: readonly SdkParameter[];
  /** NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS. */
  readonly authorizationType: string;
  readonly apiKeyRequired: boolean;
  /** The model of an application/json request body, if the method declares one. */
  readonly requestModel: string | null;
  /** The model of the application/json body of the first 2XX method response, if declared. */
  readonly responseModel: string | null;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Path variables in order of appearance: `{petId}` → petId, `{proxy+}` → proxy. */
function pathVariables(path: string): string[] {
  return [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]!);
}

function declared(requestParameters: Record<string, boolean> | undefined, location: 'querystring' | 'header'): SdkParameter[] {
  const prefix = `method.request.${location}.`;
  return Object.keys(requestParameters ?? {})
    .filter((k) => k.startsWith(prefix))
    .sort(byText)
    .map((k) => ({ name: k.slice(prefix.length), required: requestParameters![k] === true }));
}

function jsonModel(models: Record<string, string> | undefined): string | null {
  if (models === undefined) return null;
  const m = models['application/json'];
  return m === undefined || m === '' || m === 'Empty' ? null : m;
}

export function sdkOperations(snapshot: ApiSnapshot): SdkOperation[] {
  const resources = [...snapshot.resources].sort((a, b) => byText(a.path ?? '', b.path ?? ''));
  const raw: Omit<SdkOperation, 'name'>[] = [];
  for (const r of resources) {
    const methods = r.resourceMethods ?? {};
    for (const verb of Object.keys(methods).sort(byText)) {
      const m = methods[verb]!;
      const success = Object.keys(m.methodResponses ?? {}).filter((s) => s.startsWith('2')).sort(byText)[0];
      raw.push({
        httpMethod: verb,
        path: r.path!,
        pathParameters: pathVariables(r.path!).map((name) => ({ name, required: true })),
        queryParameters: declared(m.requestParameters, 'querystring'),
        headerParameters: declared(m.requestParameters, 'header'),
        authorizationType: m.authorizationType ?? 'NONE',
        apiKeyRequired: m.apiKeyRequired === true,
        requestModel: jsonModel(m.requestModels),
        responseModel: success === undefined ? null : jsonModel(m.methodResponses![success]!.responseModels),
      });
    }
  }
  const names = uniqueNames(raw, (o) => methodName(o.path, o.httpMethod));
  return raw.map((o, i) => ({ name: names[i]!, ...o }));
}

/** The parameters a call must give: every path parameter and the required query and header ones. */
export function requiredNames(op: SdkOperation): string[] {
  return [...op.pathParameters, ...op.queryParameters, ...op.headerParameters].filter((p) => p.required).map((p) => p.name);
}

/** `GET /pets/{petId} (authorization AWS_IAM, API key required)`, for doc comments and READMEs. */
export function describeOperation(op: SdkOperation): string {
  const notes = [`authorization ${op.authorizationType}`];
  if (op.apiKeyRequired) notes.push('API key required');
  return `${op.httpMethod} ${op.path} (${notes.join(', ')})`;
}

/** `params: petId (path), type (query string, optional)`, or '' when the method takes none, for READMEs. */
export function describeParameters(op: SdkOperation): string {
  const list = [
    ...op.pathParameters.map((p) => `\`${p.name}\` (path)`),
    ...op.queryParameters.map((p) => `\`${p.name}\` (query string${p.required ? '' : ', optional'})`),
    ...op.headerParameters.map((p) => `\`${p.name}\` (header${p.required ? '' : ', optional'})`),
  ];
  return list.length === 0 ? '' : `; params: ${list.join(', ')}`;
}
