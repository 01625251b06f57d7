import type { FastifyInstance } from 'fastify';
import { articleViewContext, viewArticle } from '../access/articleView.js';
import type { Identity } from '../access/identity.js';
import { createArticlesRepository } from '../articles/repository.js';
import type { ArticleRecord } from '../articles/records.js';
import { isVisible } from '../articles/workflow.js';
import { ConflictError } from '../db/errors.js';
import { HttpError, conflict, notFound, unprocessable } from '../lib/httpError.js';
import type { PlanRow } from '../subscriptions/accounts/repository.js';
import { isFreePlan } from '../subscriptions/accounts/service.js';
import { effectivePlan, entitlementsOf } from '../subscriptions/entitlements.js';
import { FREE_PLAN_SLUG } from '../subscriptions/plans/repository.js';
import { createPlansRepository } from '../subscriptions/plans/repository.js';
import { personalise, renderStoryMail, type RenderedMail } from './render.js';
import type { NewsletterRow } from './repository.js';
import type { NewslettersService } from './service.js';
import type { RecipientFacts, SendRow, SendsRepository } from './sendsRepository.js';
import type { UnsubscribeTokens } from './unsubscribeTokens.js';

/** The mail a reader of one audience gets, without their own unsubscribe link yet. */
export interface AudienceMail extends RenderedMail {
  audience: string;
}

/** A reader standing for a plan: what the access policy gives that plan's subscribers (never the meter: mail spends nothing). */
function readerOf(plan: PlanRow): Identity {
  return { kind: 'subscriber', subscriberId: 0, sessionId: 'newsletter', email: '', planSlug: plan.slug, entitlements: entitlementsOf(plan, 0, []) };
}

