// The console's other pages in headless Chromium: a Lambda function created from a zip and
// invoked with its log; a Lambda authorizer on it, tested; models; gateway responses; client
// certificates; a custom domain name with an API mapping. Each result is read back through the
// management and Lambda APIs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import {
  CreateRestApiCommand, GetAuthorizersCommand, GetBasePathMappingsCommand, GetClientCertificatesCommand, GetDomainNameCommand, GetGatewayResponseCommand,
  GetModelCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Page } from 'playwright-core';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, awsCli, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { launchBrowser, type TestBrowser, type WatchedPage } from '../helpers/browser.ts';
import { issue, newCa } from '../control/domain-certificates.ts';

const SHOTS = join(process.cwd(), 'tmp', 'console-screenshots');
const AUTHORIZER = `export const handler = async (event) => {
  console.log('checking token ' + event.authorizationToken);
  return { principalId: 'console-user', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: event.authorizationToken === 'allow' ? 'Allow' : 'Deny', Resource: event.methodArn }] } };
};
`;

describe('the web console: functions, authorizers, models, gateway responses, certificates, domain names', { timeout: 240_000 }, () => {
  let gh: Gatehouse;
  let client: APIGatewayClient;
  let browser: TestBrowser;
  let watched: WatchedPage;
  let page: Page;
  let apiId: string;
  const dir = mkdtempSync(join(tmpdir(), 'gh-console-more-'));

  async function act(testId: string): Promise<void> {
    await page.getByTestId(testId).click();
    await page.waitForFunction((id) => {
      const b = document.querySelector(`[data-testid="${id}"]`);
      return b === null || !(b as HTMLButtonElement).disabled;
    }, testId);
  }

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    gh = await startTestGatehouse();
    client = apiGatewayClient(gh.url);
    apiId = (await client.send(new CreateRestApiCommand({ name: 'more' }))).id!;
    browser = await launchBrowser();
    watched = await browser.page([gh.url]);
    page = watched.page;
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${gh.url}/_gatehouse/console/`);
    await page.getByLabel('Access key ID').fill(CREDENTIALS.accessKeyId);
    await page.getByLabel('Secret access key').fill(CREDENTIALS.secretAccessKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'APIs' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await gh?.close();
  });

  it('creates a Lambda function from a zip and test-invokes it, showing its log', async () => {
    const zip = join(dir, 'authorizer.zip');
    writeFileSync(zip, zipSync({ 'index.mjs': strToU8(AUTHORIZER) }));
    await page.goto(`${gh.url}/_gatehouse/console/#/functions`);
    await page.getByLabel('Function name').fill('token-check');
    await page.getByLabel('Code (.zip file)').setInputFiles(zip);
    await act('create-function');
    await page.getByRole('cell', { name: 'token-check' }).waitFor();
    const lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS });
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'token-check' }));
    assert.equal(fn.Configuration?.Handler, 'index.handler');
    lambda.destroy();

    await page.getByRole('row', { name: /token-check/ }).getByRole('button', { name: 'Test' }).click();
    await page.getByLabel('Test event').fill('{"authorizationToken": "allow", "methodArn": "arn:aws:execute-api:us-east-1:000000000000:abc/test/GET/"}');
    await act('invoke-function');
    const payload = JSON.parse((await page.getByTestId('invoke-payload').textContent())!);
    assert.equal(payload.principalId, 'console-user');
    assert.match((await page.getByTestId('invoke-log').textContent())!, /checking token allow/);
    await page.screenshot({ path: join(SHOTS, 'lambda.png'), fullPage: true });
  });

  it('creates a Lambda authorizer and tests it', async () => {
    const fnArn = `arn:aws:lambda:us-east-1:000000000000:function:token-check`;
    await page.goto(`${gh.url}/_gatehouse/console/#/apis/${apiId}/authorizers`);
    await page.getByLabel('Authorizer name').fill('tokens');
    await page.getByLabel('Lambda function invocation URI').fill(`arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn}/invocations`);
    await act('create-authorizer');
    await page.getByRole('row', { name: /tokens/ }).waitFor();
    const authorizers = await client.send(new GetAuthorizersCommand({ restApiId: apiId }));
    assert.equal(authorizers.items?.[0]?.identitySource, 'method.request.header.Authorization');
    await page.getByRole('row', { name: /tokens/ }).getByRole('button', { name: 'Test' }).click();
    await page.getByLabel('Identity token (the identity source\'s value)').fill('allow');
    await act('test-authorizer');
    assert.equal(await page.getByTestId('authorizer-status').textContent(), '200');
    await page.getByTestId('authorizer-result').getByText(/"Effect":\s*"Allow"/).first().waitFor();
  });

  it('creates a model and customizes a gateway response', async () => {
    await page.goto(`${gh.url}/_gatehouse/console/#/apis/${apiId}/models`);
    await page.getByLabel('Model name').fill('Pet');
    await page.getByLabel('Model schema').fill('{"type": "object", "properties": {"name": {"type": "string"}}}');
    await act('create-model');
    await page.getByRole('cell', { name: 'Pet', exact: true }).waitFor();
    const model = await client.send(new GetModelCommand({ restApiId: apiId, modelName: 'Pet' }));
    assert.equal(model.contentType, 'application/json');

    await page.goto(`${gh.url}/_gatehouse/console/#/apis/${apiId}/gateway-responses`);
    await page.getByLabel('Response type').selectOption('MISSING_AUTHENTICATION_TOKEN');
    await page.getByLabel('Status code').fill('404');
    await page.getByLabel('Gateway response headers').fill("gatewayresponse.header.X-Why='no such route'");
    await page.getByLabel('Gateway response template').fill('{"message": "Not here: $context.path"}');
    await act('save-gateway-response');
    const r = await client.send(new GetGatewayResponseCommand({ restApiId: apiId, responseType: 'MISSING_AUTHENTICATION_TOKEN' }));
    assert.equal(r.statusCode, '404');
    assert.deepEqual(r.responseParameters, { 'gatewayresponse.header.X-Why': "'no such route'" });
    assert.equal(r.responseTemplates?.['application/json'], '{"message": "Not here: $context.path"}');
  });

  it('generates a client certificate and creates a custom domain name with a mapping', async () => {
    await page.goto(`${gh.url}/_gatehouse/console/#/client-certificates`);
    await page.getByLabel('Description').fill('backend mTLS');
    await act('generate-certificate');
    await page.getByRole('cell', { name: 'backend mTLS' }).waitFor();
    const certs = await client.send(new GetClientCertificatesCommand({}));
    assert.match(certs.items?.[0]?.pemEncodedCertificate ?? '', /BEGIN CERTIFICATE/);

    const ca = await newCa('Console CA');
    const leaf = await issue(ca, { cn: 'api.console.test', dns: ['api.console.test'] });
    writeFileSync(join(dir, 'c.pem'), leaf.pem);
    writeFileSync(join(dir, 'k.pem'), leaf.keyPem);
    const { CertificateArn } = await awsCli(gh.url, ['acm', 'import-certificate', '--certificate', `fileb://${join(dir, 'c.pem')}`, '--private-key', `fileb://${join(dir, 'k.pem')}`]) as { CertificateArn: string };
    await page.goto(`${gh.url}/_gatehouse/console/#/domain-names`);
    await page.getByLabel('Domain name', { exact: true }).fill('api.console.test');
    await page.getByLabel('ACM certificate ARN').fill(CertificateArn);
    await act('create-domain');
    await page.getByRole('group', { name: 'API mappings of api.console.test' }).waitFor();
    await page.getByLabel('Base path').fill('v1');
    await page.getByLabel('Mapped API id').fill(apiId);
    await act('add-mapping');
    await page.getByText(`/v1 → ${apiId}`).waitFor();
    const d = await client.send(new GetDomainNameCommand({ domainName: 'api.console.test' }));
    assert.equal(d.regionalCertificateArn, CertificateArn);
    const m = await client.send(new GetBasePathMappingsCommand({ domainName: 'api.console.test' }));
    assert.deepEqual(m.items, [{ basePath: 'v1', restApiId: apiId }]);
  });

  it('left no console errors and made no request to another origin', () => {
    assert.deepEqual(watched.errors, [], watched.errors.join('\n'));
    assert.deepEqual(watched.foreignRequests, []);
  });
});
