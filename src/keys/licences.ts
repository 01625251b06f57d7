import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Licence } from '../access/identity.js';
import type { Db } from '../db/client.js';
import { apiKeys, feedTokens, keyLicences, sections } from '../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import { HttpError, notFound, unprocessable } from '../lib/httpError.js';
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

type LicenceRow = typeof keyLicences.$inferSelect;
const toTerms = (r: LicenceRow): LicenceTerms => ({
  sections: r.sections ?? null,
  fullText: r.fullText,
  usageTerms: r.usageTerms ?? null,
  rateLimit: r.rateLimit ?? null,
});
const toTokenInfo = (r: typeof feedTokens.$inferSelect): FeedTokenInfo => ({
  id: r.id,
  keyId: r.keyId,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
});

export function createLicencesRepository(db: Db) {
  return {
    async find(keyId: string): Promise<LicenceRow | undefined> {
      return db.select().from(keyLicences).where(eq(keyLicences.keyId, keyId)).get();
    },
    async findMany(keyIds: string[]): Promise<LicenceRow[]> {
      if (keyIds.length === 0) return [];
      return db.select().from(keyLicences).where(inArray(keyLicences.keyId, keyIds)).all();
    },
    async upsert(row: typeof keyLicences.$inferInsert): Promise<LicenceRow> {
      return db
        .insert(keyLicences)
        .values(row)
        .onConflictDoUpdate({
          target: keyLicences.keyId,
          set: { sections: row.sections, fullText: row.fullText, usageTerms: row.usageTerms, rateLimit: row.rateLimit, updatedAt: row.updatedAt },
        })
        .returning()
        .get();
    },
    async remove(keyId: string): Promise<void> {
      db.delete(keyLicences).where(eq(keyLicences.keyId, keyId)).run();
    },
    async unknownSections(slugs: string[]): Promise<string[]> {
      if (slugs.length === 0) return [];
      const found = new Set(db.select({ slug: sections.slug }).from(sections).where(inArray(sections.slug, slugs)).all().map((r) => r.slug));
      return slugs.filter((s) => !found.has(s));
    },
    async insertToken(row: typeof feedTokens.$inferInsert): Promise<void> {
      db.insert(feedTokens).values(row).run();
    },
    async tokensOf(keyId: string) {
      return db.select().from(feedTokens).where(eq(feedTokens.keyId, keyId)).orderBy(desc(feedTokens.createdAt)).all();
    },
    /** The token row and its key, for resolving `?token=`. */
    async tokenWithKey(id: string) {
      return db
        .select({ token: feedTokens, key: apiKeys })
        .from(feedTokens)
        .innerJoin(apiKeys, eq(apiKeys.id, feedTokens.keyId))
        .where(eq(feedTokens.id, id))
        .get();
    },
    async revokeToken(keyId: string, id: string, at: string): Promise<boolean> {
      const r = db
        .update(feedTokens)
        .set({ revokedAt: at })
        .where(and(eq(feedTokens.id, id), eq(feedTokens.keyId, keyId), isNull(feedTokens.revokedAt)))
        .run();
      return r.changes > 0;
    },
    async touchToken(id: string, at: string): Promise<void> {
      db.update(feedTokens).set({ lastUsedAt: at }).where(eq(feedTokens.id, id)).run();
    },
  };
}

export function createLicencesService(db: Db, clock: Clock) {
  const repo = createLicencesRepository(db);
  const keyRow = (id: string) => db.select().from(apiKeys).where(eq(apiKeys.id, id)).get();

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
      const key = keyRow(keyId);
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
      const key = keyRow(keyId);
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
      if (!keyRow(keyId)) throw notFound(`API key "${keyId}"`);
      return (await repo.tokensOf(keyId)).map(toTokenInfo);
    },

    async revokeFeedToken(keyId: string, tokenId: string): Promise<void> {
      if (!(await repo.revokeToken(keyId, tokenId, clock.now().toISOString()))) {
        throw notFound(`Active feed token "${tokenId}" of key "${keyId}"`);
      }
    },

    /**
     * Resolves a feed token to its key and licence. Null when malformed, unknown, revoked, or when
     * the key itself is revoked or lost its syndication scope.
     */
    async resolveFeedToken(token: string): Promise<{ keyId: string; name: string; licence: LicenceTerms | null } | null> {
      const parsed = parseFeedToken(token);
      if (!parsed) return null;
      const found = await repo.tokenWithKey(parsed.id);
      if (!found || !secretMatches(parsed.secret, found.token.secretHash)) return null;
      if (found.token.revokedAt || found.key.revokedAt || !found.key.scopes.includes('syndication')) return null;
      // Remember use at most once a minute: feed readers poll, and a read should not always write.
      const now = clock.now();
      const last = found.token.lastUsedAt ? Date.parse(found.token.lastUsedAt) : 0;
      if (now.getTime() - last > 60_000) await repo.touchToken(parsed.id, now.toISOString());
      return { keyId: found.key.id, name: found.key.name, licence: await this.get(found.key.id) };
    },
  };
}

export type LicencesService = ReturnType<typeof createLicencesService>;
