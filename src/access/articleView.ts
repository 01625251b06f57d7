/**
 * THE READER'S VIEW of an article: what one caller may see of it. Every surface that shows
 * article text (JSON API single + lists, search results/snippets, RSS/Atom/JSON Feed, ninjs,
 * sitemaps, webhook payloads, e-mail…) must build its output from `viewArticle`, never from the
 * stored body directly.
 *
 * Usage (from any feature):
 *
 *   import { articleViewContext, viewArticle } from '../access/articleView.js';
 *   const ctx = articleViewContext(app);                 // once per request/page; lists: no meter
 *   const view = await viewArticle(article, identity, ctx);
 *   view.blocks          // full body, or the teaser when !view.granted
 *   view.html()          // sanitised HTML of exactly those blocks (pass embedded photos to fill images)
 *   view.text()          // plain text of exactly those blocks
 *   view.excerpt         // editor-given excerpt, else derived from the first TEASER paragraph
 *   view.access          // { level, granted, reason } — put it in your output
 *   view.paywall         // null when granted; else { title, message, callToAction, plans, signUpUrl, signInUrl }
 *   view.photoIds        // photo ids this caller may see (featured + images in view.blocks)
 *
 * `article` is anything with { id, access, publishedAt, sectionSlug, blocks, excerpt } — e.g. an
 * ArticleRecord from src/articles/records.ts (`app.articles.findVisibleByIds`, `hydrate`).
 * Syndication feeds/webhooks that act for no particular caller pass ANONYMOUS (src/access/identity.ts).
 * Only the single-article page passes `articleViewContext(app, { spendMeter: true })`: a read
 * opened by the meter is then recorded through app.accessExtensions.recordMeteredRead.
 *
 * The teaser: blocks before the first `paywall` block, else the first TEASER_BLOCKS blocks
 * (but never the whole body: a short story without a break keeps its last block back).
 * Word count and reading time are the full article's and are metadata (always shown).
 * An editor-given excerpt is metadata too and is shown to everyone (editors must not put text
 * from past the break in it); a derived excerpt always comes from the teaser, for every caller.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readerTeaser, teaserOf, imagePhotoIds, type Block } from '../content/blocks.js';
import { cleanStoredBlocks } from '../content/inlineHtml.js';
import { deriveExcerpt, renderHtml, renderText } from '../content/render.js';
import type { EmbeddedPhoto } from '../schemas/photo.js';
import type { AccessExtensions, MeterSpend, PaywallPlan } from './extensions.js';
import type { Identity } from './identity.js';
import { ACCESS_LEVELS, decideAccess, isArchived, type AccessDecision, type AccessLevel, type DenialReason } from './policy.js';

export const ArticleAccess = z
  .object({
    level: z.enum(ACCESS_LEVELS).describe('Who may read the full text: public, registered (any signed-in reader) or subscribers'),
    granted: z.boolean().describe('Whether THIS caller gets the full text; false means the body is the teaser only'),
    reason: z
      .enum(['sign_in_required', 'subscription_required', 'archive', 'meter_exhausted', 'section_not_in_plan', 'not_licensed'])
      .nullable()
      .describe('Why access was not granted; null when granted'),
    meter: z
      .object({
        limit: z.number().int().describe('Gated articles a month (METER_FREE_ARTICLES)'),
        remaining: z.number().int().describe('What is left this calendar month, after this read'),
      })
      .optional()
      .describe('Present when the caller is a subscriber whose plan has a meter'),
  })
  .meta({ id: 'ArticleAccess' });
export type ArticleAccess = z.infer<typeof ArticleAccess>;

export const Paywall = z
  .object({
    title: z.string().describe('e.g. "Discover more from The Newsdesk Chronicle"'),
    message: z.string().describe('The full call-to-action text for the paywall box'),
    callToAction: z.string().describe('Label for the main button'),
    plans: z
      .array(
        z.object({
          slug: z.string(),
          name: z.string(),
          price: z.number(),
          currency: z.string(),
          interval: z.enum(['month', 'year', 'none']),
        }),
      )
      .describe('Plans that would open this article'),
    signUpUrl: z.string(),
    signInUrl: z.string(),
  })
  .meta({ id: 'Paywall', description: 'Shown to callers without access, with the teaser' });
export type Paywall = z.infer<typeof Paywall>;

export const SubscribePrompt = z
  .object({
    title: z.string().describe('e.g. "Discover more from The Newsdesk Chronicle"'),
    message: z.string(),
    callToAction: z.string(),
    plans: Paywall.shape.plans.describe('Plans that open the whole publication, archive included'),
    signUpUrl: z.string(),
    signInUrl: z.string(),
  })
  .meta({ id: 'SubscribePrompt', description: 'A soft, dismissible invitation shown to anonymous readers of public articles' });
export type SubscribePrompt = z.infer<typeof SubscribePrompt>;

/** What viewArticle needs to know about an article. */
export interface ViewableArticle {
  id: number;
  access: AccessLevel;
  publishedAt: string | null;
  sectionSlug: string | null;
  /** The FULL stored body. */
  blocks: readonly Block[];
  /** Editor-given excerpt, or null to derive one from the teaser. */
  excerpt: string | null;
  featuredPhotoId?: number | null;
}

