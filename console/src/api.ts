// The console's only way to the gateway: the public management API, through the same AWS SDK
// clients a script would use, signed with the credentials the user typed in (kept in this tab's
// sessionStorage only). Nothing here talks to any other origin.
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
}

const KEY = 'gatehouse.console.credentials';

export function loadCredentials(): Credentials | null {
  const raw = sessionStorage.getItem(KEY);
  if (raw === null) return null;
  try {
    const c = JSON.parse(raw) as Credentials;
    return c.accessKeyId && c.secretAccessKey && c.region ? c : null;
  } catch {
    return null;
  }
}

export function saveCredentials(c: Credentials | null): void {
  if (c === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(c));
  clients = null;
}

let clients: { apigateway: APIGatewayClient; lambda: LambdaClient; cloudwatch: CloudWatchClient } | null = null;

/** The SDK client for the management API at this page's own origin. */
export function apigateway(): APIGatewayClient {
  return sdk().apigateway;
}

/** The SDK client for the built-in Lambda service, at the same origin. */
export function lambda(): LambdaClient {
  return sdk().lambda;
}

/** The CloudWatch client for the metrics API, at the same origin. */
export function cloudwatch(): CloudWatchClient {
  return sdk().cloudwatch;
}

function sdk(): { apigateway: APIGatewayClient; lambda: LambdaClient; cloudwatch: CloudWatchClient } {
  if (clients === null) {
    const c = loadCredentials();
    if (c === null) throw new Error('Sign in first: the console signs its calls with your credentials');
    const credentials = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
    clients = {
      apigateway: new APIGatewayClient({ region: c.region, endpoint: window.location.origin, credentials, maxAttempts: 1 }),
      lambda: new LambdaClient({ region: c.region, endpoint: window.location.origin, credentials, maxAttempts: 1 }),
      cloudwatch: new CloudWatchClient({ region: c.region, endpoint: window.location.origin, credentials, maxAttempts: 1 }),
    };
  }
  return clients;
}

/** AWS's error as the user should read it: its code and message, as the CLI prints them. */
export function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${name}${e?.message ?? String(err)}`;
}
