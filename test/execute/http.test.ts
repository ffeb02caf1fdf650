// HTTP integrations end to end against a local PetStore back end with the guide's contract:
// "Map Request Parameters for an HTTP Proxy", "Transform Response Payload", selection patterns,
// stage variables, headers API Gateway adds, timeouts and unreachable back ends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, json, putMethod, resourcePath, startBackend, type Backend } from './helpers.ts';

const PETS = [
  { id: 1, type: 'dog', price: 249.99 },
  { id: 2, type: 'cat', price: 124.99 },
  { id: 3, type: 'fish', price: 0.99 },
];

let gh: Gatehouse;
let client: APIGatewayClient;
let petstore: Backend;
let apiId: string;
let slowAnswered = false;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  // The PetStore demo endpoint's contract (guide, "Map Request Parameters").
  petstore = await startBackend((req, body, res) => {
    const url = new URL(req.url!, 'http://x');
    const m = /^\/petstore\/pets(?:\/(\d+))?$/.exec(url.pathname);
    if (url.pathname === '/status') return json(res, Number(url.searchParams.get('code')), { code: url.searchParams.get('code') }, { 'x-app-id': 'app-7' });
    if (url.pathname === '/slow') {
      return void setTimeout(() => {
        slowAnswered = true;
        json(res, 200, { slow: true });
      }, 1500);
    }
    if (url.pathname === '/trickle') {
      // Headers at once, then the body in five pieces 100 ms apart: no gap reaches the
      // 200 ms timeout, the whole answer does.
      res.writeHead(200, { 'content-type': 'application/json' });
      let n = 0;
      const tick = setInterval(() => {
        if (++n < 5) res.write(' ');
        else {
          clearInterval(tick);
          res.end('{}');
        }
      }, 100);
      return;
    }
    if (url.pathname === '/echo') return json(res, 200, { method: req.method, url: req.url, headers: req.headers, body });
    if (url.pathname === '/odd-names') {
      res.writeHead(200, ['__proto__', 'p', 'constructor', 'c', 'DATE', 'then', 'X-Twice', '1', 'x-twice', '2']);
      return void res.end('{}');
    }
    if (m === null) return json(res, 404, { message: 'not found' });
    if (req.method === 'POST') return json(res, 200, { pet: JSON.parse(body), message: 'success' });
    if (m[1] !== undefined) return json(res, 200, PETS[Number(m[1]) - 1]);
    const type = url.searchParams.get('type');
    if (type !== null && url.searchParams.get('page') === '2') {
      return json(res, 200, [{ id: 4, type, price: 999.99 }, { id: 5, type, price: 249.99 }, { id: 6, type, price: 49.97 }]);
    }
    json(res, 200, PETS);
  });
  const api = await createApi(client, 'petstore-walkthrough');
  apiId = api.id;
  const base = '${stageVariables.backend}';
  const defaultResponse = [{ statusCode: '200' }];

  const pets = await resourcePath(client, apiId, '/petstorewalkthrough/pets');
  await putMethod(client, apiId, pets, {
    httpMethod: 'GET',
    requestParameters: { 'method.request.querystring.petType': false, 'method.request.querystring.petsPage': false },
    integration: {
      type: 'HTTP', integrationHttpMethod: 'GET', uri: `${base}/petstore/pets`,
      requestParameters: { 'integration.request.querystring.type': 'method.request.querystring.petType', 'integration.request.querystring.page': 'method.request.querystring.petsPage' },
    },
    responses: defaultResponse,
  });
  await putMethod(client, apiId, pets, {
    httpMethod: 'POST',
    integration: { type: 'HTTP', integrationHttpMethod: 'POST', uri: `${base}/petstore/pets` },
    responses: defaultResponse,
  });
  const pet = await resourcePath(client, apiId, '/petstorewalkthrough/pets/{petId}');
  await putMethod(client, apiId, pet, {
    httpMethod: 'GET',
    requestParameters: { 'method.request.path.petId': true },
    integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${base}/petstore/pets/{id}`, requestParameters: { 'integration.request.path.id': 'method.request.path.petId' } },
    responses: defaultResponse,
  });

  // "Transform Response Payload": the guide's three output templates over the 3-pet list.
  const templates: Record<string, string> = {
    noflatten: `#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "number": $elem.id,
    "class": "$elem.type",
    "salesPrice": $elem.price
  }#if($foreach.hasNext),#end
#end
]`,
    flattensome: `#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "description": "Item $elem.id is a $elem.type.",
    "askingPrice": $elem.price
  }#if($foreach.hasNext),#end
