// Shared setup for the keys-* end-to-end tests: a real Gatehouse, an SDK client, an API with a stage.
import {
  APIGatewayClient, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, PutIntegrationCommand, PutMethodCommand,
} from '@aws-sdk/client-api-gateway';

export { rejects } from '../helpers/server.ts';

/** An API with GET / and GET /pets, deployed to `stageName`. */
export async function apiWithStage(client: APIGatewayClient, stageName = 'prod'): Promise<{ apiId: string; stage: string }> {
  const api = await client.send(new CreateRestApiCommand({ name: 'Keys' }));
  const pets = await client.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: 'pets' }));
  for (const resourceId of [api.rootResourceId!, pets.id!]) {
    await client.send(new PutMethodCommand({ restApiId: api.id, resourceId, httpMethod: 'GET', authorizationType: 'NONE', apiKeyRequired: true }));
    await client.send(new PutIntegrationCommand({ restApiId: api.id, resourceId, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
  }
  await client.send(new CreateDeploymentCommand({ restApiId: api.id, stageName }));
  return { apiId: api.id!, stage: stageName };
}
