// TestInvokeMethod's run: the method-request → method-response slice of the pipeline on the API
// as it is now (a snapshot taken by the management handler, not a deployment), with the stage
// variables given, answered with API Gateway's execution log.
import { compileDeployment, RouteTrie, type ApiSnapshot, type IntegrationType } from '../deploy/index.ts';
import { createIntegrations, type Integration } from '../integrations/index.ts';
import type { TestInvokeMethodRequest, TestInvokeMethodResponse } from '../model/generated/types.ts';
import { answerTraceId, buildContext, newRequestId } from './context.ts';
import { invokeMethod } from './pipeline.ts';
import { gatewayResponse } from './stages/gateway-response.ts';
import { methodRequest } from './stages/method-request.ts';
import type { ExecutionLog, IncomingRequest, InvocationScope, MethodRequest, MethodResponse } from './types.ts';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** "Mon Apr 04 04:59:05 UTC 2016": Java's Date.toString in UTC, as the execution log prints it. */
function logTime(d: Date): string {
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

export class CollectedLog implements ExecutionLog {
  readonly lines: string[];
  constructor(requestId: string) {
    this.lines = [`Execution log for request ${requestId}`];
  }
  line(text: string): void {
    this.lines.push(`${logTime(new Date())} : ${text}`);
  }
}

// The integrations the execution plane was given (AWS/AWS_PROXY with Lambda), by the store the
// control plane shares with it, so the Test button calls the same back ends as a deployed stage.
const integrationsByStore = new WeakMap<object, Partial<Record<IntegrationType, Integration>>>();

/** Called by createExecutionPlane: TestInvokeMethod on APIs in `store` uses `overrides`. */
export function useTestInvokeIntegrations(store: object, overrides: Partial<Record<IntegrationType, Integration>> | undefined): void {
  integrationsByStore.set(store, overrides ?? {});
}

export interface TestInvokeScope {
  readonly accountId: string;
  readonly region: string;
  /** The store the API is in: it names the integrations the execution plane registered. */
  readonly store: object;
}

/** Runs `input`'s method of `snapshot` (the method exists and has an integration). */
export async function testInvokeMethod(snapshot: ApiSnapshot, input: TestInvokeMethodRequest, scope: TestInvokeScope): Promise<TestInvokeMethodResponse> {
  const started = performance.now();
  const api = compileDeployment(snapshot, {
    restApiId: input.restApiId,
    accountId: scope.accountId,
    stageName: 'test-invoke-stage',
    deploymentId: 'test-invoke-deployment-id',
    variables: input.stageVariables ?? {},
    // Compiled for this call only, never cached: no feed position applies.
    version: 0,
    region: scope.region,
  });
  const resource = api.resourcesById.get(input.resourceId)!;
  const method = resource.methods.get(input.httpMethod)!;

  const pathWithQuery = input.pathWithQueryString ?? resource.path;
  const q = pathWithQuery.indexOf('?');
  const path = q === -1 ? pathWithQuery : pathWithQuery.slice(0, q);
  const single = new RouteTrie<true>();
  single.add(resource.path, true);
  const headers: Record<string, string> = { ...input.headers };
  for (const [k, vs] of Object.entries(input.multiValueHeaders ?? {})) headers[k] = vs.join(',');
  const rawHeaders: string[] = [];
  for (const [k, v] of Object.entries(input.headers ?? {})) if (input.multiValueHeaders?.[k] === undefined) rawHeaders.push(k, v);
  for (const [k, vs] of Object.entries(input.multiValueHeaders ?? {})) for (const v of vs) rawHeaders.push(k, v);
  const requestId = newRequestId();
  const incoming: IncomingRequest = {
    httpMethod: input.httpMethod,
    path,
    query: q === -1 ? '' : pathWithQuery.slice(q + 1),
    headers,
    rawHeaders,
    body: Buffer.from(input.body ?? ''),
    sourceIp: 'test-invoke-source-ip',
    protocol: 'HTTP/1.1',
    host: `${input.restApiId}.execute-api.${scope.region}.amazonaws.com`,
  };
  const log = new CollectedLog(requestId);
  const invocation: InvocationScope = { api, requestId, sourceIp: incoming.sourceIp, context: buildContext(api, incoming, requestId, scope.accountId, Date.now()), log, grants: {} };
  log.line(`Starting execution for request: ${requestId}`);
  const integrations = createIntegrations({}, integrationsByStore.get(scope.store));
  let request: MethodRequest | null = null;
  let out: MethodResponse;
  try {
    request = methodRequest({ method, pathParameters: single.match(path)?.params ?? {} }, incoming, invocation);
    method.requestCheck?.check(request);
    out = await invokeMethod(integrations.registry, method, request, invocation);
  } catch (err) {
    out = gatewayResponse(err, request, invocation);
  } finally {
    await integrations.close();
  }
  // As a deployed stage answers (and AWS's recorded TestInvokeMethod of a Lambda integration shows).
  const answerHeaders = invocation.traceId !== undefined && out.headers['X-Amzn-Trace-Id'] === undefined
    ? { ...out.headers, 'X-Amzn-Trace-Id': answerTraceId(invocation.traceId) }
    : out.headers;
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(answerHeaders)) multiValueHeaders[k] = [...(out.multiValueHeaders?.[k] ?? [v])];
  return {
    status: out.statusCode,
    body: out.body.toString(),
    headers: answerHeaders,
    multiValueHeaders,
    log: log.lines.join('\n') + '\n',
    latency: Math.round(performance.now() - started),
  };
}
