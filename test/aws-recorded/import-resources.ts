// What the recorded import tests read back after an import: the API's resources (sorted by path)
// and, for each method, GetMethod, GetMethodResponse 200, GetIntegration and
// GetIntegrationResponse 200, each recorded under the label the recording uses.
import {
  GetIntegrationCommand, GetIntegrationResponseCommand, GetMethodCommand, GetMethodResponseCommand, GetResourcesCommand, type Resource,
} from '@aws-sdk/client-api-gateway';
import type { Replay } from './harness.ts';

/** Records the sorted resources and every method's four reads, as the recordings did. */
export async function snapshotImported(r: Replay, restApiId: string, label: string, prefix = ''): Promise<Resource[]> {
  const list = await r.setup<{ items?: Resource[] }>(new GetResourcesCommand({ restApiId, limit: 500 }));
  const items = [...(list.items ?? [])].sort((a, b) => (a.path! < b.path! ? -1 : a.path! > b.path! ? 1 : 0));
  r.record(label, JSON.parse(JSON.stringify({ items, ResponseMetadata: { HTTPHeaders: {}, HTTPStatusCode: 200 } })));
  for (const resource of items) {
    const key = resource.path === '/' ? 'root' : resource.path!.slice(1);
    for (const httpMethod of Object.keys(resource.resourceMethods ?? {})) {
      const at = `${key}-${httpMethod.toLowerCase()}`;
      const where = { restApiId, resourceId: resource.id!, httpMethod };
      await r.send(`${prefix}method-${at}`, new GetMethodCommand(where));
      await r.send(`${prefix}method-response-${at}`, new GetMethodResponseCommand({ ...where, statusCode: '200' }));
      await r.send(`${prefix}integration-${at}`, new GetIntegrationCommand(where));
      await r.send(`${prefix}integration-response-${at}`, new GetIntegrationResponseCommand({ ...where, statusCode: '200' }));
    }
  }
  return items;
}
