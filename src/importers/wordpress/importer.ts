import { decodeHTML } from 'entities';
import type { FastifyInstance } from 'fastify';
import { parseDocument } from 'htmlparser2';
import { resolve } from 'node:path';
import { Slug } from '../../schemas/common.js';
import { toSlug } from '../../lib/slug.js';
import { plainText, type DraftImage } from '../content/htmlToBlocks.js';
import { cut, finishBlocks, ItemError } from '../content/finishBlocks.js';
import { createMediaFinder, urlPath } from '../media.js';
import { createImportSession, type ImportSession } from '../session.js';
import type { Summary } from '../summary.js';
import { wordpressContentToDrafts } from './content.js';
import { readWxr, type WxrAuthor, type WxrItem } from './wxr.js';

/**
 * `npm run import -- wordpress FILE.xml [--media DIR] [--dry-run]`: a WordPress export into
 * Newsdesk, through the app's services. Two streaming passes over the file: the first gathers
 * what posts refer to (authors, attachments, the site's URL) and counts them for the progress
 * bar, the second imports the posts one at a time.
 *
 * Carried over: posts (published, scheduled, drafts; pending review as drafts, private ones as
 * drafts with a warning; trash and auto-drafts are not), their slug and old permalink path (301),
 * title, excerpt, dates, author (display name only: no logins, emails or passwords), categories
 * (the first is the section, the rest tags), tags, Jetpack's newsletter access
 * (`_jetpack_newsletter_access`: everybody → public, subscribers → registered,
 * paid_subscribers → subscribers), featured and inline images found under `--media` (the site's
 * `wp-content/uploads` folder) with the attachment's caption and alt text. Not carried over:
 * pages, comments, menus, custom post types, post formats, custom fields.
 */
export interface WordpressOptions {
  media?: string | null;
  dryRun?: boolean;
  progress?: boolean;
  log?: (line: string) => void;
}

interface Attachment {
  url: string;
  file: string;
  caption: string;
  alt: string;
  title: string;
}

const ACCESS: Record<string, 'public' | 'registered' | 'subscribers'> = { everybody: 'public', subscribers: 'registered', paid_subscribers: 'subscribers' };

const text = (html: string) => plainText(parseDocument(html).children);
/** A WordPress date ("2024-03-11 08:15:00", UTC for the _gmt fields) as ISO 8601; null for WordPress's zero date. */
function wpDate(gmt: string, local: string): string | null {
  for (const d of [gmt, local]) {
    const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(d.trim());
    if (m && m[1] !== '0000') {
      const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
      if (Number.isFinite(t)) return new Date(t).toISOString();
    }
  }
  return null;
}

/** The post's slug as Newsdesk takes it: WordPress percent-encodes non-ASCII slugs. */
export function slugFrom(raw: string, fallback: string): string | undefined {
  let s = raw.trim();
  try {
    s = decodeURIComponent(s);
  } catch {
    /* as written */
  }
  if (!s) return fallback ? toSlug(fallback) : undefined;
  return Slug.safeParse(s).success ? s : toSlug(s);
}

export async function importWordpress(app: FastifyInstance, file: string, options: WordpressOptions = {}): Promise<Summary> {
  const authors = new Map<string, WxrAuthor>();
  const attachments = new Map<string, Attachment>();
  const byUrl = new Map<string, string>();
  let posts = 0;
  let siteUrl = '';
  const info = await readWxr(file, {
    author: (a) => authors.set(a.login, a),
    item: (it) => {
      if (it.postType === 'attachment') {
        const a = { url: it.attachmentUrl || it.guid, file: it.meta.get('_wp_attached_file') ?? '', caption: text(it.excerpt), alt: it.meta.get('_wp_attachment_image_alt') ?? '', title: it.title };
        attachments.set(it.postId, a);
        byUrl.set(urlPath(a.url).replace(/-\d+x\d+(\.\w+)$/, '$1'), it.postId);
      } else posts++;
    },
  });
  siteUrl = info.siteUrl;

  const session = await createImportSession(app, {
    source: `wordpress:${siteUrl || resolve(file)}`,
    system: 'wordpress',
    input: resolve(file),
    dryRun: options.dryRun === true,
    progress: options.progress,
    log: options.log,
  });
  const media = createMediaFinder(options.media ?? null);
  if (!media.enabled && attachments.size > 0) session.warn('no-media', 'no --media folder was given: images are left out (their captions are kept as text)');
  session.startProgress(posts, 'items');

  await readWxr(file, {
    item: async (it) => {
      if (it.postType === 'attachment') return;
      try {
        await importItem(session, it, { authors, attachments, byUrl, media });
      } catch (err) {
        if (err instanceof ItemError) session.fail('article', label(it), err.message);
        else throw err;
      }
      await session.tick();
    },
  });
  return session.finish();
}

const label = (it: WxrItem) => `post ${it.postId} "${cut(text(decodeHTML(it.title)) || it.postName || '(no title)', 60)}"`;

interface Lookups {
  authors: Map<string, WxrAuthor>;
  attachments: Map<string, Attachment>;
  byUrl: Map<string, string>;
  media: ReturnType<typeof createMediaFinder>;
}

