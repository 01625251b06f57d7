import type { Identity, Licence } from '../access/identity.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import { HttpError, notFound, unprocessable } from '../lib/httpError.js';
import { createKeysRepository, createLicencesRepository, type FeedTokenRow, type LicenceRow } from './repository.js';
import { hashSecret, newKeyId, newSecret, secretMatches } from './tokens.js';

/**
 * Partner licences on API keys and per-key feed tokens.
 *
 * A licence says which sections a `syndication` key may take (null = all), whether it gets the
 * full text of gated articles there, the usage terms echoed into every payload it receives, and
 * its own rate limit. The access policy (src/access/policy.ts) applies it; nothing here decides
 * who reads what.
 */
export interface LicenceTerms extends Licence {
  /** Requests per rate-limit window; null = RATE_LIMIT_KEY_MAX. */
  rateLimit: number | null;
}

export interface FeedTokenInfo {
  id: string;
  keyId: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Feed tokens look like `ndf_<id>_<secret>`; they only work as `?token=` on feed URLs. */
export const FEED_TOKEN_PREFIX = 'ndf_';

export function parseFeedToken(token: string): { id: string; secret: string } | null {
  const m = /^ndf_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { id: m[1], secret: m[2] } : null;
}

const toTerms = (r: LicenceRow): LicenceTerms => ({
  sections: r.sections ?? null,
  fullText: r.fullText,
  usageTerms: r.usageTerms ?? null,
  rateLimit: r.rateLimit ?? null,
});
const toTokenInfo = (r: FeedTokenRow): FeedTokenInfo => ({
  id: r.id,
  keyId: r.keyId,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
});

/**
 * The identity an API key acts as: the scopes it may use, the licence the access policy applies
 * and its own rate limit. The one place a key and its licence become an Identity, whether the key
 * came in the Authorization header, as a feed token or as the partner of a webhook endpoint.
 */
export function keyIdentity(key: { id: string; name: string }, scopes: string[], licence: LicenceTerms | null): Identity {
  return {
    kind: 'apiKey',
    keyId: key.id,
    name: key.name,
    scopes,
    licence: licence ? { sections: licence.sections, fullText: licence.fullText, usageTerms: licence.usageTerms } : null,
    rateLimit: licence?.rateLimit ?? null,
  };
}

export function createLicencesService(db: Db, clock: Clock) {
  const repo = createLicencesRepository(db);
  const keys = createKeysRepository(db);

  return {
    async get(keyId: string): Promise<LicenceTerms | null> {
      const row = await repo.find(keyId);
      return row ? toTerms(row) : null;
    },

    async getMany(keyIds: string[]): Promise<Map<string, LicenceTerms>> {
      return new Map((await repo.findMany(keyIds)).map((r) => [r.keyId, toTerms(r)]));
    },

    /**
     * Checks licence terms for a key with `scopes` and returns them normalised: only `syndication`
     * keys carry licences, and section slugs must name existing sections. `pointer` prefixes the
     * validation pointers (e.g. /body/licence).
     */
    async validate(scopes: string[], terms: LicenceTerms, pointer: string): Promise<LicenceTerms> {
      if (!scopes.includes('syndication')) {
        throw unprocessable('Only keys with the "syndication" scope carry a licence', pointer);
      }
      const sectionSlugs = terms.sections === null ? null : [...new Set(terms.sections)];
      const unknown = await repo.unknownSections(sectionSlugs ?? []);
      if (unknown.length > 0) {
        throw new HttpError(422, `Unknown section(s): ${unknown.join(', ')}`, {
          errors: [{ pointer: `${pointer}/sections`, detail: `no section with slug ${unknown.map((s) => `"${s}"`).join(', ')}` }],
        });
      }
      return { ...terms, sections: sectionSlugs };
    },

    /** Sets (or with null, removes) the licence of an existing key. */
    async set(keyId: string, terms: LicenceTerms | null, pointer = '/body'): Promise<LicenceTerms | null> {
      const key = await keys.findById(keyId);
      if (!key) throw notFound(`API key "${keyId}"`);
      if (terms === null) {
        await repo.remove(keyId);
        return null;
      }
      const valid = await this.validate(key.scopes, terms, pointer);
      const now = clock.now().toISOString();
      const row = await repo.upsert({ keyId, ...valid, createdAt: now, updatedAt: now });
      return toTerms(row);
    },

    /** Issues a feed token for a syndication key; the token is returned once and never stored. */
    async createFeedToken(keyId: string): Promise<{ token: string; feedToken: FeedTokenInfo }> {
      const key = await keys.findById(keyId);
      if (!key) throw notFound(`API key "${keyId}"`);
      if (key.revokedAt) throw new HttpError(409, 'The key is revoked');
      if (!key.scopes.includes('syndication')) {
        throw new HttpError(422, 'Feed tokens are issued only for keys with the "syndication" scope');
      }
      const id = newKeyId();
      const secret = newSecret();
      const row = { id, keyId, secretHash: hashSecret(secret), createdAt: clock.now().toISOString() };
      await repo.insertToken(row);
      return { token: `${FEED_TOKEN_PREFIX}${id}_${secret}`, feedToken: toTokenInfo({ ...row, lastUsedAt: null, revokedAt: null }) };
    },

    async listFeedTokens(keyId: string): Promise<FeedTokenInfo[]> {
      if (!(await keys.findById(keyId))) throw notFound(`API key "${keyId}"`);
      return (await repo.tokensOf(keyId)).map(toTokenInfo);
    },

    async revokeFeedToken(keyId: string, tokenId: string): Promise<void> {
      if (!(await repo.revokeToken(keyId, tokenId, clock.now().toISOString()))) {
        throw notFound(`Active feed token "${tokenId}" of key "${keyId}"`);
      }
    },

    /**
     * Resolves a feed token to the partner it reads as: its key, with the syndication scope only,
     * and its licence. Null when malformed, unknown, revoked, or when the key itself is revoked or
     * lost its syndication scope.
     */
    async resolveFeedToken(token: string): Promise<Identity | null> {
      const parsed = parseFeedToken(token);
      if (!parsed) return null;
      const found = await repo.tokenWithKey(parsed.id);
      if (!found || !secretMatches(parsed.secret, found.token.secretHash)) return null;
      if (found.token.revokedAt || found.key.revokedAt || !found.key.scopes.includes('syndication')) return null;
      // Remember use at most once a minute: feed readers poll, and a read should not always write.
      const now = clock.now();
      const last = found.token.lastUsedAt ? Date.parse(found.token.lastUsedAt) : 0;
      if (now.getTime() - last > 60_000) await repo.touchToken(parsed.id, now.toISOString());
      return keyIdentity(found.key, ['syndication'], await this.get(found.key.id));
    },
  };
}

export type LicencesService = ReturnType<typeof createLicencesService>;
