// Java regular expressions (String.matches, replaceAll, replaceFirst, split) on re2js, a
// linear-time engine (RE2): templates are untrusted, and a backtracking engine lets a pattern as
// small as `(a|a)*b` block the process for minutes on 33 characters, out of reach of any time check.
//
// Java's syntax is translated to RE2's where they differ (java-regex-syntax.ts). What RE2 cannot
// do in linear time — backreferences, lookahead, atomic groups, possessive quantifiers — is
// refused with a PatternSyntaxException, as a template error, rather than run under a step
// budget: it would need a second, backtracking engine, and templates rarely use them.
//
// Patterns made only of literal characters (`,`, `\.`, `"`) skip the engine: JS string search gives
// the same answer faster. Each pattern is translated and compiled once (bounded cache).

import { RE2JS } from 're2js';
import { charge as importedCharge } from './budget.ts';
import { VtlRuntimeError } from './errors.ts';
import { literalText, patternSyntaxError, toRe2 } from './java-regex-syntax.ts';

// Module-local copies: tsx loads modules as CommonJS, where each use of an imported binding is a getter call (see runtime.ts).
const charge = importedCharge;

// Work units (budget.ts) of a regular expression, measured on re2js against the one unit per
// character of a plain string helper: scanning costs 20-60x more per character, and each match
// about a microsecond of matcher bookkeeping. Literal patterns cost what indexOf costs.
export const REGEX_UNITS_PER_CHAR = 64;
export const REGEX_UNITS_PER_MATCH = 1024;
const LITERAL_UNITS_PER_MATCH = 16;

export interface JavaPattern {
  readonly source: string;
  /** Set when the pattern matches only this exact text. */
  readonly literal: string | null;
  readonly re: RE2JS | null;
  readonly groupCount: number;
  readonly names: Readonly<Record<string, number>>;
}

const cache = new Map<string, JavaPattern>();
const CACHE_LIMIT = 256;
const MAX_PATTERN_LENGTH = 1000;

