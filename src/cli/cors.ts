// `gatehouse cors API`: what the API Gateway console's "Enable CORS" does, as ordinary
// management API calls to a running gateway, so the result is stored, deployed and exported like
// any other change. For each resource with methods (or the one --resource names):
//   - an OPTIONS method (authorizationType NONE) with a MOCK integration answering 200, whose
//     200 method response declares Access-Control-Allow-Headers/-Methods/-Origin and whose
//     integration response maps them to static values: the allowed headers (the console's
//     default list), the resource's methods plus OPTIONS, and the origin ('*' by default);
//   - Access-Control-Allow-Origin declared on each chosen method's 200 method response and
//     mapped on its 200 integration response.
// Proxy integrations are left alone (their back end must send the header, as AWS says), and so
// is an OPTIONS method that is not a MOCK (someone else answers preflights there). Every write is
// made only when the API differs from the result, so a second run changes nothing. The user
// deploys afterwards, as in the console.
import type { Integration, Method, Resource } from '../model/generated/types.ts';
import { CliError } from '../openapi/cli.ts';
import { ManagementClient, ManagementError, type PatchOperation } from './management-client.ts';

export const CORS_USAGE = `Usage: gatehouse cors API_ID [--origins ORIGIN] [--methods GET,POST,...] [--headers H1,H2,...]
                      [--resource PATH] [--gateway-responses DEFAULT_4XX,DEFAULT_5XX] [--url URL] [--region REGION]

Enables CORS on an API the way the API Gateway console's "Enable CORS" does: an OPTIONS method
(MOCK integration) on each resource that has methods (or only on --resource PATH) answering the
preflight with Access-Control-Allow-Headers, -Methods and -Origin, and Access-Control-Allow-Origin
added to the 200 responses of the resource's methods (or only those --methods names). Then deploy
the API for the change to be served. Running it again changes nothing unless the options changed.

  --origins ORIGIN   the Access-Control-Allow-Origin value: '*' (the default) or one origin,
                     e.g. https://app.example.com
  --headers LIST     Access-Control-Allow-Headers (default: Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token)
  --methods LIST     the methods to enable CORS for (default: every method of the resource)
  --resource PATH    one resource, e.g. /pets/{petId} (default: every resource with methods)
  --gateway-responses LIST   also add Access-Control-Allow-Origin and -Headers to these gateway
                     responses (the console's DEFAULT_4XX / DEFAULT_5XX boxes), so errors
                     that API Gateway answers itself reach the browser too
URL defaults to $GATEHOUSE_URL or http://127.0.0.1:4567. Requests are signed with SigV4 when
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set (region: --region, $AWS_REGION,
$AWS_DEFAULT_REGION, else us-east-1); otherwise they go unsigned, to the gateway's default
account and region.
`;

/** The console's default Access-Control-Allow-Headers. */
export const DEFAULT_ALLOW_HEADERS = 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token';

/** What the console lists for an ANY method. */
const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];
const KNOWN_METHODS = new Set([...ALL_METHODS, 'ANY']);

const ALLOW_HEADERS = 'method.response.header.Access-Control-Allow-Headers';
const ALLOW_METHODS = 'method.response.header.Access-Control-Allow-Methods';
const ALLOW_ORIGIN = 'method.response.header.Access-Control-Allow-Origin';

const PROXY_TYPES = new Set(['AWS_PROXY', 'HTTP_PROXY']);

export interface CorsSettings {
  /** '*' or one origin. */
  readonly origin: string;
  readonly allowHeaders: string;
  /** The methods to enable CORS for; null: every method of each resource. */
  readonly methods: ReadonlySet<string> | null;
  /** One resource path; null: every resource that has methods. */
  readonly resourcePath: string | null;
  readonly gatewayResponses: readonly string[];
}

export interface CorsResult {
  /** One line per management write, in the order made. */
  readonly changes: string[];
  /** What was left alone, and why. */
  readonly skipped: string[];
}

