// Resource policies: requests per second of a MOCK method behind a resource policy, as a ratio to
// the same method on an API without one, on one gateway, in one run:
//   - allow-all: one Allow statement, no condition (the usual "execute-api:/*" policy);
//   - IP deny: Allow plus a Deny with an IpAddress condition that does not match (the guide's
//     example: every request gathers its condition keys and tests a CIDR list);
//   - 20 statements: a longer policy of Deny statements for other paths, conditions on other
//     addresses and an Allow last (every statement is looked at).
// Rounds alternate the variants so drift on a shared machine hits each alike; the table reports
// the median of each.
// Run: npx tsx bench/resource-policy.ts [seconds=5] [connections=50] [rounds=3]
import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { CreateDeploymentCommand, CreateRestApiCommand } from '@aws-sdk/client-api-gateway';
import { parseConfig } from '../src/config.ts';
import { startGatehouse, type Gatehouse } from '../src/server.ts';
import { putMethod, resourcePath } from '../test/execute/helpers.ts';
import { apiGatewayClient } from '../test/helpers/server.ts';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 3);

function wrk(url: string, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, url], { encoding: 'utf8' }, (err, out) => {
      if (err !== null) return reject(err);
      const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (bad !== null) return reject(new Error(`wrk saw ${bad[1]} failed responses:\n${out}`));
      resolve(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]));
    });
  });
}

const statement = (effect: string, resource: string, extra: object = {}) => ({ Effect: effect, Principal: '*', Action: 'execute-api:Invoke', Resource: resource, ...extra });
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

const VARIANTS: [string, string | undefined][] = [
  ['no policy', undefined],
  ['allow-all', policy(statement('Allow', 'execute-api:/*'))],
  ['IP deny', policy(statement('Allow', 'execute-api:/*'), statement('Deny', 'execute-api:/*', { Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '198.51.100.0/24', '2001:db8::/32'] } } }))],
  ['20 statements', policy(
    ...Array.from({ length: 12 }, (_, i) => statement('Deny', `execute-api:/*/DELETE/things${i}/*`)),
    ...Array.from({ length: 7 }, (_, i) => statement('Deny', 'execute-api:/*', { Condition: { IpAddress: { 'aws:SourceIp': `203.0.${i}.0/24` } } })),
    statement('Allow', 'execute-api:/prod/GET/*'),
  )],
];

/** One API per variant with GET /pets (MOCK), deployed to prod; returns each stage's URL. */
async function setUp(gh: Gatehouse): Promise<Map<string, string>> {
  const client = apiGatewayClient(gh.url);
  const urls = new Map<string, string>();
  for (const [name, text] of VARIANTS) {
    const api = await client.send(new CreateRestApiCommand({ name: `bench ${name}`, policy: text }));
    const pets = await resourcePath(client, api.id!, '/pets');
    await putMethod(client, api.id!, pets, {
      httpMethod: 'GET',
      integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"id": 1, "name": "Kitty", "type": "cat", "price": 124.99}' } }],
    });
    await client.send(new CreateDeploymentCommand({ restApiId: api.id!, stageName: 'prod' }));
    const url = `${gh.url}/restapis/${api.id}/prod/_user_request_/pets`;
    const r = await fetch(url);
    if (r.status !== 200) throw new Error(`${name} answered ${r.status}: ${await r.text()}`);
    urls.set(name, url);
  }
  client.destroy();
  return urls;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  // No account-level limit: the load is far above AWS's default 10,000 a second.
  const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', accountRate: 0 }));
  try {
    const urls = await setUp(gh);
    const results = new Map<string, number[]>(VARIANTS.map(([name]) => [name, []]));
    for (const url of urls.values()) await wrk(url, 1); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url] of urls) results.get(name)!.push(await wrk(url, SECONDS));
    }
    const base = median(results.get('no policy')!);
    console.log(`node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; wrk -t2 -c${CONNECTIONS}, ${SECONDS} s x ${ROUNDS} rounds (median)\n`);
    console.log('| resource policy | req/s | ratio to no policy |');
    console.log('|---|---|---|');
    for (const [name] of VARIANTS) {
      const rps = median(results.get(name)!);
      console.log(`| ${name} | ${rps.toFixed(0)} | ${(rps / base).toFixed(2)}x |`);
    }
  } finally {
    await gh.close();
  }
}

await main();
