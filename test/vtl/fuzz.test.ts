// Random and mutated templates: the parser and the renderer may only ever throw our typed
// errors, and every render ends within the limits it was given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileTemplate, VtlError, VtlLimitError } from '../../src/vtl/index.ts';
import { ORACLE_CASES, oracleContext } from './oracle/support.ts';
import { prng, randomTemplate } from './generator.ts';
import { util } from '../../src/mapping/util.ts';

const PIECES = [
  '$', '#', '\\', '(', ')', '{', '}', '[', ']', '"', "'", '!', '.', ',', '=', '<', '>', '|', '&', '*', '+', '-', '/', '%', ':',
  ' ', '\n', '\t', 'a', 'x', '1', '0', '..', '#if(', '#elseif(', '#else', '#end', '#{end}', '#set(', '#foreach(', ' in ', '#macro(',
  '#define(', '#break', '#stop', '##', '#*', '*#', '#[[', ']]#', '$a', '$!a', '${a', '$l', '$m', '$s', '.size()', '.get(0)',
  '.substring(', '.replaceAll(', '.matches(', '.split(', "'(a|a)*b'", "'(a|aa)*c'", "'(a+)+$'", "'(x*)*y'", "'\\1'", "'(?=a)'", '[1..3]', '{"k": 1}', 'true', '&&', '||', '==', ' - ', '$velocityCount', '$foreach', '#m(',
];

const LIMITS = { maxRenderMillis: 200, maxOutputLength: 100_000, maxTotalIterations: 50_000 };

function check(source: string): void {
  let t;
  try {
    t = compileTemplate(source, { limits: LIMITS });
  } catch (e) {
    assert.ok(e instanceof VtlError, `compile threw ${String(e)} for ${JSON.stringify(source)}`);
    return;
  }
  for (const nullReferences of ['empty', 'literal'] as const) {
    try {
      const out = compileTemplate(source, { limits: LIMITS, nullReferences }).render(oracleContext(undefined));
      assert.equal(typeof out, 'string');
      assert.ok(out.length <= LIMITS.maxOutputLength);
    } catch (e) {
      assert.ok(e instanceof VtlError, `render threw ${String(e)} for ${JSON.stringify(source)}`);
    }
  }
  void t;
}

test('random token soup compiles or fails with a VtlError, and renders or fails with a VtlError', () => {
  fc.assert(fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), (parts) => check(parts.join(''))), { numRuns: 3000, seed: 42 });
});

test('random strings of any characters never crash the engine', () => {
  fc.assert(fc.property(fc.string({ maxLength: 200, unit: 'binary' }), check), { numRuns: 2000, seed: 7 });
});

test('mutated corpus templates never crash the engine', () => {
  const corpus = ORACLE_CASES.map((c) => c[1]);
  const mutation = fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...PIECES), fc.constantFrom('insert', 'delete', 'replace', 'duplicate'));
  fc.assert(fc.property(fc.constantFrom(...corpus), fc.array(mutation, { minLength: 1, maxLength: 6 }), (base, muts) => {
    let s = base;
    for (const [a, b, piece, op] of muts) {
      const i = s.length === 0 ? 0 : a % s.length;
      const j = Math.min(s.length, i + (b % 8));
      if (op === 'insert') s = s.slice(0, i) + piece + s.slice(i);
      else if (op === 'delete') s = s.slice(0, i) + s.slice(j);
      else if (op === 'replace') s = s.slice(0, i) + piece + s.slice(j);
      else s = s.slice(0, j) + s.slice(i, j) + s.slice(i);
    }
    check(s);
  }), { numRuns: 3000, seed: 11 });
});

test('generated templates (the differential generator) never crash the engine', () => {
  const rnd = prng(99);
  for (let i = 0; i < 1000; i++) check(randomTemplate(rnd));
});

// Issue #20: regexes that backtrack exponentially, and loops that repeat work on a big body. Each
// random combination ends (a hang is the test timeout) with an answer or a typed error.
test('alternation and nesting under quantifiers, on long subjects, end with an answer or a typed error', { timeout: 120_000 }, () => {
  const atom = fc.constantFrom('a', 'aa', 'a?', 'a*', 'a+', '(a|a)', '(a|aa)', '(a+)+', '(a*)*', '[ab]', '.', '\\w', '(?:a|b|ab)', '(a)\\1', '(?=a)', 'a{2,}', 'a*+');
  const quant = fc.constantFrom('', '*', '+', '?', '{1,5}', '*?');
  const pattern = fc.tuple(fc.array(fc.tuple(atom, quant), { minLength: 1, maxLength: 5 }), fc.constantFrom('', 'b', 'c', '$'))
    .map(([parts, end]) => parts.map(([a, q]) => (q === '' ? a : `(${a})${q}`)).join('') + end);
  const method = fc.constantFrom('matches', 'replaceAll', 'replaceFirst', 'split');
  fc.assert(fc.property(pattern, method, fc.integer({ min: 0, max: 3000 }), (p, m, n) => {
    const args = m === 'matches' || m === 'split' ? `'${p}'` : `'${p}', 'x'`;
    try {
      const out = compileTemplate(`$s.${m}(${args})`, { limits: LIMITS }).render({ s: 'a'.repeat(n) });
      assert.equal(typeof out, 'string');
    } catch (e) {
      assert.ok(e instanceof VtlError, `${p} ${m}: ${String(e)}`);
    }
  }), { numRuns: 300, seed: 20 });
});

test('loops repeating work over a big body stop at a limit with a typed error', { timeout: 120_000 }, () => {
  const body = 'a b/c"d,'.repeat(100_000);
  const work = fc.constantFrom(
    '$util.urlEncode($s)', '$util.escapeJavaScript($s)', '$util.base64Encode($s)', '$s.toUpperCase()', "$s.replace(',', ';')",
    "$s.replaceAll('(a|a)*b', '')", "$s.split(',').size()", '"$s$i"', '$s + $i', "$s.matches('(a|aa)*c')", "$s.indexOf('zz')", '$util.parseJson($j)',
  );
  fc.assert(fc.property(fc.array(work, { minLength: 1, maxLength: 3 }), fc.constantFrom(1, 10, 1000), (calls, n) => {
    const src = `#foreach($i in [1..${n}])${calls.map((c) => `#set($r = ${c})`).join('')}#end$r.length()`;
    try {
      compileTemplate(src, { limits: LIMITS }).render({ s: body, j: JSON.stringify([body]), util });
    } catch (e) {
      assert.ok(e instanceof VtlError, `${src}: ${String(e)}`);
    }
  }), { numRuns: 60, seed: 21 });
});

test('loops and recursion always end within the limits', { timeout: 60_000 }, () => {
  const hostile = [
    '#foreach($a in [1..1000])#foreach($b in [1..1000])x#end#end',
    '#macro(f $n)#f($n)#f($n)#end#f(1)',
    '#define($d)$d$d#end$d',
    '#set($l = [1])#foreach($x in $l)$l.add($x)#end$l.size()',
    '#set($s = "x")#foreach($i in [1..1000])#set($s = "$s$s")#end',
    '#set($m = {})#set($m.self = $m)$m',
    '#set($l = [])$l.add($l)$l',
  ];
  for (const src of hostile) {
    try {
      compileTemplate(src, { limits: LIMITS }).render({});
    } catch (e) {
      assert.ok(e instanceof VtlError, `${src}: ${String(e)}`);
    }
  }
  assert.throws(() => compileTemplate('#define($d)$d$d#end$d').render({}), VtlLimitError);
});
