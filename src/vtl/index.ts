// Gatehouse's Velocity engine: API Gateway's mapping templates are Apache Velocity 1.7
// templates evaluated with Java semantics. A template is parsed and compiled once to a JS
// function (new Function, named vtl:<name> in stack traces and debuggers); render() only runs it.
//
//   const t = compileTemplate('{"id": "$input.params(\'id\')"}', { name: 'api/GET/application/json' });
//   t.render(templateVariables(mappingInput));
//
// Differences from plain Velocity that API Gateway makes (and we follow by default) are listed in docs/vtl.md.

import { enter, leave } from './budget.ts';
import { generate } from './codegen.ts';
import { VtlError, VtlLimitError, VtlRuntimeError, VtlSyntaxError } from './errors.ts';
import { javaString } from './java.ts';
import { parseTemplate } from './parser.ts';
import * as R from './runtime.ts';
import { RenderState, type Limits } from './runtime.ts';

export { VtlError, VtlLimitError, VtlRuntimeError, VtlSyntaxError } from './errors.ts';
export { charge, charged } from './budget.ts';
export { JDouble, VtlObject, NO_METHOD, javaString, javaDouble, makeDouble, isMap, mapGet, mapSet } from './java.ts';
export type { Limits } from './runtime.ts';

export type TemplateVariables = Record<string, unknown>;

export interface CompiledTemplate {
  readonly source: string;
  render(vars: TemplateVariables): string;
}

export interface CompileOptions {
  /** Shown in error messages and as the function's sourceURL (vtl:<name>). */
  name?: string;
  /**
   * How a null or undefined reference prints: 'empty' (API Gateway, the default) or 'literal'
   * (plain Velocity: `$foo` prints "$foo").
   */
  nullReferences?: 'empty' | 'literal';
  limits?: Partial<Limits>;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  // API Gateway quota "Number of iterations in a #foreach ... #end loop in mapping templates: 1000".
  maxForeachIterations: 1000,
  maxTotalIterations: 1_000_000,
  // API Gateway's payload limit is 10 MB (guide, Limits: "Payload size 10 MB").
  maxOutputLength: 10 * 1024 * 1024,
  maxRenderMillis: 1000,
  maxMacroDepth: 100,
  maxRangeLength: 100_000,
  // Characters walked or built by methods and string building (budget.ts): ten times the largest
  // payload, some tenths of a second of string work on a quiet machine, so that on one a hostile
  // loop stops at this count, the same on every run, before the clock.
  maxWork: 100_000_000,
});

/** Mapping templates are at most 300 KB: AWS's current quota table (the 2016 guide states no size). */
export const MAX_TEMPLATE_LENGTH = 300 * 1024;

const hasOwn = Object.prototype.hasOwnProperty;

function root(vars: TemplateVariables, name: string): unknown {
  return hasOwn.call(vars, name) ? vars[name] : undefined;
}

function rs(v: unknown, whenNull: string): string {
  return v == null ? whenNull : typeof v === 'string' ? v : javaString(v);
}

function tooLong(S: RenderState): never {
  throw new VtlLimitError(`Template output exceeded ${S.limits.maxOutputLength} characters`);
}

const HELPERS = [
  'root', 'rs', 'tooLong', 'prop', 'propPlain', 'call', 'callGet', 'callSize', 'callKeySet', 'index', 'setProp', 'setIndex', 'str', 'truthy', 'eq', 'lt', 'le', 'gt', 'ge',
  'add', 'sub', 'mul', 'div', 'mod', 'range', 'iterable', 'modified', 'viewSource', 'modCount', 'ForeachScope', 'DefinedBlock', 'tick', 'checkOutput',
  'enterMacro', 'makeDouble', 'javaList', 'charged', 'GP', 'OP', 'OC', 'STOP', 'LIMITS', 'evaluate',
] as const;

// #evaluate(string): the string rendered as a template with this template's variables as they
// are at that point (Velocity 1.7's Evaluate directive; a #set inside stays inside, as its
// EvaluateContext keeps it). Each distinct string is compiled once (a bounded cache); macros of
// the calling template are not visible to it; nesting is limited.
const EVALUATED = new Map<string, CompiledTemplate>();
const MAX_EVALUATED = 256;
const MAX_EVALUATE_DEPTH = 8;
let evaluateDepth = 0;

