// parseJsonValue reads most bodies with readPlain, a one-pass reader that gives up (BAIL) wherever
// the old textual check would have chosen the exact parser, or the text is not JSON; the slow path
// (parseJsonValueSlow: the check, then JSON.parse or the exact parser) decides the rest. Every
// text must give the value it gave before readPlain: the same representation (plain object or
// Map, number, JDouble or BigInt), the same keys in the same order, the same error or none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BAIL, parseJsonValue, parseJsonValueSlow, readPlain } from '../../src/mapping/json.ts';
import { JDouble } from '../../src/vtl/index.ts';
import { compileTemplate } from '../../src/vtl/index.ts';
import { renderMappingTemplate } from '../../src/mapping/index.ts';

/** xorshift32, seeded. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

/** Whether two template values are the same: representation, key order, -0, all of it. */
function same(a: unknown, b: unknown, path = '$'): void {
  assert.equal(typeof a, typeof b, `${path}: ${typeof a} against ${typeof b}`);
  if (typeof a === 'number') return assert.ok(Object.is(a, b), `${path}: ${a} against ${String(b)}`);
  if (typeof a !== 'object' || a === null) return assert.equal(a, b, path);
  assert.equal(Object.getPrototypeOf(a), Object.getPrototypeOf(b), `${path}: prototypes differ`);
  if (a instanceof JDouble) return assert.ok(Object.is(a.value, (b as JDouble).value), path);
  if (Array.isArray(a)) {
    assert.equal(a.length, (b as unknown[]).length, path);
    a.forEach((x, i) => same(x, (b as unknown[])[i], `${path}[${i}]`));
    return;
  }
  if (a instanceof Map) {
    assert.deepEqual([...a.keys()], [...(b as Map<unknown, unknown>).keys()], path);
    for (const [k, v] of a) same(v, (b as Map<unknown, unknown>).get(k), `${path}.${String(k)}`);
    return;
  }
  assert.deepEqual(Reflect.ownKeys(a), Reflect.ownKeys(b as object), path);
  for (const k of Object.keys(a)) same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
}

/** The outcome of a parse: its value, or the kind of error. */
function outcome(parse: (s: string) => unknown, text: string): { value: unknown } | { error: string } {
  try {
    return { value: parse(text) };
  } catch (e) {
    return { error: (e as Error).constructor.name };
  }
}

function assertSameOutcome(text: string): void {
  const fast = outcome(parseJsonValue, text);
  const slow = outcome(parseJsonValueSlow, text);
  if ('error' in slow || 'error' in fast) {
    assert.deepEqual(fast, slow, text.slice(0, 200));
    return;
  }
  same(fast.value, slow.value);
}

const KEYS = ['id', 'type', 'price', 'a', 'b', '', 'name with space', '12', '-3', '007', '1.0', 'x.05', '__proto__', 'constructor', 'toString', 'a\\"12', 'k\\n', 'q\\"r', 'sl\\/', 'caf\\u00e9', 'é', '1e5', '1234567890123456', 'hasOwnProperty', 'length'];
const UNESCAPED: Record<string, string> = { 'k\\n': 'k\n', 'q\\"r': 'q"r', 'caf\\u00e9': 'caf\u00e9', 'sl\\/': 'sl/' };
const STRINGS = ['', 'dog', 'cat', 'a b', 'v1.0', 'x.05', '1e5', 'abc1e-2', '2026-12-05', '12345678901234567', '\\"12\\":', 'tab\\t', 'uni\\u20ac', '\\ud83d\\ude00', '\\/', 'caf\u00e9', '\u2028', 'ctl\u0001', 'bad\\x', 'back\\\\'];
const NUMBERS = ['0', '-0', '1', '-1', '42', '10.99', '0.5', '-0.001', '1.0', '2.50', '3.05', '100.00', '1e3', '1E-2', '2.5e+3', '-1.5e-7', '9007199254740991', '9007199254740993', '123456789012345', '1234567890123456', '12345678.123456789', '0.30000000000000004', '1.7976931348623157e308', '1e400', '01', '1.', '.5', '-', '1.2.3', '+1'];
const SPACE = ['', '', '', ' ', '\n  ', '\t', '\r\n', '\u00a0', '\u000b'];

