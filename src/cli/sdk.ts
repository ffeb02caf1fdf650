// `gatehouse sdk API STAGE`: GetSdk of a running gateway (the same call as `aws apigateway
// get-sdk`, signed when credentials are in the environment), unzipped into a folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { CliError } from '../openapi/cli.ts';
import { ManagementClient } from './management-client.ts';
import { parseFlags } from './flags.ts';

export const SDK_USAGE = `Usage: gatehouse sdk API_ID STAGE [--type javascript|typescript] [-o DIR] [--invoke-url URL]
                     [--url URL] [--region REGION]

Generates a client SDK for the stage's deployment (GetSdk) and unzips it into DIR (default: the
current folder): apiGateway-js-sdk/ for javascript (the layout of API Gateway's generated
JavaScript SDK, usable from web pages and Node.js), gatehouse-ts-sdk/client.ts for typescript.

  --type TYPE        javascript (the default) or typescript
  -o, --out DIR      the folder to unzip into (created if missing)
  --invoke-url URL   the stage's URL the SDK calls (default: http://{API_ID}.execute-api.localhost:{port}/{STAGE}
                     of the gateway; a client can still pass another as invokeUrl)
URL defaults to $GATEHOUSE_URL or http://127.0.0.1:4567. Requests are signed with SigV4 when
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set (region: --region, $AWS_REGION,
$AWS_DEFAULT_REGION, else us-east-1).
`;

const VALUED = new Map([['--type', 'type'], ['--out', 'out'], ['-o', 'out'], ['--invoke-url', 'invoke-url'], ['--url', 'url'], ['--region', 'region']]);

const parseArgs = (argv: string[]) => parseFlags(argv, VALUED);

export async function sdkCommand(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (argv.some((a) => a === '-h' || a === '--help')) return out(SDK_USAGE);
  const { positional, flags } = parseArgs(argv);
  if (positional.length !== 2) throw new CliError(`expected API_ID and STAGE\n\n${SDK_USAGE}`);
  const [restApiId, stage] = positional as [string, string];
  const type = flags.get('type') ?? 'javascript';
  if (type !== 'javascript' && type !== 'typescript') throw new CliError(`--type must be javascript or typescript, not ${type}`);
  const url = flags.get('url') ?? env.GATEHOUSE_URL ?? 'http://127.0.0.1:4567';
  const region = flags.get('region');
  const client = new ManagementClient({ url, ...(region !== undefined ? { region } : {}) }, env);
  const invokeUrl = flags.get('invoke-url');
  const { body } = await client.getBytes(
    `/restapis/${encodeURIComponent(restApiId)}/stages/${encodeURIComponent(stage)}/sdks/${type}`,
    invokeUrl === undefined ? {} : { invokeUrl },
  );
  const dir = resolve(flags.get('out') ?? '.');
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(new Uint8Array(body));
  } catch (err) {
    throw new CliError(`the gateway's answer is not a zip: ${(err as Error).message}`);
  }
  for (const [name, data] of Object.entries(files)) {
    if (name.endsWith('/')) continue;
    const target = resolve(join(dir, name));
    // The gateway writes the names, but a zip is still never allowed to write outside DIR.
    if (!target.startsWith(dir + sep)) throw new CliError(`the SDK holds a file outside its folder: ${name}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
    out(`wrote ${target}\n`);
  }
}
