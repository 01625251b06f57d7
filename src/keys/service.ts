import type { Identity } from '../access/identity.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import { createLicencesService, keyIdentity, type LicenceTerms } from './licences.js';
import { createKeysRepository, type ApiKeyRow } from './repository.js';
import { formatKey, hashSecret, newKeyId, newSecret, parseKey, secretMatches } from './tokens.js';

/** Scopes an API key can carry. `admin` writes everything; `syndication` is for partners. */
export const SCOPES = ['admin', 'syndication'] as const;
export type Scope = (typeof SCOPES)[number];

export interface KeyInfo {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const toInfo = (r: ApiKeyRow): KeyInfo => ({
  id: r.id,
  name: r.name,
  scopes: r.scopes,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
});

export type KeyCheck =
  | { ok: true; key: KeyInfo; licence: LicenceTerms | null }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' };

export function createKeysService(db: Db, clock: Clock) {
  const repo = createKeysRepository(db);
  const licences = createLicencesService(db, clock);
  return {
    /** Partner licences and feed tokens of keys. */
    licences,

    /**
     * Creates a key (with a partner licence when given, in the same transaction); the token is
     * returned once and never stored.
     */
    async create(input: { name: string; scopes: string[]; licence?: LicenceTerms | null }): Promise<{ token: string; key: KeyInfo; licence: LicenceTerms | null }> {
      const id = newKeyId();
      const secret = newSecret();
      const scopes = [...new Set(input.scopes)];
      const licence = input.licence ? await licences.validate(scopes, input.licence, '/body/licence') : null;
      const createdAt = clock.now().toISOString();
      const row = { id, name: input.name, scopes, secretHash: hashSecret(secret), createdAt };
      await repo.insertWithLicence(row, licence ? { keyId: id, ...licence, createdAt, updatedAt: createdAt } : null);
      return { token: formatKey(id, secret), key: toInfo({ ...row, lastUsedAt: null, revokedAt: null }), licence };
    },

    /** Registers a key whose token was chosen by the deployment (NEWSDESK_ADMIN_KEY). */
    async importToken(token: string, name: string, scopes: string[]): Promise<KeyInfo | null> {
      const parsed = parseKey(token);
      if (!parsed) return null;
      const existing = await repo.findById(parsed.id);
      if (existing) return toInfo(existing);
      const row = {
        id: parsed.id,
        name,
        scopes,
        secretHash: hashSecret(parsed.secret),
        createdAt: clock.now().toISOString(),
      };
      await repo.insert(row);
      return toInfo({ ...row, lastUsedAt: null, revokedAt: null });
    },

    async verify(token: string): Promise<KeyCheck> {
      const parsed = parseKey(token);
      if (!parsed) return { ok: false, reason: 'malformed' };
      const row = await repo.findById(parsed.id);
      if (!row || !secretMatches(parsed.secret, row.secretHash)) return { ok: false, reason: 'unknown' };
      if (row.revokedAt) return { ok: false, reason: 'revoked' };
      // Remember use (shown by GET /v1/admin/keys and `npm run keys -- list`) at most once a
      // minute, as feed tokens do: a busy key should not turn every read into a write.
      const now = clock.now();
      const last = row.lastUsedAt ? Date.parse(row.lastUsedAt) : 0;
      if (now.getTime() - last > 60_000) {
        row.lastUsedAt = now.toISOString();
        await repo.touch(row.id, row.lastUsedAt);
      }
      return { ok: true, key: toInfo(row), licence: await licences.get(row.id) };
    },

    /** The identity an `ndk_…` bearer token acts as (its own scopes and licence); null when it is not a live key. */
    async identify(token: string): Promise<Identity | null> {
      const check = await this.verify(token);
      return check.ok ? keyIdentity(check.key, check.key.scopes, check.licence) : null;
    },

    /**
     * The partner a key acts as elsewhere (a webhook endpoint's payloads): never more than the
     * syndication scope, so never drafts or everything. Null unless it is a live syndication key.
     */
    async partnerIdentity(keyId: string): Promise<Identity | null> {
      const row = await repo.findById(keyId);
      if (!row || row.revokedAt || !row.scopes.includes('syndication')) return null;
      return keyIdentity(row, ['syndication'], await licences.get(row.id));
    },

    async list(): Promise<KeyInfo[]> {
      return (await repo.list()).map(toInfo);
    },

    async get(id: string): Promise<KeyInfo | null> {
      const row = await repo.findById(id);
      return row ? toInfo(row) : null;
    },

    /**
     * A new token for an existing key: same id, scopes and licence; the old token stops working.
     * For a leaked token, and for keys brought in by `import -- newsdesk` (exports carry no secrets).
     */
    async rotate(id: string): Promise<string | null> {
      const secret = newSecret();
      return (await repo.replaceSecret(id, hashSecret(secret))) ? formatKey(id, secret) : null;
    },

    async revoke(id: string): Promise<boolean> {
      return repo.revoke(id, clock.now().toISOString());
    },

    async countActive(): Promise<number> {
      return repo.countActive();
    },
  };
}

export type KeysService = ReturnType<typeof createKeysService>;
