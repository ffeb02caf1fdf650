// Reads examples out of the Developer Guide (spec/api-gateway-developer-guide-2016.txt), so tests
// use the guide's own text. PDF page breaks split code blocks: consecutive fenced blocks separated
// only by blank lines are joined, and the PDF's trailing double spaces are dropped.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Like scripts/gen-model.ts: the spec sits beside the repository (../shared/spec, as in CI), or
// GATEHOUSE_GUIDE says where. A missing guide fails these tests: it is their input.
const GUIDE = process.env.GATEHOUSE_GUIDE ?? fileURLToPath(new URL('../../../shared/spec/api-gateway-developer-guide-2016.txt', import.meta.url));
let lines: string[] | null = null;

/** The code block after the first line equal to `heading` (at or after line `from`, 1-based). */
export function guideBlock(heading: string, from = 1): string {
  lines ??= readFileSync(GUIDE, 'utf8').split('\n');
  let i = from - 1;
  while (i < lines.length && lines[i]!.trim() !== heading) i++;
  if (i >= lines.length) throw new Error(`heading not found in the guide: ${heading}`);
  while (!lines[i]!.startsWith('```')) i++;
  const out: string[] = [];
  for (;;) {
    i++;
    while (!lines[i]!.startsWith('```')) out.push(lines[i++]!.replace(/ {2}$/, ''));
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === '') j++;
    if (j < lines.length && lines[j]!.startsWith('```')) {
      i = j;
      continue;
    }
    return out.join('\n');
  }
}
