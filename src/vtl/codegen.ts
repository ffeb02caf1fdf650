// Compiles a template's syntax tree to the source of one JavaScript function. Every Velocity
// variable becomes a JS local (Velocity's context is flat: macros and #define see and set the
// same variables), output is one string built with +=, and operators call runtime.ts. The
// generated text is meant to be read when debugging: statements from references and directives
// end with a `// line N` comment pointing back to the template.

import type { Expr, Node, RefNode } from './ast.ts';
import { LineIndex } from './errors.ts';

export interface CodegenOptions {
  name: string;
  source: string;
  /** API Gateway prints a null reference as ""; Velocity prints its source text. */
  nullAsEmpty: boolean;
}

export interface GeneratedCode {
  body: string;
  /** "name[line L, column C]" for each position the code refers to by number. */
  where: string[];
}

/** Stands for the template's variables in an #evaluate call until all of them are known (a NUL
 *  never appears in generated code otherwise: JSON.stringify escapes it in template text). */
const EVAL_LOCALS = '\u0000evaluate-locals\u0000';

/** Names a plain object inherits: reading them must check for an own property. */
const OBJECT_PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

class Generator {
  private readonly vars = new Map<string, string>();
  private readonly macros = new Map<string, { fn: string; params: string[]; body: Node[] }>();
  readonly where: string[] = [];
  private readonly whereIndex = new Map<number, number>();
  private temp = 0;
  /** Temporaries of inlined property reads (p0, p1, ...), declared once at the top of the function. */
  private propTemps = 0;
  private loopDepth = 0;
  /**
   * Scopes #break can leave, innermost last: a #foreach (its JS label), a macro body, a #define or
   * interpolated-string body, or (empty stack) the template. Velocity 1.7's #break leaves the
   * innermost of these.
   */
  private scopes: string[] = [];
  /** Every variable name the template mentions, to skip $velocityCount bookkeeping when unused. */
  private readonly names = new Set<string>();
  private readonly macroParams = new Set<string>();

  private readonly lines: LineIndex;

  constructor(private readonly opts: CodegenOptions) {
    this.lines = new LineIndex(opts.source);
  }

  at(offset: number): number {
    let i = this.whereIndex.get(offset);
    if (i === undefined) {
      const { line, column } = this.lines.at(offset);
      i = this.where.length;
      this.where.push(`${this.opts.name}[line ${line}, column ${column}]`);
      this.whereIndex.set(offset, i);
    }
    return i;
  }

  v(name: string): string {
    let id = this.vars.get(name);
    if (id === undefined) {
      id = `v${this.vars.size}`;
      this.vars.set(name, id);
    }
    return id;
  }

  generate(nodes: Node[]): string {
    this.collectMacros(nodes);
    for (const m of JSON.stringify(nodes).matchAll(/"kind":"ref","at":\d+,"name":"([^"]+)"/g)) this.names.add(m[1]!);
    const macroCode: string[] = [];
    for (const [name, m] of this.macros) macroCode.push(this.macroFunction(name, m));
    const main = this.block(nodes);
    const decls = [...this.vars].map(([name, id]) => `let ${id} = root(vars, ${JSON.stringify(name)});`);
    for (const p of this.macroParams) decls.push(`let ${this.lit(p)} = null;`);
    // The variables an #evaluate'd template sees: every variable of this one, as they are now.
    const locals = [...this.vars].map(([name, id]) => `${JSON.stringify(name)}: ${id}`).join(', ');
    return [
      'let out = "";',
      'let t;',
      ...(this.propTemps > 0 ? [`let ${Array.from({ length: this.propTemps }, (_, i) => `p${i}`).join(', ')};`] : []),
      ...decls,
      ...macroCode,
      'try {',
      main,
      '} catch (e) {',
      '  if (e === STOP) return out;',
      '  throw e;',
      '}',
      'return out;',
    ].join('\n').replaceAll(EVAL_LOCALS, locals);
  }

