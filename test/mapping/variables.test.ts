// $input, $util, $context and $stageVariables: API Gateway's variables, with their exact outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JSONPath } from 'jsonpath-plus';
import { compileTemplate, VtlError, VtlRuntimeError } from '../../src/vtl/index.ts';
import {
  evaluateJsonPath, readJsonPath, isDefinitePath, parseJsonValue, renderMapping, renderMappingTemplate, toJavaString,
  escapeJavaScript, urlEncode, urlDecode, base64Encode, base64Decode, type MappingInput,
} from '../../src/mapping/index.ts';

function input(body: string, params: Partial<MappingInput['params']> = {}, context: Record<string, unknown> = {}): MappingInput {
  return { body, params: { path: {}, querystring: {}, header: {}, ...params }, context, stageVariables: { env: 'beta' } };
}
const r = (template: string, inp: MappingInput = input('')) => renderMappingTemplate(compileTemplate(template), inp);

test('$util.escapeJavaScript is commons-lang StringEscapeUtils.escapeJavaScript: \\\' \\" \\\\ \\/ and \\uXXXX', () => {
  // Guide L4948: "This function will turn any regular single quotes (') into escaped ones (\\')".
  assert.equal(escapeJavaScript('it\'s "q" \\ / a'), 'it\\\'s \\"q\\" \\\\ \\/ a');
  assert.equal(escapeJavaScript('\n\t\r\b\f\u0001\u001f'), '\\n\\t\\r\\b\\f\\u0001\\u001F');
  // commons-lang escapes from U+0080 up; DEL (U+007F) passes through.
  assert.equal(escapeJavaScript('é€😀\u007f'), '\\u00E9\\u20AC\\uD83D\\uDE00\u007f');
  assert.equal(escapeJavaScript('plain text 123'), 'plain text 123');
  assert.equal(r('$util.escapeJavaScript($input.params(\'q\'))', input('', { querystring: { q: 'a\'b' } })), 'a\\\'b');
  assert.equal(r('[$util.escapeJavaScript($input.path(\'$.nope.x\'))]', input('{}')), '[]');
});

test('$util.urlEncode / urlDecode are java.net.URLEncoder / URLDecoder with UTF-8', () => {
  assert.equal(urlEncode('a b&c=d/é~*._-'), 'a+b%26c%3Dd%2F%C3%A9%7E*._-');
  assert.equal(urlDecode('a+b%26c%3Dd%2F%C3%A9'), 'a b&c=d/é');
  assert.equal(urlDecode('100%'.slice(0, 3)), '100');
  assert.throws(() => r('$util.urlDecode(\'%zz\')'), VtlRuntimeError);
  assert.equal(r('$util.urlEncode($input.params(\'q\'))', input('', { querystring: { q: 'x=1 2' } })), 'x%3D1+2');
});

test('$util.base64Encode / base64Decode work on UTF-8 text', () => {
  assert.equal(base64Encode('some data'), 'c29tZSBkYXRh');
  assert.equal(base64Encode('é'), 'w6k=');
  assert.equal(base64Decode('c29tZSBkYXRh'), 'some data');
  assert.equal(r('$util.base64Decode($util.base64Encode(\'{"a": "ü"}\'))'), '{"a": "ü"}');
});

test('$util.parseJson gives objects to navigate; maps print as Java maps, arrays as JSON', () => {
  assert.equal(r('#set($o = $util.parseJson(\'{"a": [1, {"b": "x"}], "c": {"d": 1.0}}\'))$o.a[1].b $o.c.d $o $o.a $o.a.size()'), 'x 1.0 {a=[1,{"b":"x"}], c={d=1.0}} [1,{"b":"x"}] 2');
  assert.throws(() => r('$util.parseJson(\'{nope\')'), VtlRuntimeError);
});

