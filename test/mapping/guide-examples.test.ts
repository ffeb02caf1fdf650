// Every mapping template of the Developer Guide with its documented input and output
// (spec/api-gateway-developer-guide-2016.txt; test vectors as listed in guide-inventory-part1.md §29).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate } from '../../src/vtl/index.ts';
import { renderMappingTemplate, type MappingInput } from '../../src/mapping/index.ts';
import { guideBlock } from './guide.ts';


function input(body: string, params: Partial<MappingInput['params']> = {}, context: Record<string, unknown> = {}, stageVariables: Record<string, string> = {}): MappingInput {
  return { body, params: { path: {}, querystring: {}, header: {}, ...params }, context, stageVariables };
}

function render(template: string, inp: MappingInput): string {
  return renderMappingTemplate(compileTemplate(template, { name: 'guide' }), inp);
}

const PETS = '[{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}, {"id": 3, "type": "fish", "price": 0.99}]';

// The guide's four model examples, with the guide's own errors repaired and named:
const MODEL_EXAMPLES: { name: string; fixOriginal?: (s: string) => string; fixTemplate?: (s: string) => string; fixTransformed?: (s: string) => string; notJson?: 'input' | 'output' }[] = [
  // Photos: the transformed data shows owners "23456789@A12" where the original has "234567890A12".
  { name: 'Photos Example', fixTransformed: (s) => s.replace('23456789@A12', '234567890A12').replace('34567890@B23', '34567890B23') },
  // News: the template says `$selem` for `$elem` (the verbatim template is rendered in a test below).
  { name: 'News Article Example', fixTemplate: (s) => s.replace(/\$selem/g, '$elem') },
  // Sales invoice: a page break lost the "}" closing the Line item of the original data.
  // Its input template is cut by a page break into a structure that is not JSON.
  { name: 'Sales Invoice Example', fixOriginal: (s) => s.replace(/"Billable"\s*}\s*]/, '"Billable" } } ]'), notJson: 'input' },
  // Employee: the PDF wraps four references across lines ("...PrimaryPhone.Free\nFormNumber").
  // Its output template also lacks the "]" closing "Employees".
  { name: 'Employee Record Example', fixTemplate: (s) => s.replace(/(\$[\w.]+)\n(\w)/g, '$1$2'), notJson: 'output' },
];

/** Every string and number leaf of a JSON document. */
function leaves(v: unknown, out: string[] = []): string[] {
  if (v !== null && typeof v === 'object') for (const x of Object.values(v)) leaves(x, out);
  else if (typeof v === 'string' || typeof v === 'number') out.push(String(v));
  return out;
}

const same = (s: string): string => s;
for (const { name, fixOriginal = same, fixTemplate = same, fixTransformed = same, notJson } of MODEL_EXAMPLES) {
  test(`guide models example "${name}": the output mapping template turns the original data into the transformed data`, () => {
    const original = fixOriginal(guideBlock(`Original Data (${name})`));
    const out = render(fixTemplate(guideBlock(`Output Mapping Template (${name})`)), input(original));
    const transformed = JSON.parse(fixTransformed(guideBlock(`Transformed Data (${name})`)));
    if (notJson === 'output') for (const leaf of leaves(transformed)) assert.ok(out.includes(leaf), `${leaf} missing from ${out}`);
    else assert.deepEqual(JSON.parse(out), transformed);
  });
  test(`guide models example "${name}": the input mapping template renders the original data`, () => {
    const original = fixOriginal(guideBlock(`Original Data (${name})`));
    const out = render(fixTemplate(guideBlock(`Input Mapping Template (${name})`)), input(original));
    if (notJson === 'input') for (const leaf of leaves(JSON.parse(original)).slice(0, 12)) assert.ok(out.includes(leaf), `${leaf} missing`);
    else assert.doesNotThrow(() => JSON.parse(out), out);
  });
}

test('guide News example verbatim: the misspelt $selem references render as empty strings (API Gateway null rendering)', () => {
  const out = JSON.parse(render(guideBlock('Output Mapping Template (News Article Example)'), input(guideBlock('Original Data (News Article Example)'))));
  assert.deepEqual(out.items[0], { creation_date: '2015-04-20', title: '', author: ' ', body: '', publish_date: '', article_url: '' });
});

test('TV-10 FlattenAll (guide L2222-2249): listings of the three pets', () => {
  // The guide's PDF wraps the string literal after "is"; the template is the one-line original.
  const t = '#set($inputRoot = $input.path(\'$\'))\n{\n  "listings" : [\n#foreach($elem in $inputRoot)\n    "Item number $elem.id is a $elem.type. The asking price is $elem.price."#if($foreach.hasNext),#end\n\n#end\n  ]\n}';
  const out = render(t, input(PETS));
  // The blank line after #end in the template is the only newline left between items: #if(...),#end eats its own.
  assert.equal(out, '{\n  "listings" : [\n    "Item number 1 is a dog. The asking price is 249.99.",\n    "Item number 2 is a cat. The asking price is 124.99.",\n    "Item number 3 is a fish. The asking price is 0.99."\n  ]\n}');
  assert.deepEqual(JSON.parse(out), { listings: ['Item number 1 is a dog. The asking price is 249.99.', 'Item number 2 is a cat. The asking price is 124.99.', 'Item number 3 is a fish. The asking price is 0.99.'] });
});

