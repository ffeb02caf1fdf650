// Shared by the Lambda authorizer tests and bench/access.ts: authorizer functions (real Node
// handlers zipped and deployed to Gatehouse's Lambda service), a counter back end the functions
// report each call to (so tests count invocations without any stub), and API builders.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateAuthorizerCommand, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, GetResourcesCommand, PutIntegrationCommand,
  PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand, type APIGatewayClient, type CreateAuthorizerCommandInput,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ROLE, zip } from '../lambda/helpers.ts';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

export const functionArn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
export const authorizerUri = (name: string): string => `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${functionArn(name)}/invocations`;

/** The guide's TOKEN authorizer ("Create the API Gateway Custom Authorizer Lambda Function"), as printed. */
export const GUIDE_TOKEN_AUTHORIZER = `console.log('Loading function');

exports.handler = function(event, context) {
  var token = event.authorizationToken;
  switch (token) {
    case 'allow':
      context.succeed(generatePolicy('user', 'Allow', event.methodArn));
      break;
    case 'deny':
      context.succeed(generatePolicy('user', 'Deny', event.methodArn));
      break;
    case 'unauthorized':
      context.fail("Unauthorized");
      break;
    default:
      context.fail("error");
  }
};

var generatePolicy = function(principalId, effect, resource) {
  var authResponse = {};
  authResponse.principalId = principalId;
  if (effect && resource) {
    var policyDocument = {};
    policyDocument.Version = '2012-10-17';
    policyDocument.Statement = [];
    var statementOne = {};
    statementOne.Action = 'execute-api:Invoke';
    statementOne.Effect = effect;
    statementOne.Resource = resource;
    policyDocument.Statement[0] = statementOne;
    authResponse.policyDocument = policyDocument;
  }
  return authResponse;
};
`;

/**
 * Reports every call to COUNTER_URL (POST, the event as body), then answers by its identity:
 * a TOKEN's token or a REQUEST's HeaderAuth1 header picks the answer. Allowed callers get
 * GET on /pets/* and /proxy of any API and stage (but not /pets/secret), and a context with a string, a number and a boolean,
 * the event itself (so tests see what API Gateway sent) and usageIdentifierKey.
 */
export const COUNTING_AUTHORIZER = `
exports.handler = async (event) => {
  await fetch(process.env.COUNTER_URL, { method: 'POST', body: JSON.stringify(event) });
  const id = event.type === 'TOKEN' ? event.authorizationToken : (event.headers.HeaderAuth1 || event.headers.headerauth1);
  if (id === 'unauthorized') throw new Error('Unauthorized');
  if (id === 'boom') throw new Error('something broke');
  if (id === 'nested') return { principalId: 'p', policyDocument: policy('Allow', '*'), context: { user: { id: 1 } } };
  if (id === 'no-policy') return { principalId: 'p' };
  if (id === 'lower-effect') return { principalId: 'p', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'allow', Action: 'execute-api:Invoke', Resource: '*' }] } };
  if (id === 'string') return 'Allow';
  if (id === 'deny-all') return { principalId: 'p', policyDocument: policy('Deny', '*') };
  const principalId = id.length > 64 ? 'long-' + id.length : 'user-' + id;
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ['arn:aws:execute-api:*:*:*/*/GET/pets/*', 'arn:aws:execute-api:*:*:*/*/GET/proxy'] },
        { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:*/*/GET/pets/secret' },
      ],
    },
    context: { stringKey: 'value', numberKey: 1, booleanKey: true, event: JSON.stringify(event) },
    usageIdentifierKey: 'usage-' + id,
  };
};
function policy(effect, resource) {
  return { Version: '2012-10-17', Statement: [{ Effect: effect, Action: 'execute-api:Invoke', Resource: resource }] };
}
`;

/** An AWS_PROXY back end that answers with the requestContext.authorizer it was given. */
export const PROXY_ECHO = `
exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ authorizer: event.requestContext.authorizer ?? null }) });
`;

export async function createFunction(lambda: LambdaClient, name: string, code: string, environment: Record<string, string> = {}): Promise<void> {
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip({ 'index.js': code }) },
    Environment: { Variables: environment },
  }));
}

