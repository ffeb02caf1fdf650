// $foreach.hasNext, .index, .count, .first and .last are read from the loop's ForeachScope directly
// (codegen.ts foreachProp); these check they answer as ForeachScope.vtlGet does, including when a
// template has set $foreach to something else or reads it outside a loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, compileToSource } from '../../src/vtl/index.ts';

const render = (source: string, vars: Record<string, unknown> = {}) => compileTemplate(source).render(vars);

test('$foreach properties inside loops, nested loops and their parent', () => {
  assert.equal(render('#foreach($x in [1, 2, 3])$foreach.index/$foreach.count/$foreach.hasNext/$foreach.first/$foreach.last #end'),
    '0/1/true/true/false 1/2/true/false/false 2/3/false/false/true ');
  assert.equal(render('#foreach($a in [1, 2])#foreach($b in [1])$foreach.count:$foreach.parent.count:$foreach.last#end,#end'), '1:1:true,1:2:true,');
  // Method forms answer through vtlCall, the same values.
  assert.equal(render('#foreach($x in ["a", "b"])$foreach.getIndex()$foreach.isLast()$foreach.hasNext() #end'), '0falsetrue 1truefalse ');
});

test('$foreach outside a loop, or set to something else, is read as any other value', () => {
  assert.equal(render('[$foreach.hasNext][$foreach.index]'), '[][]');
  assert.equal(render('#set($foreach = {"hasNext": "yes", "index": 7})$foreach.hasNext $foreach.index $foreach.count'), 'yes 7 ');
  assert.equal(render('$foreach.hasNext $foreach.first', { foreach: { hasNext: 'given', first: false } }), 'given false');
  // Inside a loop the loop's scope wins; after it, the variable is back to what it was.
  assert.equal(render('#foreach($x in [1])$foreach.index#end $foreach.index', { foreach: { index: 'outer' } }), '0 outer');
  assert.equal(render('#foreach($x in [1, 2])#set($foreach = {"hasNext": "set"})$foreach.hasNext#end'), 'setset');
});

test('the loop fields are read without a property lookup', () => {
  assert.match(compileToSource('#foreach($x in [1])#if($foreach.hasNext),#end#end'), /instanceof ForeachScope \? v\d+\.hasNext/);
});
