// Identifiers in API Gateway's formats: lowercase letters and digits, 10 characters for REST
// APIs, resources and API keys, 6 for deployments, models, authorizers and the like.
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newId(length: 6 | 10 = 10): string {
  // 252 = 7 * 36: rejection sampling keeps every character equally likely.
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 252 && out.length < length) out += ALPHABET[b % 36];
    }
  }
  return out;
}

/** Seconds since the epoch, as API Gateway's JSON carries timestamps. */
export function now(): number {
  return Math.floor(Date.now() / 1000);
}
