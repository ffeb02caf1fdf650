// Compares our engine with Velocity 1.7's outputs for a batch of cases, in both modes.
// Usage: tsx compare.ts (cases | random COUNT SEED) VELOCITY_JSON APIGATEWAY_JSON
// Exits 1 and prints the differing cases when any differ outside test/vtl/divergences.ts.
import { readFileSync } from 'node:fs';
import { ORACLE_CASES, normalize, renderOurs, type Mode, type Outcome } from './support.ts';
import { randomCases } from '../generator.ts';
import { DIVERGENCES } from '../divergences.ts';

const args = process.argv.slice(2);
const kind = args.shift();
const cases = kind === 'random'
  ? randomCases(Number(args.shift()), Number(args.shift()))
  : ORACLE_CASES.map(([id, template, context]) => ({ id, template, context: context ?? null }));
const [velocityFile, apigwFile] = args;
const golden: Record<Mode, Record<string, Outcome>> = {
  velocity: JSON.parse(readFileSync(velocityFile!, 'utf8')),
  apigateway: JSON.parse(readFileSync(apigwFile!, 'utf8')),
};
let failures = 0;
for (const c of cases) {
  if (DIVERGENCES[c.id] !== undefined) continue;
  for (const mode of ['velocity', 'apigateway'] as const) {
    const want = normalize(golden[mode][c.id]!);
    const got = normalize(renderOurs(c.id, c.template, c.context ?? undefined, mode));
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      failures++;
      if (failures <= Number(process.env.SHOW ?? 25)) console.log(`${c.id} [${mode}]\n  template: ${JSON.stringify(c.template)}\n  velocity: ${JSON.stringify(want)}\n  ours:     ${JSON.stringify(got)}`);
    }
  }
}
if (failures > 0) {
  console.log(`${failures} differences from Velocity 1.7 in ${cases.length} cases`);
  process.exit(1);
}
