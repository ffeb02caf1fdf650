// The identities a gateway in enforce mode knows: accounts, their users and roles, access keys
// (with session tokens for role sessions) and inline IAM policies, read once at start from
// --identities FILE (JSON or YAML) and indexed by access key id.
//
//   accounts:
//     "111111111111":
//       root:                                   # the account's root user: may do anything in its account
//         accessKeys: [{ accessKeyId: AKIA..., secretAccessKey: ... }]
//       users:
//         alice:
//           accessKeys: [{ accessKeyId: AKIA..., secretAccessKey: ..., status: Active }]
//           policies:                           # inline policies, by name
//             deploy: { Version: "2012-10-17", Statement: [...] }
//       roles:
//         deployer:
//           policies: { ... }
//           sessions:                           # temporary credentials of the role's sessions
//             - { name: ci, accessKeyId: ASIA..., secretAccessKey: ..., sessionToken: ..., expiration: 2030-01-01T00:00:00Z }
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parsePolicy, PolicyError, type CallerPrincipal, type Policy } from './policy.ts';

export class IdentitiesError extends Error {
  readonly code = 'GH_ERR_IDENTITIES';
}

export type IdentityKind = 'root' | 'user' | 'role-session';

/** One access key and everything a request signed with it is: its secret, its principal, its policies. */
export interface Identity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Role sessions only: the x-amz-security-token a request must carry. */
  readonly sessionToken: string | null;
  /** Role sessions only: when the credentials stop working (ms since the epoch); null = never. */
  readonly expiration: number | null;
  /** A user's key may be Inactive: AWS refuses it as it refuses an unknown key. */
  readonly active: boolean;
  readonly kind: IdentityKind;
  readonly principal: CallerPrincipal;
  /** $context.identity.caller and .user: the user's unique id, ROLEID:session, or the account id for root. */
  readonly callerId: string;
  /** The identity's policies, compiled; the root user's allow everything. */
  readonly policies: readonly Policy[];
  /** Whether any of them has a Condition: only then are a request's condition keys gathered. */
  readonly conditional: boolean;
}

export interface Identities {
  /** By access key id: the only lookup the hot path makes. */
  readonly byAccessKey: ReadonlyMap<string, Identity>;
  readonly accounts: readonly string[];
}

export const NO_IDENTITIES: Identities = Object.freeze({ byAccessKey: new Map(), accounts: [] });