/** Applies `settings` to the API through the management API; see the file comment. */
export async function enableCors(client: ManagementClient, restApiId: string, settings: CorsSettings): Promise<CorsResult> {
  const api = `/restapis/${encodeURIComponent(restApiId)}`;
  const result: CorsResult = { changes: [], skipped: [] };
  const resources = await listResources(client, api);
  let targets = resources.filter((r) => Object.keys(r.resourceMethods ?? {}).some((v) => v !== 'OPTIONS'));
  if (settings.resourcePath !== null) {
    targets = resources.filter((r) => r.path === settings.resourcePath);
    if (targets.length === 0) throw new CliError(`API ${restApiId} has no resource ${settings.resourcePath}`);
  }
  let hasEmptyModel: boolean | undefined;
  for (const r of targets) {
    const verbs = Object.keys(r.resourceMethods ?? {}).filter((v) => v !== 'OPTIONS' && (settings.methods === null || settings.methods.has(v))).sort();
    if (verbs.length === 0 && settings.resourcePath === null) {
      result.skipped.push(`${r.path}: none of ${[...settings.methods!].join(',')} here`);
      continue;
    }
    const allowMethods = verbs.includes('ANY') ? ALL_METHODS : [...new Set([...verbs, 'OPTIONS'])].sort();
    const at = `${api}/resources/${encodeURIComponent(r.id!)}/methods`;
    const options = r.resourceMethods?.['OPTIONS'];
    const values = {
      [ALLOW_HEADERS]: quote(settings.allowHeaders),
      [ALLOW_METHODS]: quote(allowMethods.join(',')),
      [ALLOW_ORIGIN]: quote(settings.origin),
    };
    if (options === undefined) {
      hasEmptyModel ??= await modelExists(client, api, 'Empty');
      await createPreflight(client, `${at}/OPTIONS`, values, hasEmptyModel);
      result.changes.push(`${r.path}: OPTIONS method created (MOCK), allowing ${allowMethods.join(',')} from ${settings.origin}`);
    } else {
      await updatePreflight(client, r.path!, `${at}/OPTIONS`, options, values, result);
    }
    for (const verb of verbs) await addAllowOrigin(client, r.path!, verb, `${at}/${verb}`, r.resourceMethods![verb]!, values[ALLOW_ORIGIN], result);
  }
  for (const type of settings.gatewayResponses) await corsOnGatewayResponse(client, `${api}/gatewayresponses/${type}`, type, settings, result);
  return result;
}

async function listResources(client: ManagementClient, api: string): Promise<Resource[]> {
  const out: Resource[] = [];
  let position: string | undefined;
  do {
    const page = (await client.get(`${api}/resources`, { embed: 'methods', limit: '500', ...(position !== undefined ? { position } : {}) })) as { item?: Resource[]; items?: Resource[]; position?: string };
    out.push(...(page.item ?? page.items ?? []));
    position = page.position;
  } while (position !== undefined);
  return out.sort((a, b) => (a.path! < b.path! ? -1 : a.path! > b.path! ? 1 : 0));
}

async function modelExists(client: ManagementClient, api: string, name: string): Promise<boolean> {
  try {
    await client.get(`${api}/models/${name}`);
    return true;
  } catch (err) {
    if (err instanceof ManagementError && err.status === 404) return false;
    throw err;
  }
}

function quote(v: string): string {
  return `'${v}'`;
}

async function createPreflight(client: ManagementClient, at: string, values: Record<string, string>, emptyModel: boolean): Promise<void> {
  await client.put(at, { authorizationType: 'NONE' });
  await client.put(`${at}/responses/200`, {
    responseParameters: { [ALLOW_HEADERS]: false, [ALLOW_METHODS]: false, [ALLOW_ORIGIN]: false },
    ...(emptyModel ? { responseModels: { 'application/json': 'Empty' } } : {}),
  });
  await client.put(`${at}/integration`, { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, passthroughBehavior: 'NEVER' });
  await client.put(`${at}/integration/responses/200`, { responseParameters: values });
}

