// Gateway response templates. They are not Velocity: "a GatewayResponse mapping template isn't
// processed by the VTL engine" and supports "only simple variable substitution" (OpenAPI
// extensions, x-amazon-apigateway-gateway-responses.responseTemplates). So $context.PATH and
// $stageVariables.NAME are replaced by their values (an unset one by nothing) and every other
// character, '#' and '$' included, is copied as written. A template is split into text and
// references once, at deployment; a request only concatenates.
import { stringValue, walk, type ResponseInput } from './parameters.ts';

interface Reference {
  readonly root: 'context' | 'stageVariables';
  readonly path: readonly string[];
}

const REFERENCE = /\$(context|stageVariables)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g;

export class GatewayResponseTemplate {
  /** Text and references in order; a template without references is one string. */
  readonly #parts: readonly (string | Reference)[];

  constructor(readonly source: string) {
    const parts: (string | Reference)[] = [];
    let at = 0;
    for (const m of source.matchAll(REFERENCE)) {
      if (m.index > at) parts.push(source.slice(at, m.index));
      parts.push({ root: m[1] as Reference['root'], path: m[2]!.slice(1).split('.') });
      at = m.index + m[0].length;
    }
    if (at < source.length) parts.push(source.slice(at));
    this.#parts = parts;
  }

  render(input: ResponseInput): string {
    let out = '';
    for (const p of this.#parts) out += typeof p === 'string' ? p : (stringValue(resolve(p, input)) ?? '');
    return out;
  }
}

function resolve(ref: Reference, input: ResponseInput): unknown {
  return walk(ref.root === 'context' ? input.context : input.stageVariables, ref.path);
}
