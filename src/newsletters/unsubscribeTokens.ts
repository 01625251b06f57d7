import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Per-reader unsubscribe tokens: `nlu_<subscriber>_<newsletter>_<signature>`, the signature an
 * HMAC-SHA256 of both ids under the publication's newsletter key. They never expire (a mail from
 * years ago still unsubscribes) and name one reader and one newsletter; a forged, tampered or
 * foreign (signed with another key) token is refused without saying anything about who it names.
 */
const TOKEN = /^nlu_(\d{1,12})_(\d{1,12})_([A-Za-z0-9_-]{43})$/;

export function createUnsubscribeTokens(secret: string) {
  const sign = (subscriberId: number, newsletterId: number) =>
    createHmac('sha256', secret).update(`newsletter-unsubscribe:${subscriberId}:${newsletterId}`).digest('base64url');
  return {
    make(subscriberId: number, newsletterId: number): string {
      return `nlu_${subscriberId}_${newsletterId}_${sign(subscriberId, newsletterId)}`;
    },
    /** The reader and newsletter a genuine token names, or null. */
    read(token: string): { subscriberId: number; newsletterId: number } | null {
      const m = TOKEN.exec(token.trim());
      if (!m) return null;
      const subscriberId = Number(m[1]);
      const newsletterId = Number(m[2]);
      const expected = Buffer.from(sign(subscriberId, newsletterId));
      const given = Buffer.from(m[3]);
      return expected.length === given.length && timingSafeEqual(expected, given) ? { subscriberId, newsletterId } : null;
    },
  };
}

export type UnsubscribeTokens = ReturnType<typeof createUnsubscribeTokens>;