#end
]`,
    flattenall: `#set($inputRoot = $input.path('$'))
{
  "listings" : [
#foreach($elem in $inputRoot)
    "Item number $elem.id is a $elem.type. The asking price is $elem.price."#if($foreach.hasNext),#end
#end
  ]
}`,
  };
  for (const [name, template] of Object.entries(templates)) {
    const r = await resourcePath(client, apiId, `/petstorewalkthrough/${name}`);
    await putMethod(client, apiId, r, {
      httpMethod: 'GET',
      integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${base}/petstore/pets` },
      responses: [{ statusCode: '200', responseTemplates: { 'application/json': template } }],
    });
    const mock = await resourcePath(client, apiId, `/mock/${name}`);
    await putMethod(client, apiId, mock, {
      httpMethod: 'GET',
      integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      // The same template over a literal payload: $input.path reads the response template's own input.
      responses: [{ statusCode: '200', responseTemplates: { 'application/json': `#set($pets = '${JSON.stringify(PETS)}')${template.replace("$input.path('$')", '$util.parseJson($pets)')}` } }],
    });
  }

  // Selection patterns over the back end's status, with header mappings.
  const status = await resourcePath(client, apiId, '/status/{code}');
  await putMethod(client, apiId, status, {
    httpMethod: 'GET',
    requestParameters: { 'method.request.path.code': true },
    integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${base}/status`, requestParameters: { 'integration.request.querystring.code': 'method.request.path.code' } },
    responses: [
      { statusCode: '200', selectionPattern: '2\\d{2}', responseParameters: { 'method.response.header.X-App': 'integration.response.header.x-app-id', 'method.response.header.X-Code': 'integration.response.body.code', 'method.response.header.X-Static': "'static value'", 'method.response.header.X-Stage': 'context.stage' } },
      { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': '{"error": "client", "was": $input.json(\'$.code\')}' } },
      { statusCode: '502', selectionPattern: '5\\d{2}' },
    ],
  });
  const only404 = await resourcePath(client, apiId, '/nodefault/{code}');
  await putMethod(client, apiId, only404, {
    httpMethod: 'GET',
    requestParameters: { 'method.request.path.code': true },
    integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${base}/status`, requestParameters: { 'integration.request.querystring.code': 'method.request.path.code' } },
    responses: [{ statusCode: '404', selectionPattern: '404' }],
  });

  // Everything the back end receives.
  const echo = await resourcePath(client, apiId, '/echo');
  await putMethod(client, apiId, echo, {
    httpMethod: 'POST',
    requestParameters: { 'method.request.header.X-Custom': false },
    integration: {
      type: 'HTTP', integrationHttpMethod: 'PUT', uri: `${base}/echo`,
      requestParameters: {
        'integration.request.header.x-mapped': 'method.request.header.X-Custom',
        'integration.request.header.x-static': "'fixed'",
        'integration.request.header.x-stagevar': 'stageVariables.flavour',
        'integration.request.header.x-name': 'method.request.body.pet.name',
        'integration.request.querystring.api': 'context.apiId',
        'integration.request.header.x-whole': 'method.request.body',
      },
      requestTemplates: { 'application/json': '{"flavour": "$stageVariables.flavour", "name": $input.json(\'$.pet.name\'), "stage": "$context.stage"}' },
    },
    responses: [{ statusCode: '200' }],
  });
  const proxy = await resourcePath(client, apiId, '/proxy/{proxy+}');
  await putMethod(client, apiId, proxy, {
    httpMethod: 'ANY',
    requestParameters: { 'method.request.path.proxy': true },
    integration: { type: 'HTTP_PROXY', integrationHttpMethod: 'ANY', uri: `${base}/{proxy}`, requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' } },
  });

  const slow = await resourcePath(client, apiId, '/slow');
  await putMethod(client, apiId, slow, {
    httpMethod: 'GET',
    integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${base}/slow`, timeoutInMillis: 200 },
    responses: defaultResponse,
  });
  const trickle = await resourcePath(client, apiId, '/trickle');
  await putMethod(client, apiId, trickle, {
    httpMethod: 'GET',
    integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${base}/trickle`, timeoutInMillis: 200 },
    responses: defaultResponse,
  });
  const refused = await resourcePath(client, apiId, '/refused');
  await putMethod(client, apiId, refused, {
    httpMethod: 'GET',
    integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: 'http://127.0.0.1:1/nothing' },
    responses: defaultResponse,
  });

  await deploy(client, apiId, 'test', { backend: petstore.url, flavour: 'vanilla' });
});