  private collectMacros(nodes: Node[]): void {
    for (const n of nodes) {
      if (n.kind === 'macrodef') {
        // Velocity keeps the first definition of a name in a template.
        if (!this.macros.has(n.name)) this.macros.set(n.name, { fn: `m${this.macros.size}`, params: n.params, body: n.body });
        this.collectMacros(n.body);
      } else if (n.kind === 'if') {
        for (const b of n.branches) this.collectMacros(b.body);
        if (n.otherwise) this.collectMacros(n.otherwise);
      } else if (n.kind === 'foreach' || n.kind === 'define') {
        this.collectMacros(n.body);
      }
    }
  }

  private macroFunction(_name: string, m: { fn: string; params: string[]; body: Node[] }): string {
    const params = m.params.map((p) => this.v(p));
    const saved = params.map((p, i) => `const s${i} = ${p}, sl${i} = ${this.lit(m.params[i]!)};`).join(' ');
    // A missing argument leaves the variable alone: Velocity 1.7 then shows the global of that name.
    const assign = params.map((p, i) => `if (a.length > ${i}) { ${p} = a[${i}]; ${this.lit(m.params[i]!)} = al[${i}]; }`).join(' ');
    const restore = params.map((p, i) => `${p} = s${i}; ${this.lit(m.params[i]!)} = sl${i};`).join(' ');
    const body = this.scoped('macro', () => this.block(m.body));
    // Recursion grows the output without a loop: check its size on each call.
    return `function ${m.fn}(a, al, at) {\n enterMacro(S, at);\n if (out.length > LIMITS.maxOutputLength) checkOutput(S, out.length);\n ${saved}\n ${assign}\n try {\n${body}\n } finally { ${restore} S.depth--; }\n}`;
  }

  block(nodes: Node[]): string {
    return nodes.map((n) => {
      const code = this.node(n);
      // Each statement that comes from a reference or directive names its template line.
      const at = 'at' in n ? n.at : -1;
      return at >= 0 && code !== '' ? `${code} // line ${this.lines.at(at).line}` : code;
    }).join('\n');
  }

  private node(n: Node): string {
    switch (n.kind) {
      case 'text':
        return `out += ${JSON.stringify(n.text)};`;
      case 'ref':
        return this.refOutput(n);
      case 'set':
        return this.set(n.target, n.value, n.at);
      case 'if': {
        let code = '';
        n.branches.forEach((b, i) => {
          code += `${i === 0 ? 'if' : ' else if'} (${this.cond(b.cond)}) {\n${this.block(b.body)}\n}`;
        });
        if (n.otherwise !== null && n.otherwise.length > 0) code += ` else {\n${this.block(n.otherwise)}\n}`;
        return code;
      }
      case 'foreach':
        return this.foreach(n.variable, n.iterable, n.body, n.at);
      case 'break':
        switch (this.scopes[this.scopes.length - 1]) {
          case undefined: case 'block': return 'return out;';
          case 'macro': return 'return;';
          default: return `break ${this.scopes[this.scopes.length - 1]};`;
        }
      case 'stop':
        return 'throw STOP;';
      case 'macrodef':
        return '';
      case 'macrocall': {
        const m = this.macros.get(n.name);
        // #evaluate(string): Velocity 1.7's directive, unless the template defines a macro of that name.
        if (m === undefined && n.name === 'evaluate' && n.args.length === 1) {
          return `out += evaluate(S, ${this.value(n.args[0]!)}, vars, () => ({ ${EVAL_LOCALS} }), ${this.at(n.at)});`;
        }
        if (m === undefined) return `out += ${JSON.stringify(n.literal + n.trailing)};`;
        return `${m.fn}([${n.args.map((a) => this.value(a)).join(', ')}], ${JSON.stringify(n.args.map((a) => (a.kind === 'ref' ? a.ref.literal : null)))}, ${this.at(n.at)});`;
      }
      case 'define': {
        const id = this.v(n.variable);
        const body = this.scoped('block', () => this.block(n.body));
        return `${id} = new DefinedBlock(() => { const saved = out; out = ""; try {\n${body}\nreturn out; } finally { out = saved; } });`;
      }
    }
  }

