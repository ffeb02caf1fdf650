// The guide's "Use Models and Mapping Templates to Transform Response Payload" walkthrough
// (guide L1878–2545, inventory §7 and TV-10..TV-13) run end to end on a Lambda back end: the
// guide's GetPetsInfo function deployed with @aws-sdk/client-lambda, the guide's four models and
// its mapping templates read out of the guide's text, the console's Test button
// (TestInvokeMethod, Step 5) and the deployed stage (Step 7). The guide fronts three of the four
// methods with its HTTP demo endpoint, which "returns the same example data" as the function;
// here all four call GetPetsInfo, so every transformation runs on a real Lambda result.
//
// Then TestInvokeMethod on a Lambda-integrated method: status, body, headers and the execution
// log's lines for the Lambda endpoint request and response.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  CreateModelCommand, GetModelsCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand,
  TestInvokeMethodCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, resourcePath } from '../execute/helpers.ts';
import { ROLE, zip } from '../lambda/helpers.ts';
import { guideBlock } from '../mapping/guide.ts';

const ACCOUNT = '000000000000';
const GUIDE = '/work/shared/spec/api-gateway-developer-guide-2016.txt';
const uriOf = (fn: string): string => `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fn}/invocations`;
const arnOf = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

// ---- The guide's text -------------------------------------------------------------------------

const guideLines = readFileSync(GUIDE, 'utf8').split('\n');
/** 1-based line of the first line equal to `heading` at or after line `from`. */
function lineOf(heading: string, from = 1): number {
  const i = guideLines.findIndex((l, n) => n >= from - 1 && l.trim() === heading);
  if (i === -1) throw new Error(`not in the guide: ${heading}`);
  return i + 1;
}
const WALKTHROUGH = lineOf('Use Models and Mapping Templates to Transform Response Payload');
/** The code block after `step`, searched from the section titled `section` in the walkthrough. */
const block = (section: string, step: string): string => guideBlock(step, lineOf(section, WALKTHROUGH));

const TEST_BUTTON = 'Choose **Method Execution**, and in the **Client** box, choose **TEST**, and then choose **Test**. If successful, **Response Body** will display the following:';
const FIRST = 'To specify settings for the first GET method and then test it';
const SECOND = 'To specify settings for the second GET method and then test it';
const THIRD = 'To specify settings for the third GET method and then test it';
const FOURTH = 'To specify settings for the fourth GET method and then test it';
const STEP7 = 'Step 7: Test the API';

const guide = {
  models: {
    PetsModelNoFlatten: block('To create the first output model', '7. For **Model schema**, type the following JSON Schema-compatible definition:'),
    PetsModelFlattenSome: block('To create the second output model', '5. For **Model schema**, type the following:'),
    PetsModelFlattenAll: block('To create the third output model', '5. For **Model schema**, type the following:'),
    PetsLambdaModel: block('To create the input model', '5. For **Model schema**, type the following:'),
  },
  functionCode: block('To create the Lambda function', '6. Type the following code:'),
  flattenAll: { template: block(FIRST, '9. Modify the code as follows:'), tested: block(FIRST, `11. ${TEST_BUTTON}`), browsed: block(STEP7, '7. Browse to the URL. The following information should be displayed:') },
  lambdaFlattenSome: {
    requestTemplate: block(SECOND, '10. In the **Input mapping** area, modify the code as follows, and then choose **Update**:'),
    template: block(SECOND, '15. Modify the code as follows, and then choose **Update**:'),
    tested: block(SECOND, `16. ${TEST_BUTTON}`),
    browsed: block(STEP7, '9. Browse to the URL. The following information should be displayed:'),
  },
  flattenSome: { template: block(THIRD, '9. Modify the code as follows:'), tested: block(THIRD, `11. ${TEST_BUTTON}`), browsed: block(STEP7, '5. Browse to the URL. The following information should be displayed:') },
  noFlatten: { template: block(FOURTH, '11. Modify the code as follows:'), tested: block(FOURTH, `13. ${TEST_BUTTON}`), browsed: block(STEP7, 'Browse to the URL. The following information should be displayed:') },
};