test('TV-11/TV-12 FlattenSome (guide L2261-2363)', () => {
  const t = '#set($inputRoot = $input.path(\'$\'))\n[\n#foreach($elem in $inputRoot)\n  {\n    "description": "Item $elem.id is a $elem.type.",\n    "askingPrice": $elem.price\n  }#if($foreach.hasNext),#end\n\n#end\n]';
  assert.deepEqual(JSON.parse(render(t, input(PETS))), [
    { description: 'Item 1 is a dog.', askingPrice: 249.99 }, { description: 'Item 2 is a cat.', askingPrice: 124.99 }, { description: 'Item 3 is a fish.', askingPrice: 0.99 },
  ]);
  const lambdaIn = '#set($inputRoot = $input.path(\'$\'))\n[\n#foreach($elem in $inputRoot)\n  {\n    "id" : $elem.id,\n    "type" : "$elem.type",\n    "price" : $elem.price\n  }#if($foreach.hasNext),#end\n#end\n]';
  assert.deepEqual(JSON.parse(render(lambdaIn, input(PETS))), JSON.parse(PETS));
});

test('TV-13 NoFlatten (guide): number/class/salesPrice', () => {
  const t = '#set($inputRoot = $input.path(\'$\'))\n[\n#foreach($elem in $inputRoot)\n  {\n    "number": $elem.id,\n    "class": "$elem.type",\n    "salesPrice": $elem.price\n  }#if($foreach.hasNext),#end\n#end\n]';
  assert.deepEqual(JSON.parse(render(t, input(PETS)))[0], { number: 1, class: 'dog', salesPrice: 249.99 });
});

test('TV-15/TV-16 mock integration request templates (guide L3125-3150): status by petType', () => {
  assert.deepEqual(JSON.parse(render('{\n  "statusCode": 200\n}', input(''))), { statusCode: 200 });
  // The guide's "#endif" is a PDF artifact of "#end".
  const t = '{\n  #if( $input.params(\'petType\') == "cat" )\n    "statusCode": 200\n  #elseif( $input.params(\'petType\') == "dog" )\n    "statusCode": 400\n  #else\n    "statusCode": 500\n  #end\n}';
  const status = (q: Record<string, string>) => JSON.parse(render(t, input('', { querystring: q }))).statusCode;
  assert.equal(status({ petType: 'cat' }), 200);
  assert.equal(status({ petType: 'dog' }), 400);
  assert.equal(status({ petType: 'bird' }), 500);
  assert.equal(status({}), 500);
});

test('TV-17 mock response templates (guide L3152-3179): the ## comment line is not emitted', () => {
  const t = '## Example 200 response for ?petType=cat (response will contain "type": "cat").\n{\n  "id": 1,\n  "name": "Kitty",\n  "type": "$input.params(\'petType\')"\n}';
  const out = render(t, input('', { querystring: { petType: 'cat' } }));
  assert.equal(out, '{\n  "id": 1,\n  "name": "Kitty",\n  "type": "cat"\n}');
  assert.deepEqual(JSON.parse(render('## Example 400 response.\n{\n  "Message": "Error: petType not valid."\n}', input(''))), { Message: 'Error: petType not valid.' });
});

test('TV-19 grocery "choices" output template (guide L3439-3513)', () => {
  const body = '{"department": "produce", "categories": ["fruit", "vegetables"], "bins": [{"category": "fruit", "type": "apples", "price": 1.99, "unit": "pound", "quantity": 232}, {"category": "fruit", "type": "bananas", "price": 0.19, "unit": "each", "quantity": 112}, {"category": "vegetables", "type": "carrots", "price": 1.29, "unit": "bag", "quantity": 57}]}';
  const t = '#set($inputRoot = $input.path(\'$\'))\n{\n  "choices": [\n    #foreach($elem in $inputRoot.bins)\n      {\n        "kind": "$elem.type",\n        "suggestedPrice": "$elem.price per $elem.unit",\n        "available": $elem.quantity\n      }#if($foreach.hasNext),#end\n    #end\n  ]\n}';
  assert.deepEqual(JSON.parse(render(t, input(body))), {
    choices: [
      { kind: 'apples', suggestedPrice: '1.99 per pound', available: 232 },
      { kind: 'bananas', suggestedPrice: '0.19 per each', available: 112 },
      { kind: 'carrots', suggestedPrice: '1.29 per bag', available: 57 },
    ],
  });
});

