// What bench/hotpath.ts and bench/ab.ts share: the measured server processes (each with
// --trace-gc, whose lines give the bytes it allocates), the bare back end, and the API both deploy
// on a Gatehouse: /mock, /http, /proxy and /lambda in a stage named bench.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { CreateRestApiCommand } from '@aws-sdk/client-api-gateway';
import { deploy, putMethod, resourcePath } from '../../test/execute/helpers.ts';
import { apiGatewayClient } from '../../test/helpers/server.ts';
import { deployBenchFunction, PROXY_HANDLER } from '../lambda-common.ts';
import { GcTrace } from './cpu.ts';

/** What the MOCK method answers and the bare servers send. */
export const BODY = JSON.stringify({ id: 1, name: 'Kitty', type: 'cat', price: 124.99 });
/** The body POSTed to the AWS_PROXY method; its function answers {"hello":"bench","n":42}. */
export const LAMBDA_BODY = JSON.stringify({ name: 'bench', n: 21 });

/** A bare node:http server answering BODY: the HTTP back end, and MOCK's baseline. */
export const BARE_SERVER = `
const body = ${JSON.stringify(BODY)};
const s = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); res.end(body); });
});
s.listen(0, '127.0.0.1', () => console.log('listening ' + s.address().port));
`;

export interface Proc { readonly url: string; readonly pid: number; readonly child: ChildProcess; readonly gc: GcTrace }

// V8 prints --trace-gc lines through C's stdio, which holds a pipe's output in 4 KB blocks: stdbuf
// (coreutils), where there is one, makes it write each line at once, so each round counts its own
// collections.
const STDBUF = (() => {
  try {
    execFileSync('stdbuf', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Starts `node --trace-gc ...args` and resolves once its stdout matches `pattern`. */
export function startProc(args: readonly string[], pattern: RegExp, toUrl: (m: RegExpExecArray) => string): Promise<Proc> {
  const argv = ['--trace-gc', ...args];
  // stdbuf execs node in its own process: the pid measured is node's.
  const child = STDBUF ? spawn('stdbuf', ['-oL', process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const gc = new GcTrace();
  child.stdout!.on('data', (c: Buffer) => gc.feed(c));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c;
      const m = pattern.exec(out);
      if (m === null) return;
      child.stdout!.off('data', onData);
      resolve({ url: toUrl(m), pid: child.pid!, child, gc });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
  });
}

/** A node process running `script`, which prints "listening PORT". */
export const startNode = (script: string): Promise<Proc> => startProc(['-e', script], /listening (\d+)/, (m) => `http://127.0.0.1:${m[1]}`);

/** `gatehouse serve` from the checkout at `root` (built), as users run it: a file store in `dataDir`, no account limit. */
export const startGatehouse = (root: string, dataDir: string): Promise<Proc> =>
  startProc([`${root}/bin/gatehouse.js`, 'serve', '--port', '0', '--data-dir', dataDir, '--account-rate', '0'], /serving (http:\/\/\S+)/, (m) => m[1]!);

/**
 * Deploys the measured API on the Gatehouse at `url` and checks its MOCK and AWS_PROXY answers;
 * resolves to the stage's base URL. `backend`: the bare server the HTTP methods call.
 */
export async function deployHotpathApi(url: string, backend: string): Promise<string> {
  const client = apiGatewayClient(url);
  const id = (await client.send(new CreateRestApiCommand({ name: 'hotpath' }))).id!;
  await putMethod(client, id, await resourcePath(client, id, '/mock'), {
    httpMethod: 'GET',
    integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
    responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"id": 1, "name": "Kitty", "type": "$input.params(\'petType\')", "price": 124.99}' } }],
  });
  await putMethod(client, id, await resourcePath(client, id, '/http'), {
    httpMethod: 'GET', integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${backend}/pets/1` }, responses: [{ statusCode: '200' }],
  });
  await putMethod(client, id, await resourcePath(client, id, '/proxy'), {
    httpMethod: 'GET', integration: { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backend}/pets/1` },
  });
  await deployBenchFunction(url, PROXY_HANDLER);
  await putMethod(client, id, await resourcePath(client, id, '/lambda'), {
    httpMethod: 'POST',
    integration: { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:bench/invocations' },
  });
  await deploy(client, id, 'bench');
  client.destroy();
  const stage = `${url}/restapis/${id}/bench/_user_request_`;
  const mock = await fetch(`${stage}/mock?petType=cat`);
  const mockBody = await mock.text();
  if (mock.status !== 200 || JSON.stringify(JSON.parse(mockBody)) !== BODY) throw new Error(`MOCK answered ${mock.status} ${mockBody}`);
  await expectLambdaAnswer(`${stage}/lambda`);
  return stage;
}

/** POSTs LAMBDA_BODY to `url` and fails unless the function's answer comes back. */
export async function expectLambdaAnswer(url: string): Promise<void> {
  const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: LAMBDA_BODY });
  const text = await answer.text();
  if (answer.status !== 200 || text !== '{"hello":"bench","n":42}') throw new Error(`${url} answered ${answer.status} ${text}`);
}
