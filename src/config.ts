// Gatehouse's configuration, parsed once at the edge (CLI flags, then GATEHOUSE_* variables,
// then defaults) and frozen. Nothing below this module reads process.env.
import { resolve as resolvePath } from 'node:path';

export interface GatehouseConfig {
  readonly host: string;
  readonly port: number;
  /** The audit trail of management calls (src/audit); false records nothing. */
  readonly auditTrail: boolean;
  /** Days the audit trail keeps its events (src/audit); CloudTrail's event history keeps 90. */
  readonly auditRetentionDays: number;
  /** CloudWatch metrics (src/metrics): aggregate every request and invocation per minute. */
  readonly cloudwatchMetrics: boolean;
  /** The HTTPS listener serving custom domain names by SNI (src/domains); -1 = none, 0 = any free port. */
  readonly httpsPort: number;
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
  /** Lambda: the only folder whose subfolders Code.S3Bucket "__local__" may name; '' = the option is off. */
  readonly lambdaLocalCodeRoot: string;
  /** Lambda: worker processes of all functions together, before invocations queue. */
  readonly lambdaMaxWorkers: number;
  /** Lambda: the sum of running workers' MemorySize, in MB, before invocations queue. */
  readonly lambdaMaxMemoryMb: number;
  /** Lambda: 'host' (functions reach the network, as on AWS) or 'none' (a network namespace of their own). */
  readonly lambdaNetwork: string;
  /** File that holds the process id while the server runs; '' = none. */
  readonly pidFile: string;
  /** Browser origins (comma-separated) that may call the management, Lambda and /_gatehouse APIs; '*' = any. */
  readonly allowOrigin: string;
  /** Host names (comma-separated) accepted besides the gateway's own addresses; '*' = any. */
  readonly allowHost: string;
  /** Open connections before new ones are refused; 0 = derived from the open-file limit. */
  readonly maxConnections: number;
  /** Seconds a client has to send a whole request, headers and body; 0 = no limit. */
  readonly requestTimeoutSeconds: number;
  /** PostgreSQL connection URL of the configuration store; '' = the embedded SQLite store in dataDir. */
  readonly postgres: string;
  /** Redis URL for the change feed's wake-ups and the hot path's shared state; '' = in-process state. */
  readonly redis: string;
  /** Processes serving the port (node:cluster); 1 = this process alone. */
  readonly workers: number;
  /** Caps every stage's response cache at this many MiB, whatever its cacheClusterSize; 0 = the size alone. */
  readonly stageCacheMaxMb: number;
  /** Access and execution log files are rotated at this many MiB (src/observe/log-files.ts). */
  readonly logFileMaxMb: number;
  /** Rotated log files kept per log group besides the current one. */
  readonly logFilesKept: number;
  /** Cognito user pool ARN → OIDC issuer URL pairs (`ARN=URL`, comma-separated) whose keys verify
   *  COGNITO_USER_POOLS authorizers' tokens; parseJwksIssuers reads them. '' = none. */
  readonly jwksIssuers: string;
  /** Account-level throttling: requests per second over all APIs of an account and region
   *  (GetAccount's throttleSettings.rateLimit); 0 = no account-level limit. */
  readonly accountRate: number;
  /** Account-level throttling: the token bucket's size (throttleSettings.burstLimit). */
  readonly accountBurst: number;
  /** SigV4 on the management, Lambda and AWS_IAM planes: 'open' reads signatures without verifying
   *  them, 'enforce' verifies them against `identities` and evaluates IAM policies (docs/iam.md).
   *  '' (the default) is resolved by parseConfig: open on a loopback address, enforce otherwise. */
  readonly auth: '' | 'open' | 'enforce';
  /** JSON or YAML file of accounts, users, roles, access keys and policies (src/iam/identities.ts); '' = none. */
  readonly identities: string;
  /** AWS integrations: the endpoint serving every AWS service (moto_server, LocalStack, a gateway to AWS); '' = none, and they answer 500. */
  readonly awsEndpoint: string;
  /** AWS integrations: `SERVICE=URL` pairs (comma-separated) sending one service elsewhere; parseAwsEndpointOverrides reads them. */
  readonly awsEndpointOverrides: string;
  /** AWS integrations: the access key id requests to AWS services are signed with. */
  readonly awsAccessKeyId: string;
  readonly awsSecretAccessKey: string;
}