/** An OPTIONS method that exists: a MOCK one gets the headers (declared, mapped to today's values); any other is left alone. */
async function updatePreflight(client: ManagementClient, path: string, at: string, m: Method, values: Record<string, string>, result: CorsResult): Promise<void> {
  const integration = m.methodIntegration;
  if (integration !== undefined && integration.type !== 'MOCK') {
    result.skipped.push(`${path}: OPTIONS has a ${integration.type} integration, which answers preflights itself; left as it is`);
    return;
  }
  const declared = await declareHeaders(client, at, m, Object.keys(values));
  if (declared) result.changes.push(`${path}: OPTIONS 200 method response declares the Access-Control-Allow-* headers`);
  if (integration === undefined) {
    await client.put(`${at}/integration`, { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, passthroughBehavior: 'NEVER' });
    await client.put(`${at}/integration/responses/200`, { responseParameters: values });
    result.changes.push(`${path}: OPTIONS given a MOCK integration answering the Access-Control-Allow-* headers`);
    return;
  }
  if (await mapHeaders(client, at, integration, values)) result.changes.push(`${path}: OPTIONS integration response maps ${describe(values)}`);
}

async function addAllowOrigin(client: ManagementClient, path: string, verb: string, at: string, m: Method, origin: string, result: CorsResult): Promise<void> {
  const integration = m.methodIntegration;
  if (integration === undefined) {
    result.skipped.push(`${verb} ${path}: no integration yet`);
    return;
  }
  if (PROXY_TYPES.has(integration.type ?? '')) {
    result.skipped.push(`${verb} ${path}: ${integration.type} integration; its back end must send Access-Control-Allow-Origin`);
    return;
  }
  const responses = integration.integrationResponses ?? {};
  if (responses['200'] === undefined && Object.keys(responses).length > 0) {
    result.skipped.push(`${verb} ${path}: no integration response maps to 200; add Access-Control-Allow-Origin where you need it`);
    return;
  }
  if (await declareHeaders(client, at, m, [ALLOW_ORIGIN])) result.changes.push(`${verb} ${path}: 200 method response declares Access-Control-Allow-Origin`);
  if (await mapHeaders(client, at, integration, { [ALLOW_ORIGIN]: origin })) result.changes.push(`${verb} ${path}: 200 integration response maps Access-Control-Allow-Origin to ${origin}`);
}

/** Declares `names` on the method's 200 response (creating it when missing); true when it wrote. */
async function declareHeaders(client: ManagementClient, at: string, m: Method, names: readonly string[]): Promise<boolean> {
  const response = m.methodResponses?.['200'];
  if (response === undefined) {
    await client.put(`${at}/responses/200`, { responseParameters: Object.fromEntries(names.map((n) => [n, false])) });
    return true;
  }
  const ops: PatchOperation[] = names
    .filter((n) => response.responseParameters?.[n] === undefined)
    .map((n) => ({ op: 'add', path: `/responseParameters/${n}`, value: 'false' }));
  if (ops.length === 0) return false;
  await client.patch(`${at}/responses/200`, ops);
  return true;
}

/** Maps `values` on the 200 integration response (creating it when missing); true when it wrote. */
async function mapHeaders(client: ManagementClient, at: string, integration: Integration, values: Record<string, string>): Promise<boolean> {
  const response = integration.integrationResponses?.['200'];
  if (response === undefined) {
    await client.put(`${at}/integration/responses/200`, { responseParameters: values });
    return true;
  }
  const have = response.responseParameters ?? {};
  const ops: PatchOperation[] = Object.entries(values)
    .filter(([k, v]) => have[k] !== v)
    .map(([k, v]) => ({ op: have[k] === undefined ? 'add' : 'replace', path: `/responseParameters/${k}`, value: v }));
  if (ops.length === 0) return false;
  await client.patch(`${at}/integration/responses/200`, ops);
  return true;
}

async function corsOnGatewayResponse(client: ManagementClient, at: string, type: string, settings: CorsSettings, result: CorsResult): Promise<void> {
  const current = (await client.get(at)) as { responseParameters?: Record<string, string> };
  const have = current.responseParameters ?? {};
  const values = {
    'gatewayresponse.header.Access-Control-Allow-Origin': quote(settings.origin),
    'gatewayresponse.header.Access-Control-Allow-Headers': quote(settings.allowHeaders),
  };
  const ops: PatchOperation[] = Object.entries(values)
    .filter(([k, v]) => have[k] !== v)
    .map(([k, v]) => ({ op: have[k] === undefined ? 'add' : 'replace', path: `/responseParameters/${k}`, value: v }));
  if (ops.length === 0) return;
  await client.patch(at, ops);
  result.changes.push(`gateway response ${type}: answers Access-Control-Allow-Origin and -Headers`);
}

