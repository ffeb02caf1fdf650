// Gateway responses: what API Gateway answers when it fails a request itself (no route, a body
// too large, an integration that timed out, ...). One module for the response types and their
// defaults, the effective-response rule the management API shows, the compilation a deployment
// does once, and the renderer execution calls.
//
//   effectiveGatewayResponse(type, customized)      // GetGatewayResponse(s)
//   compileGatewayResponses(customized)             // at deployment: every type's effective response
//   renderGatewayResponse(compiled[type], failure, input)   // per failed request
export {
  DEFAULT_CONTENT_TYPE, DEFAULT_RESPONSE_TEMPLATES, DEFAULT_TEMPLATE, errorStatus, GATEWAY_RESPONSE_DEFAULTS, GATEWAY_RESPONSE_TYPES,
  isGatewayResponseType, type FallbackResponseType, type GatewayResponseType, type ResponseTypeDefaults,
} from './response-types.ts';
export { effectiveGatewayResponse, effectiveResponse, type Customizations, type EffectiveResponse } from './effective.ts';
export { compileParameterSource, parameterTarget, type RequestValues, type ResponseInput } from './parameters.ts';
export { GatewayResponseTemplate } from './template.ts';
export {
  compileGatewayResponses, DEFAULT_GATEWAY_RESPONSES, type CompiledGatewayResponse, type CompiledGatewayResponses, type CompiledHeader,
} from './compile.ts';
export { renderGatewayResponse, type GatewayFailure, type RenderedGatewayResponse } from './render.ts';