export interface ArticleViewSettings {
  archiveAfterDays: number;
  teaserBlocks: number;
  publicationName: string;
  paywallMessage: string;
  /** METER_FREE_ARTICLES, to tell metered subscribers what is left. */
  meterLimit?: number;
}

export interface ArticleViewContext {
  now: Date;
  settings: ArticleViewSettings;
  extensions: AccessExtensions;
  /** Only the single-article view: may open an article by spending the caller's meter. */
  spendMeter: boolean;
  /** Memo of plansFor answers within one context (a list page asks once per level). */
  plansMemo?: Map<string, Promise<PaywallPlan[]>>;
}

export interface ArticleView {
  granted: boolean;
  /** `full` or `teaser`: use it in cache keys and ETags (e.g. `"v3-teaser"`). */
  audience: 'full' | 'teaser';
  decision: AccessDecision;
  access: ArticleAccess;
  paywall: Paywall | null;
  /** For anonymous readers of (granted) public articles: a soft invitation to subscribe; else null. */
  subscribePrompt: SubscribePrompt | null;
  /** The blocks this caller may see: the full body, or the teaser. */
  blocks: Block[];
  excerpt: string | null;
  /** Photos this caller may see: the featured photo and images within `blocks`. */
  photoIds: number[];
  html(photos?: ReadonlyMap<number, EmbeddedPhoto>): string;
  text(photos?: ReadonlyMap<number, EmbeddedPhoto>): string;
}

/** A context from the app's clock, config and access extensions. Build one per request. */
export function articleViewContext(app: FastifyInstance, options: { spendMeter?: boolean; now?: Date } = {}): ArticleViewContext {
  return {
    now: options.now ?? app.clock.now(),
    settings: {
      archiveAfterDays: app.config.ARCHIVE_AFTER_DAYS,
      teaserBlocks: app.config.TEASER_BLOCKS,
      publicationName: app.config.PUBLICATION_NAME,
      paywallMessage: app.config.PAYWALL_MESSAGE,
      meterLimit: app.config.METER_FREE_ARTICLES,
    },
    extensions: app.accessExtensions,
    spendMeter: options.spendMeter ?? false,
    plansMemo: new Map(),
  };
}

const CALL_TO_ACTION: Record<DenialReason, string> = {
  sign_in_required: 'Sign in or register for free to continue reading',
  subscription_required: 'Subscribe now',
  archive: 'Subscribe now',
  meter_exhausted: 'Subscribe now',
  section_not_in_plan: 'Upgrade your plan',
  not_licensed: 'Contact syndication to licence this article',
};

/**
 * The invitation to subscribe, with the plans that would open `level` (archive included when
 * `archived`): the paywall of an article a caller may not read and the soft prompt under a public
 * one are both this, with their own call to action.
 */