/** The compiled form of a Java pattern (cached); throws VtlRuntimeError for a pattern we refuse. */
export function javaPattern(pattern: string): JavaPattern {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  if (pattern.length > MAX_PATTERN_LENGTH) throw patternSyntaxError(pattern.slice(0, 40), `pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  let compiled: JavaPattern;
  const literal = literalText(pattern);
  if (literal !== null) {
    compiled = { source: pattern, literal, re: null, groupCount: 0, names: {} };
  } else {
    const { source, flags } = toRe2(pattern);
    let re: RE2JS;
    try {
      re = RE2JS.compile(source, flags);
    } catch (e) {
      throw patternSyntaxError(pattern, (e as Error).message.replace(/^error parsing regexp: /, ''));
    }
    limitDfaMemory(re);
    compiled = { source: pattern, literal: null, re, groupCount: re.groupCount(), names: re.namedGroups() };
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** Memory each cached pattern's lazy DFA may hold: 256 patterns hold at most 128 MB (re2js's default, 8 MB, would allow 2 GB). */
const DFA_MEMORY = 512 * 1024;

/**
 * re2js takes no memory limit for a pattern's DFA, only for RE2Set; the DFA is built lazily with
 * the default. Build it now with a smaller one, through re2js's own DFA class (2.10.0's fields:
 * the `dfa` getter, `lazyDFA`, `prog`); were those to change, the default stays, still bounded.
 */
function limitDfaMemory(re: RE2JS): void {
  const re2 = re.re2() as unknown as { dfa?: { constructor: new (prog: unknown, maxMem: number) => unknown }; lazyDFA?: unknown; prog?: unknown };
  const dfa = re2.dfa;
  if (dfa === undefined || re2.prog === undefined || !('lazyDFA' in re2)) return;
  re2.lazyDFA = new dfa.constructor(re2.prog, DFA_MEMORY);
}

/** One match: its bounds and groups (group(i) is null for a group that did not take part). */
interface Match {
  start: number;
  end: number;
  group(i: number): string | null;
}

/**
 * Calls `each` for successive matches as Java's Matcher.find() does (after an empty match the
 * search resumes one position further), until it returns false. The scan is charged before it
 * starts, and each match as it is found.
 */
function forEachMatch(p: JavaPattern, subject: string, each: (m: Match) => boolean): void {
  charge(subject.length * (p.literal === null ? REGEX_UNITS_PER_CHAR : 1));
  if (p.literal !== null) {
    const lit = p.literal;
    const m: Match = { start: 0, end: 0, group: (i) => (i === 0 ? lit : null) };
    let from = 0;
    while (from <= subject.length) {
      const at = lit === '' ? from : subject.indexOf(lit, from);
      if (at < 0) return;
      charge(LITERAL_UNITS_PER_MATCH);
      m.start = at;
      m.end = at + lit.length;
      if (!each(m)) return;
      from = m.end === m.start ? m.end + 1 : m.end;
    }
    return;
  }
  const matcher = p.re!.matcher(subject);
  const m: Match = { start: 0, end: 0, group: (i) => matcher.group(i) };
  while (matcher.find()) {
    charge(REGEX_UNITS_PER_MATCH);
    m.start = matcher.start();
    m.end = matcher.end();
    if (!each(m)) return;
  }
}

/** Java's Matcher.replaceAll / replaceFirst with Java replacement syntax (`$1`, `${name}`, `\$`). */
export function javaReplace(subject: string, pattern: string, replacement: string, all: boolean): string {
  const p = javaPattern(pattern);
  const plain = replacement.indexOf('$') < 0 && replacement.indexOf('\\') < 0;
  let out = '';
  let last = 0;
  forEachMatch(p, subject, (m) => {
    out += subject.slice(last, m.start) + (plain ? replacement : expandReplacement(replacement, m, p));
    last = m.end;
    return all;
  });
  const result = out + subject.slice(last);
  charge(result.length);
  return result;
}

function expandReplacement(rep: string, m: Match, p: JavaPattern): string {
  let out = '';
  for (let i = 0; i < rep.length; i++) {
    const c = rep[i];
    if (c === '\\') {
      i++;
      if (i >= rep.length) throw new VtlRuntimeError('java.lang.IllegalArgumentException: character to be escaped is missing');
      out += rep[i];
    } else if (c === '$') {
      if (rep[i + 1] === '{') {
        const end = rep.indexOf('}', i);
        const name = rep.slice(i + 2, end);
        if (end < 0 || !Object.hasOwn(p.names, name)) throw new VtlRuntimeError(`java.lang.IllegalArgumentException: No group with name {${name}}`);
        out += m.group(p.names[name]!) ?? '';
        i = end;
        continue;
      }
      let j = i + 1;
      if (!(rep.charCodeAt(j) >= 48 && rep.charCodeAt(j) <= 57)) throw new VtlRuntimeError('java.lang.IllegalArgumentException: Illegal group reference');
      let group = rep.charCodeAt(j) - 48;
      j++;
      // Java takes more digits only while the group number stays valid.
      while (j < rep.length && rep.charCodeAt(j) >= 48 && rep.charCodeAt(j) <= 57) {
        const next = group * 10 + (rep.charCodeAt(j) - 48);
        if (next > p.groupCount) break;
        group = next;
        j++;
      }
      if (group > p.groupCount) throw new VtlRuntimeError(`java.lang.IndexOutOfBoundsException: No group ${group} in pattern ${p.source}`);
      out += m.group(group) ?? '';
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** Java's String.split(regex, limit) (limit 0: trailing empty strings removed). */
export function javaSplit(subject: string, pattern: string, limit = 0): string[] {
  const p = javaPattern(pattern);
  if (subject.length === 0) return [''];
  const parts: string[] = [];
  let last = 0;
  forEachMatch(p, subject, (m) => {
    if (limit > 0 && parts.length >= limit - 1) return false;
    if (m.end === 0) return true; // Java 8: a zero-width match at the start never makes a leading empty string.
    parts.push(subject.slice(last, m.start));
    last = m.end;
    return true;
  });
  parts.push(subject.slice(last));
  if (limit === 0) while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  charge(parts.length);
  return parts;
}

/** Java's String.matches: the whole string must match. */
export function javaMatches(subject: string, pattern: string): boolean {
  return patternMatches(javaPattern(pattern), subject);
}

/** String.matches with a pattern compiled ahead (selection patterns, at deployment). */
export function patternMatches(p: JavaPattern, subject: string): boolean {
  if (p.literal !== null) return subject === p.literal;
  // A whole-string test runs on RE2's DFA, without the bookkeeping of finding matches.
  charge(subject.length * (REGEX_UNITS_PER_CHAR >> 1));
  return p.re!.matches(subject);
}
