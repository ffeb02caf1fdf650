// Templates without '$' or '#' are known at deployment: Velocity prints such text unchanged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTemplates, ConstantTemplate, constantOutput } from '../../src/deploy/templates.ts';
import { compileTemplate } from '../../src/vtl/index.ts';

test('a template with no reference and no directive renders to its own text, with no variables', () => {
  const set = compileTemplates({ 'application/json': '{"statusCode": 200}', 'application/xml': '<a>$input.body</a>', 'text/plain': 'x ## y' }, 'api/GET');
  const json = set.byType.get('application/json')!;
  assert.ok(json instanceof ConstantTemplate);
  assert.equal(constantOutput(json), '{"statusCode": 200}');
  // the same text through the Velocity engine gives the same output
  assert.equal(compileTemplate('{"statusCode": 200}').render({}), '{"statusCode": 200}');
  assert.equal(constantOutput(set.byType.get('application/xml')!), null);
  assert.equal(constantOutput(set.byType.get('text/plain')!), null, "'##' is a Velocity comment, so not constant");
});
