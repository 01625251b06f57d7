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