test('TV-21 $context template (guide L4762-4782): each field is the context value', () => {
  const context = { stage: 'test', requestId: 'req-1', apiId: 'a1b2', resourcePath: '/pets', resourceId: 'r1', httpMethod: 'GET',
    identity: { sourceIp: '10.0.0.1', userAgent: 'curl/8', accountId: '123', apiKey: 'k', caller: 'c', user: 'u', userArn: 'arn:aws:iam::123:user/u' } };
  const t = guideBlock('Context Variables Template Example');
  assert.deepEqual(JSON.parse(render(t, input('', {}, context))), {
    stage: 'test', request_id: 'req-1', api_id: 'a1b2', resource_path: '/pets', resource_id: 'r1', http_method: 'GET', source_ip: '10.0.0.1',
    'user-agent': 'curl/8', account_id: '123', api_key: 'k', caller: 'c', user: 'u', user_arn: 'arn:aws:iam::123:user/u',
  });
});

test('TV-22 $input.params + $input.json("$") (guide L4801-4812)', () => {
  const t = '{\n  "name" : "$input.params(\'name\')",\n  "body" : $input.json(\'$\')\n}';
  const out = render(t, input('{"a": [1, 2.5, "x/y"], "b": {"c": null}}', { querystring: { name: 'x' } }));
  assert.equal(out, '{\n  "name" : "x",\n  "body" : {"a":[1,2.5,"x/y"],"b":{"c":null}}\n}');
});

test('TV-23 $input.json("$.mykey") with and without escapeJavaScript (guide L4814-4832)', () => {
  const inp = input('{"mykey": {"q": "it\'s \\"here\\""}}');
  assert.equal(render('$input.json(\'$.mykey\')', inp), '{"q":"it\'s \\"here\\""}');
  assert.equal(render('"body" : $util.escapeJavaScript($input.json(\'$.mykey\'))', inp), '"body" : {\\"q\\":\\"it\\\'s \\\\\\"here\\\\\\"\\"}');
});

