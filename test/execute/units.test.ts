// Unit tests: the route trie's precedence and the parameter-mapping expressions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileRequestParameters, compileResponseParameters, mapRequestParameters, mapResponseParameters, parseJsonBody, RouteTrie, type MappingSources } from '../../src/deploy/index.ts';
import { compileSelectionPattern, matchesSelectionPattern } from '../../src/deploy/index.ts';
import { buildUri } from '../../src/execute/stages/integration-request.ts';
import { parseQuery } from '../../src/execute/stages/method-request.ts';
import { GatewayError } from '../../src/execute/errors.ts';
import { dict } from '../../src/shared/dict.ts';

test('a GatewayError is an answer: it captures no stack frames, and leaves Error.stackTraceLimit as it was', () => {
  const before = Error.stackTraceLimit;
  const e = new GatewayError('THROTTLED', 'Too Many Requests');
  assert.equal(Error.stackTraceLimit, before);
  assert.equal(e.message, 'Too Many Requests');
  assert.equal(e.status, 429);
  assert.doesNotMatch(String(e.stack), /\n\s+at /);
  assert.match(String(new Error('x').stack), /\n\s+at /);
});

describe('query strings', () => {
  // parseQuery splits a query without escapes itself: it must read every query as URLSearchParams does.
  const viaUrlSearchParams = (q: string) => {
    const single: Record<string, string> = dict<string>();
    const multi: Record<string, string[]> = dict<string[]>();
    for (const [k, v] of new URLSearchParams(q)) {
      single[k] = v;
      (multi[k] ??= []).push(v);
    }
    return { querystring: single, multiValueQuerystring: multi };
  };

  test('the same parameters as URLSearchParams, for chosen and random queries', () => {
    const chosen = ['__proto__=1&constructor=2&toString=3&__proto__=4', '', 'a', 'a=', '=', '=v', 'a=1', 'a=1&b=2', 'a=1&a=2&a=', '&', '&&a=1&&', 'a==b', 'a=b=c&', 'x&y=&=z', 'a=%20b', 'a+b=c+d', 'a=%zz', 'é=ü&ü', 'k=1;2&k=3'];
    const alphabet = ['a', 'b', '=', '&', '%', '2', '0', '+', 'é', ';'];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const generated = Array.from({ length: 2000 }, () => Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    for (const q of [...chosen, ...generated]) assert.deepEqual(parseQuery(q), viaUrlSearchParams(q), `query ${JSON.stringify(q)}`);
  });
});

describe('route trie', () => {
  const trie = new RouteTrie<string>();
  for (const p of ['/', '/pets', '/pets/{petId}', '/pets/mine', '/pets/{petId}/toys', '/{proxy+}', '/files/{path+}', '/a/{x}/c', '/a/b/{y}']) trie.add(p, p);

  test('static segments win over {param}, {param} over {proxy+}', () => {
    assert.deepEqual(trie.match('/pets/mine'), { value: '/pets/mine', params: {} });
    assert.deepEqual(trie.match('/pets/7'), { value: '/pets/{petId}', params: { petId: '7' } });
    assert.deepEqual(trie.match('/pets/7/toys'), { value: '/pets/{petId}/toys', params: { petId: '7' } });
    assert.deepEqual(trie.match('/pets'), { value: '/pets', params: {} });
    assert.deepEqual(trie.match('/'), { value: '/', params: {} });
  });

  test('greedy paths take one or more segments; backtracking out of a dead end', () => {
    assert.deepEqual(trie.match('/files/a/b/c.txt'), { value: '/files/{path+}', params: { path: 'a/b/c.txt' } });
    assert.deepEqual(trie.match('/pets/7/toys/extra'), { value: '/{proxy+}', params: { proxy: 'pets/7/toys/extra' } });
    assert.deepEqual(trie.match('/a/b/c'), { value: '/a/b/{y}', params: { y: 'c' } });
    assert.deepEqual(trie.match('/a/z/c'), { value: '/a/{x}/c', params: { x: 'z' } });
    assert.deepEqual(trie.match('/a/z/d'), { value: '/{proxy+}', params: { proxy: 'a/z/d' } });
  });

  test('decoding, empty segments and trailing slashes', () => {
    assert.deepEqual(trie.match('/pets/a%20b'), { value: '/pets/{petId}', params: { petId: 'a b' } });
    assert.deepEqual(trie.match('/pets//mine/'), { value: '/pets/mine', params: {} });
  });

  test('no match without a greedy catch-all', () => {
    const t = new RouteTrie<string>();
    t.add('/pets/{id}', 'x');
    assert.equal(t.match('/pets'), null);
    assert.equal(t.match('/pets/1/2'), null);
    assert.equal(t.match('/'), null);
  });

  test('two different variable names under one parent are a conflict', () => {
    const t = new RouteTrie<string>();
    t.add('/p/{a}', 'a');
    assert.throws(() => t.add('/p/{b}', 'b'));
  });
});

function sources(partial: Partial<MappingSources> & { body?: string }): MappingSources {
  const body = partial.body ?? '';
  return {
    path: {}, querystring: {}, header: {}, multiValueQuerystring: {}, multiValueHeader: () => ({}), stageVariables: {}, context: {},
    ...partial,
    body,
    json: () => parseJsonBody(body),
  };
}

describe('parameter mapping', () => {
  test('every request source of the reference table', () => {
    const params = compileRequestParameters({
      'integration.request.path.id': 'method.request.path.petId',
      'integration.request.querystring.type': 'method.request.querystring.petType',
      'integration.request.header.x-h': 'method.request.header.X-Custom',
      'integration.request.header.body-header': 'method.request.body',
      'integration.request.path.pet-name': 'method.request.body.petstore.pets[0].name',
      'integration.request.querystring.count': 'method.request.body.petstore.count',
      'integration.request.header.x-obj': 'method.request.body.petstore.owner',
      'integration.request.header.x-stage': 'stageVariables.flavour',
      'integration.request.header.x-ip': 'context.identity.sourceIp',
      'integration.request.header.x-static': "'a literal'",
      'integration.request.header.x-missing': 'method.request.header.Absent',
    });
    const body = '{"petstore": {"pets": [{"name": "Rex"}], "count": 3, "owner": {"n": 1}}}';
    const out = mapRequestParameters(params, sources({
      path: { petId: '7' }, querystring: { petType: 'cat' }, header: { 'x-custom': 'c' }, body,
      stageVariables: { flavour: 'mint' }, context: { identity: { sourceIp: '10.0.0.1' } },
    }));
    assert.deepEqual(out, {
      path: { id: '7', 'pet-name': 'Rex' },
      querystring: { type: 'cat', count: '3' },
      header: { 'x-h': 'c', 'body-header': body, 'x-obj': '{"n":1}', 'x-stage': 'mint', 'x-ip': '10.0.0.1', 'x-static': 'a literal' },
      multiValueQuerystring: null,
    });
  });

  test('a body that is not JSON maps nothing from a JSONPath', () => {
    const params = compileRequestParameters({ 'integration.request.header.x': 'method.request.body.a' });
    assert.deepEqual(mapRequestParameters(params, sources({ body: 'not json' })).header, {});
  });

  test('response sources, header names case-insensitive', () => {
    const params = compileResponseParameters({
      'method.response.header.Location': 'integration.response.body.redirect.url',
      'method.response.header.id': 'integration.response.header.X-App-Id',
      'method.response.header.raw': 'integration.response.body',
      'method.response.header.s': "'static value'",
    });
    const out = mapResponseParameters(params, sources({ header: { 'x-app-id': 'app-1' }, body: '{"redirect": {"url": "http://x/y"}}' }));
    assert.deepEqual(out, { Location: 'http://x/y', id: 'app-1', raw: '{"redirect": {"url": "http://x/y"}}', s: 'static value' });
  });

  test('invalid expressions and targets are refused', () => {
    assert.throws(() => compileRequestParameters({ 'integration.request.header.x': 'integration.response.body' }));
    assert.throws(() => compileRequestParameters({ 'integration.request.body': 'method.request.body' }));
    assert.throws(() => compileResponseParameters({ 'method.response.header.x': 'method.request.header.y' }));
  });
});

describe('selection patterns', () => {
  test('whole-string, Java-flavoured', () => {
    const p = (s: string) => compileSelectionPattern(s);
    assert.ok(matchesSelectionPattern(p('2\\d{2}'), '201'));
    assert.ok(!matchesSelectionPattern(p('2\\d{2}'), '2010'));
    assert.ok(!matchesSelectionPattern(p('4\\d{2}'), '1404'));
    assert.ok(matchesSelectionPattern(p('.*Invalid request.*'), 'Error: Invalid request here'));
    assert.ok(!matchesSelectionPattern(p('.*Invalid request.*'), 'line\nInvalid request'));
    assert.ok(matchesSelectionPattern(p('(\\n|.)+'), 'line\nInvalid request'));
  });
});

describe('endpoint URI', () => {
  test('placeholders filled and encoded, greedy keeps slashes, query appended', () => {
    assert.equal(buildUri('http://h/pets/{id}', { id: 'a b' }, { q: '1' }, null), 'http://h/pets/a%20b?q=1');
    assert.equal(buildUri('http://h/{proxy+}', { proxy: 'x/y z' }, {}, null), 'http://h/x/y%20z');
    assert.equal(buildUri('http://h/{proxy}', { proxy: 'x/y' }, {}, { a: ['1', '2'] }), 'http://h/x/y?a=1&a=2');
  });
});
