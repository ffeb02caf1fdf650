// bench/access.ts's Cognito rows: a COGNITO_USER_POOLS authorizer whose pool --jwks-issuer maps
// to a node:http JWKS server in the bench process (asked once), and RS256 ID tokens signed by it.
//   cognito-remembered  every request with one token: verified once, then found in the memo;
//   cognito-verified    12,000 distinct tokens in turn, more than the memo holds (10,000), so
//                       every request costs a signature check.
// Import it, start the gateway with `jwksIssuers: cognitoBench.jwksIssuers`, add
// `...cognitoBench.cases` to the case table, and `cognitoBench.close()` at the end.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateAuthorizerCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/** The part of bench/access.ts's BenchEnv these cases use. */
interface CognitoBenchEnv {
  readonly client: APIGatewayClient;
  readonly restApiId: string;
  mockMethod(pathPart: string, auth: { authorizationType: string; authorizerId?: string }): Promise<void>;
}

interface CognitoBenchCase {
  readonly name: string;
  setup(env: CognitoBenchEnv): Promise<{ pathPart: string; headers: readonly Record<string, string>[] }>;
}

const POOL = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Bench';
const DISTINCT_TOKENS = 12_000;

async function startCognitoBench() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/pool/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pool`;
  const now = Math.floor(Date.now() / 1000);
  const mint = (i: number): Promise<string> =>
    new SignJWT({ sub: `user-${i}`, aud: 'bench-client', token_use: 'id', email: `user-${i}@example.com`, 'cognito:username': `user-${i}`, iss: issuer, iat: now, exp: now + 3600 })
      .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
      .sign(privateKey);

  let authorizerId: Promise<string> | undefined;
  const authorizer = (env: CognitoBenchEnv): Promise<string> =>
    (authorizerId ??= env.client
      .send(new CreateAuthorizerCommand({ restApiId: env.restApiId, name: 'cognito', type: 'COGNITO_USER_POOLS', providerARNs: [POOL], identitySource: 'method.request.header.Authorization' }))
      .then((a) => a.id!));

  const cases: CognitoBenchCase[] = [
    {
      name: 'cognito-remembered',
      async setup(env) {
        await env.mockMethod('cognito', { authorizationType: 'COGNITO_USER_POOLS', authorizerId: await authorizer(env) });
        return { pathPart: 'cognito', headers: [{ authorization: await mint(0) }] };
      },
    },
    {
      name: 'cognito-verified',
      async setup(env) {
        await env.mockMethod('cognito-many', { authorizationType: 'COGNITO_USER_POOLS', authorizerId: await authorizer(env) });
        const headers: Record<string, string>[] = [];
        for (let i = 0; i < DISTINCT_TOKENS; i++) headers.push({ authorization: await mint(i) });
        return { pathPart: 'cognito-many', headers };
      },
    },
  ];

  return {
    jwksIssuers: `${POOL}=${issuer}`,
    cases,
    /** Times the gateway fetched the key set (once per process is right). */
    fetches: () => fetches,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export const cognitoBench = await startCognitoBench();