function describe(values: Record<string, string>): string {
  return Object.entries(values).map(([k, v]) => `${k.slice('method.response.header.'.length)}=${v}`).join(', ');
}

// ------------------------------------------------------------------ the command

export async function corsCommand(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { positional, flags } = parseArgs(argv);
  if (flags.has('help')) return out(CORS_USAGE);
  if (positional.length !== 1) throw new CliError(`expected one API_ID\n\n${CORS_USAGE}`);
  const restApiId = positional[0]!;
  const settings = corsSettings(flags);
  const url = (flags.get('url') as string | undefined) ?? env.GATEHOUSE_URL ?? 'http://127.0.0.1:4567';
  const region = flags.get('region') as string | undefined;
  const client = new ManagementClient({ url, ...(region !== undefined ? { region } : {}) }, env);
  const result = await enableCors(client, restApiId, settings);
  for (const line of result.changes) out(`${line}\n`);
  for (const line of result.skipped) out(`skipped ${line}\n`);
  out(result.changes.length === 0
    ? `CORS was already enabled on API ${restApiId} with these settings; nothing changed\n`
    : `${result.changes.length} change(s) to API ${restApiId}; deploy it (gatehouse import --deploy, aws apigateway create-deployment) to serve them\n`);
}

const VALUED = ['origins', 'methods', 'headers', 'resource', 'gateway-responses', 'url', 'region'];

function parseArgs(argv: string[]): { positional: string[]; flags: Map<string, string | true> } {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      flags.set('help', true);
      continue;
    }
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (!VALUED.includes(key)) throw new CliError(`unknown option --${key}`);
    const v = eq === -1 ? argv[++i] : a.slice(eq + 1);
    if (v === undefined || v === '') throw new CliError(`--${key} needs a value`);
    flags.set(key, v);
  }
  return { positional, flags };
}

function list(v: string | true | undefined): string[] | null {
  if (typeof v !== 'string') return null;
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function corsSettings(flags: Map<string, string | true>): CorsSettings {
  const origins = list(flags.get('origins')) ?? ['*'];
  // The header is static: it can hold '*' or one origin, and browsers refuse a list.
  if (origins.length !== 1) {
    throw new CliError(`--origins takes '*' or one origin (Access-Control-Allow-Origin holds one value); for several origins answer from a Lambda proxy integration`);
  }
  const origin = origins[0]!;
  if (origin !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^\s/'"]+$/i.test(origin)) throw new CliError(`--origins: '${origin}' is not an origin such as https://app.example.com`);
  const headers = list(flags.get('headers'));
  if (headers !== null && headers.some((h) => !/^[!#$%&*+.^_`|~0-9A-Za-z-]+$/.test(h))) throw new CliError(`--headers: '${flags.get('headers')}' is not a list of header names`);
  const methods = list(flags.get('methods'))?.map((m) => m.toUpperCase()) ?? null;
  const unknown = methods?.find((m) => !KNOWN_METHODS.has(m));
  if (unknown !== undefined) throw new CliError(`--methods: unknown method ${unknown}`);
  const resourcePath = flags.get('resource') as string | undefined;
  if (resourcePath !== undefined && !resourcePath.startsWith('/')) throw new CliError(`--resource takes a resource path such as /pets`);
  const gatewayResponses = list(flags.get('gateway-responses'))?.map((t) => t.toUpperCase()) ?? [];
  const badType = gatewayResponses.find((t) => !/^[A-Z0-9_]+$/.test(t));
  if (badType !== undefined) throw new CliError(`--gateway-responses: '${badType}' is not a gateway response type`);
  return {
    origin,
    allowHeaders: headers === null ? DEFAULT_ALLOW_HEADERS : headers.join(','),
    methods: methods === null ? null : new Set(methods),
    resourcePath: resourcePath ?? null,
    gatewayResponses,
  };
}
