// Reads a whole REST API through the control plane into a form without ids, so that two
// imports of the same definition compare equal.
import type { ControlPlane } from '../../src/control/index.ts';

type Obj = Record<string, any>;

export async function describeApi(control: ControlPlane, restApiId: string): Promise<Obj> {
  const api = (await control.invoke('GetRestApi', { restApiId })) as Obj;
  const resources = ((await control.invoke('GetResources', { restApiId, embed: ['methods'], limit: 500 })) as Obj).items as Obj[];
  const models = ((await control.invoke('GetModels', { restApiId, limit: 500 })) as Obj).items as Obj[];
  const authorizers = ((await control.invoke('GetAuthorizers', { restApiId, limit: 500 })) as Obj).items as Obj[];
  const validators = ((await control.invoke('GetRequestValidators', { restApiId, limit: 500 })) as Obj).items as Obj[];
  const gateway = ((await control.invoke('GetGatewayResponses', { restApiId, limit: 500 })) as Obj).items as Obj[];
  const authName = new Map(authorizers.map((a) => [a.id, a.name]));
  const validatorName = new Map(validators.map((v) => [v.id, v.name]));
  const idOfPath = new Map(resources.map((r) => [r.id, r.path]));
  const scrub = (text: string) => text.replaceAll(`/restapis/${restApiId}/`, '/restapis/API/');
  const methods: Obj = {};
  for (const r of resources) {
    for (const [verb, m] of Object.entries((r.resourceMethods ?? {}) as Obj)) {
      const copy = structuredClone(m) as Obj;
      if (copy.authorizerId) copy.authorizerId = authName.get(copy.authorizerId);
      if (copy.requestValidatorId) copy.requestValidatorId = validatorName.get(copy.requestValidatorId);
      if (copy.methodIntegration?.cacheNamespace && idOfPath.has(copy.methodIntegration.cacheNamespace)) {
        copy.methodIntegration.cacheNamespace = `resource:${idOfPath.get(copy.methodIntegration.cacheNamespace)}`;
      }
      methods[`${verb} ${r.path}`] = copy;
    }
  }
  return {
    name: api.name,
    description: api.description,
    apiKeySource: api.apiKeySource,
    binaryMediaTypes: api.binaryMediaTypes,
    minimumCompressionSize: api.minimumCompressionSize,
    paths: resources.map((r) => r.path).sort(),
    methods: sortKeys(methods),
    models: Object.fromEntries(models.map((m) => [m.name, { contentType: m.contentType, schema: JSON.parse(scrub(m.schema)) }]).sort()),
    authorizers: authorizers.map(({ id: _id, ...a }) => a).sort((a, b) => (a.name < b.name ? -1 : 1)),
    validators: validators.map(({ id: _id, ...v }) => v).sort((a, b) => (a.name < b.name ? -1 : 1)),
    gatewayResponses: gateway.filter((g) => g.defaultResponse === false),
  };
}

function sortKeys(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export async function apiCount(control: ControlPlane): Promise<number> {
  return (((await control.invoke('GetRestApis', { limit: 500 })) as Obj).items as unknown[]).length;
}
