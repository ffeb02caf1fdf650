// Deployments: the snapshot an API is deployed as, its compilation into what a stage serves
// (route trie, templates, parameter mappers, selection patterns), and the stages this process has
// compiled. Control writes snapshots here; execute serves what this module compiles.
export { compileDeployment, compileIntegration, DEFAULT_TIMEOUT_MS, METHOD_SETTING_DEFAULTS, substituteStageVariables } from './compile.ts';
export { apiSummary, loadSnapshot, takeSnapshot, type ApiSnapshot } from './snapshot.ts';
export { loadStage } from './load-stage.ts';
export { StageCache, type StageLoader } from './stage-cache.ts';
export { RouteTrie, splitPath, type RouteMatch } from './routes.ts';
export {
  compileRequestParameters, compileResponseParameters, mapRequestParameters, mapResponseParameters, mappingSources, parseJsonBody,
  MappingExpressionError, type MappingSources, type MappedRequestParameters,
} from './parameter-mapping.ts';
export { matchesSelectionPattern, compileSelectionPattern } from './selection-pattern.ts';
export { mimeType, BrokenTemplate, ConstantTemplate, constantOutput, type TemplateSet } from './templates.ts';
export { asText, compileBinaryMediaTypes, contentHandling, fromBase64, toBase64, type BinaryMediaTypes, type ContentHandling } from './binary.ts';
export type * from './types.ts';
