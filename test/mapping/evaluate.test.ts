// #evaluate (Velocity 1.7's directive, which API Gateway's mapping templates accept): the string
// rendered as a template with the caller's variables at that point, #set inside staying inside,
// null and '' printing nothing, a macro named evaluate winning, bounded nesting, a syntax error in
// the string failing the render; and end to end in a deployed MOCK integration's template.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { compileTemplate, VtlError, VtlLimitError } from '../../src/vtl/index.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, putMethod, resourcePath } from '../execute/helpers.ts';

const render = (src: string, vars: Record<string, unknown> = {}) => compileTemplate(src).render(vars);

describe('#evaluate', () => {
  test('renders a string with the variables as they are at that point', () => {
    assert.equal(render(`#set($name = "World")#set($t = 'Hello $name!')#evaluate($t)#set($name = "again")#evaluate($t)`), 'Hello World!Hello again!');
    assert.equal(render(`#evaluate("#foreach($i in [1..3])$i#end")`), '123');
    assert.equal(render(`#evaluate('$m.k')`, { m: new Map([['k', 'v']]) }), 'v');
  });

  test('a #set inside stays inside', () => {
    assert.equal(render(`#evaluate('#set($x = 1)$x')[$x]`), '1[]');
  });

  test('null and empty print nothing; a non-string is its Java string', () => {
    assert.equal(render(`a#evaluate($nothing)b#evaluate('')c#evaluate(12)`), 'abc12');
  });

  test('a macro named evaluate is called instead', () => {
    assert.equal(render(`#macro(evaluate $x)M$x#end#evaluate('y')`), 'My');
  });

  test('an #evaluate of itself stops at a depth limit; a bad string fails the render', () => {
    assert.throws(() => render(`#set($s = '#evaluate($s)')#evaluate($s)`), VtlLimitError);
    assert.throws(() => render(`#evaluate('#if(')`), VtlError);
  });
});

describe('#evaluate in a deployed mapping template', () => {
  let gh: Gatehouse;
  let client: APIGatewayClient;
  before(async () => {
    gh = await startTestGatehouse();
    client = apiGatewayClient(gh.url);
  });
  after(async () => {
    client.destroy();
    await gh.close();
  });

  test('a template built as a string, evaluated with $input and $context', async () => {
    const { id } = await createApi(client, 'evaluate');
    await putMethod(client, id, await resourcePath(client, id, '/e'), {
      httpMethod: 'GET',
      integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      responses: [{ statusCode: '200', responseTemplates: {
        'application/json': `#set($who = $input.params('who'))#set($t = '{"hi": "$who", "stage": "$context.stage", "v": "$stageVariables.v"}')#evaluate($t)`,
      } }],
    });
    await deploy(client, id, 'test', { v: 'x' });
    const r = await callStage(gh.url, id, 'test', '/e?who=ann');
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { hi: 'ann', stage: 'test', v: 'x' });
  });
});
