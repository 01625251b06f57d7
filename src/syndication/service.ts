import { ARTICLES_SET, listKeys } from '../lib/surrogateKeys.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ANONYMOUS, isAdmin, type Identity } from '../access/identity.js';
import { FULL_VIEW } from '../articles/view.js';
import type { Article, ArticleListQuery } from '../articles/schemas.js';
import { HttpError, notFound } from '../lib/httpError.js';
import { decodeCursor, encodeCursor } from '../schemas/pagination.js';
import type { DeliveryRow, EndpointRow } from '../webhooks/repository.js';
import { createChangesRepository, type ChangeRow } from './changes.js';
import { enclosureFor, renderFeed, type FeedFile } from './feeds.js';
import { articleToNinjs, articleUri, photoToNinjs, type NinjsDocument } from './ninjs.js';
import { createSyndicationRepository } from './repository.js';
import { NEWS_MAX_URLS, NEWS_WINDOW_HOURS, newsSitemap, sitemapIndex, sitemapPageCount, urlSet } from './sitemaps.js';

export type FeedScope = { kind: 'all' } | { kind: 'sections' | 'tags' | 'authors'; slug: string };

const ChangeCursor = z.tuple([z.literal('chg'), z.number().int().min(0)]);
const SCOPE_PARAM = { sections: 'section', tags: 'tag', authors: 'author' } as const;
const SCOPE_LABEL = { sections: 'Section', tags: 'Tag', authors: 'Author' } as const;
function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** The start of the Google News sitemap's window (ISO). */
const newsWindowStart = (t: Date) => new Date(t.getTime() - NEWS_WINDOW_HOURS * 3600_000).toISOString();

/**
 * Syndication: feeds, ninjs, sitemaps, the change feed and webhook payloads. Article text comes
 * only from the articles service's presentation, which builds every article through viewArticle
 * (src/access/articleView.ts) for the caller: anonymous readers and unlicensed partners get the
 * teaser; a partner key gets what its licence covers.
 */
