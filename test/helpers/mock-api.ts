// A small deployed-API fixture shared by the scale-out tests and bench/scale.ts.
import { APIGatewayClient, CreateResourceCommand, CreateRestApiCommand, GetResourcesCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand } from '@aws-sdk/client-api-gateway';

/** A MOCK API answering GET /hello with the stage variable `v`; returns its id. */
export async function createMockApi(client: APIGatewayClient, name: string): Promise<string> {
  const api = await client.send(new CreateRestApiCommand({ name }));
  const root = (await client.send(new GetResourcesCommand({ restApiId: api.id! }))).items!.find((r) => r.path === '/')!;
  const res = await client.send(new CreateResourceCommand({ restApiId: api.id!, parentId: root.id!, pathPart: 'hello' }));
  const ids = { restApiId: api.id!, resourceId: res.id!, httpMethod: 'GET' };
  await client.send(new PutMethodCommand({ ...ids, authorizationType: 'NONE' }));
  await client.send(new PutIntegrationCommand({ ...ids, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
  await client.send(new PutMethodResponseCommand({ ...ids, statusCode: '200' }));
  await client.send(new PutIntegrationResponseCommand({ ...ids, statusCode: '200', responseTemplates: { 'application/json': '{"v": "$stageVariables.v"}' } }));
  return api.id!;
}

