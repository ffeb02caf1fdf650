// Swagger import and export of a large API: a generated definition with 300 resources and
// 1,000 methods (HTTP integrations with parameter mappings, method and integration responses,
// 20 models), each case beside a baseline in the same run:
//   import (POST /restapis?mode=import over HTTP, one transaction)
//     vs building the same API with the individual management calls (CreateResource, PutMethod,
//        PutMethodResponse, PutIntegration, PutIntegrationResponse) through the control plane;
//   export (GET .../exports/swagger and oas30 YAML over HTTP)
//     vs GetResources?embed=methods of the same API over HTTP (reading the same data).
// Run: npx tsx bench/openapi.ts [rounds=5]
import { cpus } from 'node:os';
import { parseConfig } from '../src/config.ts';
import { startGatehouse } from '../src/server.ts';

const ROUNDS = Number(process.argv[2] ?? 5);
type Obj = Record<string, any>;

function generate(): Obj {
  const paths: Obj = {};
  const definitions: Obj = {};
  for (let i = 0; i < 20; i++) {
    definitions[`Model${i}`] = { type: 'object', properties: { id: { type: 'string' }, next: { $ref: `#/definitions/Model${(i + 1) % 20}` }, n: { type: 'integer' } } };
  }
  // 100 top-level collections, each with /{id} and /{id}/detail: 300 resources (plus root).
  const verbs = ['get', 'post', 'put', 'delete'];
  let methods = 0;
  const op = (path: string, verb: string, params: string[], k: number): Obj => {
    methods++;
    return {
      operationId: `op${methods}`,
      parameters: [
        ...params.map((p) => ({ name: p, in: 'path', required: true, type: 'string' })),
        { name: 'q', in: 'query', required: false, type: 'string' },
        { name: 'X-Trace', in: 'header', required: false, type: 'string' },
      ],
      responses: {
        '200': { description: 'ok', schema: { $ref: `#/definitions/Model${k % 20}` }, headers: { 'X-Req': { type: 'string' } } },
        '404': { description: 'missing' },
      },
      'x-amazon-apigateway-integration': {
        type: 'http',
        httpMethod: verb.toUpperCase(),
        uri: `https://backend.example.com${path}`,
        requestParameters: {
          ...Object.fromEntries(params.map((p) => [`integration.request.path.${p}`, `method.request.path.${p}`])),
          'integration.request.querystring.q': 'method.request.querystring.q',
        },
        requestTemplates: { 'application/json': '{"q": "$input.params(\'q\')"}' },
        responses: {
          default: { statusCode: '200', responseParameters: { 'method.response.header.X-Req': 'integration.response.header.X-Req' } },
          '404': { statusCode: '404', responseTemplates: { 'application/json': '{"message": "not found"}' } },
        },
      },
    };
  };
  for (let c = 0; c < 100; c++) {
    const base = `/things${c}`;
    for (const [path, params, count] of [[base, [], 4], [`${base}/{id}`, ['id'], 4], [`${base}/{id}/detail`, ['id'], c < 40 ? 2 : 1]] as const) {
      const item: Obj = {};
      for (const v of verbs.slice(0, count)) item[v] = op(path, v, [...params], c);
      paths[path] = item;
    }
  }
  // 100*(4+4) + 40*2 + 60*1 = 940; top up to 1,000 with PATCH and OPTIONS on the first collections.
  for (let c = 0; methods < 1000; c++) {
    paths[`/things${c}`].patch = op(`/things${c}`, 'patch', [], c);
    if (methods < 1000) paths[`/things${c}`].options = op(`/things${c}`, 'options', [], c);
  }
  return { swagger: '2.0', info: { title: 'Big', version: '1' }, paths, definitions };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function main(): Promise<void> {
  const doc = generate();
  const body = JSON.stringify(doc);
  const resources = Object.keys(doc.paths).length;
  const methodCount = Object.values(doc.paths as Obj).reduce((n, item) => n + Object.keys(item).length, 0);
  const g = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent' }));
  const c = g.control;
  try {
    console.log(`openapi bench: ${resources} resources, ${methodCount} methods, ${Object.keys(doc.definitions).length} models, ${(body.length / 1024).toFixed(0)} KiB of JSON; ${cpus()[0]?.model ?? 'cpu'}; median of ${ROUNDS} rounds`);

    const importMs: number[] = [];
    let apiId = '';
    // The first import runs cold (module loading, JIT); it is reported on its own.
    for (let r = 0; r <= ROUNDS; r++) {
      importMs.push(await time(async () => {
        const res = await fetch(`${g.url}/restapis?mode=import&failonwarnings=true`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
        if (res.status !== 201) throw new Error(`import failed: ${res.status} ${await res.text()}`);
        apiId = ((await res.json()) as Obj).id;
      }));
    }

    // Baseline: the same API through the individual management operations (in-process, no HTTP).
    const baselineMs: number[] = [];
    for (let r = 0; r < Math.min(ROUNDS, 3); r++) {
      baselineMs.push(await time(async () => {
        const api = (await c.invoke('CreateRestApi', { name: 'Piecewise' })) as Obj;
        const id = api.id;
        for (const [name, schema] of Object.entries(doc.definitions as Obj)) {
          await c.invoke('CreateModel', { restApiId: id, name, contentType: 'application/json', schema: JSON.stringify({ type: 'object' }) });
          void schema;
        }
        const ids = new Map<string, string>([['/', api.rootResourceId]]);
        for (const [path, item] of Object.entries(doc.paths as Obj)) {
          const parts = path.split('/').filter(Boolean);
          let cur = '';
          for (const part of parts) {
            const parent = ids.get(cur === '' ? '/' : cur)!;
            cur += '/' + part;
            if (!ids.has(cur)) ids.set(cur, ((await c.invoke('CreateResource', { restApiId: id, parentId: parent, pathPart: part })) as Obj).id);
          }
          const resourceId = ids.get(path)!;
          for (const [verb, op] of Object.entries(item as Obj)) {
            const httpMethod = verb.toUpperCase();
            const x = op['x-amazon-apigateway-integration'];
            const requestParameters = Object.fromEntries((op.parameters as Obj[]).map((p) => [`method.request.${p.in === 'query' ? 'querystring' : p.in}.${p.name}`, p.required]));
            await c.invoke('PutMethod', { restApiId: id, resourceId, httpMethod, authorizationType: 'NONE', operationName: op.operationId, requestParameters });
            await c.invoke('PutMethodResponse', { restApiId: id, resourceId, httpMethod, statusCode: '200', responseParameters: { 'method.response.header.X-Req': false }, responseModels: { 'application/json': op.responses['200'].schema.$ref.split('/').pop() } });
            await c.invoke('PutMethodResponse', { restApiId: id, resourceId, httpMethod, statusCode: '404' });
            await c.invoke('PutIntegration', { restApiId: id, resourceId, httpMethod, type: 'HTTP', integrationHttpMethod: x.httpMethod, uri: x.uri, requestParameters: x.requestParameters, requestTemplates: x.requestTemplates });
            await c.invoke('PutIntegrationResponse', { restApiId: id, resourceId, httpMethod, statusCode: '200', responseParameters: x.responses.default.responseParameters });
            await c.invoke('PutIntegrationResponse', { restApiId: id, resourceId, httpMethod, statusCode: '404', selectionPattern: '404', responseTemplates: x.responses['404'].responseTemplates });
          }
        }
      }));
    }

    await c.invoke('CreateDeployment', { restApiId: apiId, stageName: 'bench' });
    const exportOnce = async (type: string, accept: string) => {
      const res = await fetch(`${g.url}/restapis/${apiId}/stages/bench/exports/${type}?extensions=apigateway`, { headers: { accept } });
      if (res.status !== 200) throw new Error(`export failed: ${res.status} ${await res.text()}`);
      return res.text();
    };
    const swaggerMs: number[] = [];
    const oasYamlMs: number[] = [];
    const readMs: number[] = [];
    let size = 0;
    let yamlSize = 0;
    for (let r = 0; r < ROUNDS; r++) {
      swaggerMs.push(await time(async () => { size = (await exportOnce('swagger', 'application/json')).length; }));
      oasYamlMs.push(await time(async () => { yamlSize = (await exportOnce('oas30', 'application/yaml')).length; }));
      readMs.push(await time(async () => {
        const res = await fetch(`${g.url}/restapis/${apiId}/resources?embed=methods&limit=500`);
        await res.text();
      }));
    }
    const a = await exportOnce('swagger', 'application/json');
    const b = await exportOnce('swagger', 'application/json');
    const cold = importMs.shift()!;
    const imp = median(importMs);
    console.log(`import, first (cold process)               ${cold.toFixed(0).padStart(7)} ms`);
    const base = median(baselineMs);
    console.log(`import (HTTP, one transaction)             ${imp.toFixed(0).padStart(7)} ms`);
    console.log(`baseline: ${5 * methodCount + resources + 20} piecewise management calls ${base.toFixed(0).padStart(7)} ms   import is ${(base / imp).toFixed(1)}x faster`);
    const rd = median(readMs);
    console.log(`export swagger JSON (${(size / 1024).toFixed(0)} KiB)             ${median(swaggerMs).toFixed(0).padStart(7)} ms   ${(median(swaggerMs) / rd).toFixed(2)}x the baseline`);
    console.log(`export oas30 YAML (${(yamlSize / 1024).toFixed(0)} KiB)              ${median(oasYamlMs).toFixed(0).padStart(7)} ms   ${(median(oasYamlMs) / rd).toFixed(2)}x the baseline`);
    console.log(`baseline: GetResources?embed=methods       ${rd.toFixed(0).padStart(7)} ms`);
    console.log(`byte-stable: ${a === b ? 'yes' : 'NO'}`);
  } finally {
    await g.close();
  }
}

await main();
