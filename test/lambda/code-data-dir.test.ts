// docs/lambda.md's walkthrough against a real `gatehouse serve` process started the way a new
// user starts it: from a project folder, with the default (relative) data directory. Then the
// data directory is moved and the server restarted from another folder with an absolute
// --data-dir: functions still run, including ones whose records hold the path forms earlier
// versions stored (relative to the start-up folder, or absolute under an old data directory).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openSqliteStore } from '../../src/store/index.ts';
import { PARTITION, ROLE, until, zip } from './helpers.ts';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

interface Served { child: ChildProcess; url: string }

/** Starts `gatehouse serve --port 0 ...args` in `cwd`; resolves with the URL it prints. */
async function serve(cwd: string, args: string[]): Promise<Served> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'serve', '--port', '0', ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c; });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m !== null) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`gatehouse serve exited (${code}): ${out}${err}`)));
  });
  return { child, url };
}

async function stop(s: Served): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = once(s.child, 'exit');
  s.child.kill('SIGTERM');
  await exited;
}

describe('Lambda with the default data directory, across a move and a restart', () => {
  let home: string;
  let project: string;
  let served: Served | undefined;
  let env: NodeJS.ProcessEnv;

  async function aws(url: string, ...args: string[]): Promise<any> {
    const { stdout } = await run('aws', ['lambda', ...args, '--endpoint-url', url, '--output', 'json'], { env, cwd: project });
    return stdout.trim() === '' ? undefined : JSON.parse(stdout);
  }

  async function invoke(url: string, name: string, payload: string): Promise<unknown> {
    writeFileSync(join(project, 'payload.json'), payload);
    const out = join(project, `out-${name}.json`);
    const r = await aws(url, 'invoke', '--function-name', name, '--payload', 'fileb://payload.json', out);
    assert.equal(r.StatusCode, 200);
    assert.equal(r.FunctionError, undefined, readFileSync(out, 'utf8'));
    return JSON.parse(readFileSync(out, 'utf8'));
  }

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'gh-datadir-'));
    project = join(home, 'project');
    mkdirSync(project);
    env = {
      PATH: process.env.PATH,
      HOME: home,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(home, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
      AWS_PAGER: '',
      AWS_MAX_ATTEMPTS: '1',
    };
    writeFileSync(join(project, 'function.zip'), zip({ 'index.js': `exports.handler = function(event, context) {
  var name = (event.name === undefined ? 'No-Name' : event.name);
  console.log("Hello:" + name);
  context.done(null, {"Hello": name});
};
` }));
  });
  after(async () => {
    if (served !== undefined) await stop(served);
    rmSync(home, { recursive: true, force: true });
  });

  it('the walkthrough works with ./.gatehouse, and after moving it and restarting elsewhere with an absolute --data-dir', async () => {
    served = await serve(project, []);
    await aws(served.url, 'create-function', '--function-name', 'GetHelloWithName', '--runtime', 'nodejs20.x',
      '--handler', 'index.handler', '--role', ROLE, '--zip-file', 'fileb://function.zip');
    assert.deepEqual(await invoke(served.url, 'GetHelloWithName', '{"name":"Gatehouse"}'), { Hello: 'Gatehouse' });
    // Two more functions whose records get rewritten below in the forms older versions stored.
    for (const name of ['OldRelative', 'OldAbsolute']) {
      await aws(served.url, 'create-function', '--function-name', name, '--runtime', 'nodejs20.x',
        '--handler', 'index.handler', '--role', ROLE, '--zip-file', 'fileb://function.zip');
    }
    await stop(served);
    served = undefined;

    const moved = join(home, 'elsewhere', 'gatehouse-data');
    mkdirSync(join(home, 'elsewhere'));
    renameSync(join(project, '.gatehouse'), moved);
    const store = openSqliteStore(moved);
    try {
      await store.write(PARTITION, async (tx) => {
        for (const [name, prefix] of [['OldRelative', '.gatehouse/lambda/code'], ['OldAbsolute', '/srv/old-place/gatehouse/lambda/code']] as const) {
          const fn = await tx.get<any>('lambda-function', '', name);
          assert.match(fn.code.blob, /^[0-9a-f]{64}$/, 'new records name a blob, not a path');
          assert.equal(fn.code.dir, undefined);
          // What those versions left on disk: the unpacked folder, the archive beside it.
          const key = `${PARTITION}/${name}/old-revision`;
          cpSync(join(moved, 'lambda', 'code', 'cache', fn.code.blob), join(moved, 'lambda', 'code', key), { recursive: true });
          copyFileSync(join(project, 'function.zip'), join(moved, 'lambda', 'code', `${key}.zip`));
          const dir = `${prefix}/${key}`;
          await tx.delete('lambda-code-ref', `${name}/${fn.code.revision}`, fn.code.blob);
          fn.code = { kind: 'zip', dir, zipPath: `${dir}.zip` };
          await tx.put('lambda-function', '', name, fn);
        }
      });
    } finally {
      await store.close();
    }

    const other = join(home, 'other-cwd');
    mkdirSync(other);
    served = await serve(other, ['--data-dir', moved]);
    assert.deepEqual(await invoke(served.url, 'GetHelloWithName', '{"name":"again"}'), { Hello: 'again' });
    assert.deepEqual(await invoke(served.url, 'OldRelative', '{"name":"relative"}'), { Hello: 'relative' });
    assert.deepEqual(await invoke(served.url, 'OldAbsolute', '{}'), { Hello: 'No-Name' });
    // GetFunction's Code.Location downloads the archive the old record named.
    const got = await aws(served.url, 'get-function', '--function-name', 'OldAbsolute');
    const archive = await fetch(got.Code.Location);
    assert.equal(archive.status, 200);
    assert.deepEqual(Buffer.from(await archive.arrayBuffer()), readFileSync(join(project, 'function.zip')));
    // Updating the code replaces an old record's location with a blob, and its folder goes.
    await aws(served.url, 'update-function-code', '--function-name', 'OldRelative', '--zip-file', 'fileb://function.zip');
    assert.deepEqual(await invoke(served.url, 'OldRelative', '{"name":"updated"}'), { Hello: 'updated' });
    const oldFolder = join(moved, 'lambda', 'code', PARTITION, 'OldRelative', 'old-revision');
    await until(() => !existsSync(oldFolder) && !existsSync(`${oldFolder}.zip`), 'the old folder to be removed');
  });
});
