// Templates are untrusted: they may only call the allow-listed Java-like methods of our own value
// types, and can reach no JS prototype, constructor, global or process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, VtlError } from '../../src/vtl/index.ts';
import { renderMappingTemplate } from '../../src/mapping/index.ts';

function render(src: string, vars: Record<string, unknown> = {}): string {
  try {
    return compileTemplate(src).render(vars);
  } catch (e) {
    assert.ok(e instanceof VtlError, `only typed errors may escape, got ${String(e)}`);
    return `<${(e as Error).name}>`;
  }
}

const probes = [
  '$a.constructor', '$a.constructor.constructor("return process")()', '$s.constructor.name', '$s.__proto__',
  '$a.__proto__.polluted', '$a.hasOwnProperty("x")', '$a.toString.call(1)', '$l.constructor.constructor("return this")()',
  '$s.class', '$s.getClass()', '$s.class.forName("java.lang.Runtime")', '$a.valueOf()', '$f.call()', '$f.apply(1)',
  '$l.map', '$l.push(1)$l', '$l.__defineGetter__("x", 1)', '$s.big()', '$s.at(0)', '$s.localeCompare("a")', '$n.toFixed(2)',
  '$globalThis', '$process', '$require', '$this', '$constructor', '$__proto__.x', '$prototype', '${constructor}',
  '$m.constructor', "$m['constructor']", "$m['__proto__']", '$m.get("__proto__")', '$m.prototype', '$u.vtlCall("x", [])',
  '$u.render', '$input', "#set($x = $a.constructor)$x", "#foreach($k in $a.constructor)$k#end",
];