after(async () => {
  client.destroy();
  await gh.close();
  await petstore.close();
});

describe('Map Request Parameters (PetStore walkthrough)', () => {
  test('GET /pets lists the three pets', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/petstorewalkthrough/pets');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), PETS);
    assert.equal(r.headers['content-type'], 'application/json');
    // Non-proxy: back-end headers are not passed on unless mapped.
    assert.equal(r.headers['x-powered-by'], undefined);
  });

  test('query strings petType/petsPage are mapped to type/page', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/petstorewalkthrough/pets?petType=cat&petsPage=2');
    assert.deepEqual(JSON.parse(r.body), [{ id: 4, type: 'cat', price: 999.99 }, { id: 5, type: 'cat', price: 249.99 }, { id: 6, type: 'cat', price: 49.97 }]);
    assert.equal(petstore.requests.at(-1)!.url, '/petstore/pets?type=cat&page=2');
  });

  test('path parameter petId fills the {id} placeholder', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/petstorewalkthrough/pets/1');
    assert.deepEqual(JSON.parse(r.body), { id: 1, type: 'dog', price: 249.99 });
  });

  test('POST passes the JSON payload through', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/petstorewalkthrough/pets', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type": "dog", "price": 249.99}',
    });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { pet: { type: 'dog', price: 249.99 }, message: 'success' });
  });
});

describe('Transform Response Payload', () => {
  const expected: Record<string, unknown> = {
    noflatten: [{ number: 1, class: 'dog', salesPrice: 249.99 }, { number: 2, class: 'cat', salesPrice: 124.99 }, { number: 3, class: 'fish', salesPrice: 0.99 }],
    flattensome: [{ description: 'Item 1 is a dog.', askingPrice: 249.99 }, { description: 'Item 2 is a cat.', askingPrice: 124.99 }, { description: 'Item 3 is a fish.', askingPrice: 0.99 }],
    flattenall: { listings: ['Item number 1 is a dog. The asking price is 249.99.', 'Item number 2 is a cat. The asking price is 124.99.', 'Item number 3 is a fish. The asking price is 0.99.'] },
  };
  for (const name of Object.keys(expected)) {
    test(`${name} over HTTP and over MOCK`, async () => {
      const http = await callStage(gh.url, apiId, 'test', `/petstorewalkthrough/${name}`);
      assert.equal(http.status, 200, http.body);
      assert.deepEqual(JSON.parse(http.body), expected[name]);
      const mock = await callStage(gh.url, apiId, 'test', `/mock/${name}`);
      assert.equal(mock.status, 200, mock.body);
      assert.deepEqual(JSON.parse(mock.body), expected[name]);
    });
  }
});

describe('integration response selection', () => {
  test('2xx, 4xx and 5xx patterns pick the method response, with header mappings', async () => {
    const ok = await callStage(gh.url, apiId, 'test', '/status/201');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-app'], 'app-7');
    assert.equal(ok.headers['x-code'], '201');
    assert.equal(ok.headers['x-static'], 'static value');
    assert.equal(ok.headers['x-stage'], 'test');
    assert.deepEqual(JSON.parse(ok.body), { code: '201' });
    const client4 = await callStage(gh.url, apiId, 'test', '/status/404');
    assert.equal(client4.status, 400);
    assert.deepEqual(JSON.parse(client4.body), { error: 'client', was: '404' });
    const server5 = await callStage(gh.url, apiId, 'test', '/status/503');
    assert.equal(server5.status, 502);
    // 1xx/3xx codes match no pattern and there is no default: 500.
    const none = await callStage(gh.url, apiId, 'test', '/status/302');
    assert.equal(none.status, 500);
    assert.deepEqual(JSON.parse(none.body), { message: 'Internal server error' });
  });

  test('whole-string match: 404 matches "404" but 4041 would not; no default → 500', async () => {
    const r404 = await callStage(gh.url, apiId, 'test', '/nodefault/404');
    assert.equal(r404.status, 404);
    const r200 = await callStage(gh.url, apiId, 'test', '/nodefault/200');
    assert.equal(r200.status, 500);
    assert.deepEqual(JSON.parse(r200.body), { message: 'Internal server error' });
  });
});