/** The calls the counting authorizer reported: their events, in order of arrival. */
export interface Counter {
  readonly url: string;
  readonly events: Record<string, unknown>[];
  /** Calls whose identity (token, or HeaderAuth1 header) was `id`. */
  count(id: string): number;
  close(): Promise<void>;
}

export async function startCounter(): Promise<Counter> {
  const events: Record<string, unknown>[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      events.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const idOf = (e: Record<string, unknown>): unknown => {
    if (e.type === 'TOKEN') return e.authorizationToken;
    const headers = e.headers as Record<string, string>;
    return headers.HeaderAuth1 ?? headers.headerauth1;
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    events,
    count: (id) => events.filter((e) => idOf(e) === id).length,
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

export interface AuthorizedApi {
  readonly restApiId: string;
  readonly authorizerId: string;
  /** Resource id by path. */
  readonly resources: Record<string, string>;
}

/** A template answering with what $context.authorizer holds. */
export const AUTHORIZER_TEMPLATE =
  '{"principalId":"$context.authorizer.principalId","stringKey":"$context.authorizer.stringKey","numberKey":"$context.authorizer.numberKey","booleanKey":"$context.authorizer.booleanKey","latency":"$context.authorizer.integrationLatency"}';

/**
 * An API whose MOCK methods are behind one authorizer: GET /pets/{id}, GET /other, GET /open
 * (no authorization), and GET /proxy (AWS_PROXY to `proxyFunction`, when given).
 */
export async function createAuthorizedApi(
  client: APIGatewayClient,
  name: string,
  authorizer: Omit<CreateAuthorizerCommandInput, 'restApiId' | 'name'>,
  proxyFunction?: string,
): Promise<AuthorizedApi> {
  const api = await client.send(new CreateRestApiCommand({ name }));
  const restApiId = api.id!;
  const root = (await client.send(new GetResourcesCommand({ restApiId }))).items!.find((r) => r.path === '/')!.id!;
  const a = await client.send(new CreateAuthorizerCommand({ restApiId, name: `${name}-auth`, ...authorizer }));
  const resources: Record<string, string> = {};
  const add = async (parentId: string, pathPart: string, path: string) => {
    const r = await client.send(new CreateResourceCommand({ restApiId, parentId, pathPart }));
    resources[path] = r.id!;
    return r.id!;
  };
  const pets = await add(root, 'pets', '/pets');
  await add(pets, '{id}', '/pets/{id}');
  await add(root, 'other', '/other');
  await add(root, 'open', '/open');
  for (const path of ['/pets/{id}', '/other', '/open']) {
    const ids = { restApiId, resourceId: resources[path]!, httpMethod: 'GET' };
    await client.send(new PutMethodCommand(path === '/open' ? { ...ids, authorizationType: 'NONE' } : { ...ids, authorizationType: 'CUSTOM', authorizerId: a.id }));
    await client.send(new PutIntegrationCommand({ ...ids, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await client.send(new PutMethodResponseCommand({ ...ids, statusCode: '200' }));
    await client.send(new PutIntegrationResponseCommand({ ...ids, statusCode: '200', responseTemplates: { 'application/json': AUTHORIZER_TEMPLATE } }));
  }
  if (proxyFunction !== undefined) {
    const id = await add(root, 'proxy', '/proxy');
    const ids = { restApiId, resourceId: id, httpMethod: 'GET' };
    await client.send(new PutMethodCommand({ ...ids, authorizationType: 'CUSTOM', authorizerId: a.id }));
    await client.send(new PutIntegrationCommand({ ...ids, type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: authorizerUri(proxyFunction) }));
  }
  return { restApiId, authorizerId: a.id!, resources };
}

export async function deployStage(client: APIGatewayClient, restApiId: string, stageName: string, variables?: Record<string, string>): Promise<void> {
  await client.send(new CreateDeploymentCommand({ restApiId, stageName, variables }));
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly json: any;
}

/** GET (or `method`) on a deployed stage through /restapis/{id}/{stage}/_user_request_. */
export async function call(base: string, restApiId: string, stage: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const r = await fetch(`${base}/restapis/${restApiId}/${stage}/_user_request_${path}`, { headers, signal: AbortSignal.timeout(30_000) });
  const body = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, body, json };
}