  private refOutput(r: RefNode): string {
    const value = this.ref(r);
    if (r.escapes > 0) {
      // Velocity 1.7's rules, as observed: n backslashes before a reference print n/2 of them (rounded
      // down) and then the value (even n) or the reference text (odd n). A null reference prints one
      // more backslash and its text when n is odd, and for even n its null rendering after n/2 more.
      const n = r.escapes;
      const half = '\\'.repeat(n >> 1);
      if (n % 2 === 1) return `t = ${value}; out += t == null ? ${JSON.stringify(half + '\\' + r.literal)} : ${JSON.stringify(half + r.literal)};`;
      const whenNull = this.opts.nullAsEmpty || r.quiet ? JSON.stringify(half) : JSON.stringify(half + half + r.literal);
      return `t = ${value}; out += t == null ? ${whenNull} : ${JSON.stringify(half)} + str(t);`;
    }
    if (r.quiet || this.opts.nullAsEmpty) return `t = ${value}; if (t != null) out += typeof t === "string" ? t : str(t);`;
    // Velocity passes macro arguments by name: a null parameter prints the caller's reference text.
    const whenNull = r.parts.length === 0 && this.macroParams.has(r.name) ? `(${this.lit(r.name)} ?? ${JSON.stringify(r.literal)})` : JSON.stringify(r.literal);
    return `t = ${value}; out += t == null ? ${whenNull} : str(t);`;
  }

  /** The local holding the caller's reference text for a macro parameter. */
  private lit(param: string): string {
    this.macroParams.add(param);
    return `l${this.v(param)}`;
  }

  /** JS expression for a reference's value (undefined when null). */
  ref(r: RefNode): string {
    let code = this.v(r.name);
    for (const [i, p] of r.parts.entries()) {
      // `$foreach.hasNext` and the like read our ForeachScope, never a plain object.
      if (p.kind === 'prop' && i === 0 && r.name === 'foreach') code = this.foreachProp(code, p.name);
      else if (p.kind === 'prop') code = this.propRead(code, p.name);
      else if (p.kind === 'method' && p.name === 'get' && p.args.length === 1) code = `callGet(S, ${this.at(r.at)}, ${code}, ${this.value(p.args[0]!)})`;
      else if (p.kind === 'method' && p.name === 'keySet' && p.args.length === 0) code = `callKeySet(S, ${this.at(r.at)}, ${code})`;
      else if (p.kind === 'method' && p.name === 'size' && p.args.length === 0) code = `callSize(S, ${this.at(r.at)}, ${code})`;
      else if (p.kind === 'method') code = `call(S, ${this.at(r.at)}, ${code}, ${JSON.stringify(p.name)}, [${p.args.map((a) => this.value(a)).join(', ')}])`;
      else code = `index(S, ${this.at(r.at)}, ${code}, ${this.value(p.index)})`;
    }
    return code;
  }

  /**
   * `$foreach.name`. The loop's own fields are read directly when $foreach is our ForeachScope (a
   * template may #set it to anything): ForeachScope.vtlGet through propPlain was about 15% of a
   * small loop's body (#if($foreach.hasNext),#end). Same values as vtlGet.
   */
  private foreachProp(v: string, name: string): string {
    const direct: Record<string, string> = {
      hasNext: `${v}.hasNext`, index: `${v}.index`, count: `${v}.index + 1`, first: `${v}.index === 0`, last: `!${v}.hasNext`,
    };
    const read = Object.hasOwn(direct, name) ? direct[name] : undefined;
    if (read === undefined) return `propPlain(${v}, ${JSON.stringify(name)})`;
    return `(${v} instanceof ForeachScope ? ${read} : propPlain(${v}, ${JSON.stringify(name)}))`;
  }