test('templates cannot reach JS constructors, prototypes, globals or process', () => {
  const vars = { a: { x: 1 }, s: 'str', l: [1], m: new Map([['k', 1]]), n: 5, f: () => 'called', u: { render: 1 } };
  for (const p of probes) {
    const out = render(p, vars);
    assert.doesNotMatch(out, /function|native code|\[object|process|Object|called|polluted|class /, `${p} -> ${out}`);
  }
});

test('#set on __proto__ or constructor only writes an ordinary key', () => {
  const a: Record<string, unknown> = { x: 1 };
  const out = render('#set($a.__proto__.polluted = 1)#set($a.__proto__ = 5)#set($a.constructor = 6)$a.__proto__ $a.constructor', { a });
  assert.equal(out, '5 6');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Object.getPrototypeOf(a), Object.prototype);
  assert.equal(Object.prototype.hasOwnProperty.call(a, '__proto__'), true);
  render('#set($m = {})#set($m.__proto__ = {"polluted": 1})#set($m["__proto__"].polluted = 2)$m.put("__proto__", 1)');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('prototype pollution through a JSON body and $util.parseJson stays in the data', () => {
  const t = compileTemplate('#set($o = $input.path("$"))#set($o.__proto__.polluted = 1)#set($p = $util.parseJson(\'{"__proto__": {"polluted": 2}}\'))$p.__proto__.polluted $o.__proto__');
  const out = renderMappingTemplate(t, { body: '{"__proto__": {"x": 1}}', params: { path: {}, querystring: {}, header: {} }, context: {}, stageVariables: {} });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(out, '2 {x=1, polluted=1}');
});

test('template text cannot inject code into the generated function', () => {
  // `${process.exit(1)}` is a Velocity reference to an undefined $process: it prints nothing.
  assert.equal(render('`${process.exit(1)}`'), '``');
  const evil = ['"); process.exit(1); ("', "'); process.exit(1); //", '`+process.exit(1)+`', '*/ process.exit(1) /*', '\u2028process.exit(1)', '</script>'];
  for (const e of evil) {
    assert.equal(render(e), e);
    assert.equal(render(`#set($x = '${e.replace(/'/g, "''")}')$x`), e);
    assert.equal(render(`$v`, { v: e }), e);
  }
  for (const name of ['a"); process.exit(1); ("', 'x\n}); process.exit(1); ({']) {
    assert.equal(compileTemplate('ok', { name }).render({}), 'ok');
  }
});

test('regular expressions that backtrack catastrophically in Java run in linear time (re2js) and answer as Java does', () => {
  // The patterns of issue #20: each blocked the process for minutes on a backtracking engine.
  assert.equal(render("$s.matches('(a|a)*b')", { s: 'a'.repeat(33) }), 'false');
  assert.equal(render("$s.matches('(a|aa)*c')", { s: 'a'.repeat(40) }), 'false');
  assert.equal(render("$s.matches('(a+)+$')", { s: 'a'.repeat(40) + 'b' }), 'false');
  assert.equal(render("$s.replaceAll('(x*)*y', '')", { s: 'x'.repeat(40) }), 'x'.repeat(40));
  assert.equal(render("$s.split('(a|a)*b').size()", { s: 'a'.repeat(5000) + 'c' }), '1');
});

test('JSONPath filters cannot run regular expressions or calls: jsonpath-plus would backtrack for minutes', { timeout: 60_000 }, () => {
  const inp = { body: JSON.stringify({ a: [{ p: 'a'.repeat(40) + 'c', n: 2 }, { p: 'x', n: 0 }] }), params: { path: {}, querystring: {}, header: {} }, stageVariables: {} };
  const hostile = [
    '$.a[?(@.p.match(/(a|a)*b/))]', '$.a[?(@.p =~ /(a|a)*b/)]', '$.a[?(/(a|a)*b/.test(@.p))]', "$.a[?(@.p['match']('(a|a)*b'))]",
    "$.a[?(@.p.padStart(500000000))]", '$.a[?(`${@.p}`)]', "$.a[(@.p.repeat(100))]",
  ];
  for (const path of hostile) {
    for (const call of [`$input.json("${path}")`, `$input.path("${path}")`]) {
      assert.throws(() => renderMappingTemplate(compileTemplate(call), { ...inp, context: {} }), (e: unknown) => e instanceof VtlError && /not supported in filters/.test((e as Error).message), call);
    }
  }
  // Comparisons, logic and arithmetic still filter.
  assert.equal(renderMappingTemplate(compileTemplate(`$input.json("$.a[?(@.n > 1 && @.p != 'x')].n")`), { ...inp, context: {} }), '[2]');
  assert.equal(renderMappingTemplate(compileTemplate(`$input.json("$.a[?(@.p == 'x' || @.n * 2 == 0)].p")`), { ...inp, context: {} }), '["x"]');
});

test('a JSONPath of 200 KB (the path parsers are quadratic in odd ones) is refused, not parsed', { timeout: 30_000 }, () => {
  const inp = { body: '{"a": 1}', params: { path: {}, querystring: {}, header: {} }, stageVariables: {} };
  for (const path of ["$['" + "\\\\'".repeat(100_000), '$.a[' + ':'.repeat(200_000), '$' + '.a'.repeat(100_000)]) {
    assert.throws(() => renderMappingTemplate(compileTemplate(`$input.path("${path}")`), { ...inp, context: {} }), (e: unknown) => e instanceof VtlError && /longer than 1000/.test((e as Error).message));
  }
});

test('JSONPath filters from templates cannot reach JS either (jsonpath-plus safe evaluation)', () => {
  const inp = { body: '{"a": [{"p": 1}, {"p": 2}]}', params: { path: {}, querystring: {}, header: {} }, context: {}, stageVariables: {} };
  const attacks = [
    "$input.path('$.a[?(@.constructor.constructor(\"return process\")().exit())]')",
    "$input.path('$[?(this.constructor.constructor(\"return process\")())]')",
    "$input.json('$..[?(@.__proto__.polluted = 1)]')",
    "$input.path('$.a[?(@.p > 1 || globalThis.process.exit(1))]')",
    "$input.path('$.a[(@.length-1)]')",
    "$input.json('$..*')",
  ];
  for (const a of attacks) {
    let out: string;
    try {
      out = renderMappingTemplate(compileTemplate(a), { ...inp, context: {} });
    } catch (e) {
      assert.ok(e instanceof VtlError, `${a}: ${String(e)}`);
      continue;
    }
    assert.doesNotMatch(out, /function|process|native code/, `${a} -> ${out}`);
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});