/** The headers every newsletter mail carries (RFC 2919 List-Id, RFC 8058 one-click unsubscribe). */
export function listHeaders(newsletter: NewsletterRow, host: string, unsubscribeUrl: string): Record<string, string> {
  const label = newsletter.name.replace(/["\\\r\n]/g, ' ');
  return {
    'List-Id': `"${label}" <${newsletter.slug}.${host}>`,
    'List-Unsubscribe': `<${unsubscribeUrl}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

export function createSendsService(app: FastifyInstance, deps: { repo: SendsRepository; newsletters: NewslettersService; tokens: UnsubscribeTokens }) {
  const { repo, newsletters, tokens } = deps;
  const { config, clock } = app;
  const articlesRepo = createArticlesRepository(app.db);
  const plansRepo = createPlansRepository(app.db);
  const base = config.PUBLIC_BASE_URL.replace(/\/$/, '');
  const host = new URL(base).hostname;
  const subscribeUrl = config.NEWSLETTER_SUBSCRIBE_URL ?? config.ACCOUNT_URL ?? `${base}/v1/plans`;

  async function article(where: { slug: string } | { id: number }): Promise<ArticleRecord> {
    const row = 'slug' in where ? await articlesRepo.findBySlug(where.slug) : await articlesRepo.findById(where.id);
    if (!row || row.deletedAt) throw notFound(`Article "${'slug' in where ? where.slug : where.id}"`);
    return (await app.articles.hydrate([row]))[0];
  }

  async function activeNewsletter(slug: string, pointer: string): Promise<NewsletterRow> {
    const n = await newsletters.row(slug).catch(() => undefined);
    if (!n || n.status !== 'active') throw unprocessable(`There is no active newsletter "${slug}" to send to`, pointer);
    return n;
  }

  const unsubscribeUrl = (subscriberId: number, newsletterId: number) => `${base}/v1/unsubscribe?token=${tokens.make(subscriberId, newsletterId)}`;

  async function allPlans(): Promise<{ plans: PlanRow[]; free: PlanRow }> {
    const plans = await plansRepo.all();
    const free = plans.find((p) => p.slug === FREE_PLAN_SLUG) ?? (await app.subscriptions.accounts.freePlan());
    return { plans, free };
  }

  /** The story's mail for one reader standing for a plan: the reader's view through the one policy, rendered. */
  async function mailFor(story: ArticleRecord, newsletter: NewsletterRow, plan: PlanRow, now: Date): Promise<AudienceMail> {
    const ctx = articleViewContext(app, { now });
    const view = await viewArticle(story, readerOf(plan), ctx);
    const photos = view.photoIds.length > 0 ? await app.photoEmbedder.embed(view.photoIds, now) : new Map();
    const byline = [story.authors.map((a) => a.name).join(', '), story.dateline].filter(Boolean).join(' · ') || null;
    const mail = renderStoryMail(
      { headline: story.headline, standfirst: story.standfirst ?? null, url: story.canonicalUrl ?? `${base}/v1/articles/${story.slug}`, byline },
      view,
      photos,
      { publication: config.PUBLICATION_NAME, newsletterName: newsletter.name, subscribeUrl },
    );
    return { ...mail, audience: view.granted ? 'full' : `teaser-${view.access.reason ?? 'subscription_required'}` };
  }

  /** What the paid preview and test send stand for: a subscriber whose plan opens everything. */
  const PAID_READER: PlanRow = {
    id: -1, slug: 'paid', name: 'Paid', description: null, priceCents: 1, currency: 'EUR', interval: 'month', levels: ['registered', 'subscribers'],
    archive: true, sections: null, metered: false, stripePriceId: null, active: true, position: 0, createdAt: '', updatedAt: '', version: 1,
  };

  /**
   * Starts a send now (recipients queued in the transaction that records it): the mail is
   * rendered once per audience — one per distinct thing the policy lets a plan's readers see.
   */
  async function start(newsletter: NewsletterRow, story: ArticleRecord, how: { scheduledId?: number; requestedBy: string | null }): Promise<SendRow | undefined> {
    const now = clock.now();
    const { plans, free } = await allPlans();
    const byPlan = new Map<number, string | null>();
    const renditions = new Map<string, AudienceMail>();
    for (const plan of [free, ...plans.filter((p) => p.id !== free.id)]) {
      // A paid-only newsletter goes to readers on paid plans only.
      if (newsletter.audience === 'paid' && isFreePlan(plan)) {
        byPlan.set(plan.id, null);
        continue;
      }
      const mail = await mailFor(story, newsletter, plan, now);
      byPlan.set(plan.id, mail.audience);
      if (!renditions.has(mail.audience)) renditions.set(mail.audience, mail);
    }
    const audienceOf = (r: RecipientFacts): string | null => {
      const applies = effectivePlan(r.subscription, r.plan, free, now);
      return byPlan.has(applies.id) ? (byPlan.get(applies.id) as string | null) : (byPlan.get(free.id) ?? null);
    };
    try {
      return await repo.start({
        scheduledId: how.scheduledId,
        create: how.scheduledId === undefined ? { newsletterId: newsletter.id, articleId: story.id, requestedBy: how.requestedBy } : undefined,
        newsletterId: newsletter.id,
        at: now.toISOString(),
        renditions: [...renditions.values()].map(({ audience, subject, preheader, html, text }) => ({ audience, subject, preheader, html, text })),
        audienceOf,
      });
    } catch (err) {
      if (err instanceof ConflictError) throw alreadySent(newsletter.slug, story.slug);
      throw err;
    }
  }

  const alreadySent = (newsletter: string, story: string) =>
    conflict(`"${story}" was already sent (or is scheduled to be sent) to the newsletter "${newsletter}": a story goes to a newsletter once`);

  async function sendView(send: SendRow) {
    const n = await newsletterById(send.newsletterId);
    const story = await articlesRepo.findById(send.articleId);
    const p = await repo.progress(send.id);
    return {
      id: send.id,
      newsletter: n.slug,
      article: story?.slug ?? null,
      status: send.status,
      scheduledFor: send.scheduledFor,
      requestedBy: send.requestedBy ?? null,
      recipients: send.recipients,
      audiences: send.audiences,
      progress: { queued: p.queued + p.claimed, sending: p.sending, sent: p.sent, failed: p.failed, suppressed: p.suppressed, interrupted: p.interrupted },
      createdAt: send.createdAt,
      startedAt: send.startedAt ?? null,
      finishedAt: send.finishedAt ?? null,
    };
  }

  async function newsletterById(id: number): Promise<NewsletterRow> {
    const n = await newsletters.rowById(id);
    if (!n) throw notFound(`Newsletter ${id}`);
    return n;
  }

  return {
    unsubscribeUrl,
    listHeaders: (newsletter: NewsletterRow, url: string) => listHeaders(newsletter, host, url),
    personalise,
    newsletterById,
    sendView,

    /** Before a publish with `newsletter`: refuses (and nothing is published) an unknown newsletter or a story already sent to it. */
    async checkPublish(articleSlug: string, newsletterSlug: string): Promise<void> {
      const n = await activeNewsletter(newsletterSlug, '/body/newsletter');
      const row = await articlesRepo.findBySlug(articleSlug);
      if (row && (await repo.find(n.id, row.id))) throw alreadySent(n.slug, articleSlug);
    },

    /** After the publish committed: sent now when the story is live, else when it goes live. */
    async afterPublish(articleSlug: string, newsletterSlug: string, requestedBy: string | null) {
      const n = await activeNewsletter(newsletterSlug, '/body/newsletter');
      const story = await article({ slug: articleSlug });
      const now = clock.now();
      if (isVisible(story, now)) return start(n, story, { requestedBy });
      try {
        return await repo.schedule({ newsletterId: n.id, articleId: story.id, scheduledFor: story.publishedAt ?? now.toISOString(), requestedBy, at: now.toISOString() });
      } catch (err) {
        if (err instanceof ConflictError) throw alreadySent(n.slug, story.slug);
        throw err;
      }
    },

    /** An already published story, sent once to a newsletter. */
    async sendPublished(newsletterSlug: string, articleSlug: string, requestedBy: string | null) {
      const n = await activeNewsletter(newsletterSlug, '/params/slug');
      const story = await article({ slug: articleSlug });
      if (!isVisible(story, clock.now())) {
        throw new HttpError(409, `"${articleSlug}" is not published (${story.status}): publish it with {"newsletter":"${n.slug}"} to send it as it goes live`);
      }
      if (await repo.find(n.id, story.id)) throw alreadySent(n.slug, story.slug);
      const send = await start(n, story, { requestedBy });
      return sendView(send as SendRow);
    },

    /** Scheduled sends whose story is now live start (once: the start takes them from `scheduled` in its transaction). */
    async startDue(): Promise<number> {
      const now = clock.now();
      let started = 0;
      for (const s of await repo.dueScheduled(now.toISOString())) {
        const row = await articlesRepo.findById(s.articleId);
        if (!row || row.deletedAt) continue;
        if (!isVisible(row, now)) {
          // Moved to a later time: wait for it; unpublished meanwhile: wait until it is published again.
          if (row.status === 'scheduled' && row.publishedAt && row.publishedAt > s.scheduledFor) await repo.reschedule(s.id, row.publishedAt);
          continue;
        }
        const n = await newsletterById(s.newsletterId);
        if (n.status !== 'active') continue;
        const story = (await app.articles.hydrate([row]))[0];
        if (await start(n, story, { scheduledId: s.id, requestedBy: s.requestedBy ?? null })) started++;
      }
      return started;
    },

    /** The mail one audience would get (`free`: the free plan's readers; `paid`: a plan that opens everything). */
    async preview(newsletterSlug: string, articleSlug: string, audience: 'free' | 'paid') {
      const n = await newsletters.row(newsletterSlug);
      const story = await article({ slug: articleSlug });
      const { free } = await allPlans();
      const mail = await mailFor(story, n, audience === 'free' ? free : PAID_READER, clock.now());
      const url = `${base}/v1/unsubscribe?token=preview`;
      const personal = personalise(mail, url);
      return { audience: mail.audience, subject: mail.subject, preheader: mail.preheader, headers: listHeaders(n, host, url), html: personal.html, text: personal.text };
    },

    /** The rendered mail of one audience, for a test send. */
    async testMail(newsletterSlug: string, articleSlug: string, audience: 'free' | 'paid') {
      const n = await newsletters.row(newsletterSlug);
      const story = await article({ slug: articleSlug });
      const { free } = await allPlans();
      return { newsletter: n, mail: await mailFor(story, n, audience === 'free' ? free : PAID_READER, clock.now()) };
    },

    async list(newsletterSlug: string) {
      const n = await newsletters.row(newsletterSlug);
      return Promise.all((await repo.list(n.id, 100)).map(sendView));
    },
    async get(id: number) {
      const send = await repo.byId(id);
      if (!send) throw notFound(`Send ${id}`);
      return sendView(send);
    },

    /** One-click unsubscribe. Anything but a genuine token is the same 400, saying nothing of whom it names. */
    async unsubscribe(token: string): Promise<{ newsletter: string; newsletterName: string; wasSubscribed: boolean }> {
      const parsed = tokens.read(token);
      const invalid = () => new HttpError(400, 'This unsubscribe link is not valid. Use the link from a recent mail, or change your newsletters in your account.', {
        type: 'https://newsdesk.dev/problems/invalid-unsubscribe-token',
        errors: [{ pointer: '/query/token', detail: 'is not a valid unsubscribe token' }],
      });
      if (!parsed) throw invalid();
      let n: NewsletterRow;
      try {
        n = await newsletterById(parsed.newsletterId);
      } catch {
        throw invalid();
      }
      const wasSubscribed = await repo.unsubscribe(parsed.subscriberId, parsed.newsletterId);
      return { newsletter: n.slug, newsletterName: n.name, wasSubscribed };
    },

    /** What a GET of the link shows (a page that asks): the newsletter's name, or the same 400. */
    async unsubscribeTarget(token: string): Promise<{ newsletterName: string }> {
      const parsed = tokens.read(token);
      const n = parsed ? await newsletterById(parsed.newsletterId).catch(() => undefined) : undefined;
      if (!n) {
        throw new HttpError(400, 'This unsubscribe link is not valid. Use the link from a recent mail, or change your newsletters in your account.', {
          type: 'https://newsdesk.dev/problems/invalid-unsubscribe-token',
          errors: [{ pointer: '/query/token', detail: 'is not a valid unsubscribe token' }],
        });
      }
      return { newsletterName: n.name };
    },
  };
}

export type SendsService = ReturnType<typeof createSendsService>;