async function importItem(session: ImportSession, it: WxrItem, l: Lookups): Promise<void> {
  if (it.postType !== 'post') {
    if (it.postType === 'page') session.skip('page', label(it), 'pages are not articles');
    else session.skip('other', `${it.postType || 'item'} ${it.postId}`, 'not a post (menus, reusable blocks, custom types are not imported)');
    return;
  }
  if (it.oversized) throw new ItemError('the post holds more than 16 MB of text');
  const warn = (code: string, detail?: string) => session.warn(code, `${label(it)}${detail ? `: ${detail}` : ''}`);

  const date = wpDate(it.postDateGmt, it.postDate);
  const now = session.now().getTime();
  let workflow: Record<string, unknown>;
  switch (it.status) {
    case 'publish':
    case 'future':
      if (date && Date.parse(date) > now) workflow = { status: 'scheduled', scheduledFor: date };
      else {
        if (it.status === 'future') warn('schedule-passed', 'it was scheduled for a time now past: imported as published then');
        workflow = { status: 'published', ...(date ? { publishedAt: date } : {}) };
      }
      break;
    case 'draft':
    case 'pending':
      workflow = { status: 'draft' };
      break;
    case 'private':
      warn('private-as-draft', 'a private post was imported as a draft');
      workflow = { status: 'draft' };
      break;
    default:
      session.skip('article', label(it), `status "${it.status}" is not imported`);
      return;
  }

  const headline = cut(text(decodeHTML(it.title)) || '', 300);
  if (!headline) warn('no-title', 'the post has no title: "(untitled)" was used');

  // Bylines: the display name only.
  const author = l.authors.get(it.creator);
  const name = author?.displayName || it.creator;
  const authorSlug = name ? await session.author(`login:${it.creator}`, { slug: toSlug(name), name: cut(name, 200) }) : null;

  const categories = it.terms.filter((t) => t.domain === 'category' && t.name);
  const tagTerms = it.terms.filter((t) => t.domain === 'post_tag' && t.name);
  const section = categories[0] ? await session.section(`category:${categories[0].nicename}`, { slug: slugFrom(categories[0].nicename, categories[0].name)!, name: cut(decodeHTML(categories[0].name), 120) }) : null;
  const tags: string[] = [];
  for (const t of [...categories.slice(1), ...tagTerms]) {
    const slug = await session.tag(`${t.domain}:${t.nicename}`, { slug: slugFrom(t.nicename, t.name)!, name: cut(decodeHTML(t.name), 120) });
    if (slug && !tags.includes(slug)) tags.push(slug);
  }

  const accessMeta = it.meta.get('_jetpack_newsletter_access');
  const access = accessMeta ? ACCESS[accessMeta] : 'public';
  if (accessMeta && !access) warn('access-unknown', `_jetpack_newsletter_access "${accessMeta}" is not known: imported as public`);

  const photo = async (image: DraftImage) => resolveImage(session, image, l, warn);
  const body = await finishBlocks(wordpressContentToDrafts(it.content, warn), photo, warn);
  const thumb = it.meta.get('_thumbnail_id');
  const thumbAttachment = thumb ? l.attachments.get(thumb) : undefined;
  const featuredPhotoId = thumbAttachment ? await photo({ type: 'image', src: thumbAttachment.url, attachmentId: thumb }) : null;
  if (thumb && !thumbAttachment) warn('featured-missing', `the featured image (attachment ${thumb}) is not in the export`);

  const excerpt = cut(text(it.excerpt), 1000);
  const input = {
    slug: slugFrom(it.postName, workflow.status === 'draft' ? '' : headline),
    headline: headline || '(untitled)',
    ...(excerpt ? { excerpt } : {}),
    body,
    ...(section ? { section } : {}),
    authors: authorSlug ? [authorSlug] : [],
    tags,
    access: access ?? 'public',
    ...(featuredPhotoId !== null ? { featuredPhotoId } : {}),
    ...workflow,
  };
  // The permalink readers and search engines know (`/2024/03/11/slug/`); a draft has none yet.
  const paths = workflow.status === 'draft' || !it.link || /[?&]p=\d+/.test(it.link) ? [] : [it.link];
  await session.article(`post:${it.postId}`, label(it), input, paths);
}

async function resolveImage(session: ImportSession, image: DraftImage, l: Lookups, warn: (code: string, detail?: string) => void): Promise<number | null> {
  const path = urlPath(image.src);
  const id = image.attachmentId && l.attachments.has(image.attachmentId) ? image.attachmentId : l.byUrl.get(path.replace(/-\d+x\d+(\.\w+)$/, '$1'));
  const att = id ? l.attachments.get(id) : undefined;
  if (!l.media.enabled) return null;
  const afterUploads = /\/(?:wp-content\/uploads|files)\/(.+)$/.exec(path)?.[1];
  const candidates = [att?.file, afterUploads, att ? /\/(?:wp-content\/uploads|files)\/(.+)$/.exec(urlPath(att.url))?.[1] : undefined, path.split('/').slice(-3).join('/'), path.split('/').pop()]
    .filter((c): c is string => !!c);
  const file = l.media.find(candidates);
  if (!file) {
    warn('image-missing', `${image.src} was not found under --media (its caption is kept as text)`);
    return null;
  }
  return session.photo(id ? `attachment:${id}` : `file:${candidates[0]}`, file, {
    caption: cut(att?.caption || image.caption || '', 10_000) || undefined,
    altText: cut(att?.alt || image.altText || '', 2000) || undefined,
    headline: att?.title ? cut(text(att.title), 500) : undefined,
  });
}
