// Mapping-template render throughput: Gatehouse's compiled VTL against velocityjs (same templates,
// same inputs, its own $input/$util stand-ins) and against hand-written JavaScript producing the
// same text, in the same run. Each op is one request: build the template variables from the raw
// body and parameters (the body is parsed inside the op) and render.
//
//   npx tsx bench/vtl.ts            (BENCH_MS=2000 for longer samples; figures are per CPU-second)

import velocity from 'velocityjs';
import { compileTemplate } from '../src/vtl/index.ts';
import { escapeJavaScript, renderMappingTemplate, type MappingInput } from '../src/mapping/index.ts';

const SAMPLE_MS = Number(process.env.BENCH_MS ?? 1000);
const SAMPLES = 5;

const PARAM_TEMPLATE = `#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
  }
  #end
}`;

const ARRAY_TEMPLATE = `#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "id": $elem.id,
    "type": "$elem.type",
    "price": $elem.price,
    "label": "Item $elem.id is a $elem.type"
  }#if($foreach.hasNext),#end
#end
]`;

function pets(n: number): string {
  const types = ['dog', 'cat', 'fish', 'bird'];
  return JSON.stringify(Array.from({ length: n }, (_, i) => ({ id: i + 1, type: types[i % 4], price: 10 + i + 0.99 })));
}

const PARAMS = {
  path: { petId: '42' },
  querystring: { type: 'dog', page: '2', sort: "name's" },
  header: {
    Accept: 'application/json', 'Content-Type': 'application/json', Host: 'abc.execute-api.local', 'User-Agent': 'curl/8.5.0',
    'X-Forwarded-For': '10.0.0.1', 'X-Amzn-Trace-Id': 'Root=1-abc', Authorization: 'Bearer x/y', 'X-Custom': 'v"1"',
  },
};

function mappingInput(body: string): MappingInput {
  return { body, params: PARAMS, context: { stage: 'prod' }, stageVariables: {} };
}

// --- velocityjs: the same templates, with $input/$util as plain JS objects ---
function velocityjsContext(inp: MappingInput): Record<string, unknown> {
  let doc: unknown;
  return {
    input: {
      path: (p: string) => {
        doc ??= JSON.parse(inp.body);
        return p === '$' ? doc : undefined;
      },
      params: () => inp.params,
      body: inp.body,
    },
    util: { escapeJavaScript: (s: string) => escapeJavaScript(String(s)) },
    context: inp.context,
  };
}

// --- hand-written JavaScript producing the same text ---
function handParams(inp: MappingInput): string {
  // The text Velocity makes of the guide's template, whitespace included.
  const all = inp.params as unknown as Record<string, Record<string, string>>;
  let out = '{\n  "params" : {\n    ';
  const types = Object.keys(all);
  for (let t = 0; t < types.length; t++) {
    const type = types[t]!;
    const params = all[type]!;
    out += '    "' + type + '" : {\n      ';
    const names = Object.keys(params);
    for (let i = 0; i < names.length; i++) {
      out += '      "' + names[i]! + '" : "' + escapeJavaScript(params[names[i]!]!) + '"\n      ' + (i + 1 < names.length ? ',' : '') + '      ';
    }
    out += '    }\n    ' + (t + 1 < types.length ? ',' : '') + '  }\n  ';
  }
  return out + '}';
}

function handArray(inp: MappingInput): string {
  const root = JSON.parse(inp.body) as { id: number; type: string; price: number }[];
  let out = '[\n';
  for (let i = 0; i < root.length; i++) {
    const e = root[i]!;
    out += '  {\n    "id": ' + e.id + ',\n    "type": "' + e.type + '",\n    "price": ' + e.price + ',\n    "label": "Item ' + e.id + ' is a ' + e.type + '"\n  }';
    if (i + 1 < root.length) out += ',';
  }
  return out + ']';
}

interface Case { name: string; template: string; body: string; hand: (inp: MappingInput) => string }
const CASES: Case[] = [
  { name: 'Param Mapping Template Example', template: PARAM_TEMPLATE, body: '', hand: handParams },
  { name: 'foreach over $input.path, 20 items', template: ARRAY_TEMPLATE, body: pets(20), hand: handArray },
  { name: 'foreach over $input.path, 50 items', template: ARRAY_TEMPLATE, body: pets(50), hand: handArray },
];

/** Ops per second of this process's CPU time (user + system) over one sample of about `ms` of CPU. */
function sample(fn: () => string, ms: number): number {
  let sink = 0;
  let n = 0;
  const start = process.cpuUsage();
  let used = 0;
  while (used < ms * 1000) {
    for (let i = 0; i < 100; i++) sink += fn().length;
    n += 100;
    const d = process.cpuUsage(start);
    used = d.user + d.system;
  }
  if (sink === 42) console.log('');
  return n / (used / 1e6);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
// CPU time, not wall time: on a machine shared with other work, ops per wall-clock second swing by
// tens of percent between runs, while CPU time per op stays put. The three variants alternate
// (A B C A B C ...) and each ratio is the median of the per-round ratios.
const ROUNDS = 7;
console.log(`VTL render throughput — node ${process.version}, ops per CPU-second, ${ROUNDS} alternating rounds of ${SAMPLE_MS / SAMPLES} ms CPU per variant`);
const rows: Record<string, unknown>[] = [];
for (const c of CASES) {
  const compiled = compileTemplate(c.template, { name: `bench/${c.name}` });
  const vjs = velocity.Compile ? new velocity.Compile(velocity.parse(c.template)) : null;
  const ours = () => renderMappingTemplate(compiled, mappingInput(c.body));
  const theirs = () => vjs!.render(velocityjsContext(mappingInput(c.body)));
  const hand = () => c.hand(mappingInput(c.body));
  // Same input, same text: the hand-written version must produce exactly our output.
  if (hand() !== ours()) throw new Error(`${c.name}: hand-written output differs:\n${hand()}\n---\n${ours()}`);
  for (const f of [ours, theirs, hand]) for (let i = 0; i < 2000; i++) f();
  const o: number[] = [];
  const v: number[] = [];
  const h: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    o.push(sample(ours, SAMPLE_MS / SAMPLES));
    v.push(sample(theirs, SAMPLE_MS / SAMPLES));
    h.push(sample(hand, SAMPLE_MS / SAMPLES));
  }
  rows.push({
    case: c.name,
    'gatehouse ops/s': fmt(median(o)),
    'velocityjs ops/s': fmt(median(v)),
    'hand JS ops/s': fmt(median(h)),
    'vs velocityjs': `${median(o.map((x, i) => x / v[i]!)).toFixed(1)}x`,
    'vs hand JS': `${median(o.map((x, i) => x / h[i]!)).toFixed(2)}x`,
    'hand JS vs velocityjs': `${median(h.map((x, i) => x / v[i]!)).toFixed(1)}x`,
    'same text as velocityjs': theirs() === ours() ? 'yes' : 'no',
  });
}
console.table(rows);