  /**
   * `$a.name`. Parsed JSON and $context are plain objects: their properties are read inline, so
   * each template position gets its own inline cache in V8 (one shared helper reading `o[name]`
   * for every name is megamorphic); anything else goes to the runtime.
   */
  private propRead(target: string, name: string): string {
    if (OBJECT_PROTOTYPE_NAMES.has(name)) return `prop(${target}, ${JSON.stringify(name)})`;
    const p = `p${this.propTemps++}`;
    const read = /^[A-Za-z_$][\w$]*$/.test(name) ? `${p}.${name}` : `${p}[${JSON.stringify(name)}]`;
    // `.constructor === OC` first: that load checks the object's hidden class, after which V8 folds
    // GP(p) to a constant; alone, GP(p) stayed a call (a third of the bench's loop body). A plain
    // object with its own "constructor" key fails the test and is read by propPlain, as before.
    return `((${p} = ${target}) !== null && typeof ${p} === "object" && ${p}.constructor === OC && GP(${p}) === OP ? ${read} : propPlain(${p}, ${JSON.stringify(name)}))`;
  }

  private set(target: RefNode, value: Expr, at: number): string {
    const rhs = `t = ${this.value(value)}; if (typeof t === "string" && t.length > LIMITS.maxOutputLength) tooLong(S);`;
    if (target.parts.length === 0) return `${rhs} if (t != null) ${this.v(target.name)} = t;`;
    const last = target.parts[target.parts.length - 1]!;
    const base = this.ref({ ...target, parts: target.parts.slice(0, -1) });
    if (last.kind === 'prop') return `${rhs} if (t != null) setProp(${base}, ${JSON.stringify(last.name)}, t);`;
    if (last.kind === 'index') return `${rhs} if (t != null) setIndex(S, ${this.at(at)}, ${base}, ${this.value(last.index)}, t);`;
    return rhs;
  }

  private foreach(variable: string, iterableExpr: Expr, body: Node[], at: number): string {
    const id = this.temp++;
    const label = `L${id}`;
    const item = this.v(variable);
    const scope = this.v('foreach');
    const count = this.vars.has('velocityCount') || this.mentions(body, 'velocityCount') ? this.v('velocityCount') : null;
    const hasNext = this.vars.has('velocityHasNext') || this.mentions(body, 'velocityHasNext') ? this.v('velocityHasNext') : null;
    this.scopes.push(label);
    const inner = this.block(body);
    this.scopes.pop();
    const pos = this.at(at);
    const lines = [
      `{ const it${id} = iterable(${this.value(iterableExpr)});`,
      `if (it${id} !== null) {`,
      `const si${id} = ${item}, ss${id} = ${scope}${count ? `, sc${id} = ${count}` : ''}${hasNext ? `, sh${id} = ${hasNext}` : ''};`,
      `const f${id} = new ForeachScope(${scope}); ${scope} = f${id};`,
      // Java's iterator: go on while cursor != size; fail when the collection changed meanwhile.
      `const len${id} = it${id}.length, src${id} = viewSource(it${id}), mod${id} = src${id} === null ? 0 : modCount(src${id});`,
      `${label}: for (let i = 0; i !== it${id}.length && i < LIMITS.maxForeachIterations; i++) {`,
      `if (i > 0 && (it${id}.length !== len${id} || (src${id} !== null && modCount(src${id}) !== mod${id}))) modified(S, ${pos});`,
      `tick(S, ${pos});`,
      `${item} = it${id}[i]; f${id}.index = i; f${id}.hasNext = i + 1 !== it${id}.length;`,
      count ? `${count} = i + 1;` : '',
      hasNext ? `${hasNext} = i + 1 !== it${id}.length;` : '',
      inner,
      `if (out.length > LIMITS.maxOutputLength) checkOutput(S, out.length);`,
      `}`,
      `${item} = si${id}; ${scope} = ss${id};${count ? ` ${count} = sc${id};` : ''}${hasNext ? ` ${hasNext} = sh${id};` : ''}`,
      `} }`,
    ];
    return lines.filter((l) => l !== '').join('\n');
  }

  private scoped(kind: 'macro' | 'block', generate: () => string): string {
    const saved = this.scopes;
    this.scopes = [kind];
    try {
      return generate();
    } finally {
      this.scopes = saved;
    }
  }

  private mentions(_nodes: Node[], name: string): boolean {
    return this.names.has(name);
  }

