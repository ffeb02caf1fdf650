// The syntax tree of a Velocity template, as the parser builds it and the code generator reads it.
// `at` is the source offset of a node, for error messages.

export type Node =
  | TextNode
  | RefNode
  | SetNode
  | IfNode
  | ForeachNode
  | BreakNode
  | StopNode
  | MacroDefNode
  | MacroCallNode
  | DefineNode;

export interface TextNode { kind: 'text'; text: string }

/** `$a.b($c)[0]`, `$!a`, `${a}`, `\$a`; `literal` is the source text Velocity prints for a null reference. */
export interface RefNode {
  kind: 'ref';
  at: number;
  name: string;
  parts: RefPart[];
  quiet: boolean;
  /** Number of backslashes written before the `$` (0 when not escaped). */
  escapes: number;
  literal: string;
}

export type RefPart =
  | { kind: 'prop'; name: string }
  | { kind: 'method'; name: string; args: Expr[] }
  | { kind: 'index'; index: Expr };

export interface SetNode { kind: 'set'; at: number; target: RefNode; value: Expr }
export interface IfNode { kind: 'if'; branches: { cond: Expr; body: Node[] }[]; otherwise: Node[] | null }
export interface ForeachNode { kind: 'foreach'; at: number; variable: string; iterable: Expr; body: Node[] }
export interface BreakNode { kind: 'break' }
export interface StopNode { kind: 'stop' }
export interface MacroDefNode { kind: 'macrodef'; name: string; params: string[]; body: Node[] }
/** `trailing` is the line end the call swallowed: printed back when no such macro exists. */
export interface MacroCallNode { kind: 'macrocall'; at: number; name: string; args: Expr[]; literal: string; trailing: string }
export interface DefineNode { kind: 'define'; variable: string; body: Node[] }

export type Expr =
  | { kind: 'string'; value: string }
  | { kind: 'interpolated'; parts: Node[] }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'map'; entries: [Expr, Expr][] }
  | { kind: 'range'; from: Expr; to: Expr }
  | { kind: 'ref'; ref: RefNode }
  | { kind: 'not'; operand: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; at: number };

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '+' | '-' | '*' | '/' | '%';
