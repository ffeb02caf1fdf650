// Prints oracle cases as JSON for tools/velocity-oracle: `cases` (the hand-written corpus) or
// `random COUNT SEED` (templates from the seeded generator).
import { ORACLE_CASES } from './support.ts';
import { randomCases } from '../generator.ts';
import { DEFAULT_CONTEXT } from '../cases/types.ts';

const [kind, count, seed] = process.argv.slice(2);
const cases = kind === 'random'
  ? randomCases(Number(count ?? 300), Number(seed ?? 1))
  : ORACLE_CASES.map(([id, template, context]) => ({ id, template, context: context ?? null }));
// The context goes to Java as raw JSON text: re-serializing it would lose `1.0` and key order.
const out = cases.map((c) => `{"id":${JSON.stringify(c.id)},"template":${JSON.stringify(c.template)},"context":${c.context ?? DEFAULT_CONTEXT}}`);
process.stdout.write('[' + out.join(',\n') + ']');