async function invitation(ctx: ArticleViewContext, level: AccessLevel, archived: boolean, callToAction: string): Promise<Paywall> {
  const key = `${level}:${archived}`;
  const memo = ctx.plansMemo ?? new Map<string, Promise<PaywallPlan[]>>();
  if (!memo.has(key)) memo.set(key, ctx.extensions.plansFor(level, archived));
  const plans = await memo.get(key)!;
  const title = `Discover more from ${ctx.settings.publicationName}`;
  return {
    title,
    message: `${title}. ${ctx.settings.paywallMessage}`,
    callToAction,
    plans: plans.map((p) => ({ slug: p.slug, name: p.name, price: p.price, currency: p.currency, interval: p.interval })),
    signUpUrl: '/v1/subscribers',
    signInUrl: '/v1/auth/magic-link',
  };
}

/** Decides access with THE policy and returns what `identity` may see of `article`. */
export async function viewArticle(article: ViewableArticle, identity: Identity, ctx: ArticleViewContext): Promise<ArticleView> {
  const facts = { id: article.id, level: article.access, publishedAt: article.publishedAt, sectionSlug: article.sectionSlug };
  const policy = { archiveAfterDays: ctx.settings.archiveAfterDays };
  let decision = decideAccess(identity, facts, ctx.now, policy, { spendMeter: ctx.spendMeter });
  // The policy judged the meter from the session's snapshot; spending it is the atomic check.
  let spent: MeterSpend | void = undefined;
  if (decision.granted && decision.metered) {
    spent = await ctx.extensions.recordMeteredRead(identity, article.id);
    if (spent && !spent.granted) decision = { level: decision.level, granted: false, reason: 'meter_exhausted', metered: false };
  }

  // Bodies are cleaned of HTML on save; one stored before that is cleaned here (a no-op when clean).
  const body = cleanStoredBlocks(article.blocks);
  const fullTeaser = teaserOf(body, ctx.settings.teaserBlocks);
  // Without a paywall block, a body of TEASER_BLOCKS blocks or fewer would be its own teaser:
  // a caller without access never gets the whole body, so its last block is held back.
  const teaser = readerTeaser(body, ctx.settings.teaserBlocks);
  const blocks = decision.granted ? [...body] : teaser;
  const excerpt = article.excerpt ?? deriveExcerpt(decision.granted ? fullTeaser : teaser);

  const paywall: Paywall | null = decision.granted
    ? null
    : await invitation(ctx, article.access, isArchived(facts, ctx.now, policy), CALL_TO_ACTION[decision.reason ?? 'subscription_required']);

  // The meter: what a metered subscriber has left this month, counting a read this view just spent.
  const meter = identity.kind === 'subscriber' && identity.entitlements.meter && ctx.settings.meterLimit !== undefined
    ? {
        limit: ctx.settings.meterLimit,
        remaining: spent ? spent.remaining : Math.max(0, identity.entitlements.meter.remaining - (decision.metered ? 1 : 0)),
      }
    : null;

  // The soft prompt offers what opens the whole publication: the subscriber level, archive included.
  const subscribePrompt: SubscribePrompt | null =
    identity.kind === 'anonymous' && decision.granted ? await invitation(ctx, 'subscribers', true, 'Subscribe now') : null;

  const photoIds = [...(article.featuredPhotoId ? [article.featuredPhotoId] : []), ...imagePhotoIds(blocks)].filter(
    (id, i, all) => all.indexOf(id) === i,
  );

  return {
    granted: decision.granted,
    audience: decision.granted ? 'full' : 'teaser',
    decision,
    access: { level: decision.level, granted: decision.granted, reason: decision.reason, ...(meter ? { meter } : {}) },
    paywall,
    subscribePrompt,
    blocks,
    excerpt,
    photoIds,
    html: (photos) => renderHtml(blocks, photos),
    text: (photos) => renderText(blocks, photos),
  };
}
