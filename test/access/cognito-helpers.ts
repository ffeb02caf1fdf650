// A local OIDC issuer for the Cognito authorizer tests: a node:http server publishing RSA keys
// made with jose (its JWKS at {issuer}/.well-known/jwks.json, as Cognito publishes them, and
// optionally a discovery document), and real JWTs signed with those keys. Methods behind a
// COGNITO_USER_POOLS authorizer are built through the AWS SDK like any other.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateAuthorizerCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

export async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export interface TestIssuer {
  /** The issuer URL, what tokens carry in `iss`. */
  readonly issuer: string;
  /** Keys currently published; replace the array's contents to rotate. */
  readonly published: SigningKey[];
  /** Requests for the key set so far. */
  jwksFetches(): number;
  discoveryFetches(): number;
  close(): Promise<void>;
}

/**
 * An issuer at http://127.0.0.1:{port}/{path}. With `discovery`, it also serves
 * /.well-known/openid-configuration naming its keys at another address ({issuer}/keys).
 */
export async function startIssuer(path: string, keys: SigningKey[], options: { discovery?: boolean } = {}): Promise<TestIssuer> {
  const published = [...keys];
  let jwks = 0;
  let discovery = 0;
  let issuer = '';
  const keysPath = options.discovery === true ? `/${path}/keys` : `/${path}/.well-known/jwks.json`;
  const server: Server = createServer((req, res) => {
    if (req.url === keysPath) {
      jwks++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
    } else if (options.discovery === true && req.url === `/${path}/.well-known/openid-configuration`) {
      discovery++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${path}`;
  return {
    issuer,
    published,
    jwksFetches: () => jwks,
    discoveryFetches: () => discovery,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** A signed JWT: `claims` over defaults (iss, iat, exp in an hour); `expiresIn` in seconds may be negative. */
export async function mint(key: SigningKey, issuer: string, claims: JWTPayload, options: { expiresIn?: number; kid?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: issuer, iat: now, exp: now + (options.expiresIn ?? 3600), ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid })
    .sign(key.privateKey);
}

/** A user pool's ID token as Cognito issues one. */
export function idClaims(sub: string, extra: JWTPayload = {}): JWTPayload {
  return {
    sub, aud: '7ekqd0ab3example', token_use: 'id', 'cognito:username': sub, email: `${sub}@example.com`, email_verified: true,
    auth_time: 1700000000, event_id: 'b6e9f3a2-0c5e-4f5e-9d2d-3c1d0e1f2a3b', ...extra,
  };
}

/** A user pool's access token as Cognito issues one (no aud; client_id and scope). */
export function accessClaims(sub: string, scope: string, extra: JWTPayload = {}): JWTPayload {
  return { sub, client_id: '7ekqd0ab3example', token_use: 'access', scope, username: sub, auth_time: 1700000000, ...extra };
}

export function poolArn(id: string, region = 'us-east-1', account = '123456789012'): string {
  return `arn:aws:cognito-idp:${region}:${account}:userpool/${region}_${id}`;
}

export async function cognitoAuthorizer(
  client: APIGatewayClient,
  restApiId: string,
  name: string,
  providerARNs: string[],
  extra: { identitySource?: string; identityValidationExpression?: string } = {},
): Promise<string> {
  const a = await client.send(new CreateAuthorizerCommand({
    restApiId, name, type: 'COGNITO_USER_POOLS', providerARNs, identitySource: extra.identitySource ?? 'method.request.header.Authorization',
    identityValidationExpression: extra.identityValidationExpression,
  }));
  return a.id!;
}

/** A MOCK method behind the authorizer that answers 200 with `template` (mapping $context.authorizer.claims). */
export async function guardedMock(
  client: APIGatewayClient,
  ids: { restApiId: string; resourceId: string; httpMethod?: string },
  authorizerId: string,
  template: string,
  authorizationScopes?: string[],
): Promise<void> {
  const key = { restApiId: ids.restApiId, resourceId: ids.resourceId, httpMethod: ids.httpMethod ?? 'GET' };
  await client.send(new PutMethodCommand({ ...key, authorizationType: 'COGNITO_USER_POOLS', authorizerId, authorizationScopes }));
  await client.send(new PutIntegrationCommand({ ...key, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
  await client.send(new PutMethodResponseCommand({ ...key, statusCode: '200' }));
  await client.send(new PutIntegrationResponseCommand({ ...key, statusCode: '200', responseTemplates: { 'application/json': template } }));
}
