// The `gatehouse` command.
import { rmSync, writeFileSync } from 'node:fs';
import { ConfigError, configHelp, parseConfig } from '../config.ts';
import { iamFor } from '../iam/index.ts';
import { configureLog, log, releaseLog } from '../observe/log.ts';
import { startGatehouse, startGatehouseCluster, VERSION } from '../server.ts';
import { announceListening, isClusterWorker } from '../cluster.ts';
import { youngGenerationAdvice } from '../heap.ts';
import { checkDataDir, checkPortFree, StartupError } from '../startup.ts';
import { CliError, exportCommand, EXPORT_USAGE, importCommand, IMPORT_USAGE } from '../openapi/cli.ts';
import { corsCommand, CORS_USAGE } from './cors.ts';
import { sdkCommand, SDK_USAGE } from './sdk.ts';
import { certsCommand, CERTS_USAGE } from './certs.ts';

const USAGE = `Usage: gatehouse <command> [options]

An API gateway that behaves like Amazon API Gateway (REST APIs).

Commands:
  serve             run the gateway (management API, deployed APIs, Lambda API) on one port
  import FILE       import a Swagger/OpenAPI definition into a running gateway
  export API STAGE  write a deployed stage's definition as Swagger/OpenAPI
  cors API          enable CORS on an API as the console's "Enable CORS" does (then deploy)
  sdk API STAGE     generate a client SDK of a stage (javascript or typescript) into a folder
  certs import|list import a certificate for custom domain names (ACM), or list them
  help [COMMAND]    show this help, or a command's options
  version           print the version

Options:
  -h, --help        show help (also after a command: gatehouse serve --help)
  -v, --version     print the version

For scripts: \`node bin/gatehouse.js serve --pid-file gatehouse.pid\` runs the server as the
process itself, so \`kill $(cat gatehouse.pid)\` stops it (an \`npx\` wrapper would survive as
a parent).
`;

const SERVE_USAGE = `Usage: gatehouse serve [options]

Runs the gateway: the management API at AWS's paths (/restapis, /apikeys, ...), deployed APIs
(http://{api}.execute-api.localhost:PORT/{stage}/... and /restapis/{api}/{stage}/_user_request_/...),
the Lambda API (/2015-03-31/functions) and /_gatehouse/health. SIGTERM or SIGINT stops it.

Options (each also as the environment variable shown; flags win):
${configHelp()}
  -h, --help
      show this help
`;

const COMMAND_HELP: Record<string, string> = { serve: SERVE_USAGE, import: IMPORT_USAGE, export: EXPORT_USAGE, cors: CORS_USAGE, sdk: SDK_USAGE, certs: CERTS_USAGE };
const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = { import: importCommand, export: exportCommand, cors: corsCommand, sdk: sdkCommand, certs: certsCommand };

function isHelp(arg: string | undefined): boolean {
  return arg === '--help' || arg === '-h' || arg === 'help';
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (command === 'help') {
    const topic = rest[0];
    if (topic === undefined) process.stdout.write(USAGE);
    else if (COMMAND_HELP[topic] !== undefined) process.stdout.write(COMMAND_HELP[topic]);
    else throw new ConfigError(`unknown command '${topic}'; commands: serve, import, export, cors, sdk, certs (gatehouse --help)`);
    return;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(VERSION + '\n');
    return;
  }
  if (Object.hasOwn(COMMANDS, command)) {
    if (rest.some((a) => a === '--help' || a === '-h')) {
      process.stdout.write(COMMAND_HELP[command]!);
      return;
    }
    try {
      await COMMANDS[command]!(rest);
    } catch (err) {
      if (err instanceof CliError) throw new Error(`gatehouse ${command}: ${err.message}`);
      throw err;
    }
    return;
  }
  if (command !== 'serve') {
    throw new ConfigError(`unknown command '${command}'; commands: serve, import, export, cors, sdk, certs (gatehouse --help)`);
  }
  if (rest.some(isHelp)) {
    process.stdout.write(SERVE_USAGE);
    return;
  }
  await serve(rest);
}