test('$input.path: maps print as {k=v}, arrays as compact JSON (json-smart JSONArray)', () => {
  // AWS behaviour, as LocalStack recorded it against AWS (localstack/localstack PR #12379, "Fix apigw input
  // path formatting"): "$input.path('$') ... returns a java object string representation {foo=bar}. But
  // when accessing a list ... it returns a valid json string ... {list=[{"foo":"bar"}]}".
  const inp = input('{"a": 1, "b": [{"c": 5}], "s": "x", "d": {"e": true, "f": null}}');
  assert.equal(r('$input.path(\'$\')', inp), '{a=1, b=[{"c":5}], s=x, d={e=true, f=null}}');
  assert.equal(r('$input.path(\'$.b\')', inp), '[{"c":5}]');
  assert.equal(r('$input.path(\'$.b[0]\')', inp), '{c=5}');
  assert.equal(r('$input.path(\'$.b\').size() $input.path(\'$.b\')[0].c $input.path(\'$.d.e\')', inp), '1 5 true');
});

test('$input.path keeps Java number types: 1.0 stays a Double, integers stay integers, key order is kept', () => {
  const inp = input('{"i": 1, "d": 1.0, "e": 2.5e1, "z": 0.10, "10": "ten", "2": "two", "big": 12345678901}');
  assert.equal(r('$input.path(\'$\')', inp), '{i=1, d=1.0, e=25.0, z=0.1, 10=ten, 2=two, big=12345678901}');
  assert.equal(r('#set($x = $input.path(\'$.i\') + 1)#set($y = $input.path(\'$.d\') + 1)$x $y', inp), '2 2.0');
});

test('integers beyond 2^53 print whole (json-smart keeps them as Long/BigInteger)', () => {
  const inp = input('{"id": 12345678901234567890, "small": 9007199254740991}');
  assert.equal(r('$input.path(\'$.id\') $input.path(\'$.small\') $input.json(\'$\')', inp), '12345678901234567890 9007199254740991 {"id":12345678901234567890,"small":9007199254740991}');
});

test('$input.path on a missing property gives "" (guide L7735: `$input.path(\'$.ShardCount\') == \'\'` tests a missing property)', () => {
  assert.equal(r('[$input.path(\'$.missing\')] #if($input.path(\'$.missing\') == \'\')empty#end', input('{"a": 1}')), '[] empty');
});

test('$input.json: compact JSON of the match; null when nothing matches; the whole body for $', () => {
  // LocalStack PR #12774 ("APIGW: fix VTL $input.path and $input.json", checked on the AWS console): no match gives None, printed as JSON null.
  const inp = input('{"a": {"b": [1, "x", null, 2.50]}, "u": "é/"}');
  assert.equal(r('$input.json(\'$\')', inp), '{"a":{"b":[1,"x",null,2.5]},"u":"é/"}');
  assert.equal(r('$input.json(\'$.a.b\') $input.json(\'$.u\') $input.json(\'$.missing\')', inp), '[1,"x",null,2.5] "é/" null');
  assert.equal(r('$input.json(\'$.a.b[*]\')', inp), '[1,"x",null,2.5]');
});

test('empty and non-JSON bodies', () => {
  // The passthrough template of the console shows "body-json" : {} for a GET without body, and
  // AWS renders $input.body of an empty body as {} (its SQS recording's MessageBody).
  assert.equal(r('$input.json(\'$\') [$input.body] [$input.getBody()] [$input.path(\'$.a\')]', input('')), '{} [{}] [{}] []');
  assert.equal(r('$input.body|$input.path(\'$\')|$input.json(\'$\')', input('a=1&b=2')), 'a=1&b=2|a=1&b=2|"a=1&b=2"');
});

test('$input.params(): path, querystring, header in that order; $input.params(name) searches them in that order', () => {
  const inp = input('', { path: { id: 'p', x: 'path' }, querystring: { x: 'query', q: '1' }, header: { 'X-Api': 'h', x: 'header' } });
  assert.equal(r('$input.params()', inp), '{path={id=p, x=path}, querystring={x=query, q=1}, header={X-Api=h, x=header}}');
  assert.equal(r('$input.params(\'x\') $input.params(\'q\') $input.params(\'X-Api\') $input.params(\'x-api\') [$input.params(\'nope\')]', inp), 'path 1 h h []');
  assert.equal(r('#foreach($k in $input.params().keySet())$k #end$input.params().header.get(\'X-Api\') $input.params().path.id', inp), 'path querystring header h p');
});

