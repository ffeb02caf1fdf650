// $input: the request (or integration response) payload and the method request parameters.
// The body is parsed the first time a template asks for it (path/json), once per render input.

import { NO_METHOD, VtlObject, charge as importedCharge, charged as importedCharged } from '../vtl/index.ts';
import { JavaException } from '../vtl/methods.ts';
import { parseJsonValue, toJsonText } from './json.ts';
import { isSimplePath, readJsonPath } from './jsonpath.ts';

// Module-local copies: tsx loads modules as CommonJS, where each use of an imported binding is a getter call (see runtime.ts).
const charge = importedCharge;
const charged = importedCharged;

const INPUT_CLASS = 'com.amazonaws.apigateway.Input';

export interface MethodParams {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

const NOT_PARSED = Symbol('not parsed');

export class InputVariable extends VtlObject {
  readonly body: string;
  readonly #params: MethodParams;
  #document: unknown = NOT_PARSED;
  #allParams: Record<string, Record<string, string>> | null = null;

  constructor(body: string, params: MethodParams) {
    super();
    this.body = body;
    this.#params = params;
  }

  /**
   * The body as a JSON document. An empty body reads as `{}` (API Gateway's passthrough template
   * shows `"body-json" : {}` for a GET); a body that is not JSON reads as one string, as
   * json-smart's permissive mode would take it.
   */
  document(): unknown {
    if (this.#document === NOT_PARSED) {
      const text = this.body.trim();
      if (text === '') this.#document = new Map();
      else {
        // Parsed once per request however many $input.path/$input.json calls read it; charged once too.
        charge(text.length);
        try {
          this.#document = parseJsonValue(text);
        } catch {
          this.#document = this.body;
        }
      }
    }
    return this.#document;
  }

  /** `$input.path(p)`. A definite path that matches nothing gives "" (guide: `$input.path('$.ShardCount') == ''` tests a missing property). */
  path(p: string): unknown {
    const doc = this.document();
    // A path with wildcards, `..` or filters may visit the whole document.
    if (!isSimplePath(p)) charge(this.body.length);
    try {
      const v = readJsonPath(doc, p);
      return v === undefined || v === null ? '' : v;
    } catch (e) {
      throw new JavaException('path', INPUT_CLASS, `com.jayway.jsonpath.InvalidPathException: ${(e as Error).message}`);
    }
  }

  /** `$input.json(p)`: the match as JSON text; `null` when nothing matches. */
  json(p: string): string {
    const doc = this.document();
    if (!isSimplePath(p)) charge(this.body.length);
    let v: unknown;
    try {
      v = readJsonPath(doc, p);
    } catch (e) {
      throw new JavaException('json', INPUT_CLASS, `com.jayway.jsonpath.InvalidPathException: ${(e as Error).message}`);
    }
    return charged(toJsonText(v ?? null));
  }

  /** `$input.params()`: {path, querystring, header}, in that order; copies, so templates cannot change the request. */
  params(): Record<string, Record<string, string>> {
    this.#allParams ??= {
      path: { ...this.#params.path },
      querystring: { ...this.#params.querystring },
      header: { ...this.#params.header },
    };
    return this.#allParams;
  }

  /** `$input.params(name)`: path, then query string, then header (headers case-insensitively); "" when absent. */
  param(name: string): string {
    const { path, querystring, header } = this.#params;
    if (Object.hasOwn(path, name)) return path[name]!;
    if (Object.hasOwn(querystring, name)) return querystring[name]!;
    if (Object.hasOwn(header, name)) return header[name]!;
    const lower = name.toLowerCase();
    for (const k of Object.keys(header)) if (k.toLowerCase() === lower) return header[k]!;
    return '';
  }

  /** $input.body: an empty body reads as "{}", as AWS renders it (its SQS recording: a
   *  MessageBody of $input.body without a payload arrives as {}, MD5 99914b93…). */
  get bodyText(): string {
    return this.body === '' ? '{}' : this.body;
  }

  override vtlGet(name: string): unknown {
    return name === 'body' ? this.bodyText : undefined;
  }

  override vtlCall(name: string, args: unknown[]): unknown {
    const a = args[0];
    switch (name) {
      case 'path':
        return args.length === 1 && typeof a === 'string' ? this.path(a) : args.length === 1 && a == null ? undefined : NO_METHOD;
      case 'json':
        return args.length === 1 && typeof a === 'string' ? this.json(a) : args.length === 1 && a == null ? undefined : NO_METHOD;
      case 'params':
        if (args.length === 0) return this.params();
        return args.length === 1 && typeof a === 'string' ? this.param(a) : args.length === 1 && a == null ? undefined : NO_METHOD;
      case 'getBody':
        return args.length === 0 ? this.bodyText : NO_METHOD;
    }
    return NO_METHOD;
  }

  vtlString(): string {
    return INPUT_CLASS + '@input';
  }
}
