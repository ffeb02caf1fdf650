// Issue #20 items 4 and 5 end to end: hostile mapping templates on a real Gatehouse. Each hostile
// request ends (a correct answer for the regexes, the template-failure 500 for the loops) and a
// plain request sent while it is in flight is answered too. Before the fix the regex requests
// blocked the whole process for minutes and the loop for 16 s: the test timeouts are the hang guard.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestInvokeMethodCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, putMethod, resourcePath, type Answer } from '../execute/helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let apiId: string;
const resources: Record<string, string> = {};

const OK = { statusCode: '200', responseTemplates: { 'application/json': '{"ok": true}' } };

/** A MOCK method whose request template does `work` before choosing status 200. */
async function mock(path: string, work: string, response = OK): Promise<void> {
  const id = await resourcePath(client, apiId, path);
  resources[path] = id;
  await putMethod(client, apiId, id, {
    httpMethod: 'POST',
    integration: { type: 'MOCK', requestTemplates: { 'application/json': `${work}{"statusCode": 200}` } },
    responses: [response],
  });
}

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  apiId = (await createApi(client, 'hostile-templates')).id;
  await mock('/plain', '');
  // The regexes, on a subject from the query string; the answers come back in the body.
  await mock('/regex', '', {
    statusCode: '200',
    responseTemplates: {
      'application/json': `#set($s = $input.params('s'))
{"alternation": $s.matches('(a|a)*b'), "overlap": $s.matches('(a|aa)*c'), "nested": $s.matches('(a+)+$'), "split": $s.split('(a|a)*b').size(), "replaced": "$s.replaceAll('(a|aa)*c', 'x').length()"}`,
    },
  });
  // The loop: urlEncode of the whole body a thousand times.
  await mock('/urlencode-loop', '#foreach($i in [1..1000])#set($r = $util.urlEncode($input.body))#end');
  await mock('/escape-loop', '#foreach($i in [1..1000])#set($r = $util.escapeJavaScript($input.body))#end');
  await mock('/regex-loop', "#foreach($i in [1..1000])#set($r = $input.body.replaceAll('[ab]+', 'x'))#end");
  await mock('/concat-loop', '#foreach($i in [1..1000])#set($r = "$input.body$i")#end');
  await deploy(client, apiId, 'test');
});

after(async () => {
  client.destroy();
  await gh.close();
});

/** Sends `hostile`, then a plain request while it is in flight; both must be answered. */
async function alongsidePlain(hostile: () => Promise<Answer>): Promise<{ hostile: Answer; plain: Answer; plainFirst: boolean }> {
  let hostileDone = false;
  let plainFirst = false;
  const h = hostile().then((a) => {
    hostileDone = true;
    return a;
  });
  const p = callStage(gh.url, apiId, 'test', '/plain', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }).then((a) => {
    plainFirst = !hostileDone;
    return a;
  });
  const [hostileAnswer, plain] = await Promise.all([h, p]);
  assert.equal(plain.status, 200);
  assert.equal(plain.body, '{"ok": true}');
  return { hostile: hostileAnswer, plain, plainFirst };
}

function post(path: string, body: string): Promise<Answer> {
  return callStage(gh.url, apiId, 'test', path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
}

test("the issue's regular expressions answer as Java would, without blocking another client", { timeout: 60_000 }, async () => {
  const s = 'a'.repeat(40);
  const { hostile } = await alongsidePlain(() => callStage(gh.url, apiId, 'test', `/regex?s=${s}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }));
  assert.equal(hostile.status, 200);
  assert.deepEqual(JSON.parse(hostile.body), { alternation: false, overlap: false, nested: true, split: 1, replaced: '40' });
});

// 1.6 MB, as in the issue: the body is read whole by each iteration.
const BIG = JSON.stringify({ data: 'a b/c"d'.repeat(230_000) });

for (const path of ['/urlencode-loop', '/escape-loop', '/regex-loop', '/concat-loop']) {
  test(`${path}: a loop over a 1.6 MB body stops at the template budget with the template-failure answer; another client is served`, { timeout: 120_000 }, async () => {
    const { hostile } = await alongsidePlain(() => post(path, BIG));
    assert.equal(hostile.status, 500);
    assert.deepEqual(JSON.parse(hostile.body), { message: 'Internal server error' });
    assert.equal(hostile.headers['x-amzn-errortype'], 'InternalServerErrorException');
  });
}

test('TestInvokeMethod shows which budget stopped the template', { timeout: 120_000 }, async () => {
  // TestInvokeMethod takes a smaller body; 490 KB still makes a thousand iterations far too much work.
  const body = JSON.stringify({ data: 'a b/c"d'.repeat(70_000) });
  const out = await client.send(new TestInvokeMethodCommand({
    restApiId: apiId, resourceId: resources['/urlencode-loop'], httpMethod: 'POST', body, headers: { 'content-type': 'application/json' },
  }));
  assert.equal(out.status, 500);
  assert.match(out.log!, /Execution failed due to configuration error: Unable to transform request \(Template (exceeded its work budget of \d+ units|rendering exceeded \d+ ms)/);
});
