// The route trie of a deployment: one node per path segment. At each node a request segment is
// tried against static children first, then the {param} child, then the greedy {proxy+} child
// (which takes one or more remaining segments), backtracking when a branch dead-ends. That is
// API Gateway's precedence: the most specific resource wins.

export interface RouteMatch<T> {
  readonly value: T;
  /** Decoded path parameters, by the names in the resource path. */
  readonly params: Record<string, string>;
}

class RouteNode<T> {
  readonly statics = new Map<string, RouteNode<T>>();
  param: { name: string; node: RouteNode<T> } | null = null;
  greedy: { name: string; node: RouteNode<T> } | null = null;
  value: T | null = null;
}

export class RouteConflictError extends Error {}

export class RouteTrie<T> {
  readonly #root = new RouteNode<T>();

  /** Adds a resource path such as `/pets/{petId}` or `/{proxy+}`. */
  add(path: string, value: T): void {
    let node = this.#root;
    for (const segment of splitPath(path)) {
      const m = /^\{([^{}]+?)(\+)?\}$/.exec(segment);
      if (m === null) {
        let next = node.statics.get(segment);
        if (next === undefined) node.statics.set(segment, (next = new RouteNode<T>()));
        node = next;
      } else if (m[2] === '+') {
        node.greedy ??= { name: m[1]!, node: new RouteNode<T>() };
        if (node.greedy.name !== m[1]) throw new RouteConflictError(`A sibling ({${node.greedy.name}+}) of this resource already has a greedy path variable`);
        node = node.greedy.node;
      } else {
        node.param ??= { name: m[1]!, node: new RouteNode<T>() };
        if (node.param.name !== m[1]) throw new RouteConflictError(`A sibling ({${node.param.name}}) of this resource already has a variable path part`);
        node = node.param.node;
      }
    }
    node.value = value;
  }

  /** Finds the resource for a request path (already stripped of stage and query). */
  match(path: string): RouteMatch<T> | null {
    const segments = splitPath(path);
    const captured: string[] = [];
    const value = find(this.#root, segments, 0, captured);
    if (value === null) return null;
    const params: Record<string, string> = {};
    for (let i = 0; i < captured.length; i += 2) params[captured[i]!] = captured[i + 1]!;
    return { value, params };
  }
}

function find<T>(node: RouteNode<T>, segments: string[], i: number, captured: string[]): T | null {
  if (i === segments.length) return node.value;
  const raw = segments[i]!;
  const next = node.statics.get(safeDecode(raw));
  if (next !== undefined) {
    const v = find(next, segments, i + 1, captured);
    if (v !== null) return v;
  }
  if (node.param !== null) {
    const mark = captured.length;
    captured.push(node.param.name, safeDecode(raw));
    const v = find(node.param.node, segments, i + 1, captured);
    if (v !== null) return v;
    captured.length = mark;
  }
  if (node.greedy !== null && node.greedy.node.value !== null) {
    captured.push(node.greedy.name, safeDecode(segments.slice(i).join('/')));
    return node.greedy.node.value;
  }
  return null;
}

/** '/a//b/' → ['a', 'b']: API Gateway ignores empty segments and a trailing slash. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  for (const s of path.split('/')) if (s !== '') out.push(s);
  return out;
}

function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
