// `$a.name` reads a plain object's property inline (codegen.ts propRead) after checking that the
// value is a plain object; everything else goes to propPlain. The check reads `.constructor`
// first (so V8 can fold the prototype test); these fix what each kind of value answers, including
// plain objects whose own "constructor" key fails that check and must still read as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, compileToSource } from '../../src/vtl/index.ts';
import { parseJsonValue } from '../../src/mapping/index.ts';

const t = compileTemplate('[$o.a][$o.b][$o.constructor][$o.length][$o.size]');

test('property reads on JSON objects, with and without their own "constructor" key', () => {
  assert.equal(t.render({ o: parseJsonValue('{"a": "x", "b": {"c": 1}}') }), '[x][{c=1}][][][]');
  assert.equal(t.render({ o: parseJsonValue('{"constructor": 1, "a": 2}') }), '[2][][1][][]');
  assert.equal(t.render({ o: parseJsonValue('{"constructor": {"a": 9}, "a": "own"}') }), '[own][][{a=9}][][]');
  assert.equal(t.render({ o: { a: 'plain' } }), '[plain][][][][]');
  // Through a loop, where the read site sees objects with and without the key.
  const loop = compileTemplate("#foreach($e in $input)$e.a,#end");
  assert.equal(loop.render({ input: parseJsonValue('[{"a": 1}, {"constructor": "c", "a": 2}, {"a": 3}]') }), '1,2,3,');
});

test('property reads on values that are not plain objects', () => {
  const Members = function Dict(): void {} as unknown as new () => Record<string, string>;
  Members.prototype = Object.create(null) as Record<string, string>;
  const d = new Members();
  d['a'] = 'dict-a';
  class K { a = 'field'; }
  assert.equal(t.render({ o: new Map([['a', 'm']]) }), '[m][][][][]');
  assert.equal(t.render({ o: d }), '[dict-a][][][][]');
  assert.equal(t.render({ o: new K() }), '[field][][][][]');
  assert.equal(t.render({ o: [1, 2] }), '[][][][][]');
  assert.equal(t.render({ o: Object.create(null) }), '[][][][][]');
});

test('the inline read tests .constructor before the prototype', () => {
  assert.match(compileToSource('$o.a'), /\.constructor === OC && GP\(p0\) === OP \? p0\.a/);
});
