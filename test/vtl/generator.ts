// Seeded generator of random Velocity templates for the differential test against Velocity 1.7
// (scripts/vtl-oracle.sh). It draws from the features we claim to render exactly like Velocity:
// text and whitespace around directives, references, #set, #if/#elseif/#else, #foreach with its
// loop variables, #break, macros, comments, literals and operators, Java methods.

export interface RandomCase { id: string; template: string; context: string | null }

/** mulberry32: small, fast, good enough for test generation. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  private vars = ['a', 'b', 'c'];
  constructor(private readonly rnd: () => number) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }

  ws(): string {
    return this.pick(['', '', ' ', '  ', '\n', '\n  ', ' \n', '\t', '\n\n', '  \n    ']);
  }
  text(): string {
    // Fragments never start with '{', '(', '[', '@' or '##': right after a reference or a directive,
    // Velocity 1.7's lexer is still in a reference/directive state there (see test/vtl/divergences.ts).
    return this.pick(['x', 'hello', ' ', ' {', ' }', '"k": ', ', ', '\n', '  ', 'a b', ' [', ' ]', ':', '-', ' ()', ' @', '.', 'end', 'if']);
  }

  ref(): string {
    const simple = ['$s', '$i', '$d', '$b', '$l', '$m', '$e', '$nope', '$n', '$m.a', '$m.b', '$m.c.d', '$l[0]', '$l[1]', '$m.b[1]',
      '$people[1].name', '$list2[0]', '$a', '$b', '$c', '$velocityCount', '$foreach.index', '$foreach.hasNext', '$x', '$y',
      '$velocityHasNext', '$foreach.parent.index', '$foreach.first', '$foreach.last', '$foreach.count', '$people', '$list2', '$em',
      '$m.c', "$m['b']", '$l[-1]', '$u', '$q', '$sp', '$big', '$neg', '$z'];
    const methods = ['.length()', '.toUpperCase()', '.substring(1)', '.size()', '.isEmpty()', ".contains('t')", ".indexOf('t')",
      ".replace('t', 'T')", ".get('a')", '.keySet()', '.toString()', ".equals('str')", '.trim()', '.get(0)', '.values()',
      ".replaceAll('[aeiou]', '_')", ".split(',').size()", '.substring(0, 1)', ".startsWith('s')", '.entrySet()', ".matches('.*t.*')",
      '.charAt(0)', ".concat('!')", ".containsKey('a')", '.intValue()', '.doubleValue()', ".put('k', 1)", '.add(7)', '.hashCode()'];
    let r = this.pick(simple);
    if (this.chance(0.3)) r += this.pick(methods);
    const form = this.rnd();
    if (form < 0.05) r = '\\'.repeat(1 + Math.floor(this.rnd() * 3)) + r;
    else if (form < 0.1) r = '$!' + r.slice(1);
    else if (form < 0.2) r = '${' + r.slice(1) + '}';
    else if (form < 0.25) r = '$!{' + r.slice(1) + '}';
    return r;
  }

  expr(depth: number): string {
    const atoms = ['1', '0', '42', '-3', '2.5', '1.0', "'q'", '"str"', '"s=$s"', 'true', 'false', '[]', '[1, 2]', '[1..3]',
      '{"k": 1}', '$i', '$s', '$d', '$l', '$m.a', '$nope', '$a', '$b', '$l.size()', '"#if($b)yes#{else}no#end"', "'it''s'",
      '"q""q"', '[$i, "x", [true]]', '{"k": [1, 2], "j": {"x": $s}}', '[$i..2]', '1e2', '0.5', '7', '$people[0].age', '$words'];
    // No nested operators: Velocity prints a null arithmetic operand of a string `+` by its own
    // token rules (see docs/vtl.md, known differences).
    if (depth > 0 || this.chance(0.5)) return this.pick(atoms);
    const op = this.pick(['+', '-', '*', '/', '%', '==', '!=', '<', '>', '<=', '>=', '&&', '||']);
    return `${this.expr(depth + 1)} ${op} ${this.expr(depth + 1)}`;
  }

  cond(): string {
    const r = this.rnd();
    if (r < 0.3) return this.pick(['true', 'false', '$b', '$f', '$nope', '$s', '$e', '$n', '$l', '$a', '$foreach.hasNext']);
    if (r < 0.4) return '!' + this.pick(['$b', '$nope', 'true', '$a']);
    return `${this.expr(1)} ${this.pick(['==', '!=', '<', '>', '&&', '||'])} ${this.expr(1)}`;
  }

  block(depth: number, loop: boolean): string {
    let out = '';
    const n = 1 + Math.floor(this.rnd() * 4);
    for (let k = 0; k < n; k++) out += this.item(depth, loop);
    return out;
  }

  item(depth: number, loop: boolean): string {
    const r = this.rnd();
    if (depth > 3 || r < 0.3) return this.text() + (this.chance(0.3) ? this.ws() : '');
    if (r < 0.5) return this.ref();
    if (r < 0.56) return `${this.ws()}#set(${this.chance(0.5) ? ' ' : ''}$${this.pick(this.vars)} = ${this.expr(0)})${this.ws()}`;
    if (r < 0.6) {
      const target = this.pick(['$m.a', '$m.new', "$m['k']", '$l[0]', '$people[0].name', '$nope.x', '$a.x']);
      return `${this.ws()}#set(${target} = ${this.expr(1)})${this.ws()}`;
    }
    if (r < 0.72) {
      let s = `${this.ws()}#if(${this.cond()})${this.ws()}${this.block(depth + 1, loop)}`;
      if (this.chance(0.3)) s += `${this.ws()}#elseif(${this.cond()})${this.ws()}${this.block(depth + 1, loop)}`;
      if (this.chance(0.4)) s += `${this.ws()}${this.pick(['#else', '#{else}'])}${this.ws()}${this.block(depth + 1, loop)}`;
      return s + `${this.ws()}${this.pick(['#end', '#end', '#{end}'])}${this.ws()}`;
    }
    if (r < 0.82) {
      const v = this.pick(['x', 'y']);
      const src = this.pick(['$l', '[1..3]', '$people', '$m', '$m.keySet()', '[]', '$nope', '$list2', "['a', 'b']", '$s.split("t")']);
      return `${this.ws()}#foreach($${v} in ${src})${this.ws()}${this.block(depth + 1, true)}${this.ws()}#end${this.ws()}`;
    }
    if (r < 0.85 && loop) return `#if($foreach.count == 2)#break#end`;
    if (r < 0.9) return this.pick([' ## note\n', ' #* c *#', '#[[ $raw ]]#', '\\$s', '\\#if']);
    if (r < 0.95) return `#m(${this.expr(1)})${this.ws()}`;
    return this.ref() + this.text();
  }

  template(): string {
    let prelude = this.chance(0.3) ? `#macro(m $p)[$p]#end${this.ws()}` : '';
    if (this.chance(0.15)) prelude += `#define($dd)<${this.ref()}>#end${this.ws()}`;
    if (this.chance(0.15)) prelude += `#macro(two $p $q)$p/$q#end${this.ws()}#two(${this.expr(2)} ${this.expr(2)})${this.ws()}`;
    return prelude + this.block(0, false) + (prelude.includes('$dd') ? '$dd' : '');
  }
}

export function randomTemplate(rnd: () => number): string {
  return new Gen(rnd).template();
}

export function randomCases(count: number, seed: number): RandomCase[] {
  const rnd = prng(seed);
  const out: RandomCase[] = [];
  for (let k = 0; k < count; k++) out.push({ id: `random-${seed}-${k}`, template: randomTemplate(rnd), context: null });
  return out;
}
