// Helpers for execution-plane tests: a real Gatehouse, APIs built through the AWS SDK v3, calls
// to deployed stages over real HTTP, and local node:http back ends on ephemeral ports.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, GetResourcesCommand, PutIntegrationCommand,
  PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand, type APIGatewayClient, type PutIntegrationCommandInput,
} from '@aws-sdk/client-api-gateway';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** callStage's answer: also the headers as sent, names in their spelling, repeats apart. */
export interface StageAnswer extends Answer {
  rawHeaders: string[];
}

/** Calls a deployed stage at /restapis/{id}/{stage}/_user_request_/{path}. */
export function callStage(
  baseUrl: string,
  restApiId: string,
  stage: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; host?: string } = {},
): Promise<StageAnswer> {
  const u = new URL(baseUrl);
  const viaHost = init.host !== undefined;
  const fullPath = viaHost ? `/${stage}${path}` : `/restapis/${restApiId}/${stage}/_user_request_${path}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: u.hostname, port: u.port, path: fullPath, method: init.method ?? 'GET', headers: { ...(viaHost ? { host: init.host } : {}), ...init.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

export interface Backend {
  readonly url: string;
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

/** A local back end; `handler` answers each request after its body is read. */
export async function startBackend(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<Backend> {
  const requests: Backend['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

export async function createApi(client: APIGatewayClient, name: string): Promise<{ id: string; rootId: string }> {
  const api = await client.send(new CreateRestApiCommand({ name }));
  const resources = await client.send(new GetResourcesCommand({ restApiId: api.id! }));
  return { id: api.id!, rootId: resources.items!.find((r) => r.path === '/')!.id! };
}

/** Creates the resources of `path` under the root as needed; returns the last one's id. */
export async function resourcePath(client: APIGatewayClient, restApiId: string, path: string): Promise<string> {
  const resources = await client.send(new GetResourcesCommand({ restApiId, limit: 500 }));
  const byPath = new Map(resources.items!.map((r) => [r.path!, r.id!]));
  let current = '';
  let id = byPath.get('/')!;
  for (const part of path.split('/').filter(Boolean)) {
    current += '/' + part;
    const existing = byPath.get(current);
    if (existing !== undefined) {
      id = existing;
      continue;
    }
    const r = await client.send(new CreateResourceCommand({ restApiId, parentId: id, pathPart: part }));
    id = r.id!;
    byPath.set(current, id);
  }
  return id;
}

export interface MethodSpec {
  httpMethod: string;
  requestParameters?: Record<string, boolean>;
  integration: Omit<PutIntegrationCommandInput, 'restApiId' | 'resourceId' | 'httpMethod'>;
  /** statusCode → integration response (and a method response of the same status). */
  responses?: {
    statusCode: string;
    selectionPattern?: string;
    responseParameters?: Record<string, string>;
    responseTemplates?: Record<string, string>;
    methodResponseParameters?: Record<string, boolean>;
  }[];
}

export async function putMethod(client: APIGatewayClient, restApiId: string, resourceId: string, spec: MethodSpec): Promise<void> {
  const { httpMethod } = spec;
  await client.send(new PutMethodCommand({ restApiId, resourceId, httpMethod, authorizationType: 'NONE', requestParameters: spec.requestParameters }));
  await client.send(new PutIntegrationCommand({ restApiId, resourceId, httpMethod, ...spec.integration }));
  for (const r of spec.responses ?? []) {
    const methodParams = r.methodResponseParameters ?? Object.fromEntries(Object.keys(r.responseParameters ?? {}).map((k) => [k, false]));
    await client.send(new PutMethodResponseCommand({ restApiId, resourceId, httpMethod, statusCode: r.statusCode, responseParameters: methodParams }));
    await client.send(
      new PutIntegrationResponseCommand({
        restApiId, resourceId, httpMethod, statusCode: r.statusCode, selectionPattern: r.selectionPattern,
        responseParameters: r.responseParameters, responseTemplates: r.responseTemplates,
      }),
    );
  }
}

export async function deploy(client: APIGatewayClient, restApiId: string, stageName: string, variables?: Record<string, string>): Promise<string> {
  const d = await client.send(new CreateDeploymentCommand({ restApiId, stageName, variables }));
  return d.id!;
}
