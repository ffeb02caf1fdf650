// The per-render work budget (src/vtl/budget.ts): every $util/$input call, String method and
// string building charges the characters it walks or builds, so a loop that repeats heavy work
// stops at the budget however few iterations it takes. The clock is set far away in these tests:
// only the work budget can stop them, so the outcome does not depend on the machine's speed.
// Before the budget, issue #20's template ran all 1000 iterations (16 s) and succeeded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, DEFAULT_LIMITS, VtlError, VtlLimitError } from '../../src/vtl/index.ts';
import { renderMappingTemplate, type MappingInput } from '../../src/mapping/index.ts';
import { util } from '../../src/mapping/util.ts';

const CLOCK_OFF = { maxRenderMillis: 3_600_000 };

function input(body: string): MappingInput {
  return { body, params: { path: {}, querystring: { q: 'x' }, header: {} }, context: {}, stageVariables: {} };
}

function outcome(template: string, body: string, limits: Record<string, number> = CLOCK_OFF): string | VtlError {
  try {
    return renderMappingTemplate(compileTemplate(template, { limits }), input(body));
  } catch (e) {
    assert.ok(e instanceof VtlError, `only template errors may escape: ${String(e)}`);
    return e;
  }
}

// 1.6 MB, as in the issue.
const BODY = JSON.stringify({ data: 'a b/c"d'.repeat(230_000), list: [1, 2, 3] });

test("issue #20's loop (urlEncode of a 1.6 MB body, 1000 times) stops at the work budget", () => {
  const e = outcome('#foreach($i in [1..1000])#set($r = $util.urlEncode($input.body))#end', BODY);
  assert.ok(e instanceof VtlLimitError, String(e));
  assert.match(e.message, new RegExp(`work budget of ${DEFAULT_LIMITS.maxWork} units`));
});

// Each way of repeating work over the body: one pass fits the budget, a thousand do not. A quarter
// of the default budget keeps the test short; one pass over the body, with the preamble, is 10 M units.
const HEAVY_LIMITS = { ...CLOCK_OFF, maxWork: 25_000_000 };
const HEAVY = [
  '$util.escapeJavaScript($input.body)', '$util.urlEncode($input.body)', '$util.base64Encode($input.body)',
  '$util.base64Decode($b64)', '$util.urlDecode($enc)', '$util.parseJson($input.body)', "$input.json('$')", "$input.json('$..list')",
  "$input.path('$..data')", '"$input.body$i"', '$input.body + $i', '$input.body.toUpperCase()', "$input.body.indexOf('zz')",
  "$input.body.contains('zz')", "$input.body.replace('a', 'b')", "$input.body.split(',')", "$input.body.substring(0, 100000).split('[,]')",
  "$input.body.replaceAll('\"', '')", '"$map"', '$input.body.hashCode()', "$input.body.lastIndexOf('zz')",
];
const PREAMBLE = "#set($b64 = $util.base64Encode($input.body))#set($enc = $util.urlEncode($input.body))#set($map = $input.path('$'))";

for (const expr of HEAVY) {
  test(`${expr}: once fits the budget, a thousand times stop at it`, () => {
    const once = outcome(`${PREAMBLE}#set($r = ${expr})done`, BODY, HEAVY_LIMITS);
    assert.equal(once, 'done', String(once));
    const loop = outcome(`${PREAMBLE}#foreach($i in [1..1000])#set($r = ${expr})#end`, BODY, HEAVY_LIMITS);
    assert.ok(loop instanceof VtlLimitError, `${expr}: ${String(loop)}`);
    assert.match(loop.message, /work budget/);
  });
}

test('the budget is per render: the same template renders again after another render spent its budget', () => {
  const t = compileTemplate('#foreach($i in [1..$n])#set($r = $util.urlEncode($s))#end$r.length()', { limits: { ...CLOCK_OFF, maxWork: 1_000_000 } });
  const s = 'x'.repeat(100_000);
  assert.throws(() => t.render({ n: 100, s, util }), VtlLimitError);
  assert.equal(t.render({ n: 2, s, util }), '100000');
});

test('output stays bounded: printing a 1.6 MB body a thousand times stops at the output limit', () => {
  const e = outcome('#foreach($i in [1..1000])$input.body#end', BODY);
  assert.ok(e instanceof VtlLimitError);
  assert.match(e.message, /output exceeded/);
});

test('a template built to double a string stops at the output limit, not at V8 string length', () => {
  const e = outcome('#set($s = "xxxxxxxxxxxxxxxx")#foreach($i in [1..40])#set($s = "$s$s")#end$s.length()', '');
  assert.ok(e instanceof VtlLimitError, String(e));
});

