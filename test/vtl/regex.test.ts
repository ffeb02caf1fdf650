// Template regular expressions run on re2js (linear time). Java semantics are checked against
// Velocity itself in test/vtl/cases/java.ts (regex-*); this file covers what the oracle cannot:
// constructs we refuse, the compile cache, the work budget, and inputs too large for Java to finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, VtlError, VtlLimitError, VtlRuntimeError } from '../../src/vtl/index.ts';
import { javaPattern, javaMatches, javaReplace, javaSplit } from '../../src/vtl/java-regex.ts';
import { compileSelectionPattern, matchesSelectionPattern } from '../../src/deploy/selection-pattern.ts';

function render(src: string, vars: Record<string, unknown> = {}, limits = {}): string {
  return compileTemplate(src, { limits }).render(vars);
}

function failure(src: string, vars: Record<string, unknown> = {}, limits = {}): VtlError {
  try {
    render(src, vars, limits);
  } catch (e) {
    assert.ok(e instanceof VtlError, `only typed errors may escape, got ${String(e)}`);
    return e;
  }
  assert.fail(`${src} rendered without an error`);
}

test('constructs RE2 cannot run in linear time are refused as a PatternSyntaxException, a template error', () => {
  const refused: [string, RegExp][] = [
    ['(a)\\1', /backreferences/],
    ['(?<n>a)\\k<n>', /backreferences/],
    ['a(?=b)', /lookahead/],
    ['a(?!b)', /lookahead/],
    ['(?>a+)b', /atomic/],
    ['a*+b', /possessive/],
    ['a++b', /possessive/],
    ['a{2}+', /possessive/],
    ['(?x) a b', /\(\?x\)/],
    ['[a-z&&[^b]]', /intersection/],
    ['[a[b]]', /nested/],
    ['\\p{InGreek}', /property/],
    ['\\Ga', /unsupported escape/],
    ['a{', /Illegal repetition/],
    ['[abc', /Unclosed character class/],
    ['x'.repeat(1001), /longer than 1000/],
  ];
  for (const [pattern, why] of refused) {
    for (const call of [`$s.matches('${pattern}')`, `$s.replaceAll('${pattern}', 'x')`, `$s.split('${pattern}')`]) {
      const e = failure(call, { s: 'aab' });
      assert.ok(e instanceof VtlRuntimeError, `${call}: ${e.name}`);
      assert.match(e.message, /java\.util\.regex\.PatternSyntaxException/, call);
      assert.match(e.message, why, call);
    }
  }
});

test('lookbehind, lazy quantifiers, named groups and inline flags are supported', () => {
  assert.equal(javaReplace('price: 10, cost: 20', '(?<=: )\\d+', 'N', true), 'price: N, cost: N');
  assert.equal(javaReplace('ab ab', '(?<!^)ab', 'X', true), 'ab X');
  assert.equal(javaReplace('<a><b>', '<.+?>', '.', true), '..');
  assert.equal(javaReplace('2026-12-04', '(?<y>\\d+)-(?<m>\\d+)-(?<d>\\d+)', '${d}/${m}/${y}', false), '04/12/2026');
  assert.equal(javaMatches('HELLO', '(?i)hello'), true);
  assert.equal(javaMatches('a\nb', '(?s)a.b'), true);
  assert.equal(javaMatches('a\nb', 'a.b'), false);
});

test('literal patterns take the string-search path and agree with the engine', () => {
  const subjects = ['a,b,,c,,', ',a', '', ',,,', 'no separator', 'x.y.z.'];
  for (const s of subjects) {
    assert.deepEqual(javaSplit(s, ','), javaSplit(s, '[,]'), `split ${JSON.stringify(s)}`);
    assert.deepEqual(javaSplit(s, ',', -1), javaSplit(s, '[,]', -1));
    assert.deepEqual(javaSplit(s, ',', 2), javaSplit(s, '[,]', 2));
    assert.deepEqual(javaSplit(s, '\\.'), javaSplit(s, '[.]'));
    assert.equal(javaReplace(s, ',', ';', true), javaReplace(s, '[,]', ';', true));
    assert.equal(javaReplace(s, ',', '$0$0', false), javaReplace(s, '[,]', '$0$0', false));
    assert.equal(javaReplace(s, '', '-', true), javaReplace(s, '(?:)', '-', true));
    assert.equal(javaMatches(s, ''), javaMatches(s, '(?:)'));
  }
  assert.equal(javaPattern(',').re, null);
  assert.notEqual(javaPattern('[,]').re, null);
  assert.throws(() => javaReplace('a', 'a', '$1', true), /No group 1/);
});

test('each pattern is translated and compiled once', () => {
  const p = javaPattern('(\\w+)@(\\w+)');
  assert.equal(javaPattern('(\\w+)@(\\w+)'), p);
  assert.equal(p.groupCount, 2);
});

test('a 1 MB subject with a pattern that is exponential for a backtracking engine answers at once', () => {
  const s = 'a'.repeat(1_000_000);
  assert.equal(render("$s.matches('(a|aa)*c')", { s }), 'false');
  assert.equal(render("$s.replaceAll('(a|a)*b', '')", { s }).length, s.length);
});

test('regular expressions are charged to the work budget: scanning and each match', () => {
  // A generous clock, so that only the work budget can stop these renders.
  const limits = (maxWork: number) => ({ maxWork, maxRenderMillis: 600_000 });
  const s = 'ab'.repeat(50_000);
  // matches() scans 100 000 characters at 32 units each: it fits in 3 300 000 units, not in 3 100 000.
  assert.equal(render("$s.matches('(ab)*')", { s }, limits(3_300_000)), 'true');
  assert.ok(failure("$s.matches('(ab)*')", { s }, limits(3_100_000)) instanceof VtlLimitError);
  // replaceAll scans at 64 units per character (6 400 000) and charges each of the 50 000 matches 1 024 more.
  assert.ok(failure("$s.replaceAll('[b]', 'c')", { s }, limits(50_000_000)) instanceof VtlLimitError);
  assert.equal(render("$s.replaceAll('[b]', 'c').length()", { s }, limits(60_000_000)), '100000');
  const e = failure("#foreach($i in [1..1000])#set($x = $s.replaceAll('(a|b)+', '-'))#end", { s }, limits(100_000_000));
  assert.ok(e instanceof VtlLimitError);
  assert.match(e.message, /work budget of 100000000 units/);
});

test('integration response selection patterns share the engine: a hostile error message cannot make them backtrack', () => {
  const p = compileSelectionPattern('(a|a)*b');
  assert.equal(p.error, null);
  assert.equal(matchesSelectionPattern(p, 'a'.repeat(100_000)), false);
  assert.equal(matchesSelectionPattern(compileSelectionPattern('.*Not Found.*'), 'Error: Not Found\nmore'), false);
  assert.equal(matchesSelectionPattern(compileSelectionPattern('(?s).*Not Found.*'), 'Error: Not Found\nmore'), true);
  const refused = compileSelectionPattern('(a)\\1');
  assert.match(refused.error ?? '', /backreferences/);
  assert.equal(matchesSelectionPattern(refused, 'aa'), false);
});

test("each cached pattern's DFA is limited to 512 KB (re2js's default is 8 MB; this fails if its internals change)", () => {
  const re2 = (javaPattern('(a|b)*a(a|b){12}c').re as unknown as { re2(): { lazyDFA: { maxMem: number } | null } }).re2();
  assert.equal(re2.lazyDFA?.maxMem, 512 * 1024);
});
