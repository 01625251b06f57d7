import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Token secrets (API keys, feed tokens, subscriber mail and session tokens) are stored only as
 * their SHA-256 and compared in constant time.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