function evaluateIn(options: CompileOptions, name: string) {
  return (S: RenderState, text: unknown, vars: TemplateVariables, locals: () => TemplateVariables, at: number): string => {
    if (text == null) return '';
    const source = typeof text === 'string' ? text : javaString(text);
    if (source === '') return '';
    const key = `${options.nullReferences === 'literal' ? 'L' : 'E'}${source}`;
    let t = EVALUATED.get(key);
    if (t === undefined) {
      t = compileTemplate(source, { ...options, name: `${name} #evaluate` });
      if (EVALUATED.size >= MAX_EVALUATED) EVALUATED.delete(EVALUATED.keys().next().value!);
      EVALUATED.set(key, t);
    }
    if (evaluateDepth >= MAX_EVALUATE_DEPTH) throw new VtlLimitError(`#evaluate nested more than ${MAX_EVALUATE_DEPTH} deep`, S.where[at]);
    const scope: TemplateVariables = { ...vars };
    const own = locals();
    for (const k in own) if (own[k] !== undefined) scope[k] = own[k];
    evaluateDepth++;
    try {
      return t.render(scope);
    } finally {
      evaluateDepth--;
    }
  };
}

export function compileTemplate(source: string, options: CompileOptions = {}): CompiledTemplate {
  const name = (options.name ?? 'template').replace(/[\r\n\u2028\u2029]/g, ' ');
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  if (source.length > MAX_TEMPLATE_LENGTH) {
    throw new VtlLimitError(`Template is longer than ${MAX_TEMPLATE_LENGTH} characters`, name);
  }
  let code: { body: string; where: string[] };
  try {
    const nodes = parseTemplate(source, name);
    code = generate(nodes, { name, source, nullAsEmpty: options.nullReferences !== 'literal' });
  } catch (e) {
    if (e instanceof VtlError) throw e;
    if (e instanceof RangeError) throw new VtlLimitError('Template is nested too deeply', name);
    throw new VtlSyntaxError(`Template could not be compiled: ${(e as Error).message}`, name);
  }
  const env: Record<string, unknown> = { ...R, root, rs, tooLong, GP: Object.getPrototypeOf, OP: Object.prototype, OC: Object, LIMITS: limits, evaluate: evaluateIn(options, name) };
  let render: (vars: TemplateVariables, S: RenderState) => string;
  try {
    const factory = new Function(
      'R',
      `"use strict";\nconst { ${HELPERS.join(', ')} } = R;\nreturn function render(vars, S) {\n${code.body}\n};\n//# sourceURL=vtl:${name}`,
    ) as (env: Record<string, unknown>) => typeof render;
    render = factory(env);
  } catch (e) {
    if (e instanceof RangeError) throw new VtlLimitError('Template is nested too deeply', name);
    throw new VtlSyntaxError(`Template could not be compiled: ${(e as Error).message}`, name);
  }
  const where = code.where;
  return {
    source,
    render(vars: TemplateVariables): string {
      const S = new RenderState(limits, where);
      const previous = enter(S);
      let out: string;
      try {
        out = render(vars, S);
      } catch (e) {
        if (e instanceof VtlError) throw e;
        if (e instanceof RangeError) {
          // V8's string length limit (about 512 MB) is far above ours: a string that long was built without being printed.
          if (/string length/i.test(e.message)) throw new VtlLimitError(`Template built a string longer than ${limits.maxOutputLength} characters`, name);
          throw new VtlLimitError(`Template rendering exceeded the stack (${e.message})`, name);
        }
        throw new VtlRuntimeError(`Template rendering failed: ${(e as Error)?.message ?? String(e)}`, name);
      } finally {
        leave(previous);
      }
      if (out.length > limits.maxOutputLength) throw new VtlLimitError(`Template output exceeded ${limits.maxOutputLength} characters`, name);
      return out;
    },
  };
}

/** The generated JavaScript of a template, for debugging and for docs/vtl.md. */
export function compileToSource(source: string, options: CompileOptions = {}): string {
  const nodes = parseTemplate(source, options.name ?? 'template');
  return generate(nodes, { name: options.name ?? 'template', source, nullAsEmpty: options.nullReferences !== 'literal' }).body;
}