export const DEFAULTS: GatehouseConfig = Object.freeze({
  host: '127.0.0.1',
  port: 4567,
  httpsPort: -1,
  cloudwatchMetrics: true,
  auditRetentionDays: 90,
  auditTrail: true,
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
  lambdaLocalCodeRoot: '',
  lambdaMaxWorkers: 32,
  lambdaMaxMemoryMb: 4096,
  lambdaNetwork: 'host',
  pidFile: '',
  allowOrigin: '',
  allowHost: '',
  maxConnections: 0,
  requestTimeoutSeconds: 30,
  postgres: '',
  redis: '',
  workers: 1,
  stageCacheMaxMb: 0,
  logFileMaxMb: 10,
  logFilesKept: 5,
  jwksIssuers: '',
  // AWS's current account-level defaults per region.
  accountRate: 10000,
  accountBurst: 5000,
  auth: '',
  identities: '',
  awsEndpoint: '',
  awsEndpointOverrides: '',
  // What moto_server and LocalStack accept.
  awsAccessKeyId: 'test',
  awsSecretAccessKey: 'test',
});

type Key = keyof GatehouseConfig;

/** flag name (without --) → config key and a one-line description for `--help`; the
 *  environment variable is GATEHOUSE_ + upper snake case unless `env` names it. Add a flag here and it is parsed,
 *  read from the environment and listed in `gatehouse serve --help`. */