/** A JSON-like text: mostly valid, sometimes not (bad numbers, control characters, odd whitespace). */
function document(r: (n: number) => number, depth: number): string {
  const ws = () => SPACE[r(SPACE.length)]!;
  const pick = r(depth > 4 ? 3 : 10);
  if (pick === 0) return NUMBERS[r(NUMBERS.length)]!;
  if (pick === 1) return '"' + STRINGS[r(STRINGS.length)]! + '"';
  if (pick === 2) return ['true', 'false', 'null', 'tru', 'nul'][r(5)]!;
  if (pick < 6) {
    // Arrays, often of objects with the same keys (the shape readPlain reuses keys for).
    const n = r(5);
    const keys = Array.from({ length: r(4) + 1 }, () => KEYS[r(KEYS.length)]!);
    // Later objects sometimes write a key raw that an earlier one escaped ("k\\n" then "k<newline>": not JSON).
    const variant = () => (r(4) === 0 ? [...keys].reverse() : r(4) === 0 ? keys.map((k) => UNESCAPED[k] ?? k) : keys);
    const items = Array.from({ length: n }, () => (r(3) === 0 ? document(r, depth + 1) : object(r, depth + 1, variant())));
    return '[' + ws() + items.join(ws() + ',' + ws()) + ws() + ']';
  }
  return object(r, depth, Array.from({ length: r(5) }, () => KEYS[r(KEYS.length)]!));
}

function object(r: (n: number) => number, depth: number, keys: string[]): string {
  const ws = () => SPACE[r(SPACE.length)]!;
  return '{' + ws() + keys.map((k) => '"' + k + '"' + ws() + ':' + ws() + document(r, depth + 1)).join(ws() + ',' + ws()) + ws() + '}';
}

test('parseJsonValue gives what the slow path gives, on 30,000 generated texts and their damaged copies', () => {
  const r = rng(19);
  let fast = 0;
  for (let i = 0; i < 30_000; i++) {
    const text = document(r, 0);
    if (readPlain(text) !== BAIL) fast++;
    assertSameOutcome(text);
    // One character removed, doubled or replaced: mostly not JSON any more.
    const at = r(text.length + 1);
    assertSameOutcome(text.slice(0, at) + text.slice(at + 1));
    assertSameOutcome(text.slice(0, at) + text.slice(at, at + 1) + text.slice(at));
    assertSameOutcome(text.slice(0, at) + '",:[]{}0e.\\ '[r(12)] + text.slice(at + 1));
  }
  // Not a vacuous comparison: readPlain itself read a good share of the texts.
  assert.ok(fast > 5000, `readPlain read ${fast} texts`);
});

test('readPlain reads a typical body itself, with the values JSON.parse gives', () => {
  const body = JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ id: i + 1, type: ['dog', 'cat'][i % 2], price: 10 + i + 0.99, tags: ['a', 'b'], ok: i % 3 === 0, none: null })));
  const v = readPlain(' ' + body + '\n');
  assert.notEqual(v, BAIL);
  same(v, JSON.parse(body));
  const escapes = '{"a": "x\\"y\\u00f6", "b": [1, -2.5, {"c": {}}], "d": []}';
  assert.notEqual(readPlain(escapes), BAIL);
  same(readPlain(escapes), JSON.parse(escapes));
  // Arrays whose objects change keys, spacing or nesting part way: each object is read on its own terms.
  for (const text of [
    '[{"a":1,"b":2},{"a":3,"b":4,"c":5},{"a":6},{},{"a":7,"b":8},{"b":9,"a":10},{ "a":11,"b":12},{"a":13, "b":14},{"a":15,"b":16 }]',
    '[\n  {\n    "id": 1,\n    "v": [{"x": 1}, {"x": 2, "y": [{"z": {}}]}]\n  },\n  {\n    "id": 2,\n    "v": [{"x": 3}]\n  },\n  {\n    "id": 3,\n    "w": null\n  }\n]',
    '[{}, {}, {"a": {}}, {"a": {"b": 1}}, {"a": {"b": 1, "c": 2}}, [], [{}]]',
    '[{"k\\n": 1}, {"k\\n": 2}, {"k\\u006e": 3}]',
  ]) {
    assert.notEqual(readPlain(text), BAIL, text);
    same(readPlain(text), JSON.parse(text));
  }
  // An array whose objects change keys part way.
  same(readPlain('[{"a":1,"b":2},{"a":3,"c":4},{"a":5,"c":6,"d":7},{"a":8}]'), JSON.parse('[{"a":1,"b":2},{"a":3,"c":4},{"a":5,"c":6,"d":7},{"a":8}]'));
});

