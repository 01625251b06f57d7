import { randomBytes } from 'node:crypto';
import { hashSecret } from '../lib/secrets.js';

export { hashSecret, secretMatches } from '../lib/secrets.js';

/**
 * Subscriber secrets. Both kinds are `<prefix><id>_<secret>`: the id finds the row, the secret
 * is compared with its stored SHA-256 in constant time. Neither is ever stored or logged.
 * - `ndm_…` one-time mail tokens (confirmation, sign-in): single-use, expire in minutes;
 * - `nds_…` bearer session tokens: expire after SESSION_TTL_DAYS, revocable.
 */
export const MAIL_TOKEN_PREFIX = 'ndm_';
export const SESSION_TOKEN_PREFIX = 'nds_';

export interface ParsedToken {
  id: string;
  secret: string;
}

export function newToken(prefix: string): { id: string; secret: string; token: string; hash: string } {
  const id = randomBytes(12).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `${prefix}${id}_${secret}`, hash: hashSecret(secret) };
}

export function parseToken(prefix: string, token: string): ParsedToken | null {
  if (!token.startsWith(prefix)) return null;
  const m = /^([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/.exec(token.slice(prefix.length));
  return m ? { id: m[1], secret: m[2] } : null;
}