const FLAGS: Record<string, { key: Key; help: string; env?: string }> = {
  host: { key: 'host', help: 'address to listen on (0.0.0.0 for every interface)' },
  port: { key: 'port', help: 'port for the management API, deployed APIs and the Lambda API (0 = any free port)' },
  'audit-trail': { key: 'auditTrail', help: 'record every management call in the audit trail (aws cloudtrail lookup-events); false records nothing' },
  'audit-retention-days': { key: 'auditRetentionDays', help: 'days the audit trail of management calls is kept (aws cloudtrail lookup-events; see docs/audit.md)' },
  'cloudwatch-metrics': { key: 'cloudwatchMetrics', help: 'aggregate requests and Lambda invocations per minute for the CloudWatch metrics API (AWS/ApiGateway, AWS/Lambda); false turns it off (see docs/metrics.md)' },
  'https-port': { key: 'httpsPort', help: 'also listen for HTTPS on this port, serving each custom domain name with its certificate by SNI (see docs/custom-domains.md; 0 = any free port)' },
  'data-dir': { key: 'dataDir', help: "folder of the embedded store and function code (':memory:' keeps nothing on disk)" },
  'account-id': { key: 'accountId', help: '12-digit AWS account id that requests act in' },
  region: { key: 'region', help: 'region used when a request carries no SigV4 credential scope' },
  'allow-reset': { key: 'allowReset', help: 'enable POST /_gatehouse/reset, which empties all state (for test suites)' },
  'log-level': { key: 'logLevel', help: 'silent, info (start-up, failures, and one line per request: the request log) or debug (diagnostics besides)' },
  'pid-file': { key: 'pidFile', help: 'write the server process id to this file while it runs (for scripts that stop it)' },
  'allow-origin': { key: 'allowOrigin', help: 'browser origin allowed to call the management, Lambda and /_gatehouse APIs (repeat or comma-separate; * = any); same-origin pages always may' },
  'allow-host': { key: 'allowHost', help: 'Host name to answer besides this machine\'s own addresses and {apiId}.execute-api.* (repeat or comma-separate; * = any)' },
  'max-connections': { key: 'maxConnections', help: 'open connections before new ones are refused (0 = half the open-file limit, at most 10000)' },
  'request-timeout-seconds': { key: 'requestTimeoutSeconds', help: 'seconds a client has to send a whole request, headers and body (0 = no limit)' },
  postgres: { key: 'postgres', help: 'keep the configuration in this PostgreSQL database (postgres://user@host:5432/db) instead of the embedded store; processes sharing it are one gateway' },
  redis: { key: 'redis', help: 'share changes and hot-path state (throttle buckets, quotas, caches) through this Redis (redis://host:6379)' },
  workers: { key: 'workers', help: 'processes serving the port together (node:cluster); 1 = this process alone' },
  'stage-cache-max-mb': { key: 'stageCacheMaxMb', help: 'cap each stage\'s response cache at this many MiB, whatever its cacheClusterSize (0 = the size alone, 0.5 GB and up)' },
  'log-file-max-mb': { key: 'logFileMaxMb', help: 'rotate each access and execution log file (<data-dir>/logs) at this many MiB' },
  'log-files-kept': { key: 'logFilesKept', help: 'rotated files kept per log group besides the current one (a group holds at most (kept + 1) x --log-file-max-mb)' },
  'account-rate': { key: 'accountRate', help: 'account-level throttling: requests per second over all APIs of an account and region (0 = no account-level limit)' },
  'account-burst': { key: 'accountBurst', help: 'account-level throttling: burst, the most requests admitted at once' },
  'jwks-issuer': {
    key: 'jwksIssuers',
    env: 'GATEHOUSE_JWKS_ISSUERS',
    help: 'USER_POOL_ARN=ISSUER_URL: verify tokens of that Cognito user pool against this OIDC issuer\'s keys (repeat or comma-separate; see docs/cognito.md)',
  },
  auth: { key: 'auth', help: 'open: accept any well-formed SigV4 signature, as emulators do; enforce: verify signatures and IAM policies against --identities (default: open on a loopback address, enforce otherwise; see docs/iam.md)' },
  identities: { key: 'identities', help: 'JSON or YAML file of accounts, users, roles, access keys and inline IAM policies that --auth enforce verifies against' },
  'aws-endpoint': { key: 'awsEndpoint', help: 'send AWS integrations (other than Lambda) to this endpoint, which serves every AWS service (moto_server, LocalStack); without one they answer 500 (see docs/aws-integrations.md)' },
  'aws-endpoint-override': {
    key: 'awsEndpointOverrides',
    env: 'GATEHOUSE_AWS_ENDPOINT_OVERRIDES',
    help: 'SERVICE=URL: send that service\'s AWS integrations to URL instead (repeat or comma-separate; --aws-endpoint-SERVICE URL says the same)',
  },
  'aws-access-key-id': { key: 'awsAccessKeyId', help: 'access key id AWS integrations are signed with (SigV4)' },
  'aws-secret-access-key': { key: 'awsSecretAccessKey', help: 'secret access key AWS integrations are signed with' },
  'lambda-concurrency': { key: 'lambdaConcurrency', help: 'worker processes per function before invocations queue' },
  'lambda-queue-size': { key: 'lambdaQueueSize', help: 'invocations that may wait per function before TooManyRequestsException' },
  'lambda-idle-seconds': { key: 'lambdaIdleSeconds', help: 'seconds an idle function worker stays warm' },
  'lambda-endpoint': { key: 'lambdaEndpoint', help: 'send Lambda invocations to this endpoint (SigV4-signed) instead of running them here' },
  'lambda-access-key-id': { key: 'lambdaAccessKeyId', help: 'access key id for --lambda-endpoint' },
  'lambda-secret-access-key': { key: 'lambdaSecretAccessKey', help: 'secret access key for --lambda-endpoint' },
  'lambda-local-code-root': { key: 'lambdaLocalCodeRoot', help: 'folder whose subfolders functions may use as code with S3Bucket __local__ (off when unset)' },
  'lambda-max-workers': { key: 'lambdaMaxWorkers', help: 'worker processes of all functions together before invocations queue' },
  'lambda-max-memory-mb': { key: 'lambdaMaxMemoryMb', help: 'sum of the running workers\' MemorySize (MB) before invocations queue' },
  'lambda-network': { key: 'lambdaNetwork', help: 'host: functions use the host\'s network; none: no network at all (see docs/lambda-sandbox.md)' },
};

/** Comma-separated lists; repeating the flag adds to the list. */
const LIST_KEYS: ReadonlySet<Key> = new Set<Key>(['allowOrigin', 'allowHost', 'jwksIssuers', 'awsEndpointOverrides']);

export class ConfigError extends Error {
  readonly code = 'GH_ERR_CONFIG';
}