describe('what the back end receives', () => {
  test('mapped headers and query strings, stage variables, the rendered template, API Gateway headers', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=UTF-8', 'x-custom': 'c1', 'x-unmapped': 'no', cookie: 'a=b' },
      body: '{"pet": {"name": "Rex"}}',
    });
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.body);
    assert.equal(seen.method, 'PUT');
    assert.equal(seen.url, `/echo?api=${apiId}`);
    assert.equal(seen.headers['x-mapped'], 'c1');
    assert.equal(seen.headers['x-static'], 'fixed');
    assert.equal(seen.headers['x-stagevar'], 'vanilla');
    assert.equal(seen.headers['x-name'], 'Rex');
    assert.equal(seen.headers['x-whole'], '{"pet": {"name": "Rex"}}');
    assert.equal(seen.headers['x-unmapped'], undefined);
    assert.equal(seen.headers['cookie'], undefined);
    assert.equal(seen.headers['user-agent'], `AmazonAPIGateway_${apiId}`);
    assert.equal(seen.headers['x-amzn-apigateway-api-id'], apiId);
    assert.equal(seen.headers['accept'], 'application/json');
    assert.deepEqual(JSON.parse(seen.body), { flavour: 'vanilla', name: 'Rex', stage: 'test' });
  });

  test('HTTP_PROXY passes method, path, query, headers and body through, and the response back', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/proxy/echo?a=1&a=2', { method: 'PATCH', headers: { 'x-thing': 'yes', 'content-type': 'text/plain' }, body: 'raw body' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.ok(r.headers['x-amzn-remapped-date'] !== undefined);
    const seen = JSON.parse(r.body);
    assert.equal(seen.method, 'PATCH');
    assert.equal(seen.url, '/echo?a=1&a=2');
    assert.equal(seen.headers['x-thing'], 'yes');
    assert.equal(seen.body, 'raw body');
    assert.match(seen.headers['x-forwarded-for'], /127\.0\.0\.1/);
  });
});

describe('HTTP_PROXY answers', () => {
  test('headers named __proto__ or constructor reach the client; Date is renamed in the back end\'s spelling', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/proxy/odd-names');
    assert.equal(r.status, 200);
    const sent = (name: string): string[] => r.rawHeaders.filter((_, i) => i % 2 === 1 && r.rawHeaders[i - 1] === name);
    assert.deepEqual(sent('__proto__'), ['p']);
    assert.deepEqual(sent('constructor'), ['c']);
    assert.deepEqual(sent('x-amzn-Remapped-DATE'), ['then']);
    assert.deepEqual(sent('X-Twice'), ['1', '2']);
  });
});

describe('failures', () => {
  test('a back end slower than timeoutInMillis: 504 Endpoint request timed out', async () => {
    slowAnswered = false;
    const r = await callStage(gh.url, apiId, 'test', '/slow');
    assert.equal(r.status, 504);
    assert.deepEqual(JSON.parse(r.body), { message: 'Endpoint request timed out' });
    assert.equal(slowAnswered, false, 'answered at the timeout, before the back end answered');
  });

  test('a body that trickles in past timeoutInMillis is a timeout too', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/trickle');
    assert.equal(r.status, 504);
    assert.deepEqual(JSON.parse(r.body), { message: 'Endpoint request timed out' });
  });

  test('connection refused: 500 Internal server error', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/refused');
    assert.equal(r.status, 500);
    assert.deepEqual(JSON.parse(r.body), { message: 'Internal server error' });
  });

  test('a payload over 10 MB: 413', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/petstorewalkthrough/pets', { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1, 97) });
    assert.equal(r.status, 413);
  });

  test('stage variables are read per stage: changing one re-deploys nothing but changes the URI', async () => {
    await client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'test', patchOperations: [{ op: 'replace', path: '/variables/flavour', value: 'chocolate' }] }));
    let seen: { headers: Record<string, string> } | undefined;
    for (let i = 0; i < 50; i++) {
      const r = await callStage(gh.url, apiId, 'test', '/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      seen = JSON.parse(r.body);
      if (seen!.headers['x-stagevar'] === 'chocolate') break;
      await new Promise((res) => setTimeout(res, 10));
    }
    assert.equal(seen!.headers['x-stagevar'], 'chocolate');
  });
});
