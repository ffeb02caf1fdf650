// Shared by the oracle test, the case exporter and the differential comparison: renders a case
// with our engine the way tools/velocity-oracle renders it with Velocity 1.7.

import { compileTemplate, VtlSyntaxError, VtlError } from '../../../src/vtl/index.ts';
import { parseJsonValue } from '../../../src/mapping/index.ts';
import { javaList, isMap, mapGet, mapKeys } from '../../../src/vtl/java.ts';
import { DEFAULT_CONTEXT, type OracleCase } from '../cases/types.ts';
import { references } from '../cases/references.ts';
import { directives } from '../cases/directives.ts';
import { operators } from '../cases/operators.ts';
import { java } from '../cases/java.ts';
import { whitespace } from '../cases/whitespace.ts';

export const ORACLE_CASES: OracleCase[] = [...references, ...directives, ...operators, ...java, ...whitespace];

export type Mode = 'velocity' | 'apigateway';
export type Outcome = { output: string } | { error: string };

/** The oracle hands Velocity java.util.ArrayList values: mark every array of the context as a Java list. */
function markLists(v: unknown, depth = 0): unknown {
  if (depth > 100) return v;
  if (Array.isArray(v)) {
    javaList(v);
    for (const x of v) markLists(x, depth + 1);
  } else if (isMap(v)) {
    for (const k of mapKeys(v)) markLists(mapGet(v, k), depth + 1);
  }
  return v;
}

export function oracleContext(json: string | undefined): Record<string, unknown> {
  const ctx = markLists(parseJsonValue(json ?? DEFAULT_CONTEXT));
  if (ctx instanceof Map) return Object.fromEntries(ctx) as Record<string, unknown>;
  return ctx as Record<string, unknown>;
}

export function renderOurs(id: string, template: string, context: string | undefined, mode: Mode): Outcome {
  try {
    // The oracle applies API Gateway's 1000-iteration #foreach limit in apigateway mode only.
    const t = mode === 'apigateway'
      ? compileTemplate(template, { name: id, nullReferences: 'empty' })
      : compileTemplate(template, { name: id, nullReferences: 'literal', limits: { maxForeachIterations: Number.MAX_SAFE_INTEGER } });
    return { output: t.render(oracleContext(context)) };
  } catch (e) {
    if (e instanceof VtlSyntaxError) return { error: 'parse' };
    if (e instanceof VtlError) return { error: 'runtime' };
    throw e;
  }
}

/** Velocity's error kinds, folded onto ours: a ParseErrorException is our VtlSyntaxError, anything else a runtime error. */
export function normalize(o: Outcome): Outcome {
  if ('error' in o) return { error: o.error === 'parse' ? 'parse' : 'runtime' };
  return o;
}
