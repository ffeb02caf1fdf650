// API Gateway's mapping-template variables — $input, $util, $context, $stageVariables — over the
// Velocity engine in src/vtl, plus the JSONPath evaluator that parameter mapping reuses.
//
//   const t = compileTemplate(source, { name });          // at deployment
//   const body = renderMappingTemplate(t, mappingInput);  // per request
//
// After rendering, a template's writes to $context.requestOverride / $context.responseOverride are
// in mappingInput.context (templateVariables creates those maps when the caller did not).

import type { CompiledTemplate, TemplateVariables } from '../vtl/index.ts';
import { InputVariable } from './input.ts';
import { util } from './util.ts';

export interface MappingInput {
  /** Raw request (or integration response) body as text. */
  body: string;
  params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> };
  /** $context: plain JS object tree (strings, numbers, booleans, nested objects). */
  context: Record<string, unknown>;
  stageVariables: Record<string, string>;
}

/** The overrides a template wrote through $context (guide: "Use a Mapping Template to Override an API's Request and Response Parameters and Status Codes"). */
export interface ContextOverrides {
  requestOverride: { header: Record<string, unknown>; path: Record<string, unknown>; querystring: Record<string, unknown> };
  responseOverride: { header: Record<string, unknown>; status?: unknown };
}

function ensureObject(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = parent[key];
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  // A frozen context (the caller's choice) simply gets no override maps.
  if (Object.isExtensible(parent)) parent[key] = created;
  return created;
}

/** Builds $input, $util, $context and $stageVariables. The body is parsed only if a template asks for it. */
export function templateVariables(input: MappingInput): TemplateVariables {
  const context = input.context;
  const request = context['requestOverride'];
  if (typeof request !== 'object' || request === null) {
    if (Object.isExtensible(context)) context['requestOverride'] = { header: {}, path: {}, querystring: {} };
  }
  else {
    const r = request as Record<string, unknown>;
    ensureObject(r, 'header');
    ensureObject(r, 'path');
    ensureObject(r, 'querystring');
  }
  const response = context['responseOverride'];
  if (typeof response !== 'object' || response === null) {
    if (Object.isExtensible(context)) context['responseOverride'] = { header: {} };
  }
  else ensureObject(response as Record<string, unknown>, 'header');
  return {
    input: new InputVariable(input.body, input.params),
    util,
    context,
    stageVariables: input.stageVariables,
  };
}

export function renderMappingTemplate(t: CompiledTemplate, input: MappingInput): string {
  return t.render(templateVariables(input));
}

/** Renders and returns the output with the $context overrides the template set. */
export function renderMapping(t: CompiledTemplate, input: MappingInput): { output: string; overrides: ContextOverrides } {
  const output = t.render(templateVariables(input));
  const overrides = {
    requestOverride: input.context['requestOverride'],
    responseOverride: input.context['responseOverride'],
  } as ContextOverrides;
  return { output, overrides };
}

export { evaluateJsonPath, readJsonPath, isDefinitePath } from './jsonpath.ts';
export { parseJsonValue } from './json.ts';
export { escapeJavaScript, urlEncode, urlDecode, base64Encode, base64Decode } from './util.ts';
/** Java's String.valueOf for template values: how Velocity prints a value (`{a=1, b=[x, y]}`). */
export { javaString as toJavaString, jsonText as toJsonText } from '../vtl/java.ts';
export { InputVariable } from './input.ts';
