import { randomBytes } from 'node:crypto';

export { hashSecret, secretMatches } from '../lib/secrets.js';

/**
 * API key tokens look like `ndk_<id>_<secret>`. The id finds the row; the secret is compared
 * against its stored SHA-256 in constant time, so neither a lookup nor a comparison leaks timing.
 */
export const API_KEY_PREFIX = 'ndk_';

export interface ParsedKey {
  id: string;
  secret: string;
}

export function newKeyId(): string {
  return randomBytes(8).toString('hex');
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function formatKey(id: string, secret: string): string {
  return `${API_KEY_PREFIX}${id}_${secret}`;
}

export function parseKey(token: string): ParsedKey | null {
  const m = /^ndk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { id: m[1], secret: m[2] } : null;
}
