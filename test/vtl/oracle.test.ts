// Our engine against real Apache Velocity 1.7: every hand-written case (test/vtl/cases) and a
// seeded batch of random templates (test/vtl/generator.ts) must render exactly as the golden
// files say. The golden files come from tools/velocity-oracle; `bash scripts/vtl-oracle.sh`
// regenerates them and fails when they drift. Two modes: plain Velocity (a null reference prints
// its source text) and API Gateway's (it prints nothing, see docs/vtl.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ORACLE_CASES, normalize, renderOurs, type Mode, type Outcome } from './oracle/support.ts';
import { randomCases } from './generator.ts';
import { DIVERGENCES } from './divergences.ts';

function golden(name: string): Record<string, Outcome> {
  return JSON.parse(readFileSync(new URL(`./golden/${name}.json`, import.meta.url), 'utf8')) as Record<string, Outcome>;
}

const batches = [
  { name: 'cases', cases: ORACLE_CASES.map(([id, template, context]) => ({ id, template, context })) },
  { name: 'random-300-1', cases: randomCases(300, 1).map((c) => ({ ...c, context: undefined })) },
];

for (const batch of batches) {
  for (const mode of ['velocity', 'apigateway'] as Mode[]) {
    const expected = golden(`${batch.name}.${mode}`);
    test(`${batch.name} (${batch.cases.length} templates) render as Velocity 1.7 does, ${mode} null rendering`, () => {
      let compared = 0;
      for (const c of batch.cases) {
        if (DIVERGENCES[c.id] !== undefined) continue;
        const want = expected[c.id];
        assert.ok(want !== undefined, `golden output missing for ${c.id}`);
        assert.deepEqual(normalize(renderOurs(c.id, c.template, c.context, mode)), normalize(want), `${c.id}: ${JSON.stringify(c.template)}`);
        compared++;
      }
      assert.ok(compared >= batch.cases.length - Object.keys(DIVERGENCES).length);
    });
  }
}

test('the hand-written oracle corpus has unique ids and at least 300 cases', () => {
  const ids = new Set(ORACLE_CASES.map((c) => c[0]));
  assert.equal(ids.size, ORACLE_CASES.length);
  assert.ok(ORACLE_CASES.length >= 300, `${ORACLE_CASES.length} cases`);
});

test('every listed divergence still differs from Velocity and gives a reason', () => {
  const byId = new Map(ORACLE_CASES.map(([id, template, context]) => [id, { template, context }]));
  for (const [id, reason] of Object.entries(DIVERGENCES)) {
    assert.ok(reason.length > 20, `${id} needs a reason`);
    const c = byId.get(id);
    if (c === undefined) continue;
    const want = golden('cases.velocity')[id]!;
    assert.notDeepEqual(normalize(renderOurs(id, c.template, c.context, 'velocity')), normalize(want), `${id} no longer diverges: remove it from the list`);
  }
});
