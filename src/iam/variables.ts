// IAM policy variables in Resource and NotResource ("IAM policy elements: Variables and tags"):
// in a policy of Version 2012-10-17, `${aws:username}` and the other request keys stand for the
// request's value, `${key, 'default'}` gives the value to use when the request has none, and
// `${*}`, `${?}`, `${$}` are the literal characters. A variable whose key the request does not
// have (and no default) makes that resource pattern match nothing, as IAM does; a multi-valued key
// is not a variable IAM substitutes, so it matches nothing too. The substituted value is literal:
// a user named "a*" does not widen a pattern. Policies of 2008-10-17 keep `${...}` as text.
import type { ConditionSource } from './conditions.ts';
import { wildcard, type Matcher } from './wildcard.ts';

/** A pattern with variables, matched against a value with the request's keys at hand. */
export interface VariableMatcher {
  test(value: string, source: ConditionSource): boolean;
}

/** Fixed pattern text, already in escapedWildcard's form (pattern text keeps its wildcards; `${*}`
 *  is an escaped, literal '*'), or a request key with its default. */
type Part = { readonly fixed: string } | { readonly key: string; readonly fallback: string | undefined };

const escapeBackslashes = (text: string): string => text.replace(/\\/g, '\\\\');

const VARIABLE = /\$\{([^}]*)\}/g;
const DEFAULT = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/;
const LITERALS = new Set(['*', '?', '$']);

export function hasVariables(pattern: string): boolean {
  return pattern.includes('${');
}

export function variableWildcard(pattern: string): VariableMatcher {
  const parts: Part[] = [];
  let last = 0;
  for (const m of pattern.matchAll(VARIABLE)) {
    const inner = m[1]!;
    const literal = LITERALS.has(inner.trim()) ? inner.trim() : undefined;
    if (m.index > last) parts.push({ fixed: escapeBackslashes(pattern.slice(last, m.index)) });
    if (literal !== undefined) parts.push({ fixed: `\\${literal}` });
    else {
      const d = DEFAULT.exec(inner);
      parts.push(d === null ? { key: inner.trim().toLowerCase(), fallback: undefined } : { key: d[1]!.toLowerCase(), fallback: d[2]! });
    }
    last = m.index + m[0].length;
  }
  if (last < pattern.length) parts.push({ fixed: escapeBackslashes(pattern.slice(last)) });
  // Resolved patterns are few (one per user): compiled once each, kept in a bounded map.
  const compiled = new Map<string, Matcher>();
  return {
    test(value, source) {
      let resolved = '';
      for (const p of parts) {
        if ('fixed' in p) {
          resolved += p.fixed;
          continue;
        }
        const v = source.value(p.key);
        const s = typeof v === 'string' ? v : p.fallback;
        if (s === undefined) return false;
        // Wildcard characters in a substituted value are literal.
        resolved += s.replace(/[*?\\]/g, (c) => `\\${c}`);
      }
      let matcher = compiled.get(resolved);
      if (matcher === undefined) {
        if (compiled.size >= 1000) compiled.clear();
        matcher = escapedWildcard(resolved);
        compiled.set(resolved, matcher);
      }
      return matcher.test(value);
    },
  };
}

/** wildcard() of a pattern in which `\*`, `\?` and `\\` stand for the characters themselves. */
function escapedWildcard(pattern: string): Matcher {
  if (!pattern.includes('\\')) return wildcard(pattern);
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) source += escape(pattern[++i]!);
    else source += ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : escape(ch);
  }
  const re = new RegExp(source + '$', 'u');
  return { test: (v) => re.test(v) };
}

function escape(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}