test('$context and $stageVariables; requestOverride/responseOverride are writable and read back', () => {
  const ctx = { stage: 'prod', identity: { sourceIp: '1.2.3.4' }, authorizer: { claims: { sub: 'u1' } } };
  const t = compileTemplate('#set($context.requestOverride.header.X-Trace = "t1")#set($context.responseOverride.status = 418)#set($context.responseOverride.header.Cache = "no")$context.stage $context.identity.sourceIp $context.authorizer.claims.sub [$context.nope] $stageVariables.env');
  const { output, overrides } = renderMapping(t, input('', {}, ctx));
  assert.equal(output, 'prod 1.2.3.4 u1 [] beta');
  assert.deepEqual(overrides.requestOverride.header, { 'X-Trace': 't1' });
  assert.equal(overrides.responseOverride.status, 418);
  assert.deepEqual(overrides.responseOverride.header, { Cache: 'no' });
});

test('frozen context and stage variables: reads work, writes fail with a typed error', () => {
  const inp: MappingInput = { body: '', params: { path: {}, querystring: {}, header: {} }, context: Object.freeze({ stage: 'prod' }), stageVariables: Object.freeze({ env: 'beta' }) };
  assert.equal(renderMappingTemplate(compileTemplate('$context.stage $stageVariables.env'), inp), 'prod beta');
  assert.throws(() => renderMappingTemplate(compileTemplate('#set($stageVariables.env = "x")'), inp), VtlRuntimeError);
});

test('JSONPath: Goessner syntax through the fast path and jsonpath-plus', () => {
  const doc = parseJsonValue('{"store": {"book": [{"t": "a", "p": 8.95}, {"t": "b", "p": 12.99}, {"t": "c", "p": 8.99}], "bike": {"p": 19.95}}, "a-b": 1}');
  assert.deepEqual(evaluateJsonPath(doc, '$.store.book[0].t'), ['a']);
  assert.deepEqual(evaluateJsonPath(doc, "$['store']['bike']['p']"), [19.95]);
  assert.deepEqual(evaluateJsonPath(doc, '$.store.book[-1].t'), ['c']);
  assert.deepEqual(evaluateJsonPath(doc, '$.store.book[*].t'), ['a', 'b', 'c']);
  assert.deepEqual(evaluateJsonPath(doc, '$..p'), [8.95, 12.99, 8.99, 19.95]);
  assert.deepEqual(evaluateJsonPath(doc, '$.store.book[?(@.p < 10)].t'), ['a', 'c']);
  assert.deepEqual(evaluateJsonPath(doc, '$.store.book[0:2].t'), ['a', 'b']);
  assert.deepEqual(evaluateJsonPath(doc, '$.a-b'), [1]);
  assert.deepEqual(evaluateJsonPath(doc, 'store.bike.p'), [19.95]);
  assert.deepEqual(evaluateJsonPath(doc, '$.nope.x'), []);
  assert.equal(isDefinitePath('$.a.b[0]'), true);
  assert.equal(isDefinitePath('$..b'), false);
  assert.equal(isDefinitePath('$.a[*]'), false);
  assert.equal(readJsonPath(doc, '$.nope'), undefined);
  assert.deepEqual(readJsonPath(doc, '$.nope[*]'), []);
});

test('JSONPath fast path agrees with jsonpath-plus on simple paths (property test)', () => {
  const key = fc.constantFrom('a', 'b', 'c', 'x_1', '$d');
  const json = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string(), fc.boolean(), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
  })).node;
  const step = fc.oneof(key.map((k) => `.${k}`), key.map((k) => `['${k}']`), fc.integer({ min: 0, max: 3 }).map((i) => `[${i}]`));
  // (jsonpath-plus answers nothing for a falsy root document, so roots are objects or arrays.)
  const root = fc.oneof(fc.array(json, { maxLength: 3 }), fc.dictionary(key, json, { maxKeys: 4 }));
  fc.assert(fc.property(root, fc.array(step, { maxLength: 4 }), (doc, steps) => {
    const path = '$' + steps.join('');
    const expected = JSONPath({ path, json: doc as object, wrap: true, eval: 'safe' }) as unknown[];
    assert.deepEqual(evaluateJsonPath(doc, path), expected, path);
  }), { numRuns: 1000, seed: 3 });
});

