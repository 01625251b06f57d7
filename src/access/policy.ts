import type { Identity } from './identity.js';
import { isAdmin } from './identity.js';
import type { AccessLevel } from './levels.js';

export { ACCESS_LEVELS, type AccessLevel } from './levels.js';

/**
 * THE access policy. Every surface that shows article text (JSON, lists, search snippets,
 * feeds, ninjs, sitemaps, webhooks…) asks `decideAccess` and, when it is not granted, shows
 * only the teaser. Nothing else decides who may read what.
 */
export type DenialReason =
  | 'sign_in_required'
  | 'subscription_required'
  | 'archive'
  | 'meter_exhausted'
  | 'section_not_in_plan'
  | 'not_licensed';

export interface AccessFacts {
  id: number;
  level: AccessLevel;
  /** ISO timestamp; null for never-published drafts. */
  publishedAt: string | null;
  sectionSlug: string | null;
}

export interface PolicySettings {
  /** Articles older than this need archive access; 0 turns the rule off. */
  archiveAfterDays: number;
}

export interface AccessDecision {
  level: AccessLevel;
  granted: boolean;
  reason: DenialReason | null;
  /** True when granted by spending the meter (the caller should record the read). */
  metered: boolean;
}

const DAY_MS = 86_400_000;

export function isArchived(facts: AccessFacts, now: Date, settings: PolicySettings): boolean {
  if (settings.archiveAfterDays <= 0 || !facts.publishedAt) return false;
  return now.getTime() - Date.parse(facts.publishedAt) > settings.archiveAfterDays * DAY_MS;
}

/**
 * Decides what `identity` may see of one article. Pure: no I/O, no clock of its own.
 * `spendMeter`: only the single-article view may open an article by spending the meter; lists,
 * search, feeds pass false and show the teaser instead (and never consume a reader's allowance).
 */
export function decideAccess(
  identity: Identity,
  facts: AccessFacts,
  now: Date,
  settings: PolicySettings,
  options: { spendMeter?: boolean } = {},
): AccessDecision {
  const grant: AccessDecision = { level: facts.level, granted: true, reason: null, metered: false };
  const deny = (reason: DenialReason): AccessDecision => ({ level: facts.level, granted: false, reason, metered: false });
  const archived = isArchived(facts, now, settings);

  if (isAdmin(identity)) return grant;

  if (identity.kind === 'apiKey') {
    const licence = identity.licence;
    // A partner key reads as an anonymous reader except for what its licence covers.
    if (licence && licence.fullText && (licence.sections === null || (facts.sectionSlug !== null && licence.sections.includes(facts.sectionSlug)))) {
      return grant;
    }
    if (facts.level === 'public' && !archived) return grant;
    return deny(facts.level === 'public' ? 'archive' : 'not_licensed');
  }

  if (identity.kind === 'anonymous') {
    if (facts.level === 'public' && !archived) return grant;
    if (facts.level === 'public' && archived) return deny('archive');
    return deny(facts.level === 'registered' ? 'sign_in_required' : 'subscription_required');
  }

  // A subscriber: their plan's entitlements, then the meter for what the plan does not open.
  const ent = identity.entitlements;
  const levelOpen = facts.level === 'public' || ent.levels.includes(facts.level);
  const sectionOpen =
    facts.level === 'public' || ent.sections === null || (facts.sectionSlug !== null && ent.sections.includes(facts.sectionSlug));
  const archiveOpen = !archived || ent.archive;
  if (levelOpen && sectionOpen && archiveOpen) return grant;

  const reason: DenialReason = !levelOpen
    ? 'subscription_required'
    : !sectionOpen
      ? 'section_not_in_plan'
      : 'archive';
  // The meter opens gated (not archive) articles for free readers, a read counted once per article.
  if (reason === 'subscription_required' && facts.level !== 'public' && !archived && ent.meter) {
    if (ent.meter.readThisPeriod.has(facts.id)) return grant;
    if (ent.meter.remaining <= 0) return deny('meter_exhausted');
    return options.spendMeter ? { ...grant, metered: true } : deny('subscription_required');
  }
  return deny(reason);
}

/**
 * One way in which a caller's grant covers articles: every article of one of `levels` (in one of
 * `sections` when set; archived ones too only when `archive`; only the articles `ids` when set).
 */
export interface GrantRule {
  levels: AccessLevel[];
  /** Section slugs; null = any section (an article without a section included). */
  sections: string[] | null;
  /** Whether articles past ARCHIVE_AFTER_DAYS are covered. */
  archive: boolean;
  /** Only these article ids (the meter's reads this period). */
  ids?: number[];
}

/** Which articles a caller may read in full: 'all', or the union of the rules ([] = none). */
export type GrantScope = 'all' | GrantRule[];

const GATED = ['registered', 'subscribers'] as const satisfies readonly AccessLevel[];

/**
 * `decideAccess` (without spending the meter) said as a set of articles, for the queries that
 * must pick per article what a caller may match or see before any article is loaded: search
 * (full text or teaser), and photos shown past a paywall break. It says exactly what
 * decideAccess says, article by article (test/access-scope.test.ts checks the two against each
 * other); the data layer turns it into SQL (src/articles/repository.ts grantCondition).
 */
export function fullTextScope(identity: Identity): GrantScope {
  if (isAdmin(identity)) return 'all';
  const publicRecent: GrantRule = { levels: ['public'], sections: null, archive: false };
  if (identity.kind === 'anonymous') return [publicRecent];
  if (identity.kind === 'apiKey') {
    const licence = identity.licence;
    if (licence && licence.fullText) {
      if (licence.sections === null) return 'all';
      return [publicRecent, { levels: ['public', ...GATED], sections: [...licence.sections], archive: true }];
    }
    return [publicRecent];
  }
  const ent = identity.entitlements;
  const rules: GrantRule[] = [{ levels: ['public'], sections: null, archive: ent.archive }];
  const open = GATED.filter((l) => ent.levels.includes(l));
  if (open.length > 0) rules.push({ levels: open, sections: ent.sections === null ? null : [...ent.sections], archive: ent.archive });
  const closed = GATED.filter((l) => !ent.levels.includes(l));
  if (ent.meter && ent.meter.readThisPeriod.size > 0 && closed.length > 0) {
    rules.push({ levels: closed, sections: null, archive: false, ids: [...ent.meter.readThisPeriod].sort((a, b) => a - b) });
  }
  return rules;
}

/** Whether `scope` covers one article (what the SQL form of the scope says, in JavaScript). */
export function scopeGrants(scope: GrantScope, facts: AccessFacts, now: Date, settings: PolicySettings): boolean {
  if (scope === 'all') return true;
  const archived = isArchived(facts, now, settings);
  return scope.some(
    (r) =>
      r.levels.includes(facts.level) &&
      (r.sections === null || (facts.sectionSlug !== null && r.sections.includes(facts.sectionSlug))) &&
      (r.archive || !archived) &&
      (r.ids === undefined || r.ids.includes(facts.id)),
  );
}

/** The first publication time that is not archived at `now` (ISO), or null when the archive rule is off. */
export function archiveCutoff(now: Date, settings: PolicySettings): string | null {
  if (settings.archiveAfterDays <= 0) return null;
  // isArchived: older than the limit, strictly.
  return new Date(now.getTime() - settings.archiveAfterDays * DAY_MS).toISOString();
}