// The guide's damaged text, repaired as little as possible (inventory §31 B6): the PDF wraps the
// FlattenAll template's string literal after "The asking price is", which as printed would put a
// newline inside a JSON string. The line is joined back with the one space the output shows.
const FLATTEN_ALL_TEMPLATE = guide.flattenAll.template.replace('The asking price is\n$elem.price.', 'The asking price is $elem.price.');
const noSpace = (s: string): string => s.replace(/\s+/g, '');

let gh: Gatehouse;
let client: APIGatewayClient;
let lambda: LambdaClient;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  // Step 4: the guide's GetPetsInfo, verbatim.
  await lambda.send(new CreateFunctionCommand({
    FunctionName: 'GetPetsInfo', Description: 'Gets information about pets', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler',
    Code: { ZipFile: zip({ 'index.js': guide.functionCode }) },
  }));
});

after(async () => {
  lambda.destroy();
  client.destroy();
  await gh.close();
});

/** A GET calling GetPetsInfo, its 200 method response with `model`, the integration response with `template`. */
async function lambdaGet(restApiId: string, resourceId: string, model: string, template: string, requestTemplates?: Record<string, string>): Promise<void> {
  await client.send(new PutMethodCommand({ restApiId, resourceId, httpMethod: 'GET', authorizationType: 'NONE' }));
  await client.send(new PutIntegrationCommand({
    restApiId, resourceId, httpMethod: 'GET', type: 'AWS', integrationHttpMethod: 'POST', uri: uriOf(arnOf('GetPetsInfo')), requestTemplates,
  }));
  await client.send(new PutMethodResponseCommand({ restApiId, resourceId, httpMethod: 'GET', statusCode: '200', responseModels: { 'application/json': model } }));
  await client.send(new PutIntegrationResponseCommand({ restApiId, resourceId, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': template } }));
}

describe('Use Models and Mapping Templates to Transform Response Payload (guide walkthrough, Lambda back end)', () => {
  let apiId: string;
  const ids: Record<string, string> = {};
  before(async () => {
    apiId = (await createApi(client, 'MyDemoAPI')).id;
    // Step 1: the four models, the guide's names, descriptions and schemas.
    const descriptions: Record<string, string> = {
      PetsModelNoFlatten: 'Changes id to number, type to class, and price to salesPrice',
      PetsModelFlattenSome: 'Combines id and type into description, and changes price to askingPrice',
      PetsModelFlattenAll: 'Combines id, type, and price into a set of listings.',
      PetsLambdaModel: 'GetPetsInfo model.',
    };
    for (const [name, schema] of Object.entries(guide.models)) {
      await client.send(new CreateModelCommand({ restApiId: apiId, name, contentType: 'application/json', description: descriptions[name], schema }));
    }
    // Steps 2, 3 and 5.
    for (const p of ['noflatten', 'flattensome', 'flattenall', 'lambdaflattensome']) ids[p] = await resourcePath(client, apiId, `/petstorewalkthrough/${p}`);
    await lambdaGet(apiId, ids.flattenall!, 'PetsModelFlattenAll', FLATTEN_ALL_TEMPLATE);
    await lambdaGet(apiId, ids.lambdaflattensome!, 'PetsModelFlattenSome', guide.lambdaFlattenSome.template, { 'application/json': guide.lambdaFlattenSome.requestTemplate });
    await lambdaGet(apiId, ids.flattensome!, 'PetsModelFlattenSome', guide.flattenSome.template);
    await lambdaGet(apiId, ids.noflatten!, 'PetsModelNoFlatten', guide.noFlatten.template);
    // Step 6.
    await deploy(client, apiId, 'test');
  });

  const testButton = async (p: string) => client.send(new TestInvokeMethodCommand({ restApiId: apiId, resourceId: ids[p]!, httpMethod: 'GET' }));
  const browse = async (p: string) => callStage(gh.url, apiId, 'test', `/petstorewalkthrough/${p}`);

  test('Step 1: the four models are stored with the guide\'s schemas', async () => {
    const models = await client.send(new GetModelsCommand({ restApiId: apiId }));
    const byName = new Map(models.items!.map((m) => [m.name!, m]));
    for (const [name, schema] of Object.entries(guide.models)) {
      assert.equal(byName.get(name)?.contentType, 'application/json', name);
      assert.deepEqual(JSON.parse(byName.get(name)!.schema!), JSON.parse(schema), name);
    }
  });

  test('TV-10 flattenall: the listings, exactly as the guide shows them (console test and deployed)', async () => {
    const t = await testButton('flattenall');
    assert.equal(t.status, 200);
    assert.equal(t.body, guide.flattenAll.tested);
    const r = await browse('flattenall');
    assert.equal(r.status, 200);
    assert.equal(r.body, guide.flattenAll.browsed);
    assert.match(String(r.headers['content-type']), /^application\/json/);
  });

  test('TV-11 lambdaflattensome: description and askingPrice (the guide\'s output is whitespace-damaged, see below)', async () => {
    // The guide's PDF splits both this template and the Step 7 output across page breaks and
    // loses the indentation of the object's lines ("{", "\"description\" ...", "}" start at column
    // 0 in the template); the Step 5 output shows them indented. The template as printed renders
    // its own indentation, so the comparison with the guide's output ignores whitespace, and
    // the rendered text is checked exactly against the template's own layout.
    const t = await testButton('lambdaflattensome');
    assert.equal(t.status, 200);
    assert.equal(noSpace(t.body!), noSpace(guide.lambdaFlattenSome.tested));
    assert.equal(t.body, '[\n{\n  "description" : "Item 1 is a dog.",\n  "askingPrice" : 249.99\n},\n{\n  "description" : "Item 2 is a cat.",\n  "askingPrice" : 124.99\n},\n{\n  "description" : "Item 3 is a fish.",\n  "askingPrice" : 0.99\n}\n]');
    const r = await browse('lambdaflattensome');
    assert.equal(r.status, 200);
    assert.equal(r.body, t.body);
    assert.equal(noSpace(r.body), noSpace(guide.lambdaFlattenSome.browsed));
    // The PetsLambdaModel input mapping ran on the GET's empty body: "[\n]" was the event.
    const log = t.log!;
    assert.match(log, /Endpoint request body after transformations: \[\n\]\n/);
  });

  test('TV-12 flattensome: description and askingPrice, exactly as the guide shows them', async () => {
    const t = await testButton('flattensome');
    assert.equal(t.status, 200);
    assert.equal(t.body, guide.flattenSome.tested);
    const r = await browse('flattensome');
    assert.equal(r.status, 200);
    assert.equal(r.body, guide.flattenSome.browsed);
  });

  test('TV-13 noflatten: number, class and salesPrice (the guide\'s template has no blank line, see below)', async () => {
    // Unlike the other three, this template has no blank line after "#if($foreach.hasNext),#end";
    // Velocity 1.7 eats the newline after that #end, so items follow each other on one line
    // ("},  {") and the closing "}" meets "]". The guide's output shows them on separate lines,
    // which the template as printed cannot produce: compared ignoring whitespace, and the exact
    // text checked against Velocity's layout.
    const t = await testButton('noflatten');
    assert.equal(t.status, 200);
    assert.equal(noSpace(t.body!), noSpace(guide.noFlatten.tested));
    assert.deepEqual(JSON.parse(t.body!), JSON.parse(guide.noFlatten.tested));
    assert.equal(t.body, '[\n  {\n    "number": 1,\n    "class": "dog",\n    "salesPrice": 249.99\n  },  {\n    "number": 2,\n    "class": "cat",\n    "salesPrice": 124.99\n  },  {\n    "number": 3,\n    "class": "fish",\n    "salesPrice": 0.99\n  }]');
    const r = await browse('noflatten');
    assert.equal(r.status, 200);
    assert.equal(r.body, t.body);
    assert.equal(noSpace(r.body), noSpace(guide.noFlatten.browsed));
  });
});

describe('TestInvokeMethod on a Lambda-integrated method', () => {
  let apiId: string;
  let resourceId: string;
  before(async () => {
    apiId = (await createApi(client, 'TestInvokeLambda')).id;
    resourceId = await resourcePath(client, apiId, '/pets');
    await client.send(new PutMethodCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', authorizationType: 'NONE' }));
    await client.send(new PutIntegrationCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', type: 'AWS', integrationHttpMethod: 'POST', uri: uriOf(arnOf('GetPetsInfo')) }));
    await client.send(new PutMethodResponseCommand({
      restApiId: apiId, resourceId, httpMethod: 'GET', statusCode: '200', responseParameters: { 'method.response.header.X-Version': false },
    }));
    await client.send(new PutIntegrationResponseCommand({
      restApiId: apiId, resourceId, httpMethod: 'GET', statusCode: '200',
      responseParameters: { 'method.response.header.X-Version': 'integration.response.header.X-Amz-Executed-Version' },
      responseTemplates: { 'application/json': guide.flattenSome.template },
    }));
  });

  test('status, body, headers and the Lambda endpoint request/response lines of the log', async () => {
    const out = await client.send(new TestInvokeMethodCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', pathWithQueryString: '/pets?x=1' }));
    assert.equal(out.status, 200);
    assert.equal(out.body, guide.flattenSome.tested);
    // With the integration call's trace, as AWS's recorded TestInvokeMethod of a Lambda integration has it.
    const { 'X-Amzn-Trace-Id': trace, ...headers } = out.headers ?? {};
    assert.match(trace ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0$/);
    assert.deepEqual(headers, { 'X-Version': '$LATEST', 'Content-Type': 'application/json' });
    assert.deepEqual(out.multiValueHeaders, { 'X-Version': ['$LATEST'], 'Content-Type': ['application/json'], 'X-Amzn-Trace-Id': [trace] });
    const log = out.log!;
    const line = (text: string) => new RegExp(`^\\w{3} \\w{3} \\d{2} \\d{2}:\\d{2}:\\d{2} UTC \\d{4} : ${text}$`, 'm');
    const lambdaUrl = `https://lambda\\.${REGION}\\.amazonaws\\.com/2015-03-31/functions/${arnOf('GetPetsInfo')}/invocations`;
    assert.match(log, /^Execution log for request [0-9a-f-]{36}\n/);
    assert.match(log, line('HTTP Method: GET, Resource Path: /pets'));
    assert.match(log, line('Method request query string: \\{x=1\\}'));
    assert.match(log, line('Method request body before transformations: '));
    assert.match(log, line(`Endpoint request URI: ${lambdaUrl}`));
    assert.match(log, line(`Endpoint request headers: \\{.*x-amzn-apigateway-api-id=${apiId}.*\\}`));
    // No template and a GET: the body is empty here, and {} is what the function receives.
    assert.match(log, line('Endpoint request body after transformations: '));
    assert.match(log, line(`Sending request to ${lambdaUrl}`));
    assert.match(log, line('Received response. Status: 200, Integration latency: \\d+ ms'));
    assert.match(log, new RegExp(line('Endpoint response headers: \\{.*X-Amz-Executed-Version=\\$LATEST.*\\}').source, 'mi'));
    assert.match(log, line('Endpoint response body before transformations: \\[\\{"id":1,"type":"dog","price":249.99\\},\\{"id":2,"type":"cat","price":124.99\\},\\{"id":3,"type":"fish","price":0.99\\}\\]'));
    assert.ok(log.includes(`: Method response body after transformations: ${guide.flattenSome.tested}\n`));
    assert.match(log, line('Method response headers: \\{X-Version=\\$LATEST, Content-Type=application/json\\}'));
    assert.match(log, line('Successfully completed execution'));
    assert.match(log, line('Method completed with status: 200'));
  });
});