test('the body is parsed only when a template asks for it, and only once per render', () => {
  const parse = JSON.parse;
  let calls = 0;
  JSON.parse = ((text: string, reviver?: (k: string, v: unknown) => unknown) => {
    calls++;
    return parse(text, reviver);
  }) as typeof JSON.parse;
  // A "__proto__" key sends the body past the one-pass reader (json.ts) to JSON.parse, which is counted.
  const body = '{"a": 1, "__proto__": 2}';
  try {
    r('$input.params(\'a\') $input.body $context.stage', input(body));
    assert.equal(calls, 0);
    r('$input.path(\'$.a\') $input.json(\'$\') $input.path(\'$\').a', input(body));
    assert.equal(calls, 1);
  } finally {
    JSON.parse = parse;
  }
});

test('$input.json("$") gives back the body\'s JSON for any JSON document (property test)', () => {
  const t = compileTemplate('$input.json(\'$\')');
  // Documents with integral decimals ("1.0") or integer keys take the exact parser, others JSON.parse.
  const doc = fc.oneof(fc.json({ maxDepth: 4 }), fc.json({ maxDepth: 3 }).map((j) => j.replace(/(\d)(?=[,\]}]|$)/g, '$1.0')), fc.dictionary(fc.integer({ min: 0, max: 99 }).map(String), fc.json({ maxDepth: 2 }).map((j) => JSON.parse(j) as unknown)).map((o) => JSON.stringify(o)));
  fc.assert(fc.property(doc, (text) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    const out = renderMappingTemplate(t, input(text));
    if (text.trim() === '') return;
    assert.equal(JSON.stringify(JSON.parse(out)), JSON.stringify(parsed), text);
  }), { numRuns: 2000, seed: 5 });
});

test('a Java-style toString for printing values is exported', () => {
  assert.equal(toJavaString(new Map<string, unknown>([['a', 1], ['b', 'x']])), '{a=1, b=x}');
  assert.equal(toJavaString(parseJsonValue('{"l": [1, "a"]}')), '{l=[1,"a"]}');
});

test('random templates over $input and $util with random bodies only ever fail with typed errors', () => {
  const call = fc.oneof(
    fc.string({ maxLength: 12 }).map((p) => `$input.path('${p.replace(/'/g, "''")}')`),
    fc.string({ maxLength: 12 }).map((p) => `$input.json('${p.replace(/'/g, "''")}')`),
    fc.constantFrom('$input.path(\'$\')', '$input.path(\'$..*\')', '$input.json(\'$[*]\')', '$input.params()', '$input.body', '$input.params(\'a\')'),
    fc.tuple(fc.constantFrom('escapeJavaScript', 'urlEncode', 'urlDecode', 'base64Encode', 'base64Decode', 'parseJson'), fc.string({ maxLength: 10 }))
      .map(([f, a]) => `$util.${f}('${a.replace(/'/g, "''")}')`),
  );
  const body = fc.oneof(fc.json({ maxDepth: 3 }), fc.string({ maxLength: 30 }));
  fc.assert(fc.property(fc.array(call, { maxLength: 5 }), body, (calls, text) => {
    const src = calls.map((c) => `[${c}]#foreach($x in ${c.startsWith('$input') && !c.endsWith('body') ? c : '[]'})$x#end`).join(' ');
    let t;
    try {
      t = compileTemplate(src);
    } catch (e) {
      assert.ok(e instanceof VtlError, `${src}: ${String(e)}`);
      return;
    }
    try {
      renderMappingTemplate(t, input(text, { querystring: { a: '%zz' } }));
    } catch (e) {
      assert.ok(e instanceof VtlError, `${src} on ${text}: ${String(e)}`);
    }
  }), { numRuns: 1500, seed: 13 });
});
