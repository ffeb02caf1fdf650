// Route request: the stage's route trie picks the resource, then the method by verb (ANY answers
// verbs without a method of their own). No resource or no method → 403 Missing Authentication Token,
// which is what API Gateway answers for both (it does not reveal which paths exist).
import type { CompiledApi } from '../../deploy/index.ts';
import { missingAuthenticationToken } from '../errors.ts';
import type { RoutedRequest } from '../types.ts';

export function routeRequest(api: CompiledApi, httpMethod: string, path: string): RoutedRequest {
  const match = api.routes.match(path);
  if (match === null) throw missingAuthenticationToken();
  const method = match.value.methods.get(httpMethod) ?? match.value.methods.get('ANY');
  if (method === undefined) throw missingAuthenticationToken();
  return { method, pathParameters: match.params };
}
