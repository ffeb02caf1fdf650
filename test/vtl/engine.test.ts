// The engine's contract with its callers: compile once, render many times, typed errors only,
// limits that hold, and code generation that shows up in stack traces as vtl:<name>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, compileToSource, VtlError, VtlLimitError, VtlRuntimeError, VtlSyntaxError, MAX_TEMPLATE_LENGTH } from '../../src/vtl/index.ts';

test('a compiled template renders many times with different variables', () => {
  const t = compileTemplate('Hello $name#if($n > 1) x$n#end');
  assert.equal(t.render({ name: 'Ann', n: 1 }), 'Hello Ann');
  assert.equal(t.render({ name: 'Bob', n: 3 }), 'Hello Bob x3');
  assert.equal(t.source, 'Hello $name#if($n > 1) x$n#end');
});

test('renders do not leak variables into each other', () => {
  const t = compileTemplate('[$a]#set($a = 1)');
  assert.equal(t.render({}), '[]');
  assert.equal(t.render({}), '[]');
});

test('by default a null reference prints nothing, as API Gateway does; nullReferences: literal prints it as Velocity does', () => {
  // API Gateway: an undefined reference renders as the empty string. Source:
  // https://github.com/toqoz/api-gateway-mapping-template/issues/5 ("API Gateway will render it as an
  // empty string. However the default behavior of velocityjs is to print out the reference").
  assert.equal(compileTemplate('[$foo] [$foo.bar] [${foo}]').render({}), '[] [] []');
  assert.equal(compileTemplate('[$foo] [$!foo]', { nullReferences: 'literal' }).render({}), '[$foo] []');
});

test('syntax errors are VtlSyntaxError with Velocity-style position', () => {
  assert.throws(() => compileTemplate('a\n#if(true)b', { name: 'api/GET' }), (e: unknown) => {
    assert.ok(e instanceof VtlSyntaxError);
    assert.match((e as Error).message, /api\/GET\[line \d+, column \d+\]/);
    return true;
  });
  for (const bad of ['#end', '#set($a = )', '#foreach($x in)a', '#if(', '${a', '$a.b(', '#set($a = "x)', '#else']) {
    if (bad === '#foreach($x in)a') continue; // Velocity accepts it (and renders nothing): see the oracle corpus
    assert.throws(() => compileTemplate(bad), VtlSyntaxError, bad);
  }
});

test('runtime errors are VtlRuntimeError naming the Java exception and the position', () => {
  const t = compileTemplate('x\n  $s.substring(9)', { name: 'tpl' });
  assert.throws(() => t.render({ s: 'abc' }), (e: unknown) => {
    assert.ok(e instanceof VtlRuntimeError);
    assert.match((e as Error).message, /Invocation of method 'substring' in class java.lang.String threw exception java.lang.StringIndexOutOfBoundsException/);
    assert.match((e as Error).message, /tpl\[line 2, column 3\]/);
    return true;
  });
  assert.throws(() => compileTemplate('$l[5]').render({ l: [1] }), VtlRuntimeError);
});

test('#foreach stops after 1000 iterations, as Velocity does with API Gateway\'s directive.foreach.maxloops = 1000', () => {
  // API Gateway quota: "Number of iterations in a #foreach ... #end loop in mapping templates: 1000"
  // (spec/api-gateway-developer-guide-2016.txt, Limits). The oracle runs Velocity with that setting
  // and the golden files show the loop stopping silently (cases foreach-maxloops* in cases/directives.ts).
  const t = compileTemplate('#foreach($i in [1..2000])x#end');
  assert.equal(t.render({}).length, 1000);
  const count = compileTemplate('#set($n = 0)#foreach($i in $l)#set($n = $n + 1)#end$n');
  assert.equal(count.render({ l: Array.from({ length: 5000 }, (_, i) => i) }), '1000');
});

test('limits: total iterations, output size, render time, macro depth, range length, template size', { timeout: 60_000 }, () => {
  assert.throws(() => compileTemplate('#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..10])#end#end#end').render({}), VtlLimitError);
  const big = compileTemplate('#foreach($i in [1..1000])$s#end', { limits: { maxOutputLength: 10_000 } });
  assert.throws(() => big.render({ s: 'x'.repeat(100) }), VtlLimitError);
  const doubling = compileTemplate('#set($s = "ab")' + '#set($s = "$s$s")'.repeat(40));
  assert.throws(() => doubling.render({}), VtlLimitError);
  const slow = compileTemplate('#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#if($c == 0)#end#end#end#end', { limits: { maxRenderMillis: 50, maxTotalIterations: 1e12 } });
  assert.throws(() => slow.render({}), VtlLimitError);
  assert.throws(() => compileTemplate('#macro(r)#r()#end#r()').render({}), VtlLimitError);
  assert.throws(() => compileTemplate('#set($r = [1..100000000])').render({}), VtlLimitError);
  assert.throws(() => compileTemplate('x'.repeat(MAX_TEMPLATE_LENGTH + 1)), VtlLimitError);
});

test('deeply nested templates fail with a typed error, not a stack overflow', () => {
  for (const src of ['#if(true)'.repeat(20000) + '#end'.repeat(20000), '$a.b('.repeat(5000), '#set($a = ' + '['.repeat(5000) + ']'.repeat(5000) + ')']) {
    assert.throws(() => compileTemplate(src).render({}), VtlError);
  }
});

test('generated code is a named function with a sourceURL, readable for debugging', () => {
  const src = compileToSource('#foreach($x in $l)$x#end', { name: 'api/GET/application/json' });
  assert.match(src, /ForeachScope/);
  let stack = '';
  try {
    compileTemplate('$s.substring(9)', { name: 'api/POST/json' }).render({ s: '' });
  } catch (e) {
    stack = String((e as Error).stack);
  }
  assert.match(stack, /at render \(vtl:api\/POST\/json:\d+:\d+\)/);
});

test('interpolated strings, #define and macros compose', () => {
  const t = compileTemplate('#define($row)<$x>#end#macro(wrap $v)[$v]#end#foreach($x in [1, 2])#wrap("$row")#end');
  assert.equal(t.render({}), '[<1>][<2>]');
});

test('#stop ends the output; #break leaves the loop', () => {
  assert.equal(compileTemplate('a#foreach($i in [1..9])$i#if($i == 3)#break#end#end b#stop c').render({}), 'a123 b');
});

test('host values: plain objects and Maps are Java maps, arrays are lists', () => {
  const t = compileTemplate('$o.a $o.get("b") $o.size() $m.get(1) $a.size() $a[1]');
  assert.equal(t.render({ o: { a: 1, b: 'x' }, m: new Map([[1, 'one']]), a: [1, 2] }), '1 x 2 one 2 2');
});
