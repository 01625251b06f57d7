import type { AccessLevel } from './levels.js';

/** What a subscriber's plan entitles them to; filled by the subscriptions feature. */
export interface Entitlements {
  /** Access levels the plan opens (`registered` for any confirmed subscriber, `subscribers` for paid). */
  levels: AccessLevel[];
  /** May read articles older than ARCHIVE_AFTER_DAYS. */
  archive: boolean;
  /** When set, gated articles are open only in these section slugs. */
  sections: string[] | null;
  /** Metered allowance for gated articles the plan does not open; null = no meter. */
  meter: { remaining: number; readThisPeriod: ReadonlySet<number> } | null;
}

/** The syndication licence of a partner key; filled by the syndication feature. */
export interface Licence {
  /** Section slugs the key may take; null = all. */
  sections: string[] | null;
  /** Whether the licence includes the full text of gated articles. */
  fullText: boolean;
  usageTerms: string | null;
}

/** Who is asking, as resolved from `Authorization: Bearer …`. */
export type Identity =
  | { kind: 'anonymous' }
  | {
      kind: 'apiKey';
      keyId: string;
      name: string;
      scopes: string[];
      licence?: Licence | null;
      /** Requests per rate-limit window for this key; null/absent = RATE_LIMIT_KEY_MAX. */
      rateLimit?: number | null;
    }
  | {
      kind: 'subscriber';
      subscriberId: number;
      sessionId: string;
      email: string;
      planSlug: string | null;
      entitlements: Entitlements;
    };

export const ANONYMOUS: Identity = Object.freeze({ kind: 'anonymous' }) as Identity;

export function hasScope(identity: Identity, scope: string): boolean {
  return identity.kind === 'apiKey' && identity.scopes.includes(scope);
}

export const isAdmin = (identity: Identity): boolean => hasScope(identity, 'admin');
