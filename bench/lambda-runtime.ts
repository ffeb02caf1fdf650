// The Node.js Lambda runtime alone: Gatehouse's bootstrap (src/lambda/runtime/node-bootstrap.ts)
// on a socket pair, outside any sandbox, answering sequential invocations of one AWS_PROXY event,
// against a bare worker loop (a JSON line in, the handler, a JSON line out) over the same kind of
// channel. CPU time of the worker process per invocation (/proc/PID/stat), alternating rounds.
// It separates what the runtime costs from what the gateway and the sandbox cost (bench/hotpath.ts
// measures AWS_PROXY end to end).
// Run: npx tsx bench/lambda-runtime.ts [invocations=10000] [rounds=3]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_BOOTSTRAP } from '../src/lambda/runtime/node-bootstrap.ts';
import { median, processCpuMicros } from './lib/cpu.ts';
import { bareWorkerLoop, PROXY_HANDLER } from './lambda-common.ts';

const INVOCATIONS = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 3);
// An AWS_PROXY event as Gatehouse builds it for a POST with a small JSON body (1.6 KB).
const EVENT = JSON.stringify({
  resource: '/e', path: '/e', httpMethod: 'POST',
  headers: { host: '127.0.0.1:4567', 'content-type': 'application/json', 'user-agent': 'wrk', accept: '*/*', 'accept-encoding': 'gzip, deflate', 'X-Amzn-Trace-Id': 'Root=1-6b14dfc7-9cf776896a764e4e9f79a5c8', 'X-Forwarded-For': '127.0.0.1', 'X-Forwarded-Port': '4567', 'X-Forwarded-Proto': 'http' },
  multiValueHeaders: { host: ['127.0.0.1:4567'], 'content-type': ['application/json'], 'user-agent': ['wrk'], accept: ['*/*'], 'accept-encoding': ['gzip, deflate'], 'X-Amzn-Trace-Id': ['Root=1-6b14dfc7-9cf776896a764e4e9f79a5c8'], 'X-Forwarded-For': ['127.0.0.1'], 'X-Forwarded-Port': ['4567'], 'X-Forwarded-Proto': ['http'] },
  queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: null, stageVariables: null,
  requestContext: {
    accountId: '000000000000', apiId: 'jbfke85chq', domainName: '127.0.0.1', domainPrefix: '127', extendedRequestId: 'nOdk5JNp00000001', httpMethod: 'POST',
    identity: { accessKey: null, accountId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: '127.0.0.1', user: null, userAgent: 'wrk', userArn: null },
    path: '/b/e', protocol: 'HTTP/1.1', requestId: '9cf77689-6a76-4e4e-9f79-a5c82f024bb8', requestTime: '06/Dec/2026:04:08:39 +0000', requestTimeEpoch: 1796530119116, resourceId: 'ye9q9rpkkn', resourcePath: '/e', stage: 'b',
  },
  body: '{"name":"bench","n":21}', isBase64Encoded: false,
});

interface Worker { readonly child: ChildProcess; invoke(i: number): Promise<void>; close(): Promise<void> }

async function start(kind: 'gatehouse' | 'bare', dir: string): Promise<Worker> {
  const args = kind === 'gatehouse' ? [join(dir, 'bootstrap.mjs')] : ['-e', bareWorkerLoop(join(dir, 'index.js'))];
  const env = { ...process.env, LAMBDA_TASK_ROOT: dir, _HANDLER: 'index.handler', AWS_LAMBDA_FUNCTION_NAME: 'bench', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128' };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'pipe'], env });
  const channel = child.stdio[3] as Socket;
  let pending = '';
  let answered: (() => void) | null = null;
  let ready: () => void = () => {};
  const started = new Promise<void>((r) => (ready = r));
  // Gatehouse's result is a header line, then the payload on a line of its own (the handler's
  // JSON has no raw line break); the bare loop's is the payload alone.
  let payloadNext = false;
  channel.on('data', (c: Buffer) => {
    pending += c.toString();
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      const msg = JSON.parse(pending.slice(0, nl)) as { t?: string; statusCode?: number; body?: string };
      pending = pending.slice(nl + 1);
      if (payloadNext || msg.statusCode === 200) {
        if (msg.statusCode !== 200) throw new Error(`${kind}: ${JSON.stringify(msg)}`);
        payloadNext = false;
        answered?.();
      } else if (msg.t === 'ready') ready();
      else if (msg.t === 'result') payloadNext = true;
      else if (msg.t !== 'log') throw new Error(`${kind}: ${JSON.stringify(msg)}`);
    }
  });
  if (kind === 'bare') ready();
  await started;
  return {
    child,
    invoke: (i) => new Promise<void>((resolve) => {
      answered = resolve;
      channel.write(kind === 'bare' ? EVENT + '\n' : JSON.stringify({ t: 'invoke', id: `id-${i}`, deadline: Date.now() + 3000, arn: 'arn:aws:lambda:us-east-1:000000000000:function:bench' }).slice(0, -1) + ',"event":' + EVENT + '}\n');
    }),
    close: async () => {
      channel.end();
      child.kill();
    },
  };
}

async function round(w: Worker): Promise<number> {
  const before = processCpuMicros(w.child.pid!);
  for (let i = 0; i < INVOCATIONS; i++) await w.invoke(i);
  return (processCpuMicros(w.child.pid!) - before) / INVOCATIONS;
}

const dir = mkdtempSync(join(tmpdir(), 'gh-lambda-runtime-'));
try {
  writeFileSync(join(dir, 'bootstrap.mjs'), NODE_BOOTSTRAP);
  writeFileSync(join(dir, 'index.js'), PROXY_HANDLER);
  const gh = await start('gatehouse', dir);
  const bare = await start('bare', dir);
  await round(gh);
  await round(bare);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    b.push(await round(bare));
    a.push(await round(gh));
  }
  console.log(`Node.js runtime alone, ${INVOCATIONS} sequential invocations of a ${EVENT.length}-byte AWS_PROXY event, ${ROUNDS} alternating rounds (medians), node ${process.version}`);
  console.log('| worker | CPU µs per invocation |');
  console.log('|---|---|');
  console.log(`| bare loop | ${median(b).toFixed(1)} |`);
  console.log(`| Gatehouse's bootstrap | ${median(a).toFixed(1)} (${(median(a.map((x, i) => x / b[i]!))).toFixed(2)}x) |`);
  await gh.close();
  await bare.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
