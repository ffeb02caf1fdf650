// TestInvokeAuthorizer for Lambda authorizers: the authorizer as it is now (not as deployed) run
// for real on the headers, query string, stage variables and context given, never from the
// cache, answered as AWS answers it: clientStatus (200 when the function returned a usable
// policy, 401, 500), the execution log, the latency, the principal and the policy; the context
// map comes back as `claims`, the only string map the output has.
import { CollectedLog } from '../execute/test-invoke.ts';
import { GatewayError } from '../execute/errors.ts';
import { parseQuery } from '../execute/stages/method-request.ts';
import type { Authorizer, TestInvokeAuthorizerRequest, TestInvokeAuthorizerResponse } from '../model/generated/types.ts';
import { AuthorizerConfigError, compileAuthorizer, readIdentity, type CompiledAuthorizer } from './authorizer-config.ts';
import { methodArnOf, type EventRequest } from './authorizer-event.ts';
import type { LambdaAuthorizers } from './lambda-authorizer.ts';

/** The request id and stage API Gateway's test invocations of authorizers show. */
const TEST_REQUEST_ID = 'test-request';
const TEST_STAGE = 'ESTestInvoke-stage';

export async function testInvokeAuthorizer(
  authorizers: LambdaAuthorizers,
  stored: Authorizer,
  input: TestInvokeAuthorizerRequest,
  where: { accountId: string; region: string },
): Promise<TestInvokeAuthorizerResponse> {
  const started = performance.now();
  const log = new CollectedLog(TEST_REQUEST_ID);
  const answer = (clientStatus: number, extra: TestInvokeAuthorizerResponse = {}): TestInvokeAuthorizerResponse => ({
    clientStatus,
    log: log.lines.join('\n') + '\n',
    latency: Math.round(performance.now() - started),
    ...extra,
  });
  log.line(`Starting authorizer: ${stored.id} for request: ${TEST_REQUEST_ID}`);
  const stageVariables = input.stageVariables ?? {};
  let a: CompiledAuthorizer;
  try {
    a = compileAuthorizer(stored, stageVariables);
  } catch (err) {
    if (!(err instanceof AuthorizerConfigError)) throw err;
    log.line(`Execution failed due to configuration error: ${err.message}`);
    log.line('AuthorizerConfigurationException');
    return answer(500);
  }
  const r = testRequest(input, stageVariables, where, input.restApiId);
  const identity = readIdentity(a, {
    headersLower: lower(r.headers),
    querystring: r.querystring,
    multiValueQuerystring: r.multiValueQuerystring,
    stageVariables,
    context: r.context,
  });
  if (identity === null || (a.validation !== null && !a.validation.test(identity[0]!))) {
    log.line(`Unauthorized request: ${TEST_REQUEST_ID}`);
    return answer(401);
  }
  log.line(`Incoming identity: ${identity.map(mask).join(', ')}`);
  const methodArn = methodArnOf(where.region, where.accountId, String(r.context.apiId), TEST_STAGE, r.httpMethod, r.path);
  try {
    const { result } = await authorizers.run(a, identity, methodArn, r, where, (line) => log.line(line));
    log.line(`Using valid authorizer policy for principal: ${result.principalId ?? ''}`);
    log.line('Successfully completed authorizer execution');
    const extra: TestInvokeAuthorizerResponse = { policy: result.policyJson };
    if (result.principalId !== undefined) extra.principalId = result.principalId;
    if (Object.keys(result.context).length > 0) extra.claims = { ...result.context };
    return answer(200, extra);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    log.line(err.logMessage);
    if (err.responseType === 'AUTHORIZER_CONFIGURATION_ERROR') log.line('AuthorizerConfigurationException');
    return answer(err.status);
  }
}

/** The request the test describes: a GET of pathWithQueryString with the headers given. */
function testRequest(input: TestInvokeAuthorizerRequest, stageVariables: Readonly<Record<string, string>>, where: { accountId: string }, restApiId: string): EventRequest & { context: Record<string, unknown> } {
  const raw = input.pathWithQueryString ?? '/';
  const q = raw.indexOf('?');
  const path = (q === -1 ? raw : raw.slice(0, q)) || '/';
  const { querystring, multiValueQuerystring } = parseQuery(q === -1 ? '' : raw.slice(q + 1));
  const headers: Record<string, string> = { ...input.headers };
  for (const [k, vs] of Object.entries(input.multiValueHeaders ?? {})) headers[k] = vs.join(',');
  return {
    resource: path,
    path,
    httpMethod: 'GET',
    headers,
    querystring,
    multiValueQuerystring,
    pathParameters: {},
    stageVariables,
    context: {
      accountId: where.accountId,
      apiId: restApiId,
      httpMethod: 'GET',
      identity: { sourceIp: 'test-invoke-source-ip', userAgent: headers['User-Agent'] ?? null },
      path,
      requestId: TEST_REQUEST_ID,
      resourcePath: path,
      stage: TEST_STAGE,
      ...input.additionalContext,
    },
  };
}

function lower(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in headers) out[k.toLowerCase()] = headers[k]!;
  return out;
}

/** Identities are secrets: the log shows their last characters only. */
function mask(v: string): string {
  return v.length <= 4 ? '*'.repeat(v.length) : '*'.repeat(Math.min(v.length - 4, 16)) + v.slice(-4);
}
