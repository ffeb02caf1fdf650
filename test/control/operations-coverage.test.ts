// Nothing of the service model is silently missing: every operation has a handler, and no
// handler answers an operation the model does not have.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { HANDLERS } from '../../src/control/handlers.ts';
import { OPERATIONS } from '../../src/model/generated/operations.ts';

it('implements exactly the 124 operations of the API Gateway service model', () => {
  const modelled = OPERATIONS.map((o) => o.name).sort();
  const implemented = Object.keys(HANDLERS).sort();
  assert.equal(modelled.length, 124);
  assert.deepEqual(implemented, modelled);
});
