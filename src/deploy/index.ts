// RestApi snapshot → compiled deployment (route trie, templates, parameter mappers, selection patterns).
export { compileDeployment, compileIntegration, DEFAULT_TIMEOUT_MS, substituteStageVariables } from './compile.ts';
export { RouteTrie, splitPath, type RouteMatch } from './routes.ts';
export {
  compileRequestParameters, compileResponseParameters, mapRequestParameters, mapResponseParameters, mappingSources, parseJsonBody,
  MappingExpressionError, type MappingSources, type MappedRequestParameters,
} from './parameter-mapping.ts';
export { matchesSelectionPattern, compileSelectionPattern } from './selection-pattern.ts';
export { mimeType, BrokenTemplate, ConstantTemplate, constantOutput, type TemplateSet } from './templates.ts';
export type * from './types.ts';