test('TV-24 "Param Mapping Template Example" (guide L4834-4880) with all three parameter kinds', () => {
  const t = guideBlock('Param Mapping Template Example');
  const out = render(t, input('', { path: { id: 'p1' }, querystring: { q: 'a b' }, header: { Accept: 'application/json', 'X-Q': 'it\'s' } }));
  // The guide's template closes "params" inside the loop (its "}" after #if($foreach.hasNext),#end);
  // the rendering below is what Velocity makes of it, escapes included.
  assert.match(out, /"path" : \{\n\s+"id" : "p1"\n/);
  assert.match(out, /"X-Q" : "it\\'s"/);
  assert.match(out, /"Accept" : "application\\\/json"/);
  assert.ok(out.indexOf('"path"') < out.indexOf('"querystring"') && out.indexOf('"querystring"') < out.indexOf('"header"'));
});

test('TV-25 /things/{id} (guide L4882-4920): count via $input.path(...).size(); escapeJavaScript escapes quotes (guide inventory §31 A7)', () => {
  const t = '{\n  "id" : "$input.params(\'id\')",\n  "count" : "$input.path(\'$.things\').size()",\n  "things" : $util.escapeJavaScript($input.json(\'$.things\'))\n}';
  const out = render(t, input('{"things": {"1": {}, "2": {}, "3": {}}}', { path: { id: 'abc' } }));
  assert.equal(out, '{\n  "id" : "abc",\n  "count" : "3",\n  "things" : {\\"1\\":{},\\"2\\":{},\\"3\\":{}}\n}');
});

test('$util.parseJson example of the reference table (guide L4951)', () => {
  const t = '#set ($errorMessageObj = $util.parseJson($input.path(\'$.errorMessage\')))\n{\n  "errorMessageObjKey2ArrVal" : $errorMessageObj.key2.arr[0]\n}';
  const body = JSON.stringify({ errorMessage: JSON.stringify({ key1: 'var1', key2: { arr: [1, 2, 3] } }) });
  assert.deepEqual(JSON.parse(render(t, input(body))), { errorMessageObjKey2ArrVal: 1 });
});

test('escapeJavaScript note (guide L4948): .replaceAll("\\\\\'", "\'") turns escaped single quotes back', () => {
  const out = render('"$util.escapeJavaScript($input.params(\'q\')).replaceAll("\\\\\'", "\'")"', input('', { querystring: { q: 'it\'s "q"' } }));
  assert.equal(out, '"it\'s \\"q\\""');
  assert.deepEqual(JSON.parse(out), 'it\'s "q"');
});

test('Kinesis ShardCount example (guide L7717-7735): a missing property tests equal to \'\'', () => {
  const t = '{\n  "ShardCount": #if($input.path(\'$.ShardCount\') == \'\') 5 #else $input.path(\'$.ShardCount\'),\n  "StreamName": "$input.params(\'stream-name\')"\n}';
  const t2 = t.replace(',\n  "Stream', ' #end,\n  "Stream');
  assert.deepEqual(JSON.parse(render(t2, input('{}', { path: { 'stream-name': 's1' } }))), { ShardCount: 5, StreamName: 's1' });
  assert.deepEqual(JSON.parse(render(t2, input('{"ShardCount": 2}', { path: { 'stream-name': 's1' } }))), { ShardCount: 2, StreamName: 's1' });
});

test('Kinesis PutRecord example (guide L7996): base64Encode of a body field', () => {
  const t = '{\n  "Data": "$util.base64Encode($input.path(\'$.Data\'))",\n  "PartitionKey": "$input.path(\'$.PartitionKey\')"\n}';
  assert.deepEqual(JSON.parse(render(t, input('{"Data": "some data", "PartitionKey": "pk"}'))), { Data: 'c29tZSBkYXRh', PartitionKey: 'pk' });
});

test('calculator example (guide L7034-7039): $input.path of numbers and strings', () => {
  const t = '$input.path(\'$a\') $input.path(\'$op\') $input.path(\'$b\') = $input.path(\'$c\')';
  assert.equal(render(t, input('{"a": 1, "b": 2, "op": "+", "c": 3}')), '1 + 2 = 3');
  assert.equal(render(t, input('{"a": 1.5, "b": 2, "op": "*", "c": 3.0}')), '1.5 * 2 = 3.0');
});

test('stage variables in templates (guide L5436): ${root.name}, $stageVariables.name and $stageVariables[\'name\']', () => {
  const t = '#set ($root=$input.path(\'$\')) { "stage": "${root.name}", "user-id": "${root.key}" } $stageVariables.url ${stageVariables.url} $stageVariables[\'url\'] [$stageVariables.nope]';
  const out = render(t, input('{"name": "beta", "key": 7}', {}, {}, { url: 'example.com' }));
  // The space after `#set (...)` stays: only a line break after a directive's ")" is swallowed.
  assert.equal(out, ' { "stage": "beta", "user-id": "7" } example.com example.com example.com []');
});

test('the console\'s "Method Request passthrough" template renders valid JSON of body, params, stage variables and context', () => {
  const t = [
    '##  See http://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html',
    '##  This template will pass through all parameters including path, querystring, header, stage variables, and context through to the integration endpoint via the body/payload',
    '#set($allParams = $input.params())',
    '{',
    '"body-json" : $input.json(\'$\'),',
    '"params" : {',
    '#foreach($type in $allParams.keySet())',
    '    #set($params = $allParams.get($type))',
    '"$type" : {',
    '    #foreach($paramName in $params.keySet())',
    '    "$paramName" : "$util.escapeJavaScript($params.get($paramName))"',
    '        #if($foreach.hasNext),#end',
    '    #end',
    '}',
    '    #if($foreach.hasNext),#end',
    '#end',
    '},',
    '"stage-variables" : {',
    '#foreach($key in $stageVariables.keySet())',
    '"$key" : "$util.escapeJavaScript($stageVariables.get($key))"',
    '    #if($foreach.hasNext),#end',
    '#end',
    '},',
    '"context" : {',
    '    "account-id" : "$context.identity.accountId",',
    '    "http-method" : "$context.httpMethod",',
    '    "source-ip" : "$context.identity.sourceIp",',
    '    "user-agent" : "$context.identity.userAgent",',
    '    "request-id" : "$context.requestId",',
    '    "resource-path" : "$context.resourcePath"',
    '    }',
    '}',
  ].join('\n');
  const context = { httpMethod: 'POST', requestId: 'r-1', resourcePath: '/pets/{id}', identity: { accountId: '123', sourceIp: '1.2.3.4', userAgent: 'curl' } };
  const withBody = render(t, input('{"type": "dog", "price": 249.99, "tags": ["a"]}', { path: { id: '7' }, querystring: { q: 'x y' }, header: { Accept: '*/*' } }, context, { env: 'beta' }));
  assert.deepEqual(JSON.parse(withBody), {
    'body-json': { type: 'dog', price: 249.99, tags: ['a'] },
    params: { path: { id: '7' }, querystring: { q: 'x y' }, header: { Accept: '*\/*' } },
    'stage-variables': { env: 'beta' },
    context: { 'account-id': '123', 'http-method': 'POST', 'source-ip': '1.2.3.4', 'user-agent': 'curl', 'request-id': 'r-1', 'resource-path': '/pets/{id}' },
  });
  // A GET without a body: "body-json" : {} (as the console's test shows for this template).
  assert.deepEqual(JSON.parse(render(t, input('', {}, context)))['body-json'], {});
});
