// MOCK: API Gateway answers by itself. The request template's output is JSON whose statusCode
// selects the integration response; with no template (empty payload) it is 200.
import { configurationError } from '../execute/errors.ts';
import type { EndpointResponse, Integration } from './index.ts';

const EMPTY = Buffer.alloc(0);

export const mockIntegration: Integration = {
  // Synchronous: a MOCK method is answered within the turn that read its request.
  invoke(req) {
    return { statusCode: mockStatusCode(req.body), headers: {}, body: EMPTY } satisfies EndpointResponse;
  },
};

// A method's request template usually renders the same text every time ({"statusCode": 200}):
// the last text and its answer are kept, so a repeat costs a comparison instead of a JSON parse.
let lastPayload: Buffer | null = null;
let lastCode = 200;

export function mockStatusCode(payload: Buffer): number {
  if (lastPayload !== null && payload.length === lastPayload.length && payload.equals(lastPayload)) return lastCode;
  const code = parseStatusCode(payload);
  // Small payloads only: a large one is not worth keeping, and is never a repeated constant.
  if (payload.length <= 256) {
    lastPayload = Buffer.from(payload);
    lastCode = code;
  }
  return code;
}

function parseStatusCode(payload: Buffer): number {
  const text = payload.toString('utf8').trim();
  if (text === '') return 200;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw configurationError('statusCode should be an integer which defined in request template');
  }
  if (parsed === null || typeof parsed !== 'object' || !('statusCode' in parsed)) return 200;
  const code = (parsed as { statusCode: unknown }).statusCode;
  const n = typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : code;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 100 || n > 599) {
    throw configurationError('statusCode should be an integer which defined in request template');
  }
  return n;
}
