// Which gateway response is in force for a type: the API's own customization of it, else the
// API's DEFAULT_4XX / DEFAULT_5XX customization, else AWS's default. GetGatewayResponse(s) show
// it; deployments compile it.
import type { GatewayResponse } from '../model/generated/types.ts';
import { DEFAULT_RESPONSE_TEMPLATES, GATEWAY_RESPONSE_DEFAULTS, GATEWAY_RESPONSE_TYPES, type GatewayResponseType } from './response-types.ts';

/** The API's customized responses (as stored, or as in a deployment snapshot), by type. */
export type Customizations = ReadonlyMap<string, GatewayResponse> | readonly GatewayResponse[];

export interface EffectiveResponse {
  readonly responseType: GatewayResponseType;
  /** True when the type has no customization of its own (GetGatewayResponse's defaultResponse). */
  readonly defaultResponse: boolean;
  /** The customization in force (the type's own or its DEFAULT_4XX/5XX's); null for AWS's default. */
  readonly customization: GatewayResponse | null;
  /**
   * The status the API chose: the type's own, or (while the type is untouched) its
   * DEFAULT_4XX/5XX's: "changing the status code of this fallback changes the status codes of all
   * other 4XX responses". Undefined when the API chose none, for AWS's default.
   */
  readonly customStatus: string | undefined;
  readonly responseParameters: Readonly<Record<string, string>>;
  readonly responseTemplates: Readonly<Record<string, string>>;
}

const NONE: Readonly<Record<string, string>> = Object.freeze({});

export function byType(customized: Customizations): ReadonlyMap<string, GatewayResponse> {
  if (customized instanceof Map) return customized;
  const out = new Map<string, GatewayResponse>();
  for (const r of customized as readonly GatewayResponse[]) if (r.responseType !== undefined) out.set(r.responseType, r);
  return out;
}

const AWS_DEFAULTS = Object.fromEntries(
  GATEWAY_RESPONSE_TYPES.map((t): [GatewayResponseType, EffectiveResponse] => [
    t,
    Object.freeze({ responseType: t, defaultResponse: true, customization: null, customStatus: undefined, responseParameters: NONE, responseTemplates: DEFAULT_RESPONSE_TEMPLATES }),
  ]),
) as Readonly<Record<GatewayResponseType, EffectiveResponse>>;

export function effectiveResponse(type: GatewayResponseType, customized: Customizations): EffectiveResponse {
  const custom = byType(customized);
  const own = custom.get(type);
  // A customized type keeps its own status, or its built-in one: not DEFAULT_4XX/5XX's (recorded).
  if (own !== undefined) return fromCustomization(type, own, false);
  const parent = GATEWAY_RESPONSE_DEFAULTS[type].parent;
  const inherited = parent === null ? undefined : custom.get(parent);
  if (inherited !== undefined) return fromCustomization(type, inherited, true);
  return AWS_DEFAULTS[type];
}

function fromCustomization(type: GatewayResponseType, c: GatewayResponse, defaultResponse: boolean): EffectiveResponse {
  return {
    responseType: type,
    defaultResponse,
    customization: c,
    customStatus: c.statusCode,
    responseParameters: c.responseParameters ?? NONE,
    responseTemplates: c.responseTemplates ?? NONE,
  };
}

/** The GatewayResponse the management API answers for `type`. */
export function effectiveGatewayResponse(type: GatewayResponseType, customized: Customizations): GatewayResponse {
  const e = effectiveResponse(type, customized);
  const r: GatewayResponse = { responseType: type };
  const builtIn = GATEWAY_RESPONSE_DEFAULTS[type].statusCode;
  const status = e.customStatus ?? (builtIn === null ? undefined : String(builtIn));
  if (status !== undefined) r.statusCode = status;
  r.responseParameters = { ...e.responseParameters };
  r.responseTemplates = { ...e.responseTemplates };
  r.defaultResponse = e.defaultResponse;
  return r;
}