test('readPlain leaves to the slow path what needs the exact parser or is not JSON', () => {
  for (const text of ['{"a": 1.0}', '[2e3]', '[1.5e-3]', '{"v": 3.05}', '[12345678901234567]', '{"12": 1}', '{"a\\"12": 1}', '{"__proto__": 1}',
    '[{"k\\n": 1}, {"k\n": 2}]', '[{"q\\"r": 1}, {"q"r": 2}]', '{"s": "version 1.0"}', '["id 1234567890123456"]', '["a1e5"]', '', 'a=1&b=2', '{"a":1,}', '[01]', '["\u0001"]', '{"a" 1}', '[1] x']) {
    assert.equal(readPlain(text), BAIL, text);
    assertSameOutcome(text);
  }
  assert.ok(parseJsonValue('{"a": 1.0, "12": 2}') instanceof Map);
  assert.ok(parseJsonValue('{"a": 1.5}') instanceof Object && !(parseJsonValue('{"a": 1.5}') instanceof Map));
  assert.equal(Object.getPrototypeOf(parseJsonValue('{"__proto__": {"x": 1}}')), Object.prototype);
});

test('long strings (read with native searches past 64 characters) give what the slow path gives', () => {
  const r = rng(64);
  const PIECES = ['a', 'bcd', ' ', '\u00e9', 'x'.repeat(70), '\\"', '\\\\', '\\n', '\\u0041', '\u0001', '\n', '\t', '7', '.0', '.5', '1e5', '1E+', '1234567890123456', '\u2028', '/'];
  for (let n = 0; n < 4000; n++) {
    let body = '';
    while (body.length < 60 + r(200)) body += PIECES[r(PIECES.length)]!;
    const texts = ['"' + body + '"', '["' + body + '", 1]', '{"' + body + '": "' + body.slice(0, r(body.length)) + '"}', '["' + body];
    for (const text of texts) assertSameOutcome(text);
  }
  const long = 'y'.repeat(100);
  assert.notEqual(readPlain(`{"${long}": "${long}", "k": ["${long}"]}`), BAIL);
  assert.equal(readPlain(`["${long}\u0001"]`), BAIL);
  assert.equal(readPlain(`["${long}1.0"]`), BAIL);
  assert.equal(readPlain(`["${long}`), BAIL);
  same(readPlain(`["${long}\\"${long}", "${long}\\u0041"]`), JSON.parse(`["${long}\\"${long}", "${long}\\u0041"]`));
});

test('nesting: readPlain gives up past 512 levels without growing the stack; the slow path decides as before', () => {
  for (const n of [511, 512, 513, 514]) {
    const deep = '['.repeat(n) + ']'.repeat(n);
    if (n > 512) assert.equal(readPlain(deep), BAIL);
    else assert.notEqual(readPlain(deep), BAIL);
    assertSameOutcome(deep);
    assertSameOutcome('{"a":'.repeat(n) + '1' + '}'.repeat(n));
  }
  // Far deeper than any stack: the slow path's JSON.parse takes it, as before (compared level by level).
  const n = 100_000;
  assert.equal(readPlain('['.repeat(n) + ']'.repeat(n)), BAIL);
  let fast = parseJsonValue('['.repeat(n) + ']'.repeat(n));
  let depth = 0;
  while (Array.isArray(fast) && fast.length === 1) {
    fast = fast[0];
    depth++;
  }
  assert.deepEqual([depth, fast], [n - 1, []]);
});

test('$input.path over a body readPlain reads renders as before (keys, numbers, escapes, mutation)', () => {
  const t = compileTemplate("#set($r = $input.path('$'))#foreach($e in $r)$e.id:$e.price:$e.type.length():$e.keySet()#set($e.x = 1)$e.size(),#end $r.size() $input.json('$[1]') $r[0]");
  const input = (body: string) => ({ body, params: { path: {}, querystring: {}, header: {} }, context: {}, stageVariables: {} });
  const body = '[{"id": 1, "price": 10.99, "type": "d\\u00f6g"}, {"id": 2, "price": -0.5, "type": "cat"}]';
  assert.notEqual(readPlain(body), BAIL);
  assert.equal(renderMappingTemplate(t, input(body)), '1:10.99:3:[id, price, type]4,2:-0.5:3:[id, price, type]4, 2 {"id":2,"price":-0.5,"type":"cat","x":1} {id=1, price=10.99, type=dög, x=1}');
});
