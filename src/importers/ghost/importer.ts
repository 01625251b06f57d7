import type { FastifyInstance } from 'fastify';
import { parseDocument } from 'htmlparser2';
import { resolve } from 'node:path';
import { cut, finishBlocks, ItemError } from '../content/finishBlocks.js';
import { htmlToDraftBlocks, plainText, type DraftImage } from '../content/htmlToBlocks.js';
import { createMediaFinder, urlPath } from '../media.js';
import { createImportSession, type ImportSession } from '../session.js';
import type { Summary } from '../summary.js';
import { slugFrom } from '../wordpress/importer.js';
import { ghostDate, readGhostExport, type Row } from './exportFile.js';
import { lexicalToHtml, mobiledocToHtml } from './lexical.js';
import { membersFromExport, readMembersCsv, type GhostMember } from './members.js';

/**
 * `npm run import -- ghost FILE.json [--media DIR] [--members FILE.csv] [--dry-run]`: a Ghost 4–6
 * export into Newsdesk, through the app's services.
 *
 * - Posts (not pages): lexical, else mobiledoc, else the stored html, with the paywall card or
 *   `<!--members-only-->` as the break; status (published, scheduled, draft; `sent` email-only
 *   posts as published) and dates; custom excerpt; canonical URL; meta title and description;
 *   the feature image (from `--media`: the site folder holding `content/images`, or that images
 *   folder itself) with its caption and alt text; inline images the same way.
 * - Visibility: public → public, members → registered, paid → subscribers, tiers → subscribers
 *   (Newsdesk gates by level: any paid plan opens it; whether a Newsdesk plan matches each tier by
 *   slug or name is reported).
 * - Tags: the primary public tag is the section, the other public tags are tags; internal `#`
 *   tags (Ghost's theme and automation hooks) are skipped and reported. Authors: name, slug, bio.
 * - Members (the export's member tables, or `--members` CSV): confirmed subscribers; newsletter
 *   choices only for those who consented to email, kept for Ghost newsletters whose slug is a
 *   Newsdesk newsletter; comped and paid members get the Newsdesk plan matching their tier (slug
 *   or name) granted by hand, open-ended or until the comp's expiry. Never passwords, Stripe ids
 *   or payment details.
 * - The post's Ghost path (`/slug/`) answers 301 to the article.
 */
export interface GhostOptions {
  media?: string | null;
  members?: string | null;
  dryRun?: boolean;
  progress?: boolean;
  log?: (line: string) => void;
}

const VISIBILITY: Record<string, 'public' | 'registered' | 'subscribers'> = { public: 'public', members: 'registered', paid: 'subscribers', tiers: 'subscribers' };
const text = (html: string) => plainText(parseDocument(html).children);
const isBreak = (comment: string) => comment.trim() === 'members-only';
/** `__GHOST_URL__/about/` → `/about/` (links inside the site stay relative). */
const href = (h: string) => h.replace(/^__GHOST_URL__/, '') || '/';

function joinBy(rows: Row[] | undefined, key: string): Map<string, Row[]> {
  const m = new Map<string, Row[]>();
  for (const r of [...(rows ?? [])].sort((a, b) => Number(a.sort_order ?? 0) - Number(b.sort_order ?? 0))) {
    const k = String(r[key]);
    m.set(k, [...(m.get(k) ?? []), r]);
  }
  return m;
}

