// Integration response selection patterns: Java regular expressions matched against the whole
// back-end status code (HTTP) or error message (Lambda). Java's syntax is translated by the VTL
// engine's javaRegex; the differences that remain between java.util.regex and JS RegExp:
//   - `.` excludes \n, \r, \u2028, \u2029 in both, but Java also excludes \u0085;
//   - possessive quantifiers and atomic groups are approximated as greedy ones;
//   - `(?x)` comments mode and some \p{...} classes are unsupported (such a pattern never matches);
//   - JS without the `u` flag counts UTF-16 code units where Java counts code points in `.`.
import { javaRegex } from '../vtl/java-regex.ts';

export interface SelectionPattern {
  readonly source: string;
  /** Whole-string matcher; null when the pattern could not be compiled (it then never matches). */
  readonly regex: RegExp | null;
  readonly error: string | null;
}

export function compileSelectionPattern(pattern: string): SelectionPattern {
  try {
    const re = javaRegex(pattern);
    // Anchored whole-string match, like Java's String.matches; `$(?![\s\S])` rules out a
    // match before a final line break.
    return { source: pattern, regex: new RegExp(`^(?:${re.source})$(?![\\s\\S])`, re.flags.replace('g', '')), error: null };
  } catch (err) {
    return { source: pattern, regex: null, error: (err as Error).message };
  }
}

export function matchesSelectionPattern(p: SelectionPattern, subject: string): boolean {
  return p.regex !== null && p.regex.test(subject);
}
