// `gatehouse import` and `gatehouse export`: the import and export APIs of a running Gatehouse,
// over HTTP, for people who do not use the AWS CLI.
import { readFileSync, writeFileSync } from 'node:fs';

export const IMPORT_USAGE = `Usage: gatehouse import FILE [--deploy STAGE] [--url URL] [--basepath ignore|prepend|split]
                        [--fail-on-warnings] [--into API_ID [--overwrite]]

Imports a Swagger 2.0 or OpenAPI 3 definition (JSON or YAML) as a new REST API (or into an
existing one with --into: merged, or replaced with --overwrite) and optionally deploys it.
URL defaults to $GATEHOUSE_URL or http://127.0.0.1:4567.
`;

export const EXPORT_USAGE = `Usage: gatehouse export API_ID STAGE [--type swagger|oas30] [--yaml]
                        [--extensions integrations,authorizers,documentation|apigateway] [--out FILE] [--url URL]

Writes the definition of the stage's deployment to standard output (or FILE). Without
--extensions it includes every API Gateway extension (apigateway) but not documentation parts
(--extensions apigateway,documentation adds them); --extensions none sends no extensions parameter,
which gives no API Gateway extensions but, as in AWS, the stage's documentation parts.
`;

export class CliError extends Error {}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[], valued: string[], switches: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (switches.includes(key)) flags.set(key, true);
    else if (valued.includes(key)) {
      const v = eq === -1 ? argv[++i] : a.slice(eq + 1);
      if (v === undefined || v === '') throw new CliError(`--${key} needs a value`);
      flags.set(key, v);
    } else throw new CliError(`unknown option --${key}`);
  }
  return { positional, flags };
}

function baseUrl(flags: Map<string, string | true>): string {
  const url = (flags.get('url') as string | undefined) ?? process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:4567';
  return url.replace(/\/+$/, '');
}

async function call(url: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new CliError(`cannot reach Gatehouse at ${new URL(url).origin}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  if (!res.ok) {
    const type = res.headers.get('x-amzn-errortype') ?? `HTTP ${res.status}`;
    let message = await res.text();
    try {
      message = (JSON.parse(message) as { message?: string }).message ?? message;
    } catch {
      // not JSON: print as it came
    }
    throw new CliError(`${type}: ${message}`);
  }
  return res;
}

export async function importCommand(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['deploy', 'url', 'basepath', 'into'], ['fail-on-warnings', 'overwrite', 'help']);
  if (flags.has('help')) return out(IMPORT_USAGE);
  if (positional.length !== 1) throw new CliError(`expected one FILE\n\n${IMPORT_USAGE}`);
  let body: Buffer;
  try {
    body = readFileSync(positional[0]!);
  } catch (err) {
    throw new CliError(`cannot read ${positional[0]}: ${(err as Error).message}`);
  }
  const base = baseUrl(flags);
  const query = new URLSearchParams();
  if (flags.has('fail-on-warnings')) query.set('failonwarnings', 'true');
  if (typeof flags.get('basepath') === 'string') query.set('basepath', flags.get('basepath') as string);
  const into = flags.get('into') as string | undefined;
  let url: string;
  let method: string;
  if (into !== undefined) {
    query.set('mode', flags.has('overwrite') ? 'overwrite' : 'merge');
    url = `${base}/restapis/${encodeURIComponent(into)}?${query}`;
    method = 'PUT';
  } else {
    url = `${base}/restapis?mode=import${query.size > 0 ? '&' + query : ''}`;
    method = 'POST';
  }
  const res = await call(url, { method, body: new Uint8Array(body), headers: { 'content-type': 'application/octet-stream', accept: 'application/json' } });
  const api = (await res.json()) as { id: string; name: string; warnings?: string[] };
  out(`${into !== undefined ? 'Updated' : 'Imported'} REST API ${api.id} (${api.name})\n`);
  for (const w of api.warnings ?? []) out(`warning: ${w}\n`);
  const stage = flags.get('deploy');
  if (typeof stage === 'string') {
    const d = await call(`${base}/restapis/${api.id}/deployments`, {
      method: 'POST',
      body: JSON.stringify({ stageName: stage }),
      headers: { 'content-type': 'application/json' },
    });
    const dep = (await d.json()) as { id: string };
    out(`Deployed ${dep.id} to stage ${stage}: ${base}/restapis/${api.id}/${stage}/_user_request_/\n`);
  }
}

export async function exportCommand(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['type', 'extensions', 'out', 'url'], ['yaml', 'help']);
  if (flags.has('help')) return out(EXPORT_USAGE);
  if (positional.length !== 2) throw new CliError(`expected API_ID and STAGE\n\n${EXPORT_USAGE}`);
  const [apiId, stage] = positional as [string, string];
  const type = (flags.get('type') as string | undefined) ?? 'swagger';
  if (type !== 'swagger' && type !== 'oas30') throw new CliError(`--type must be swagger or oas30, not ${type}`);
  const ext = (flags.get('extensions') as string | undefined) ?? 'apigateway';
  const query = ext === 'none' ? '' : `?extensions=${encodeURIComponent(ext)}`;
  const res = await call(`${baseUrl(flags)}/restapis/${encodeURIComponent(apiId)}/stages/${encodeURIComponent(stage)}/exports/${type}${query}`, {
    headers: { accept: flags.has('yaml') ? 'application/yaml' : 'application/json' },
  });
  const text = await res.text();
  const file = flags.get('out');
  if (typeof file === 'string') writeFileSync(file, text);
  else out(text.endsWith('\n') ? text : text + '\n');
}
