// Mapping templates of one integration request or response, compiled once, keyed by MIME type.
import { compileTemplate, VtlError, type CompiledTemplate } from '../vtl/index.ts';

export interface TemplateSet {
  /** MIME type (lower case) → template; null marks an entry that passes the body through. */
  readonly byType: ReadonlyMap<string, CompiledTemplate | null>;
  /** The first content type declared, which a response falls back to. */
  readonly first: string | null;
}

export const EMPTY_TEMPLATES: TemplateSet = Object.freeze({ byType: new Map(), first: null });

/**
 * A template that failed to compile still takes its slot (so selection and passthrough behave
 * as configured) and fails the request that selects it, as API Gateway reports template errors
 * when it runs them.
 */
export class BrokenTemplate implements CompiledTemplate {
  constructor(readonly source: string, readonly error: VtlError) {}
  render(): string {
    throw this.error;
  }
}

/**
 * A template with no reference and no directive: without '$' or '#' Velocity prints the text as
 * it is, so the output is known at deployment and a request builds no $input, $context or $util
 * for it (the guide's MOCK template `{"statusCode": 200}` is one).
 */
export class ConstantTemplate implements CompiledTemplate {
  constructor(readonly source: string) {}
  render(): string {
    return this.source;
  }
}

/** The output of a template when it cannot depend on the request; null otherwise. */
export function constantOutput(t: CompiledTemplate): string | null {
  return t instanceof ConstantTemplate ? t.source : null;
}

export function compileTemplates(map: Readonly<Record<string, string | null>> | undefined, name: string): TemplateSet {
  const entries = Object.entries(map ?? {});
  if (entries.length === 0) return EMPTY_TEMPLATES;
  const byType = new Map<string, CompiledTemplate | null>();
  for (const [contentType, source] of entries) {
    const type = contentType.trim().toLowerCase();
    if (source === null || source === '' || source === '__passthrough__') {
      byType.set(type, null);
      continue;
    }
    if (!source.includes('$') && !source.includes('#')) {
      byType.set(type, new ConstantTemplate(source));
      continue;
    }
    try {
      byType.set(type, compileTemplate(source, { name: `${name}/${type}` }));
    } catch (err) {
      if (!(err instanceof VtlError)) throw err;
      byType.set(type, new BrokenTemplate(source, err));
    }
  }
  return { byType, first: entries[0]![0].trim().toLowerCase() };
}

/** "application/json; charset=UTF-8" → "application/json": only the MIME type selects a template. */
export function mimeType(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const semi = header.indexOf(';');
  const t = (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
  return t === '' ? undefined : t;
}