export async function importGhost(app: FastifyInstance, file: string, options: GhostOptions = {}): Promise<Summary> {
  const exp = readGhostExport(file);
  const members = options.members ? readMembersCsv(options.members) : null;
  const d = exp.data;
  const site = (d.settings ?? []).find((s) => s.key === 'title')?.value;
  const session = await createImportSession(app, {
    source: `ghost:${String(site ?? resolve(file))}`,
    system: 'ghost',
    input: resolve(file),
    dryRun: options.dryRun === true,
    progress: options.progress,
    log: options.log,
  });
  const media = createMediaFinder(options.media ?? null);
  const users = new Map((d.users ?? []).map((u) => [String(u.id), u]));
  const tags = new Map((d.tags ?? []).map((t) => [String(t.id), t]));
  const products = new Map((d.products ?? []).map((p) => [String(p.id), p]));
  const postsAuthors = joinBy(d.posts_authors, 'post_id');
  const postsTags = joinBy(d.posts_tags, 'post_id');
  const postsProducts = joinBy(d.posts_products, 'post_id');
  const meta = new Map((d.posts_meta ?? []).map((m) => [String(m.post_id), m]));
  const plans = (await session.services.plans.list(100, undefined, true)).data;
  const planFor = (tier: Row | undefined, name?: string) => {
    const slug = String(tier?.slug ?? '');
    const label = String(tier?.name ?? name ?? '').toLowerCase();
    return plans.find((p) => p.slug === slug || p.name.toLowerCase() === label) ?? null;
  };

  const posts = d.posts ?? [];
  const memberList = members ?? membersFromExport(d) ?? [];
  session.startProgress(posts.length + memberList.length, 'items');
  if (!media.enabled && posts.some((p) => p.feature_image)) session.warn('no-media', 'no --media folder was given: images are left out (their captions are kept as text)');

  for (const post of posts) {
    const label = `post "${cut(String(post.title ?? post.slug ?? post.id), 60)}"`;
    try {
      await importPost(session, post, label);
    } catch (err) {
      if (err instanceof ItemError) session.fail('article', label, err.message);
      else if (err instanceof SyntaxError) session.fail('article', label, `its ${post.lexical ? 'lexical' : 'mobiledoc'} is not JSON`);
      else throw err;
    }
    await session.tick();
  }

  const newsletters = new Map((d.newsletters ?? []).map((n) => [String(n.id), n]));
  const newsdeskNewsletters = await session.services.newsletters.activeSlugs();
  const onSignup = (d.newsletters ?? []).filter((n) => Number(n.subscribe_on_signup) === 1 && n.status !== 'archived').map((n) => String(n.id));
  for (const m of memberList) {
    await importMember(m);
    await session.tick();
  }
  return session.finish();

  async function importPost(s: ImportSession, post: Row, label: string): Promise<void> {
    if (post.type === 'page') return s.skip('page', label, 'pages are not articles');
    const warn = (code: string, detail?: string) => s.warn(code, `${label}${detail ? `: ${detail}` : ''}`);
    const html = post.lexical ? lexicalToHtml(String(post.lexical), warn) : post.mobiledoc ? mobiledocToHtml(String(post.mobiledoc), warn) : String(post.html ?? '');
    const photo = (image: DraftImage) => resolveImage(s, image, warn);
    // The feature image first: its caption and alt text become the photo's own.
    const m = meta.get(String(post.id));
    const featured = post.feature_image
      ? await photo({ type: 'image', src: String(post.feature_image), ...(m?.feature_image_caption ? { caption: text(String(m.feature_image_caption)) } : {}), ...(m?.feature_image_alt ? { altText: String(m.feature_image_alt) } : {}) })
      : null;
    const body = await finishBlocks(htmlToDraftBlocks(html, { isBreak, href, warn }), photo, warn);

    const date = ghostDate(post.published_at);
    const now = s.now().getTime();
    let workflow: Record<string, unknown>;
    if (post.status === 'published' || post.status === 'sent' || post.status === 'scheduled') {
      if (date && Date.parse(date) > now) workflow = { status: 'scheduled', scheduledFor: date };
      else {
        if (post.status === 'scheduled') warn('schedule-passed', 'it was scheduled for a time now past: imported as published then');
        if (post.status === 'sent') warn('email-only', 'an email-only post was imported as published');
        workflow = { status: 'published', ...(date ? { publishedAt: date } : {}) };
      }
    } else workflow = { status: 'draft' };

    const authors: string[] = [];
    for (const pa of postsAuthors.get(String(post.id)) ?? []) {
      const u = users.get(String(pa.author_id));
      if (!u) continue;
      const slug = await s.author(`user:${String(u.id)}`, { slug: slugFrom(String(u.slug ?? ''), String(u.name))!, name: cut(String(u.name), 200), bio: u.bio ? cut(String(u.bio), 5000) : null });
      if (slug && !authors.includes(slug)) authors.push(slug);
    }
    let section: string | null = null;
    const tagSlugs: string[] = [];
    for (const pt of postsTags.get(String(post.id)) ?? []) {
      const t = tags.get(String(pt.tag_id));
      if (!t) continue;
      if (t.visibility === 'internal' || String(t.name).startsWith('#')) {
        warn('internal-tag-skipped', `internal tag ${String(t.name)} skipped (Newsdesk has no internal tags)`);
        continue;
      }
      const fields = { slug: slugFrom(String(t.slug ?? ''), String(t.name))!, name: cut(String(t.name), 120), description: t.description ? cut(String(t.description), 2000) : null };
      if (!section) section = await s.section(`tag:${String(t.id)}`, fields);
      else {
        const slug = await s.tag(`tag:${String(t.id)}`, fields);
        if (slug && !tagSlugs.includes(slug)) tagSlugs.push(slug);
      }
    }

    const visibility = String(post.visibility ?? 'public');
    const access = VISIBILITY[visibility];
    if (!access) warn('visibility-unknown', `visibility "${visibility}" is not known: imported as subscribers`);
    if (visibility === 'tiers') {
      for (const pp of postsProducts.get(String(post.id)) ?? []) {
        const tier = products.get(String(pp.product_id));
        const plan = planFor(tier);
        warn('tier-access', plan
          ? `restricted to tier ${String(tier?.name)}: imported as subscribers (Newsdesk plan "${plan.slug}" matches; every paid plan opens it)`
          : `restricted to tier ${String(tier?.name ?? pp.product_id)}: imported as subscribers; no Newsdesk plan matches that tier (every paid plan opens it)`);
      }
    }

    if (m?.feature_image_caption && /<a\b/i.test(String(m.feature_image_caption))) warn('caption-link', 'a link in the feature image caption was kept as text (captions are plain text)');
    const canonical = typeof post.canonical_url === 'string' && /^https?:\/\//.test(post.canonical_url) ? post.canonical_url : null;
    const input = {
      slug: slugFrom(String(post.slug ?? ''), String(post.title ?? '')),
      headline: cut(String(post.title ?? '').trim() || '(untitled)', 300),
      ...(post.custom_excerpt ? { excerpt: cut(String(post.custom_excerpt), 1000) } : {}),
      body,
      ...(section ? { section } : {}),
      authors,
      tags: tagSlugs,
      access: access ?? 'subscribers',
      ...(featured !== null ? { featuredPhotoId: featured } : {}),
      ...(canonical ? { canonicalUrl: canonical } : {}),
      ...(m?.meta_title ? { seoTitle: cut(String(m.meta_title), 300) } : {}),
      ...(m?.meta_description ? { seoDescription: cut(String(m.meta_description), 500) } : {}),
      ...(typeof post.locale === 'string' && /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(post.locale) ? { language: post.locale } : {}),
      ...workflow,
    };
    await s.article(`post:${String(post.id)}`, label, input, workflow.status === 'draft' ? [] : [`/${String(post.slug)}/`]);
  }

  async function resolveImage(s: ImportSession, image: DraftImage, warn: (code: string, detail?: string) => void): Promise<number | null> {
    if (!media.enabled) return null;
    const path = urlPath(image.src.replace(/^__GHOST_URL__/, '')).replace(/\/size\/w\d+(?:h\d+)?\//, '/');
    const rel = path.replace(/^\/+/, '');
    const candidates = [rel, rel.replace(/^content\//, ''), rel.replace(/^content\/images\//, '')];
    const found = media.find(candidates);
    if (!found) {
      warn('image-missing', `${image.src} was not found under --media (its caption is kept as text)`);
      return null;
    }
    return s.photo(`file:${rel}`, found, {
      caption: image.caption ? cut(image.caption, 10_000) : undefined,
      altText: image.altText ? cut(image.altText, 2000) : undefined,
    });
  }

  async function importMember(m: GhostMember): Promise<void> {
    const label = `member ${m.email}`;
    if (m.deleted) return session.skip('subscriber', label, 'deleted in Ghost');
    // Newsletter choices only with consent to email; kept (as newsletter subscriptions) where an active Newsdesk newsletter has the Ghost newsletter's slug.
    const ids = m.subscribed ? (m.newsletterIds ?? onSignup) : [];
    const chosen: string[] = [];
    for (const id of ids) {
      const n = newsletters.get(id);
      const slug = String(n?.slug ?? '');
      if (newsdeskNewsletters.has(slug)) chosen.push(slug);
      else session.warn('newsletter-unmatched', `Ghost newsletter "${String(n?.name ?? id)}" (${slug || id}) has no Newsdesk newsletter with that slug: that choice was not kept`);
    }
    let plan: string | null = null;
    let until: string | null = null;
    if (m.status !== 'free') {
      const tier = m.tiers.map((t) => products.get(t) ?? ({ name: t } as Row))[0];
      const match = planFor(tier, m.tiers[0]);
      if (!match) session.warn('tier-unmatched', `${label}: ${m.status} on tier ${String(tier?.name ?? '(none)')}, which no Newsdesk plan matches (slug or name): imported on the free plan`);
      else if (m.expiresAt && Date.parse(m.expiresAt) <= session.now().getTime()) session.warn('comp-expired', `${label}: the complimentary tier ended ${m.expiresAt}`);
      else {
        plan = match.slug;
        until = m.expiresAt;
        if (m.status === 'paid') session.warn('paid-member', `${label}: paid in Ghost (billing stays with Stripe): granted "${match.slug}" by hand, open-ended`);
      }
    }
    await session.subscriber(`member:${m.id}`, label, { email: m.email, name: m.name ? cut(m.name, 200) : null, newsletters: chosen, createdAt: m.createdAt, plan, currentPeriodEnd: until });
  }
}
