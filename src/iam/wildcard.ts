// IAM's wildcards: '*' matches any run of characters (including none), '?' exactly one. Patterns
// are compiled once, when a policy is parsed; a pattern without wildcards is a plain comparison.

export interface Matcher {
  test(value: string): boolean;
}

const ANY: Matcher = { test: () => true };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A matcher for one IAM pattern; `ignoreCase` for actions (IAM compares them case-insensitively). */
export function wildcard(pattern: string, ignoreCase = false): Matcher {
  if (pattern === '*') return ANY;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    if (!ignoreCase) return { test: (v) => v === pattern };
    const lower = pattern.toLowerCase();
    return { test: (v) => v.length === lower.length && v.toLowerCase() === lower };
  }
  let source = '^';
  for (const ch of pattern) source += ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : escapeRegExp(ch);
  const re = new RegExp(source + '$', ignoreCase ? 'iu' : 'u');
  return { test: (v) => re.test(v) };
}

/** One matcher for several patterns (a statement's Action list): true when any matches. */
export function anyOf(matchers: readonly Matcher[]): Matcher {
  if (matchers.length === 1) return matchers[0]!;
  if (matchers.includes(ANY)) return ANY;
  return { test: (v) => matchers.some((m) => m.test(v)) };
}

/**
 * ArnLike / ArnEquals: each of an ARN's six colon-separated parts is matched on its own, so a '*'
 * in the region part cannot swallow the account part. The sixth part (the resource) keeps its colons.
 */
export function arnWildcard(pattern: string): Matcher {
  const parts = splitArn(pattern);
  // A pattern that is not an ARN (fewer than six parts) matches no ARN.
  if (parts === null) return { test: () => false };
  const matchers = parts.map((p) => wildcard(p));
  return {
    test(v) {
      const got = splitArn(v);
      if (got === null) return false;
      for (let i = 0; i < 6; i++) if (!matchers[i]!.test(got[i]!)) return false;
      return true;
    },
  };
}

function splitArn(arn: string): string[] | null {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(':', from);
    if (colon === -1) return null;
    out.push(arn.slice(from, colon));
    from = colon + 1;
  }
  out.push(arn.slice(from));
  return out;
}