const ALLOW_ALL = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, 'identity');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const ACCOUNT = /^\d{12}$/;
const ACCESS_KEY_ID = /^[A-Za-z0-9]{3,128}$/;
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** Reads and checks an identities file; every problem is an IdentitiesError naming where it is. */
export function loadIdentities(file: string): Identities {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new IdentitiesError(`--identities ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseIdentities(text, file);
}

export function parseIdentities(text: string, source: string): Identities {
  let doc: unknown;
  try {
    // YAML is a superset of JSON: one parser reads both.
    doc = parseYaml(text, { prettyErrors: false });
  } catch (err) {
    throw new IdentitiesError(`${source}: not valid JSON or YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const fail = (where: string, what: string): never => {
    throw new IdentitiesError(`${source}: ${where}: ${what}`);
  };
  if (!isObject(doc) || !isObject(doc.accounts)) fail('top level', 'expected an object with "accounts" (account id → users, roles, root)');
  const byAccessKey = new Map<string, Identity>();
  const accounts: string[] = [];

  const add = (where: string, identity: Omit<Identity, 'conditional'>): void => {
    if (byAccessKey.has(identity.accessKeyId)) fail(where, `access key ${identity.accessKeyId} appears more than once`);
    const conditional = identity.policies.some((p) => p.statements.some((s) => s.condition !== null));
    byAccessKey.set(identity.accessKeyId, { ...identity, conditional });
  };

  for (const [accountId, account] of Object.entries((doc as { accounts: Record<string, unknown> }).accounts)) {
    const at = `accounts.${accountId}`;
    if (!ACCOUNT.test(accountId)) fail(at, 'an account id is 12 digits (quote it in YAML)');
    if (!isObject(account)) fail(at, 'expected an object with root, users and roles');
    const acc = account as Record<string, unknown>;
    for (const key of Object.keys(acc)) if (key !== 'root' && key !== 'users' && key !== 'roles') fail(at, `unknown entry "${key}" (root, users, roles)`);
    accounts.push(accountId);

    if (acc.root !== undefined) {
      const rootAt = `${at}.root`;
      if (!isObject(acc.root)) fail(rootAt, 'expected an object with accessKeys');
      for (const key of readKeys(acc.root as Record<string, unknown>, rootAt, fail)) {
        add(rootAt, {
          ...key,
          sessionToken: null,
          expiration: null,
          kind: 'root',
          principal: { accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId },
          callerId: accountId,
          policies: [ALLOW_ALL],
        });
      }
    }

    for (const [name, user] of entries(acc.users, `${at}.users`, fail)) {
      const userAt = `${at}.users.${name}`;
      if (!IAM_NAME.test(name)) fail(userAt, 'a user name is 1-64 letters, digits and +=,.@_-');
      for (const k of Object.keys(user)) if (k !== 'accessKeys' && k !== 'policies') fail(userAt, `unknown entry "${k}" (accessKeys, policies)`);
      const policies = readPolicies(user.policies, `${userAt}.policies`, fail);
      const userId = uniqueId('AIDA', `${accountId}:user/${name}`);
      for (const key of readKeys(user, userAt, fail)) {
        add(userAt, {
          ...key,
          sessionToken: null,
          expiration: null,
          kind: 'user',
          principal: { accountId, arn: `arn:aws:iam::${accountId}:user/${name}`, userId, userName: name },
          callerId: userId,
          policies,
        });
      }
    }

    for (const [name, role] of entries(acc.roles, `${at}.roles`, fail)) {
      const roleAt = `${at}.roles.${name}`;
      if (!IAM_NAME.test(name)) fail(roleAt, 'a role name is 1-64 letters, digits and +=,.@_-');
      for (const k of Object.keys(role)) if (k !== 'sessions' && k !== 'policies') fail(roleAt, `unknown entry "${k}" (sessions, policies)`);
      const policies = readPolicies(role.policies, `${roleAt}.policies`, fail);
      const roleId = uniqueId('AROA', `${accountId}:role/${name}`);
      const sessions = role.sessions ?? [];
      if (!Array.isArray(sessions)) fail(`${roleAt}.sessions`, 'expected a list of sessions');
      (sessions as unknown[]).forEach((s, i) => {
        const sAt = `${roleAt}.sessions[${i}]`;
        if (!isObject(s)) fail(sAt, 'expected { name, accessKeyId, secretAccessKey, sessionToken }');
        const session = s as Record<string, unknown>;
        const sessionName = session.name;
        if (typeof sessionName !== 'string' || !SESSION_NAME.test(sessionName)) fail(sAt, 'name: 2-64 letters, digits and +=,.@_-');
        const key = readKey(session, sAt, ['name', 'sessionToken', 'expiration'], fail);
        if (typeof session.sessionToken !== 'string' || session.sessionToken === '') fail(sAt, 'sessionToken: a role session\'s credentials carry a session token');
        let expiration: number | null = null;
        if (session.expiration !== undefined) {
          const raw = session.expiration instanceof Date ? session.expiration.getTime() : typeof session.expiration === 'string' ? Date.parse(session.expiration) : NaN;
          if (Number.isNaN(raw)) fail(sAt, 'expiration: an ISO 8601 date and time');
          expiration = raw;
        }
        add(sAt, {
          ...key,
          sessionToken: session.sessionToken as string,
          expiration,
          kind: 'role-session',
          principal: {
            accountId,
            arn: `arn:aws:sts::${accountId}:assumed-role/${name}/${sessionName as string}`,
            roleArn: `arn:aws:iam::${accountId}:role/${name}`,
            userId: `${roleId}:${sessionName as string}`,
          },
          callerId: `${roleId}:${sessionName as string}`,
          policies,
        });
      });
    }
  }
  return { byAccessKey, accounts };
}

type Fail = (where: string, what: string) => never;

function entries(raw: unknown, where: string, fail: Fail): Array<[string, Record<string, unknown>]> {
  if (raw === undefined) return [];
  if (!isObject(raw)) fail(where, 'expected an object of names');
  return Object.entries(raw as Record<string, unknown>).map(([name, v]) => {
    if (!isObject(v)) fail(`${where}.${name}`, 'expected an object');
    return [name, v as Record<string, unknown>];
  });
}

function readKeys(owner: Record<string, unknown>, where: string, fail: Fail): Array<{ accessKeyId: string; secretAccessKey: string; active: boolean }> {
  const keys = owner.accessKeys;
  if (!Array.isArray(keys) || keys.length === 0) fail(`${where}.accessKeys`, 'expected a list of { accessKeyId, secretAccessKey }');
  return (keys as unknown[]).map((k, i) => {
    if (!isObject(k)) fail(`${where}.accessKeys[${i}]`, 'expected { accessKeyId, secretAccessKey }');
    return readKey(k as Record<string, unknown>, `${where}.accessKeys[${i}]`, ['status'], fail);
  });
}

function readKey(raw: Record<string, unknown>, where: string, extra: readonly string[], fail: Fail): { accessKeyId: string; secretAccessKey: string; active: boolean } {
  for (const k of Object.keys(raw)) {
    if (k !== 'accessKeyId' && k !== 'secretAccessKey' && !extra.includes(k)) fail(where, `unknown entry "${k}"`);
  }
  const { accessKeyId, secretAccessKey, status } = raw;
  if (typeof accessKeyId !== 'string' || !ACCESS_KEY_ID.test(accessKeyId)) fail(where, 'accessKeyId: 3-128 letters and digits');
  if (typeof secretAccessKey !== 'string' || secretAccessKey.length < 1) fail(where, 'secretAccessKey: required');
  if (status !== undefined && status !== 'Active' && status !== 'Inactive') fail(where, 'status: Active or Inactive');
  return { accessKeyId: accessKeyId as string, secretAccessKey: secretAccessKey as string, active: status !== 'Inactive' };
}

function readPolicies(raw: unknown, where: string, fail: Fail): Policy[] {
  if (raw === undefined) return [];
  if (!isObject(raw)) fail(where, 'expected an object of policy name → policy document');
  return Object.entries(raw as Record<string, unknown>).map(([name, doc]) => {
    try {
      return parsePolicy(doc, 'identity');
    } catch (err) {
      if (err instanceof PolicyError) fail(`${where}.${name}`, err.message);
      throw err;
    }
  });
}

/** A stable unique id in AWS's shape (AIDA... for users, AROA... for roles): 21 characters. */
function uniqueId(prefix: string, name: string): string {
  const digest = createHash('sha256').update(name).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = prefix;
  for (let i = 0; out.length < 21; i++) out += alphabet[digest[i]! % 32];
  return out;
}