  /** A condition (Velocity's evaluate()): literals other than true/false are false, as in Velocity 1.7. */
  cond(e: Expr): string {
    switch (e.kind) {
      case 'ref': return `truthy(${this.ref(e.ref)})`;
      case 'bool': return String(e.value);
      case 'not': return `!(${this.cond(e.operand)})`;
      case 'binary':
        switch (e.op) {
          case '&&': return `(${this.cond(e.left)} && ${this.cond(e.right)})`;
          case '||': return `(${this.cond(e.left)} || ${this.cond(e.right)})`;
          case '==': case '!=': case '<': case '>': case '<=': case '>=': return this.compare(e.op, e.left, e.right);
          default: return 'false';
        }
      default:
        return 'false';
    }
  }

  private compare(op: string, l: Expr, r: Expr): string {
    const a = this.value(l);
    const b = this.value(r);
    switch (op) {
      case '==': return `eq(${a}, ${b})`;
      case '!=': return `!eq(${a}, ${b})`;
      case '<': return `lt(${a}, ${b})`;
      case '>': return `gt(${a}, ${b})`;
      case '<=': return `le(${a}, ${b})`;
      default: return `ge(${a}, ${b})`;
    }
  }

  /** A value (Velocity's value()): undefined stands for Java null. */
  value(e: Expr): string {
    switch (e.kind) {
      case 'string': return JSON.stringify(e.value);
      case 'int': return String(e.value);
      case 'float': return Number.isInteger(e.value) ? `makeDouble(${Object.is(e.value, -0) ? '-0' : e.value})` : String(e.value);
      case 'bool': return String(e.value);
      case 'list': return `javaList([${e.items.map((i) => this.value(i)).join(', ')}])`;
      case 'map': return `new Map([${e.entries.map(([k, v]) => `[${this.value(k)}, ${this.value(v)}]`).join(', ')}])`;
      case 'range': return `range(S, 0, ${this.value(e.from)}, ${this.value(e.to)})`;
      case 'ref': return this.ref(e.ref);
      case 'not': return `!(${this.cond(e.operand)})`;
      case 'interpolated': return this.interpolated(e.parts);
      case 'binary':
        switch (e.op) {
          case '&&': case '||': return this.cond(e);
          case '==': case '!=': case '<': case '>': case '<=': case '>=': return this.compare(e.op, e.left, e.right);
          case '+': return `add(${this.value(e.left)}, ${this.value(e.right)}, ${JSON.stringify(this.literal(e.left))}, ${JSON.stringify(this.literal(e.right))})`;
          case '-': return `sub(${this.value(e.left)}, ${this.value(e.right)})`;
          case '*': return `mul(${this.value(e.left)}, ${this.value(e.right)})`;
          case '/': return `div(${this.value(e.left)}, ${this.value(e.right)})`;
          case '%': return `mod(${this.value(e.left)}, ${this.value(e.right)})`;
        }
    }
  }

  private literal(e: Expr): string {
    return e.kind === 'ref' ? e.ref.literal : 'null';
  }

  /** "...$a..." renders like a small template; with only text and references it is a plain concatenation. */
  private interpolated(parts: Node[]): string {
    if (parts.every((p) => p.kind === 'text' || (p.kind === 'ref' && p.escapes === 0))) {
      // A built string is charged to the render's work budget (budget.ts).
      return 'charged(' + parts.map((p) => {
        if (p.kind === 'text') return JSON.stringify(p.text);
        const r = p as RefNode;
        const whenNull = r.quiet || this.opts.nullAsEmpty ? '""' : JSON.stringify(r.literal);
        return `rs(${this.ref(r)}, ${whenNull})`;
      }).join(' + ') + ')';
    }
    const body = this.scoped('block', () => this.block(parts));
    return `charged((() => { const saved = out; out = ""; try {\n${body}\nreturn out; } finally { out = saved; } })())`;
  }
}

export function generate(nodes: Node[], opts: CodegenOptions): GeneratedCode {
  const g = new Generator(opts);
  const body = g.generate(nodes);
  return { body, where: g.where };
}
