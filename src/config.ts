// Gatehouse's configuration, parsed once at the edge (CLI flags, then GATEHOUSE_* variables,
// then defaults) and frozen. Nothing below this module reads process.env.
import { resolve as resolvePath } from 'node:path';

export interface GatehouseConfig {
  readonly host: string;
  readonly port: number;
  /** Folder of the embedded store; ':memory:' keeps everything in memory (tests). */
  readonly dataDir: string;
  /** Account used when a request's credentials do not name one (AWS has no such default). */
  readonly accountId: string;
  /** Region used when a request carries no SigV4 credential scope. */
  readonly region: string;
  readonly allowReset: boolean;
  readonly logLevel: 'silent' | 'info' | 'debug';
  /** Lambda: worker processes per function before invocations queue. */
  readonly lambdaConcurrency: number;
  /** Lambda: invocations that may wait per function before TooManyRequestsException. */
  readonly lambdaQueueSize: number;
  /** Lambda: seconds an idle worker stays warm. */
  readonly lambdaIdleSeconds: number;
  /** Lambda: send invoke() to this Lambda endpoint (SigV4-signed) instead of running locally; '' = local. */
  readonly lambdaEndpoint: string;
  readonly lambdaAccessKeyId: string;
  readonly lambdaSecretAccessKey: string;
}

export const DEFAULTS: GatehouseConfig = Object.freeze({
  host: '127.0.0.1',
  port: 4567,
  dataDir: './.gatehouse',
  accountId: '000000000000',
  region: 'us-east-1',
  allowReset: false,
  logLevel: 'info',
  lambdaConcurrency: 10,
  lambdaQueueSize: 100,
  lambdaIdleSeconds: 300,
  lambdaEndpoint: '',
  lambdaAccessKeyId: '',
  lambdaSecretAccessKey: '',
});

type Key = keyof GatehouseConfig;

/** flag name (without --) → config key; the environment variable is GATEHOUSE_ + upper snake case. */
const FLAGS: Record<string, Key> = {
  host: 'host',
  port: 'port',
  'data-dir': 'dataDir',
  'account-id': 'accountId',
  region: 'region',
  'allow-reset': 'allowReset',
  'log-level': 'logLevel',
  'lambda-concurrency': 'lambdaConcurrency',
  'lambda-queue-size': 'lambdaQueueSize',
  'lambda-idle-seconds': 'lambdaIdleSeconds',
  'lambda-endpoint': 'lambdaEndpoint',
  'lambda-access-key-id': 'lambdaAccessKeyId',
  'lambda-secret-access-key': 'lambdaSecretAccessKey',
};

export class ConfigError extends Error {
  readonly code = 'GH_ERR_CONFIG';
}

function envName(flag: string): string {
  return 'GATEHOUSE_' + flag.toUpperCase().replace(/-/g, '_');
}

function coerce(key: Key, raw: string | boolean, source: string): unknown {
  const kind = typeof DEFAULTS[key];
  if (kind === 'boolean') {
    if (raw === true) return true;
    const v = String(raw).toLowerCase();
    if (v === 'true' || v === '1' || v === 'yes' || v === '') return true;
    if (v === 'false' || v === '0' || v === 'no') return false;
    throw new ConfigError(`${source}: expected true or false, got '${raw}'`);
  }
  if (kind === 'number') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${source}: expected a port number, got '${raw}'`);
    return n;
  }
  if (typeof raw !== 'string') throw new ConfigError(`${source} needs a value`);
  if (key === 'accountId' && !/^\d{12}$/.test(raw)) throw new ConfigError(`${source}: an account id is 12 digits, got '${raw}'`);
  if (key === 'logLevel' && !['silent', 'info', 'debug'].includes(raw)) throw new ConfigError(`${source}: one of silent, info, debug`);
  return raw;
}

/** Parses `--flag value`, `--flag=value` and boolean `--flag`; unknown flags are an error. */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv, overrides: Partial<GatehouseConfig> = {}): GatehouseConfig {
  const out: Record<string, unknown> = { ...DEFAULTS };
  for (const [flag, key] of Object.entries(FLAGS)) {
    const v = env[envName(flag)];
    if (v !== undefined) out[key] = coerce(key, v, envName(flag));
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const flag = arg.slice(2, eq === -1 ? undefined : eq);
    const key = FLAGS[flag];
    if (key === undefined) throw new ConfigError(`unknown option --${flag}`);
    let value: string | boolean;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (typeof DEFAULTS[key] === 'boolean') value = argv[i + 1] === 'true' || argv[i + 1] === 'false' ? argv[++i]! : true;
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw new ConfigError(`--${flag} needs a value`);
    out[key] = coerce(key, value, `--${flag}`);
  }
  Object.assign(out, overrides);
  // Every path is made absolute once, here: worker processes run in other folders, and a path
  // stored relative to the start-up folder would break after a restart from another one.
  if (out.dataDir !== ':memory:') out.dataDir = resolvePath(String(out.dataDir));
  return Object.freeze(out as unknown as GatehouseConfig);
}

export function configHelp(): string {
  const rows = Object.entries(FLAGS).map(([flag, key]) => [`--${flag}`, envName(flag), String(DEFAULTS[key])] as const);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([f, e, d]) => `  ${f.padEnd(w0)}  ${e.padEnd(w1)}  default: ${d === '' ? '(none)' : d}`).join('\n');
}
