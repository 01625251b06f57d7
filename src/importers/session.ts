import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ArticleCreate, type ArticleUpdate } from '../articles/schemas.js';
import { HttpError } from '../lib/httpError.js';
import type { PhotoUploadFields } from '../photos/schemas.js';
import { normalisePath } from './paths.js';
import { createProgress, type Progress } from './progress.js';
import { createImportsRepository } from './repository.js';
import { importIdentity, servicesOf } from './services.js';
import { Summary, type Outcome } from './summary.js';

export interface SessionOptions {
  /** The system and site the items come from, e.g. `wordpress:https://example.com`: source ids are unique within it. */
  source: string;
  /** What the importer is (wordpress, ghost, newsdesk): names the identity revisions credit. */
  system: string;
  /** The file or folder given on the command line (runs are resumed per input). */
  input: string;
  dryRun: boolean;
  /** Show a progress bar on stderr (the CLI does when stderr is a terminal). */
  progress?: boolean;
  log?: (line: string) => void;
}

/** Fields of an article an update may change (the workflow goes through publish/schedule/unpublish). */
const UPDATABLE = ['slug', 'headline', 'standfirst', 'excerpt', 'body', 'dateline', 'section', 'authors', 'tags', 'sources', 'language', 'canonicalUrl', 'seoTitle', 'seoDescription', 'featuredPhotoId', 'access'] as const;

const digestOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');
const errorText = (err: unknown) =>
  err instanceof HttpError
    ? `${err.message}${err.extra.errors?.length ? ` (${err.extra.errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ')})` : ''}`
    : err instanceof Error
      ? err.message
      : String(err);

/**
 * One import run: writes through the app's services, remembers what each source item became
 * (src/db/schema/imports.ts) so a second run writes nothing for unchanged items, and records the
 * run so one killed half way is resumed by the next. Each article is one atomic create or update
 * in the articles service; the bookkeeping row follows it, and an article whose bookkeeping was
 * lost to a kill (created by this importer, under the source's slug, not yet recorded) is
 * recognised and adopted instead of being created twice.
 */
export async function createImportSession(app: FastifyInstance, options: SessionOptions) {
  const repo = createImportsRepository(app.db);
  const services = servicesOf(app);
  const identity = importIdentity(options.system);
  const actorName = `${options.system} import (key import)`;
  const summary = new Summary(options.dryRun);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = () => app.clock.now();
  const source = options.source;
  let runId: number | null = null;
  let processed = 0;
  let progress: Progress | null = null;
  let fakeIds = 0;
  const seen = new Map<string, string | null>();
  const photosSeen = new Set<string>();

  if (!options.dryRun) {
    const unfinished = await repo.unfinishedRun(source, options.input);
    if (unfinished) log(`Resuming the interrupted import #${unfinished.id} of ${options.input} (${unfinished.processed} items were done; they are checked, not written again).`);
    runId = await repo.startRun(source, options.input, now().toISOString());
  }

  const warn = (code: string, detail: string) => summary.warn(code, detail);

  /** An author, section or tag: found by the mapping, else by slug, else created. Returns its slug. */
  async function taxonomy(
    kind: 'author' | 'section' | 'tag',
    sourceId: string,
    input: { slug: string; name: string; bio?: string | null; description?: string | null },
  ): Promise<string | null> {
    // Many posts name the same author, section or tag: each is looked at (and counted) once a run.
    const key = `${kind}\u0000${sourceId}`;
    if (seen.has(key)) return seen.get(key)!;
    const slug = await writeTaxonomy(kind, sourceId, input);
    seen.set(key, slug);
    return slug;
  }

  async function writeTaxonomy(
    kind: 'author' | 'section' | 'tag',
    sourceId: string,
    input: { slug: string; name: string; bio?: string | null; description?: string | null },
  ): Promise<string | null> {
    const digest = digestOf(input);
    const mapped = await repo.item(source, kind, sourceId);
    if (mapped && mapped.digest === digest) {
      summary.count(kind, 'unchanged');
      return mapped.targetId;
    }
    const service = kind === 'author' ? services.authors : kind === 'tag' ? services.tags : services.sections;
    const slug = mapped?.targetId ?? input.slug;
    let exists = false;
    try {
      await service.get(slug);
      exists = true;
    } catch (err) {
      if (!(err instanceof HttpError && err.statusCode === 404)) throw err;
    }
    if (options.dryRun) {
      summary.count(kind, exists ? (mapped ? 'updated' : 'unchanged') : 'created');
      return slug;
    }
    try {
      const fields = kind === 'author' ? { name: input.name, ...(input.bio ? { bio: input.bio } : {}) } : { name: input.name, ...(input.description ? { description: input.description } : {}) };
      if (!exists) await (service.create as (i: object) => Promise<unknown>)({ slug, ...fields });
      else if (mapped) await (service.update as (s: string, p: object, v: 'any') => Promise<unknown>)(slug, fields, 'any');
      summary.count(kind, !exists ? 'created' : mapped ? 'updated' : 'unchanged');
      await repo.recordItem({ source, kind, sourceId, targetId: slug, digest, at: now().toISOString() });
      return slug;
    } catch (err) {
      summary.fail(kind, `"${input.name}"`, errorText(err));
      return null;
    }
  }

  return {
    summary,
    warn,
    identity,
    services,
    dryRun: options.dryRun,
    now,

    author: (sourceId: string, input: { slug: string; name: string; bio?: string | null }) => taxonomy('author', sourceId, input),
    section: (sourceId: string, input: { slug: string; name: string; description?: string | null }) => taxonomy('section', sourceId, input),
    tag: (sourceId: string, input: { slug: string; name: string; description?: string | null }) => taxonomy('tag', sourceId, input),

    /**
     * A picture file: uploaded once (through the photos service, as POST /v1/photos), its id
     * remembered. The first use sets the photo's own caption and alt text; later uses (an inline
     * copy of the feature image) carry theirs in the image block.
     */
    async photo(sourceId: string, file: string, fields: PhotoUploadFields): Promise<number | null> {
      const size = statSync(file).size;
      const digest = digestOf({ file: basename(file), size });
      const mapped = await repo.item(source, 'photo', sourceId);
      if (mapped && mapped.digest === digest) {
        if (!photosSeen.has(sourceId)) summary.count('photo', 'unchanged');
        photosSeen.add(sourceId);
        return Number(mapped.targetId);
      }
      if (options.dryRun) {
        summary.count('photo', mapped ? 'updated' : 'created');
        return mapped ? Number(mapped.targetId) : 1_000_000_000 + ++fakeIds;
      }
      try {
        const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '')) as PhotoUploadFields;
        const { photo, created } = await services.photos.upload(readFileSync(file), { filename: basename(file), fields: clean });
        summary.count('photo', created ? 'created' : mapped ? 'updated' : 'unchanged');
        photosSeen.add(sourceId);
        await repo.recordItem({ source, kind: 'photo', sourceId, targetId: String(photo.id), digest, at: now().toISOString() });
        return photo.id;
      } catch (err) {
        warn('photo-refused', `${basename(file)}: ${errorText(err)}`);
        return null;
      }
    },

    /**
     * An article: validated as POST /v1/articles validates it, created (or updated when the source
     * changed) in one atomic write, with its old permalink paths recorded to answer 301.
     */
    async article(sourceId: string, label: string, raw: Record<string, unknown>, paths: string[]): Promise<Outcome> {
      const parsed = ArticleCreate.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        summary.fail('article', label, `${issue?.path.join('.') || 'article'}: ${issue?.message ?? 'invalid'}`);
        return 'failed';
      }
      const input = parsed.data;
      const digest = digestOf(input);
      const redirectPaths = [...new Set(paths.map(normalisePath).filter((p): p is string => p !== null))];
      const mapped = await repo.item(source, 'article', sourceId);
      if (mapped && mapped.digest === digest) {
        summary.count('article', 'unchanged');
        return 'unchanged';
      }
      if (options.dryRun) {
        const outcome: Outcome = mapped ? 'updated' : 'created';
        summary.count('article', outcome);
        return outcome;
      }
      const record = async (articleId: number) =>
        repo.recordArticle({ source, sourceId, articleId, digest, paths: redirectPaths, at: now().toISOString() });
      try {
        const slug = mapped ? await repo.articleSlug(Number(mapped.targetId)) : undefined;
        if (slug) {
          await updateArticle(slug, input);
          await record(Number(mapped!.targetId));
          summary.count('article', 'updated');
          return 'updated';
        }
        const adopted = input.slug ? await adoptable(input.slug) : null;
        if (adopted !== null) {
          await record(adopted);
          summary.count('article', 'created');
          return 'created';
        }
        const created = await createWithFreeSlug(input, label);
        await record(created);
        summary.count('article', 'created');
        return 'created';
      } catch (err) {
        summary.fail('article', label, errorText(err));
        return 'failed';
      }
    },

    /** A subscriber (a Ghost member): confirmed, with newsletters and plan, through the subscriptions admin service. */
    async subscriber(
      sourceId: string,
      label: string,
      input: { email: string; name: string | null; newsletters: string[]; createdAt: string; plan: string | null; currentPeriodEnd: string | null },
    ): Promise<Outcome> {
      const digest = digestOf(input);
      const mapped = await repo.item(source, 'subscriber', sourceId);
      if (mapped && mapped.digest === digest) {
        summary.count('subscriber', 'unchanged');
        return 'unchanged';
      }
      if (options.dryRun) {
        summary.count('subscriber', mapped ? 'updated' : 'created');
        return mapped ? 'updated' : 'created';
      }
      try {
        const result = await app.subscriptions.admin.importSubscriber(input);
        if (result.outcome === 'erased') {
          summary.count('subscriber', 'skipped');
          warn('subscriber-erased', `${label}: erased their data here before; not brought back`);
          return 'skipped';
        }
        await repo.recordItem({ source, kind: 'subscriber', sourceId, targetId: String(result.id), digest, at: now().toISOString() });
        summary.count('subscriber', result.outcome);
        return result.outcome;
      } catch (err) {
        summary.fail('subscriber', label, errorText(err));
        return 'failed';
      }
    },

    /** Counts a source item that is not imported, with why. */
    skip(kind: string, label: string, reason: string): void {
      summary.count(kind, 'skipped');
      warn(`${kind}-skipped`, `${label}: ${reason}`);
    },

    fail(kind: string, label: string, reason: string): void {
      summary.fail(kind, label, reason);
    },

    startProgress(total: number, what: string): void {
      progress = createProgress(options.progress === true, total, what);
    },

    /** One source item handled: moves the bar, and the run's progress every 25 items. */
    async tick(): Promise<void> {
      processed++;
      progress?.tick();
      if (runId !== null && processed % 25 === 0) await repo.progress(runId, processed);
    },

    /** Ends the run: the bar stops, the run is closed with its summary. */
    async finish(): Promise<Summary> {
      progress?.stop();
      if (runId !== null) await repo.finishRun(runId, source, options.input, now().toISOString(), processed, summary.toJSON() as unknown as Record<string, unknown>);
      return summary;
    },

    /** Records a redirect for an article imported by an earlier step (Ghost's own slug paths). */
    recordRedirect: (path: string, articleId: number) => {
      const p = normalisePath(path);
      return p ? repo.recordRedirect(p, articleId, source, now().toISOString()) : Promise.resolve();
    },
  };

  /** An article created by this importer under that slug whose bookkeeping a kill lost: its id, else null. */
  async function adoptable(slug: string): Promise<number | null> {
    let id: number;
    let first: { actor: string };
    try {
      const found = await services.articles.readArticle(slug, {}, identity, { spendMeter: false });
      if (!('article' in found)) return null; // an old slug of another article
      id = found.article.id;
      first = await services.articles.revision(slug, 1);
    } catch (err) {
      if (err instanceof HttpError && err.statusCode === 404) return null;
      throw err;
    }
    if (first.actor !== actorName) return null;
    return (await repo.itemForTarget('article', String(id))) ? null : id;
  }

  async function createWithFreeSlug(input: ArticleCreate, label: string): Promise<number> {
    const wanted = input.slug;
    for (let n = 1; ; n++) {
      const slug = wanted && n > 1 ? `${wanted}-${n}` : wanted;
      try {
        const article = await services.articles.create({ ...input, slug }, identity);
        if (n > 1) warn('slug-taken', `${label}: "${wanted}" is another article's; imported as "${slug}" (the old path still redirects)`);
        return article.id;
      } catch (err) {
        const taken = err instanceof HttpError && err.statusCode === 409 && err.extra.errors?.some((e) => e.pointer === '/body/slug');
        if (!taken || !wanted || n >= 20) throw err;
      }
    }
  }

  async function updateArticle(slug: string, input: ArticleCreate): Promise<void> {
    const patch: Record<string, unknown> = {};
    for (const k of UPDATABLE) patch[k] = input[k] ?? (k === 'body' ? [] : null);
    for (const k of ['slug', 'headline', 'authors', 'tags', 'sources', 'language', 'access'] as const) if (patch[k] === null) delete patch[k];
    const updated = await services.articles.update(slug, patch as ArticleUpdate, 'any', identity);
    const current = updated.slug;
    const t = now().getTime();
    if (input.status === 'published' && updated.status !== 'published') await services.articles.publish(current, input.publishedAt, 'any', identity);
    else if (input.status === 'scheduled' && input.scheduledFor && Date.parse(input.scheduledFor) > t) await services.articles.schedule(current, input.scheduledFor, 'any', identity);
    else if (input.status === 'draft' && updated.status !== 'draft') await services.articles.unpublish(current, 'any', identity);
  }
}

export type ImportSession = Awaited<ReturnType<typeof createImportSession>>;