function envName(flag: string): string {
  return FLAGS[flag]?.env ?? 'GATEHOUSE_' + flag.toUpperCase().replace(/-/g, '_');
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
    if (key === 'port' || key === 'httpsPort') {
      if (!Number.isInteger(n) || n < (key === 'httpsPort' ? -1 : 0) || n > 65535) throw new ConfigError(`${source}: expected a port number (0-65535), got '${raw}'`);
    } else if (key === 'workers') {
      if (!Number.isInteger(n) || n < 1 || n > 64) throw new ConfigError(`${source}: expected a number of processes from 1 to 64, got '${raw}'`);
    } else if (key === 'logFileMaxMb') {
      if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${source}: expected a whole number of MiB, 1 or more, got '${raw}'`);
    } else if (!Number.isInteger(n) || n < 0) {
      throw new ConfigError(`${source}: expected a whole number, got '${raw}'`);
    }
    return n;
  }
  if (typeof raw !== 'string') throw new ConfigError(`${source} needs a value`);
  if (key === 'accountId' && !/^\d{12}$/.test(raw)) throw new ConfigError(`${source}: an account id is 12 digits, got '${raw}'`);
  if (key === 'logLevel' && !['silent', 'info', 'debug'].includes(raw)) throw new ConfigError(`${source}: one of silent, info, debug`);
  if (key === 'auth' && !['open', 'enforce'].includes(raw)) throw new ConfigError(`${source}: open or enforce`);
  if (key === 'postgres' && raw !== '' && !/^postgres(ql)?:\/\//.test(raw)) throw new ConfigError(`${source}: a PostgreSQL URL (postgres://user@host:5432/database), got '${raw}'`);
  if (key === 'redis' && raw !== '' && !/^rediss?:\/\//.test(raw)) throw new ConfigError(`${source}: a Redis URL (redis://host:6379), got '${raw}'`);
  if (key === 'jwksIssuers') return [...parseJwksIssuers(raw, source)].map(([arn, url]) => `${arn}=${url}`).join(',');
  if (key === 'awsEndpoint' && raw !== '') checkEndpointUrl(raw, source);
  if (key === 'awsEndpointOverrides') return [...parseAwsEndpointOverrides(raw, source)].map(([service, url]) => `${service}=${url}`).join(',');
  return raw;
}

/** Parses `--flag value`, `--flag=value` and boolean `--flag`; unknown flags are an error. */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv, overrides: Partial<GatehouseConfig> = {}): GatehouseConfig {
  const out: Record<string, unknown> = { ...DEFAULTS };
  const given = new Set<Key>();
  for (const [flag, { key }] of Object.entries(FLAGS)) {
    const v = env[envName(flag)];
    if (v !== undefined) out[key] = coerce(key, v, envName(flag));
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    let flag = arg.slice(2, eq === -1 ? undefined : eq);
    // --aws-endpoint-SERVICE URL is --aws-endpoint-override SERVICE=URL: a flag per service
    // cannot be listed in FLAGS (every service is one), nor spelt as an environment variable for
    // services named with '.' or '-' (runtime.sagemaker, cognito-idp).
    let service = '';
    if (FLAGS[flag] === undefined && flag.startsWith(AWS_ENDPOINT_PREFIX) && flag.length > AWS_ENDPOINT_PREFIX.length) {
      service = flag.slice(AWS_ENDPOINT_PREFIX.length);
      flag = 'aws-endpoint-override';
    }
    const key = FLAGS[flag]?.key;
    if (key === undefined) throw new ConfigError(`unknown option --${flag} (gatehouse serve --help lists the options)`);
    let value: string | boolean;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (typeof DEFAULTS[key] === 'boolean') value = argv[i + 1] === 'true' || argv[i + 1] === 'false' ? argv[++i]! : true;
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw new ConfigError(`--${flag} needs a value`);
    if (service !== '') value = `${service}=${String(value)}`;
    const v = coerce(key, value, `--${flag}`);
    // List flags add up when repeated (--allow-origin A --allow-origin B).
    out[key] = LIST_KEYS.has(key) && given.has(key) ? `${out[key]},${v}` : v;
    given.add(key);
  }
  Object.assign(out, overrides);
  // Repeated --jwks-issuer flags (and the environment's list) are checked together: one pool, one issuer.
  if (out.jwksIssuers !== '') parseJwksIssuers(String(out.jwksIssuers));
  if (out.awsEndpointOverrides !== '') parseAwsEndpointOverrides(String(out.awsEndpointOverrides));
  // Every path is made absolute once, here: worker processes run in other folders, and a path
  // stored relative to the start-up folder would break after a restart from another one.
  if (out.dataDir !== ':memory:') out.dataDir = resolvePath(String(out.dataDir));
  if (out.pidFile !== '') out.pidFile = resolvePath(String(out.pidFile));
  if (out.lambdaLocalCodeRoot !== '') out.lambdaLocalCodeRoot = resolvePath(String(out.lambdaLocalCodeRoot));
  if (out.identities !== '') out.identities = resolvePath(String(out.identities));
  // A gateway only this machine can reach keeps the emulators' open door; any other is enforced.
  if (out.auth === '') out.auth = isLoopback(String(out.host)) ? 'open' : 'enforce';
  return Object.freeze(out as unknown as GatehouseConfig);
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopback(host: string): boolean {
  return /^(127(?:\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i.test(host);
}

// --jwks-issuer: a Cognito user pool ARN (as CreateAuthorizer accepts it in providerARNs) and the
// OIDC issuer whose keys sign that pool's tokens (its `iss`, e.g. https://cognito-idp.{region}.amazonaws.com/{pool id}).
const USER_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[a-z0-9-]+_[A-Za-z0-9]+$/;

/** `ARN=URL` pairs, separated by commas or white space, as a map from pool ARN to issuer URL.
 *  Throws a ConfigError naming `source` for a malformed pair or an ARN given two issuers. */
export function parseJwksIssuers(list: string, source = '--jwks-issuer'): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of list.split(/[\s,]+/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const arn = eq === -1 ? pair : pair.slice(0, eq);
    const url = eq === -1 ? '' : pair.slice(eq + 1);
    if (!USER_POOL_ARN.test(arn)) {
      throw new ConfigError(`${source}: expected USER_POOL_ARN=ISSUER_URL with a user pool ARN (arn:aws:cognito-idp:{region}:{account}:userpool/{pool id}), got '${pair}'`);
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(`${source}: ${arn} needs an issuer URL after '=' (http:// or https://), got '${url}'`);
    }
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search !== '' || parsed.hash !== '') {
      throw new ConfigError(`${source}: an issuer URL is http:// or https:// with no query or fragment, got '${url}'`);
    }
    const known = out.get(arn);
    if (known !== undefined && known !== url) throw new ConfigError(`${source}: ${arn} is given two issuers, ${known} and ${url}`);
    out.set(arn, url);
  }
  return out;
}

const AWS_ENDPOINT_PREFIX = 'aws-endpoint-';
// A service as integration URIs name it: s3, sqs, states, runtime.sagemaker, a bucket's mybucket.s3.
const AWS_SERVICE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkEndpointUrl(url: string, source: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${source}: an endpoint URL (http://host:port), got '${url}'`);
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search !== '' || parsed.hash !== '') {
    throw new ConfigError(`${source}: an endpoint URL is http:// or https:// with no query or fragment, got '${url}'`);
  }
}

/** `SERVICE=URL` pairs, separated by commas or white space, as a map from service to endpoint URL.
 *  Throws a ConfigError naming `source` for a malformed pair or a service given two endpoints. */
export function parseAwsEndpointOverrides(list: string, source = '--aws-endpoint-override'): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of list.split(/[\s,]+/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const service = eq === -1 ? pair : pair.slice(0, eq);
    const url = eq === -1 ? '' : pair.slice(eq + 1);
    if (!AWS_SERVICE.test(service)) throw new ConfigError(`${source}: expected SERVICE=URL with a service as integration URIs name it (s3, sqs, states), got '${pair}'`);
    checkEndpointUrl(url, `${source} ${service}`);
    const known = out.get(service);
    if (known !== undefined && known !== url) throw new ConfigError(`${source}: ${service} is given two endpoints, ${known} and ${url}`);
    out.set(service, url);
  }
  return out;
}

export function configHelp(): string {
  const rows = Object.entries(FLAGS).map(([flag, { key, help }]) => {
    const d = String(DEFAULTS[key]);
    return [`--${flag}`, `${help}${typeof DEFAULTS[key] === 'boolean' || d === '' ? '' : ` (default ${d})`}`, envName(flag)] as const;
  });
  const w0 = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([f, h, e]) => `  ${f.padEnd(w0)}  ${h}\n  ${''.padEnd(w0)}  env ${e}`).join('\n');
}