async function serve(argv: string[]): Promise<void> {
  const config = parseConfig(argv, process.env);
  configureLog(config.logLevel, { holdUntilStarted: true });
  const worker = isClusterWorker();
  // Signals are taken before the start-up line is printed: a script that reads that line and
  // stops the server at once must find the handler in place, not Node's default (instant death).
  let running: { url: string; close(): Promise<void> } | undefined;
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    if (!worker) log().info(`${why}, stopping`);
    const done = (code: number) => {
      if (config.pidFile !== '' && !worker) rmSync(config.pidFile, { force: true });
      process.exit(code);
    };
    if (running === undefined) done(0);
    else running.close().then(() => done(0), () => done(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (worker) {
    // A worker lives as long as its primary: kill -9 of the primary closes the IPC channel.
    process.on('disconnect', () => stop('primary exited'));
    const gatehouse = await startGatehouse(config, { role: 'worker' });
    running = gatehouse;
    if (stopping) return gatehouse.close();
    announceListening(gatehouse.url);
    releaseLog();
    return;
  }
  // npm and npx do not pass SIGTERM on to the script they run: `npx gatehouse serve &` then
  // `kill $!` would leave this process serving, adopted by PID 1. Under npm (it sets
  // npm_execpath), losing the parent means someone stopped it, so stop too. Started any other
  // way (a service manager, nohup, setsid), the server never watches its parent.
  if (process.env.npm_execpath !== undefined) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) stop('npm exited');
    }, 500).unref();
  }

  // Checked in this order so that a busy port or an unusable folder creates nothing on disk.
  if (config.dataDir !== ':memory:') checkDataDir(config.dataDir);
  await checkPortFree(config.host, config.port);
  // The --workers primary serves no request; its workers get the full young generation (cluster.ts).
  const advice = config.workers > 1 ? undefined : youngGenerationAdvice();
  if (advice !== undefined) log().warn(advice);
  running = config.workers > 1 ? await startGatehouseCluster(config) : await startGatehouse(config);
  if (stopping) {
    await running.close();
    return;
  }
  if (config.pidFile !== '') {
    try {
      writeFileSync(config.pidFile, `${process.pid}\n`);
    } catch (err) {
      await running.close();
      throw new StartupError(`cannot write --pid-file ${config.pidFile} (${(err as NodeJS.ErrnoException).code ?? err}); choose a writable path`);
    }
  }
  if (config.logLevel !== 'silent') {
    // The first line stays plain text on stdout: scripts and tests read the URL from it.
    const store = config.postgres !== '' ? `store: PostgreSQL, data: ${config.dataDir}` : `data: ${config.dataDir}`;
    const workers = config.workers > 1 ? `, ${config.workers} workers` : '';
    // --auth: in enforce mode the accounts are the identities' (docs/iam.md).
    const iam = iamFor(config);
    const who = iam.mode === 'open' ? `account ${config.accountId}, auth open` : `auth enforce, ${iam.identities.byAccessKey.size} access keys in ${iam.identities.accounts.length} accounts`;
    const httpsUrl = (running as { httpsUrl?: string }).httpsUrl ?? (config.httpsPort > 0 ? `https://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.httpsPort}` : undefined);
    const https = httpsUrl === undefined ? '' : `, custom domain names on ${httpsUrl}`;
    process.stdout.write(`gatehouse ${VERSION} serving ${running.url} (${store}, ${who}${workers}${https}, pid ${process.pid})\n`);
  }
  releaseLog();
}

/** Errors a user can act on are printed as their one line; anything else is a bug with a stack. */
export function describeFailure(err: unknown): string {
  if (err instanceof ConfigError || err instanceof StartupError) return `gatehouse: ${err.message}`;
  if (err instanceof Error && err.message.startsWith('gatehouse ')) return err.message;
  return `gatehouse: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}
