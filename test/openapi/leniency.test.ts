// Definitions as people write them, which AWS imports and Gatehouse once refused (issue #11):
// unquoted version numbers, no title, old extensions, integration responses mapping headers their
// method response does not declare, integration request parameters that are not strings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateRestApiCommand, GetAuthorizersCommand, GetIntegrationCommand, GetMethodCommand, GetResourcesCommand, ImportRestApiCommand, PutRestApiCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { UNTITLED_API_NAME } from '../../src/openapi/apply.ts';
import { useGatehouse } from '../helpers/server.ts';

let sdk: APIGatewayClient;
useGatehouse((_g, c) => {
  sdk = c;
});

const mock = { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200' } } };

async function methodOf(restApiId: string, path: string, httpMethod: string) {
  const resources = (await sdk.send(new GetResourcesCommand({ restApiId }))).items!;
  const resource = resources.find((r) => r.path === path);
  assert.ok(resource, `resource ${path}`);
  return sdk.send(new GetMethodCommand({ restApiId, resourceId: resource.id!, httpMethod }));
}

describe('versions and titles', () => {
  test('swagger: 2.0 and openapi: 3.0 written as YAML numbers import', async () => {
    const swagger = await sdk.send(new ImportRestApiCommand({ body: Buffer.from('swagger: 2.0\ninfo: {title: NumericSwagger}\npaths: {}\n'), failOnWarnings: true }));
    assert.equal(swagger.name, 'NumericSwagger');
    const oas = await sdk.send(new ImportRestApiCommand({ body: Buffer.from('openapi: 3.0\ninfo: {title: NumericOas}\npaths: {}\n'), failOnWarnings: true }));
    assert.equal(oas.name, 'NumericOas');
  });

  test('a YAML key written twice: the last one wins (a public aws-samples definition has `paths:` twice)', async () => {
    const body = 'swagger: "2.0"\ninfo: {title: Twice}\npaths:\npaths:\n  /a:\n    get:\n      responses: {}\n      x-amazon-apigateway-integration: {type: mock}\n';
    const api = await sdk.send(new ImportRestApiCommand({ body: Buffer.from(body), failOnWarnings: true }));
    await methodOf(api.id!, '/a', 'GET');
  });

  test('a definition without info.title imports; PutRestApi keeps the API name', async () => {
    const body = Buffer.from(JSON.stringify({ swagger: '2.0', info: { version: '1' }, paths: { '/a': { get: { responses: {}, 'x-amazon-apigateway-integration': mock } } } }));
    const imported = await sdk.send(new ImportRestApiCommand({ body, failOnWarnings: true }));
    assert.equal(imported.name, UNTITLED_API_NAME);
    const api = await sdk.send(new CreateRestApiCommand({ name: 'Keeps its name' }));
    for (const mode of ['merge', 'overwrite'] as const) {
      const put = await sdk.send(new PutRestApiCommand({ restApiId: api.id, body, mode, failOnWarnings: true }));
      assert.equal(put.name, 'Keeps its name');
    }
  });
});

describe('what AWS imports from older and generated definitions', () => {
  test('x-amazon-apigateway-auth {type: aws_iam} (the 2015 importer extension) is AWS_IAM', async () => {
    const body = { swagger: '2.0', info: { title: 'LegacyAuth' }, paths: { '/a': { get: { responses: {}, 'x-amazon-apigateway-auth': { type: 'aws_iam' }, 'x-amazon-apigateway-integration': mock } } } };
    const api = await sdk.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(body)), failOnWarnings: true }));
    assert.equal((await methodOf(api.id!, '/a', 'GET')).authorizationType, 'AWS_IAM');
  });

  test('an OpenAPI 3 document with Swagger\'s securityDefinitions gets its authorizer (aws-samples url-shortener)', async () => {
    const body = {
      openapi: '3.0.1', info: { title: 'OasWithSecurityDefinitions' },
      paths: { '/app': { get: { security: [{ UserAuthorizer: [] }], 'x-amazon-apigateway-integration': mock } } },
      securityDefinitions: { UserAuthorizer: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'cognito_user_pools', 'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_ABC123'] } } },
    };
    const api = await sdk.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(body)), failOnWarnings: true }));
    const method = await methodOf(api.id!, '/app', 'GET');
    assert.equal(method.authorizationType, 'COGNITO_USER_POOLS');
    const [a] = (await sdk.send(new GetAuthorizersCommand({ restApiId: api.id }))).items!;
    assert.equal(method.authorizerId, a!.id);
  });

  test('an integration response may map a header its method response does not declare', async () => {
    const body = {
      swagger: '2.0', info: { title: 'Undeclared' },
      paths: { '/a': { get: {
        responses: { '200': { description: 'ok', headers: { 'X-A': { type: 'string' } } }, '400': { description: 'bad' } },
        'x-amazon-apigateway-integration': { ...mock, responses: { default: { statusCode: '400', responseParameters: { 'method.response.header.X-A': "'static value'" } } } },
      } } },
    };
    const api = await sdk.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(body)), failOnWarnings: true }));
    const method = await methodOf(api.id!, '/a', 'GET');
    assert.deepEqual(method.methodIntegration?.integrationResponses?.['400']?.responseParameters, { 'method.response.header.X-A': "'static value'" });
  });

  test('path variables are required path parameters even when the operation does not list them', async () => {
    const body = { swagger: '2.0', info: { title: 'Vars' }, paths: { '/a/{id}/{rest+}': { get: { responses: {}, 'x-amazon-apigateway-integration': mock } } } };
    const api = await sdk.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(body)), failOnWarnings: true }));
    assert.deepEqual((await methodOf(api.id!, '/a/{id}/{rest+}', 'GET')).requestParameters, { 'method.request.path.id': true, 'method.request.path.rest': true });
  });

  test('a non-string integration request parameter is left out with AWS\'s warning; failonwarnings refuses it', async () => {
    const body = Buffer.from(JSON.stringify({
      openapi: '3.0.1', info: { title: 'NotAString' },
      paths: { '/t': { get: { 'x-amazon-apigateway-integration': { ...mock, requestParameters: { 'integration.request.header.x': "'ok'", 'integration.request.header.nothing': true } } } } },
    }));
    const api = await sdk.send(new ImportRestApiCommand({ body }));
    assert.deepEqual(api.warnings, ["Invalid format for 'requestParameters'. Expected type string for property 'integration.request.header.nothing' of resource '/t' and method 'GET' but got 'true'"]);
    const resource = (await sdk.send(new GetResourcesCommand({ restApiId: api.id }))).items!.find((r) => r.path === '/t')!;
    const integration = await sdk.send(new GetIntegrationCommand({ restApiId: api.id, resourceId: resource.id, httpMethod: 'GET' }));
    assert.deepEqual(integration.requestParameters, { 'integration.request.header.x': "'ok'" });
    await assert.rejects(sdk.send(new ImportRestApiCommand({ body, failOnWarnings: true })), /Warnings found during import/);
  });

  test('empty authorizer fields (as Pulumi writes them) are unset, and an unset TTL stays unset', async () => {
    const body = {
      swagger: '2.0', info: { title: 'EmptyFields' }, paths: {},
      securityDefinitions: { auth: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'custom', 'x-amazon-apigateway-authorizer': {
        type: 'token', authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations', authorizerCredentials: '', identitySource: '',
      } } },
    };
    const api = await sdk.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(body)), failOnWarnings: true }));
    const [a] = (await sdk.send(new GetAuthorizersCommand({ restApiId: api.id }))).items!;
    assert.equal(a!.authorizerCredentials, undefined);
    assert.equal(a!.identitySource, 'method.request.header.Authorization');
    assert.equal(a!.authorizerResultTtlInSeconds, undefined);
  });

  test('a mock integration drops the httpMethod a definition gives it', async () => {
    const body = { swagger: '2.0', info: { title: 'MockMethod' }, paths: { '/a': { options: { responses: {}, 'x-amazon-apigateway-integration': { ...mock, httpMethod: 'POST' } } } } };
    const api = await sdk.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(body)), failOnWarnings: true }));
    assert.equal((await methodOf(api.id!, '/a', 'OPTIONS')).methodIntegration?.httpMethod, undefined);
  });
});
