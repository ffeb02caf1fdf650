// A PetStore-like API for the SDK tests, built through the real AWS SDK v3 and deployed:
//   /                GET   NONE                         {"root": true}
//   /pets            GET   NONE     query type, page     {"type": ..., "page": ...}
//   /pets            POST  NONE     body model Pet       the body back, with "created": true (HTTP to `echoUrl`)
//   /pets/{petId}    GET   NONE     header x-trace       {"petId": ..., "trace": ...}
//   /pets/{petId}    DELETE NONE                        {"deleted": ...}
//   /secret          GET   NONE, API key required       {"secret": "opened"}
//   /iam-only        GET   AWS_IAM                      {"userArn": $context.identity.userArn}
//   /iam-only/{item} PUT   AWS_IAM                      {"item": ..., "body": ...} (a signed path and body)
// each answering 200 from a MOCK integration, with models Pet and Pets (an array of Pet) beside the default Empty and Error,
// CORS enabled as the console's "Enable CORS" does (gatehouse cors, DEFAULT_4XX/5XX included),
// a usage plan on the stage with one API key.
import {
  CreateApiKeyCommand, CreateDeploymentCommand, CreateModelCommand, CreateRestApiCommand, CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { enableCors } from '../../src/cli/cors.ts';
import { ManagementClient } from '../../src/cli/management-client.ts';
import { resourcePath, startBackend, type Backend } from '../execute/helpers.ts';

export const PET_SCHEMA = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: 'Pet',
  type: 'object',
  required: ['type', 'price'],
  properties: {
    id: { type: 'integer' },
    type: { type: 'string', enum: ['dog', 'cat', 'fish'] },
    price: { type: 'number', description: 'in euros' },
    tags: { type: 'array', items: { type: 'string' } },
    'owner-name': { type: ['string', 'null'] },
  },
};

export interface PetStore {
  readonly restApiId: string;
  readonly apiKey: string;
}

interface MethodDef {
  path: string;
  verb: string;
  auth?: 'NONE' | 'AWS_IAM';
  apiKeyRequired?: boolean;
  requestParameters?: Record<string, boolean>;
  requestModels?: Record<string, string>;
  responseModel?: string;
  template: string;
  /** An HTTP integration to the echo back end instead of MOCK (a MOCK's response cannot see the request body). */
  echo?: boolean;
}

const METHODS: MethodDef[] = [
  { path: '/', verb: 'GET', template: '{"root": true}' },
  {
    path: '/pets', verb: 'GET', responseModel: 'Pets',
    requestParameters: { 'method.request.querystring.type': false, 'method.request.querystring.page': false },
    template: `{"type": "$input.params('type')", "page": "$input.params('page')"}`,
  },
  {
    path: '/pets', verb: 'POST', requestModels: { 'application/json': 'Pet' }, responseModel: 'Pet', echo: true,
    template: `{"created": true, "pet": $input.json('$')}`,
  },
  {
    path: '/pets/{petId}', verb: 'GET', responseModel: 'Pet',
    requestParameters: { 'method.request.path.petId': true, 'method.request.header.x-trace': false },
    template: `{"petId": "$input.params('petId')", "trace": "$input.params('x-trace')"}`,
  },
  { path: '/pets/{petId}', verb: 'DELETE', template: `{"deleted": "$input.params('petId')"}` },
  { path: '/secret', verb: 'GET', apiKeyRequired: true, template: '{"secret": "opened"}' },
  { path: '/iam-only', verb: 'GET', auth: 'AWS_IAM', template: '{"userArn": "$context.identity.userArn"}' },
  { path: '/iam-only/{item}', verb: 'PUT', auth: 'AWS_IAM', echo: true, template: `{"item": "$util.escapeJavaScript($input.params('item'))", "body": $input.json('$')}` },
];

/**
 * Builds, CORS-enables and deploys the API to `stage`; `credentials` sign `gatehouse cors`'s calls
 * as `client`'s are signed; `echoUrl` is a back end that answers a request's body.
 */
export async function createPetStore(
  client: APIGatewayClient, url: string, credentials: { accessKeyId: string; secretAccessKey: string }, echoUrl: string, stage = 'prod',
): Promise<PetStore> {
  const api = await client.send(new CreateRestApiCommand({ name: 'PetStore SDK' }));
  const restApiId = api.id!;
  const model = (name: string, schema: unknown) =>
    client.send(new CreateModelCommand({ restApiId, name, contentType: 'application/json', schema: JSON.stringify(schema) }));
  await model('Pet', PET_SCHEMA);
  await model('Pets', { type: 'array', items: { $ref: `https://apigateway.amazonaws.com/restapis/${restApiId}/models/Pet` } });
  for (const m of METHODS) {
    const resourceId = await resourcePath(client, restApiId, m.path);
    const ids = { restApiId, resourceId, httpMethod: m.verb };
    await client.send(new PutMethodCommand({
      ...ids, authorizationType: m.auth ?? 'NONE', apiKeyRequired: m.apiKeyRequired ?? false,
      requestParameters: m.requestParameters, requestModels: m.requestModels,
    }));
    await client.send(new PutIntegrationCommand(m.echo
      ? { ...ids, type: 'HTTP', integrationHttpMethod: 'POST', uri: `${echoUrl}/echo` }
      : { ...ids, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await client.send(new PutMethodResponseCommand({
      ...ids, statusCode: '200', responseModels: m.responseModel ? { 'application/json': m.responseModel } : undefined,
    }));
    await client.send(new PutIntegrationResponseCommand({ ...ids, statusCode: '200', responseTemplates: { 'application/json': m.template } }));
  }
  await enableCors(new ManagementClient({ url, region: 'us-east-1', credentials }), restApiId, {
    origin: '*',
    allowHeaders: 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,x-trace',
    methods: null,
    resourcePath: null,
    gatewayResponses: ['DEFAULT_4XX', 'DEFAULT_5XX'],
  });
  await client.send(new CreateDeploymentCommand({ restApiId, stageName: stage }));
  const key = await client.send(new CreateApiKeyCommand({ name: `sdk-key-${restApiId}`, enabled: true }));
  const plan = await client.send(new CreateUsagePlanCommand({ name: `sdk-plan-${restApiId}`, apiStages: [{ apiId: restApiId, stage }] }));
  await client.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key.id!, keyType: 'API_KEY' }));
  return { restApiId, apiKey: key.value! };
}

/** The back end of POST /pets: the request's body back. */
export function startEcho(): Promise<Backend> {
  return startBackend((_req, body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body === '' ? '{}' : body);
  });
}