export function createSyndicationService(app: FastifyInstance) {
  const { articles } = app;
  const repo = createSyndicationRepository(app.db);
  const changesRepo = createChangesRepository(app.db);
  const base = app.config.PUBLIC_BASE_URL.replace(/\/$/, '');
  const now = () => app.clock.now();

  const ownUrl = (slug: string) => `${base}/v1/articles/${encodeURIComponent(slug)}`;
  /** Where readers find an article (feeds, ninjs): its canonical URL, wherever that is, else its URL here. */
  const articleUrl = (a: { slug: string; canonicalUrl?: string | null }) => a.canonicalUrl ?? ownUrl(a.slug);
  const origin = new URL(base).origin;
  /**
   * An article's URL in a sitemap. The sitemap protocol only allows URLs on the sitemap's own host
   * (scheme, host and port: https://www.sitemaps.org/protocol.html#location), so a canonical URL on
   * another host (a story syndicated from a partner, or a frontend elsewhere) cannot be listed:
   * the article's own URL on PUBLIC_BASE_URL is, and a canonical URL on this origin is kept.
   */
  const sitemapUrl = (a: { slug: string; canonicalUrl: string | null }) =>
    a.canonicalUrl && sameOrigin(a.canonicalUrl, origin) ? a.canonicalUrl : ownUrl(a.slug);

  /** The usage terms a caller's payloads carry: its licence's, else the publication's default. */
  function usageTermsFor(identity: Identity): string | null {
    if (identity.kind === 'apiKey' && identity.licence?.usageTerms) return identity.licence.usageTerms;
    return app.config.SYNDICATION_USAGE_TERMS ?? null;
  }

  function listQuery(limit: number, extra: Partial<ArticleListQuery> = {}): ArticleListQuery {
    return {
      limit,
      sort: '-publishedAt',
      format: 'html,text',
      include: 'authors,tags,section,photos',
      ...extra,
    } as ArticleListQuery;
  }

  const ninjsContext = (a: Article, identity: Identity) => ({
    baseUrl: base,
    publicationName: app.config.PUBLICATION_NAME,
    usageTerms: usageTermsFor(identity),
    articleUrl: articleUrl(a),
  });

  /** The identity a webhook endpoint's payloads are built for: its partner key, else anonymous. */
  async function endpointIdentity(endpoint: EndpointRow): Promise<Identity> {
    return (endpoint.keyId ? await app.keys.partnerIdentity(endpoint.keyId) : null) ?? ANONYMOUS;
  }

  /** The changes `identity` may hear of: article changes (the feed's own rule), photos they may see. */
  async function announceable(rows: ChangeRow[], identity: Identity): Promise<ChangeRow[]> {
    const photoIds = rows.filter((c) => c.entity === 'photo').map((c) => c.entityId);
    if (photoIds.length === 0) return rows;
    const visible = app.photoEmbedder.visibleTo ? await app.photoEmbedder.visibleTo(photoIds, identity, now()) : new Set<number>();
    return rows.filter((c) => c.entity !== 'photo' || visible.has(c.entityId));
  }

  function toChangeEntry(c: ChangeRow) {
    const isArticle = c.entity === 'article';
    const gone = c.event === 'article.deleted' || c.event === 'article.unpublished';
    return {
      seq: c.seq,
      cursor: encodeCursor(['chg', c.seq]),
      type: c.event,
      entity: c.entity as 'article' | 'photo',
      id: c.entityId,
      slug: c.slug,
      version: c.version,
      status: c.status,
      tombstone: gone,
      occurredAt: c.occurredAt,
      href: isArticle && !gone && c.slug ? `${base}/v1/articles/${encodeURIComponent(c.slug)}` : null,
    };
  }

  return {
    articles,
    usageTermsFor,
    articleUrl,

    /** A feed document (RSS, Atom or JSON Feed) for a scope, newest first, as `identity` may read it. */
    /** A feed, and the CDN keys of the set of articles it shows. */
    async feed(scope: FeedScope, file: FeedFile, identity: Identity, selfPath: string): Promise<{ body: string; keys: string[] }> {
      let title = app.config.PUBLICATION_NAME;
      let description = `Latest stories from ${app.config.PUBLICATION_NAME}`;
      let home = base;
      let filter: Partial<ArticleListQuery> = {};
      let keys = [ARTICLES_SET];
      if (scope.kind !== 'all') {
        const found = await repo.nameOf(scope.kind, scope.slug);
        if (!found) throw notFound(`${SCOPE_LABEL[scope.kind]} "${scope.slug}"`);
        const name = found.name;
        keys = listKeys(scope.kind === 'sections' ? { sectionId: found.id } : scope.kind === 'tags' ? { tagId: found.id } : { authorId: found.id });
        title = `${app.config.PUBLICATION_NAME}: ${name}`;
        description = `Latest stories from ${app.config.PUBLICATION_NAME} — ${SCOPE_LABEL[scope.kind].toLowerCase()} ${name}`;
        home = `${base}/v1/articles?${SCOPE_PARAM[scope.kind]}=${encodeURIComponent(scope.slug)}`;
        filter = { [SCOPE_PARAM[scope.kind]]: scope.slug };
      }
      const { data } = await articles.listArticles(listQuery(app.config.FEED_ITEMS, filter), identity);
      // Enclosure sizes of the renditions already made (none is made for a feed).
      const wanted = data.map(enclosureFor).filter((w) => w !== null);
      const sizes = wanted.length > 0 && app.photoEmbedder.renditionSizes ? await app.photoEmbedder.renditionSizes(wanted) : new Map<string, number>();
      const entries = data.map((a) => ({
        article: a,
        url: articleUrl(a),
        id: articleUri(base, a.id),
        enclosureBytes: sizes.get(enclosureFor(a)?.url ?? '') ?? null,
      }));
      const body = renderFeed(
        file,
        {
          title,
          description,
          selfUrl: `${base}${selfPath}`,
          homeUrl: home,
          language: data[0]?.language ?? 'en',
          publicationName: app.config.PUBLICATION_NAME,
          usageTerms: usageTermsFor(identity),
          now: now(),
        },
        entries,
      );
      return { body, keys };
    },

    /** One article as ninjs (teaser for callers without access), or where its slug moved. */
    async ninjsArticle(slug: string, identity: Identity): Promise<{ redirect: string; id: number } | { doc: NinjsDocument; etag: string; keys: string[] }> {
      const result = await articles.readArticle(slug, {}, identity, { spendMeter: false });
      if ('redirect' in result) return result;
      const doc = articleToNinjs(result.article, ninjsContext(result.article, identity));
      return { doc, etag: result.etag.replace(/^"/, '"ninjs-'), keys: result.keys };
    },

    async ninjsList(query: { limit: number; cursor?: string; section?: string; tag?: string; author?: string }, identity: Identity) {
      // Blocks too: a teaser's body word count is counted from them (src/syndication/ninjs.ts).
      const { data, meta, keys } = await articles.listArticles(listQuery(query.limit, { ...query, format: 'blocks,html,text' }), identity);
      return { body: { data: data.map((a) => articleToNinjs(a, ninjsContext(a, identity))), meta }, keys };
    },

    async sitemapIndex(pageSize: number): Promise<string> {
      const at = now().toISOString();
      const pages = await repo.pageLastmods(at, pageSize);
      const count = sitemapPageCount(pages.reduce((n, p) => n + p.count, 0), pageSize);
      const lastmods = new Map(pages.map((p) => [p.page, p.lastmod]));
      const newsLastmod = await repo.newsLastmod(newsWindowStart(now()), at);
      return sitemapIndex([
        ...Array.from({ length: count }, (_, i) => ({ loc: `${base}/sitemap-articles-${i + 1}.xml`, lastmod: lastmods.get(i) ?? null })),
        { loc: `${base}/sitemap-news.xml`, lastmod: newsLastmod ?? null },
      ]);
    },

    /** Page `page` (1-based) of the article sitemap; 404 past the last page. */
    async sitemapPage(page: number, pageSize: number): Promise<string> {
      const at = now().toISOString();
      const total = await repo.countVisible(at);
      if (page < 1 || page > sitemapPageCount(total, pageSize)) throw notFound(`Sitemap page ${page}`);
      const rows = await repo.sitemapPage(at, page - 1, pageSize);
      return urlSet(rows.map((r) => ({ loc: sitemapUrl(r), lastmod: r.updatedAt })));
    },

    async newsSitemap(): Promise<string> {
      const t = now();
      const rows = await repo.publishedSince(newsWindowStart(t), t.toISOString(), NEWS_MAX_URLS);
      return newsSitemap(
        { name: app.config.PUBLICATION_NAME },
        rows.map((r) => ({ loc: sitemapUrl(r), title: r.headline, language: r.language, publishedAt: r.publishedAt })),
      );
    },

    /**
     * The change feed after `cursor`, in sequence (= commit) order. Partners see changes of public
     * articles (and the withdrawal of ones that were public); admins see every change, drafts included.
     * Only partner and admin keys call it (the route declares `access: 'syndication'`).
     */
    async changes(query: { since?: string; limit: number; type?: string[] }, identity: Identity) {
      let since = 0;
      if (query.since) {
        try {
          since = decodeCursor(query.since, ChangeCursor)[1];
        } catch {
          throw new HttpError(400, 'The cursor is malformed or does not belong to the change feed', {
            errors: [{ pointer: '/query/since', detail: 'is not a change-feed cursor' }],
          });
        }
      }
      const admin = isAdmin(identity);
      // Partners hear of a photo only when they may see it (shown to them by a visible article):
      // not a story's photo under embargo, nor one shown only past a break their licence does not
      // open. Those changes are stepped over (the cursor moves past them), so pages may be short.
      const page: ChangeRow[] = [];
      let after = since;
      let hasMore = false;
      for (let round = 0; round < 20 && page.length < query.limit; round++) {
        const want = query.limit - page.length;
        const rows = await changesRepo.after(after, want + 1, { publicOnly: !admin, events: query.type });
        const batch = rows.slice(0, want);
        hasMore = rows.length > want;
        page.push(...(admin ? batch : await announceable(batch, identity)));
        if (batch.length > 0) after = batch[batch.length - 1].seq;
        if (!hasMore) break;
      }
      return {
        data: page.map(toChangeEntry),
        meta: { nextCursor: encodeCursor(['chg', after]), hasMore },
      };
    },

    /** Announces scheduled articles whose time has come (change feed + webhooks). */
    async sweepScheduled(): Promise<number> {
      return repo.recordDuePublications(now().toISOString());
    },

    /**
     * The JSON body of a webhook delivery (Standard Webhooks shape: type, timestamp, data), built
     * for the endpoint's partner key (or an anonymous reader): gated stories carry their teaser
     * unless that key's licence covers them. Rendered at the first attempt and then frozen.
     * null: nothing to send to this endpoint (a photo its key may not see): the delivery is skipped.
     */
    async renderWebhook(delivery: DeliveryRow, endpoint: EndpointRow): Promise<string | null> {
      const identity = await endpointIdentity(endpoint);
      const change = delivery.changeSeq !== null ? await changesRepo.bySeq(delivery.changeSeq) : undefined;
      const entity = (delivery.data.entity as string) ?? change?.entity ?? 'article';
      const id = Number(delivery.data.id ?? change?.entityId);
      // A photo the endpoint's key may not see (embargoed, or only past a break it cannot read): not sent.
      if (entity === 'photo' && !isAdmin(identity)) {
        const visible = app.photoEmbedder.visibleTo ? await app.photoEmbedder.visibleTo([id], identity, now()) : new Set<number>();
        if (!visible.has(id)) return null;
      }
      const data: Record<string, unknown> = {
        seq: delivery.changeSeq,
        entity,
        id,
        slug: change?.slug ?? null,
        version: change?.version ?? null,
        usageTerms: usageTermsFor(identity),
      };
      if (entity === 'article') {
        const gone = delivery.event === 'article.deleted' || delivery.event === 'article.unpublished';
        let article: Article | null = null;
        if (!gone) {
          const records = await articles.findVisibleByIds([id]);
          if (records.length > 0) article = (await articles.present(records, identity, FULL_VIEW)).items[0];
        }
        data.article = article;
        data.ninjs = article ? articleToNinjs(article, ninjsContext(article, identity)) : null;
      } else {
        const photos = await app.photoEmbedder.embed([id], now());
        const photo = photos.get(id) ?? null;
        data.photo = photo;
        if (photo) {
          const { name: _name, rel: _rel, ...doc } = photoToNinjs(photo, 'photo', 'photo', { baseUrl: base, usageTerms: usageTermsFor(identity) });
          data.ninjs = doc;
        } else data.ninjs = null;
      }
      return JSON.stringify({ type: delivery.event, timestamp: change?.occurredAt ?? delivery.createdAt, data });
    },
  };
}

export type SyndicationService = ReturnType<typeof createSyndicationService>;
