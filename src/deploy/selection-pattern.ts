// Integration response selection patterns: Java regular expressions matched against the whole
// back-end status code (HTTP) or error message (Lambda), on the Velocity engine's Java regex
// support (src/vtl/java-regex.ts: re2js, linear time, so a back end's error message cannot make
// a pattern backtrack for minutes). What it refuses (backreferences, lookahead, atomic groups,
// possessive quantifiers) leaves the pattern compiled as one that never matches, with its error.
import { javaPattern, patternMatches, type JavaPattern } from '../vtl/java-regex.ts';

export interface SelectionPattern {
  readonly source: string;
  /** Null when the pattern could not be compiled (it then never matches). */
  readonly pattern: JavaPattern | null;
  readonly error: string | null;
}

export function compileSelectionPattern(pattern: string): SelectionPattern {
  try {
    return { source: pattern, pattern: javaPattern(pattern), error: null };
  } catch (err) {
    return { source: pattern, pattern: null, error: (err as Error).message };
  }
}

export function matchesSelectionPattern(p: SelectionPattern, subject: string): boolean {
  return p.pattern !== null && patternMatches(p.pattern, subject);
}
