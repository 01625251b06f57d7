import { createReadStream, mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { isAdmin, type Identity } from '../access/identity.js';
import { archiveCutoff, fullTextScope } from '../access/policy.js';
import type { Config } from '../config.js';
import { ConflictError } from '../db/errors.js';
import type { Clock } from '../lib/clock.js';
import { HttpError, conflict, notFound } from '../lib/httpError.js';
import { decodeCursor, encodeCursor } from '../schemas/pagination.js';
import type { EmbeddedPhoto, PhotoEmbedder } from '../schemas/photo.js';
import { probeImage, RENDITION_MIME, type RenditionFormat } from './image.js';
import { clean, readEmbeddedMetadata, uniqueKeywords } from './metadata.js';
import type { PhotoRow, PhotosRepository } from './repository.js';
import {
  createRenditionCache,
  offeredWidths,
  planRendition,
  renditionEtag,
  renditionToken,
  RENDITION_FORMATS,
  type PlannedRendition,
} from './renditions.js';
import type { Photo, PhotoListQuery, PhotoUpdate, PhotoUploadFields } from './schemas.js';
import { MIME_TYPES, sniffFormat, SNIFF_BYTES, type PhotoFormat } from './sniff.js';
import { createMediaStorage, type StagedUpload } from './storage.js';

const PhotoCursor = z.tuple([z.string().max(40), z.number().int()]);

const ONE_YEAR = 31_536_000;

export interface PhotosDeps {
  repo: PhotosRepository;
  clock: Clock;
  config: Config;
  log?: { warn(obj: unknown, msg?: string): void };
}

export interface UploadResult {
  photo: Photo;
  /** false when the same bytes were already stored: the existing photo is returned unchanged. */
  created: boolean;
}

/** Who asks for a photo: admins see every photo; anyone else what the access policy lets them see. */
export interface Viewer {
  identity: Identity;
}

export interface PreparedRendition {
  photoId: number;
  /** The URL (path and query) that names these bytes now: with the current version token. */
  currentUrl: string;
  /** Whether the request carried the current version token (and so may be cached as immutable). */
  current: boolean;
  sha256: string;
  originalPath: string;
  plan: PlannedRendition;
  etag: string;
  mimeType: string;
  cacheControl: string;
}

const fileProblem = (status: number, detail: string) => new HttpError(status, detail, { errors: [{ pointer: '/body/file', detail }] });

export function createPhotosService(deps: PhotosDeps) {
  const { repo, clock, config } = deps;
  const policy = { archiveAfterDays: config.ARCHIVE_AFTER_DAYS };
  const storage = createMediaStorage(config.mediaDir);
  const renditionCache = createRenditionCache(storage, config.PHOTO_MAX_PIXELS);
  // Rendition files are content-addressed and never change: their bytes can stay in memory for
  // as long as there is room. Whether one may be served is decided before (prepareRendition).
  const renditionBytesMax = config.CACHE_RENDITIONS_MB * 1024 * 1024;
  const renditionBytes = new LRUCache<string, Buffer>({ maxSize: Math.max(1, renditionBytesMax), sizeCalculation: (b) => Math.max(1, b.byteLength) });
  const base = config.PUBLIC_BASE_URL.replace(/\/+$/, '');

  const isExpired = (row: PhotoRow, now: Date) => row.expiresAt !== null && row.expiresAt <= now.toISOString();
  const geometry = (row: PhotoRow) => ({ width: row.width, height: row.height, focalX: row.focalX, focalY: row.focalY });
  const tokenOf = (row: PhotoRow) => renditionToken(row.sha256, row.focalX, row.focalY);
  const renditionPath = (id: number, width: number | string, format: string) => `/v1/photos/${id}/renditions/${width}.${format}`;
  /** Rendition URLs carry the photo's version token, so they can be cached as immutable (renditionToken). */
  const renditionUrl = (row: PhotoRow, width: number | string, format: string, token = tokenOf(row)) =>
    `${base}${renditionPath(row.id, width, format)}?v=${token}`;
  // Without the current token (a URL from before an edit, or built by hand) the answer is the
  // current bytes, cached briefly: correct, never immutable.
  const shortCache = `public, max-age=${config.CACHE_MAX_AGE_SECONDS}, stale-while-revalidate=${config.CACHE_STALE_SECONDS}`;

  /** The renditions a photo offers, with the plan of the file each URL serves. */
  function plannedRenditions(row: PhotoRow) {
    const widths = offeredWidths(config.PHOTO_WIDTHS, row.width);
    const token = tokenOf(row);
    return RENDITION_FORMATS.flatMap((format) =>
      widths.map((w) => ({ url: renditionUrl(row, w, format, token), format, plan: planRendition(geometry(row), w, format, null) })),
    );
  }

  function renditionsOf(row: PhotoRow): Photo['renditions'] {
    return plannedRenditions(row).map(({ url, format, plan }) => ({ url, width: plan.width, height: plan.height, format }));
  }

  function toPhoto(row: PhotoRow, now: Date): Photo {
    return {
      id: row.id,
      sha256: row.sha256,
      format: row.format as PhotoFormat,
      mimeType: row.mimeType,
      byteSize: row.byteSize,
      width: row.width,
      height: row.height,
      orientation: row.orientation,
      originalFilename: row.originalFilename,
      headline: row.headline,
      caption: row.caption,
      altText: row.altText,
      credit: row.credit,
      creator: row.creator,
      copyright: row.copyright,
      source: row.source,
      usageTerms: row.usageTerms,
      keywords: row.keywords,
      takenAt: row.takenAt,
      focalPoint: row.focalX !== null && row.focalY !== null ? { x: row.focalX, y: row.focalY } : null,
      expiresAt: row.expiresAt,
      expired: isExpired(row, now),
      placeholder: { color: row.dominantColor ?? '#808080', blurhash: row.blurhash },
      renditions: renditionsOf(row),
      renditionUrlTemplate: renditionUrl(row, '{width}', '{format}'),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      version: row.version,
    };
  }

  function toEmbedded(row: PhotoRow): EmbeddedPhoto {
    return {
      id: row.id,
      caption: row.caption,
      altText: row.altText,
      credit: row.credit,
      creator: row.creator,
      copyright: row.copyright,
      width: row.width,
      height: row.height,
      focalPoint: row.focalX !== null && row.focalY !== null ? { x: row.focalX, y: row.focalY } : null,
      placeholder: { color: row.dominantColor ?? '#808080', blurhash: row.blurhash },
      renditions: renditionsOf(row),
    };
  }

  async function load(id: number): Promise<PhotoRow> {
    const row = await repo.findById(id);
    if (!row) throw notFound(`Photo ${id}`);
    return row;
  }

  /**
   * A photo as `viewer` may see it. Readers (anyone but admins: anonymous, subscribers, partner
   * keys) see only photos shown now by a visible article or as an author's portrait: a scheduled
   * story's photo (its caption describes the story) is a 404 like the story itself, not a 403
   * that would confirm it exists. Admins see every photo.
   */
  async function loadFor(id: number, viewer: Viewer, now: Date): Promise<PhotoRow | undefined> {
    if (isAdmin(viewer.identity)) return repo.findById(id);
    const at = now.toISOString();
    // Shown to every reader (featured, in a teaser, a portrait): the hot path, one prepared statement.
    const shown = await repo.findShown(id, at);
    if (shown) return shown;
    // Else only past a paywall break: seen by those the one policy lets read that article in full.
    const scope = fullTextScope(viewer.identity);
    if (scope !== 'all' && scope.length === 0) return undefined;
    return repo.findShownInFull(id, at, scope, archiveCutoff(now, policy));
  }

  /** Readers never see a photo past its expiry; editors (admin) still do. */
  function assertServable(row: PhotoRow, viewer: Viewer, now: Date): void {
    if (!isAdmin(viewer.identity) && isExpired(row, now)) {
      throw new HttpError(410, `Photo ${row.id} has expired and is no longer available`);
    }
  }

  const iso = (value: string | undefined | null) => (value ? new Date(value).toISOString() : null);

  /**
   * Stores a staged upload: checks the bytes, reads embedded metadata, and commits row + file
   * together. Always removes the temp file. Duplicate bytes return the existing photo.
   */
  async function ingest(staged: StagedUpload, fields: PhotoUploadFields, filename: string | null): Promise<UploadResult> {
    try {
      if (staged.size === 0) throw fileProblem(400, 'The file part is empty');
      const format = sniffFormat(await storage.head(staged.path, SNIFF_BYTES));
      if (!format) {
        throw fileProblem(415, 'The file is not an image in an accepted format (JPEG, PNG, WebP, AVIF, GIF or TIFF), whatever its name or declared type');
      }
      const now = clock.now();
      const existing = await repo.findBySha(staged.sha256);
      if (existing) {
        // The row is the truth; if its file went missing (restored backup, disk mishap), the same
        // bytes put it back.
        const path = storage.originalPath(existing.sha256, existing.format as PhotoFormat);
        if (!(await storage.exists(path))) await storage.moveInto(staged.path, path);
        return { photo: toPhoto(existing, now), created: false };
      }

      const probe = await probeImage(staged.path, format, config.PHOTO_MAX_PIXELS);
      const embedded = await readEmbeddedMetadata(probe.blocks);
      const given = (v: string | undefined) => clean(v ?? null);
      const keywords = fields.keywords !== undefined ? uniqueKeywords(fields.keywords.split(',')) : [];
      const stamp = now.toISOString();
      const finalPath = storage.originalPath(staged.sha256, format);
      let placed = false;
      let row: PhotoRow;
      try {
        row = await repo.insertWithFile(
          {
            sha256: staged.sha256,
            format,
            mimeType: MIME_TYPES[format],
            byteSize: staged.size,
            width: probe.width,
            height: probe.height,
            orientation: probe.orientation,
            originalFilename: clean(filename)?.slice(0, 255) ?? null,
            headline: given(fields.headline) ?? embedded.headline,
            caption: given(fields.caption) ?? embedded.caption,
            altText: given(fields.altText) ?? embedded.altText,
            credit: given(fields.credit) ?? embedded.credit,
            creator: given(fields.creator) ?? embedded.creator,
            copyright: given(fields.copyright) ?? embedded.copyright,
            source: given(fields.source) ?? embedded.source,
            usageTerms: given(fields.usageTerms) ?? embedded.usageTerms,
            keywords: keywords.length > 0 ? keywords : embedded.keywords,
            takenAt: iso(fields.takenAt) ?? embedded.takenAt,
            expiresAt: iso(fields.expiresAt),
            dominantColor: probe.dominantColor,
            blurhash: probe.blurhash,
            createdAt: stamp,
            updatedAt: stamp,
          },
          () => {
            mkdirSync(dirname(finalPath), { recursive: true });
            renameSync(staged.path, finalPath);
            placed = true;
          },
        );
      } catch (err) {
        // Same bytes committed by a concurrent upload: theirs stands, and so does the file.
        if (err instanceof ConflictError) {
          const winner = await repo.findBySha(staged.sha256);
          if (winner) return { photo: toPhoto(winner, now), created: false };
        }
        if (placed) {
          try {
            unlinkSync(finalPath);
          } catch {
            /* already gone */
          }
        }
        throw err;
      }
      return { photo: toPhoto(row, now), created: true };
    } finally {
      await staged.discard();
    }
  }

  const service = {
    storage,
    renditionCache,
    toPhoto,

    /** Streams an upload into a temp file (step 1 of an upload; the route calls it per file part). */
    stage(source: Readable): Promise<StagedUpload> {
      return storage.stage(source, config.PHOTO_MAX_BYTES);
    },

    ingest,

    /** The whole upload in one call, for code that has the bytes (the seed, imports). Same path as POST /v1/photos. */
    async upload(bytes: Buffer | Readable, options: { filename?: string; fields?: PhotoUploadFields } = {}): Promise<UploadResult> {
      const staged = await storage.stage(Buffer.isBuffer(bytes) ? Readable.from([bytes]) : bytes, config.PHOTO_MAX_BYTES);
      return ingest(staged, options.fields ?? {}, options.filename ?? null);
    },

    async list(query: PhotoListQuery) {
      const after = query.cursor ? decodeCursor(query.cursor, PhotoCursor) : null;
      const filter = {
        q: query.q,
        from: iso(query.from) ?? undefined,
        to: iso(query.to) ?? undefined,
        takenFrom: iso(query.takenFrom) ?? undefined,
        takenTo: iso(query.takenTo) ?? undefined,
      };
      const rows = await repo.page(filter, query.limit + 1, after ? { createdAt: after[0], id: after[1] } : null);
      const more = rows.length > query.limit;
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      const now = clock.now();
      return {
        data: page.map((r) => toPhoto(r, now)),
        meta: { nextCursor: more && last ? encodeCursor([last.createdAt, last.id]) : null, total: await repo.count(filter) },
      };
    },

    async get(id: number, viewer: Viewer): Promise<Photo> {
      const now = clock.now();
      const row = await loadFor(id, viewer, now);
      if (!row) throw notFound(`Photo ${id}`);
      assertServable(row, viewer, now);
      return toPhoto(row, now);
    },

    /** `expectedVersion` comes from If-Match; without it the current version is used. */
    async update(id: number, patch: PhotoUpdate, expectedVersion: number | null | 'any'): Promise<Photo> {
      const current = await load(id);
      if (typeof expectedVersion === 'number' && expectedVersion !== current.version) {
        throw new HttpError(412, `The photo is at version ${current.version}; your change was based on another`);
      }
      const changes: Partial<PhotoRow> = {};
      for (const key of ['caption', 'headline', 'altText', 'credit', 'creator', 'copyright', 'source', 'usageTerms'] as const) {
        if (patch[key] !== undefined) changes[key] = patch[key] === null ? null : clean(patch[key]);
      }
      if (patch.keywords !== undefined) changes.keywords = uniqueKeywords(patch.keywords);
      if (patch.takenAt !== undefined) changes.takenAt = iso(patch.takenAt);
      if (patch.expiresAt !== undefined) changes.expiresAt = iso(patch.expiresAt);
      if (patch.focalPoint !== undefined) {
        changes.focalX = patch.focalPoint?.x ?? null;
        changes.focalY = patch.focalPoint?.y ?? null;
      }
      const now = clock.now();
      const updated = await repo.update(current.id, current.version, { ...changes, updatedAt: now.toISOString() });
      if (!updated) throw new HttpError(412, 'The photo changed while you were editing it; fetch it and try again');
      return toPhoto(updated, now);
    },

    /** Refuses (409) while published or scheduled articles show the photo, unless `force`. */
    async delete(id: number, force: boolean): Promise<void> {
      const row = await load(id);
      if (!force) {
        const uses = await repo.usedBy(id);
        if (uses.length > 0) {
          const list = uses.map((u) => `"${u.slug}" (${u.status})`).join(', ');
          throw conflict(`Photo ${id} is used by ${list}${uses.length >= 5 ? ' and maybe more' : ''}; remove it from them first or delete with ?force=true`);
        }
      }
      await repo.delete(id);
      try {
        await storage.removePhotoFiles(row.sha256, row.format as PhotoFormat);
      } catch (err) {
        deps.log?.warn({ err, photoId: id }, 'photo deleted but its files could not all be removed');
      }
    },

    /**
     * Resolves a rendition request without touching pixels (so a 304 costs nothing), deciding in
     * the same single query whether the caller may see the photo (before any bytes, cached or not,
     * are served). Widths must be configured and ratios allow-listed (the route's schema enforces both).
     */
    async prepareRendition(
      id: number,
      width: number,
      format: RenditionFormat,
      ratio: string | null,
      version: string | null,
      viewer: Viewer,
    ): Promise<PreparedRendition> {
      const now = clock.now();
      const row = await loadFor(id, viewer, now);
      if (!row) throw notFound(`Photo ${id}`);
      assertServable(row, viewer, now);
      const plan = planRendition(geometry(row), width, format, ratio);
      const token = tokenOf(row);
      const current = version === token;
      // With the current token: immutable for a year, but never cached past the photo's expiry.
      // Without it (missing or stale): the current bytes, cached for CACHE_MAX_AGE_SECONDS.
      let cacheControl = `public, max-age=${ONE_YEAR}, immutable`;
      const untilExpiry = row.expiresAt ? Math.max(0, Math.floor((Date.parse(row.expiresAt) - now.getTime()) / 1000)) : Infinity;
      if (!current) {
        cacheControl = untilExpiry < config.CACHE_MAX_AGE_SECONDS ? `public, max-age=${untilExpiry}` : shortCache;
      } else if (untilExpiry < ONE_YEAR) {
        cacheControl = `public, max-age=${untilExpiry}, immutable`;
      }
      return {
        photoId: row.id,
        currentUrl: `${renditionPath(row.id, width, format)}?v=${token}${ratio ? `&ar=${ratio}` : ''}`,
        current,
        sha256: row.sha256,
        originalPath: storage.originalPath(row.sha256, row.format as PhotoFormat),
        plan,
        etag: renditionEtag(row.sha256, plan),
        mimeType: RENDITION_MIME[format],
        cacheControl,
      };
    },

    /**
     * The rendition's bytes, made (once, even under concurrent requests) if needed: from memory
     * when recently served, else from its file (kept in memory when it is small enough).
     */
    async renditionBody(prepared: PreparedRendition): Promise<{ body: Buffer | Readable; size: number }> {
      const key = `${prepared.sha256}/${prepared.plan.name}`;
      const hit = renditionBytes.get(key);
      if (hit) return { body: hit, size: hit.byteLength };
      const file = await renditionCache.get(prepared.sha256, prepared.originalPath, prepared.plan);
      if (file.size > renditionBytesMax / 16) return { body: createReadStream(file.path), size: file.size };
      const bytes = await readFile(file.path);
      renditionBytes.set(key, bytes);
      return { body: bytes, size: bytes.byteLength };
    },

    embedder: {
      async missing(ids: number[]): Promise<number[]> {
        const unique = [...new Set(ids)];
        const found = new Set((await repo.findByIds(unique)).map((r) => r.id));
        return unique.filter((id) => !found.has(id));
      },
      async embed(ids: number[], now: Date): Promise<Map<number, EmbeddedPhoto>> {
        const rows = await repo.findByIds([...new Set(ids)]);
        return new Map(rows.filter((r) => !isExpired(r, now)).map((r) => [r.id, toEmbedded(r)]));
      },
      async renditionSizes(wanted: { photoId: number; url: string }[]): Promise<Map<string, number>> {
        const rows = await repo.findByIds([...new Set(wanted.map((w) => w.photoId))]);
        const urls = new Set(wanted.map((w) => w.url));
        const sizes = new Map<string, number>();
        for (const row of rows) {
          for (const r of plannedRenditions(row)) {
            if (!urls.has(r.url)) continue;
            const size = await renditionCache.sizeIfMade(row.sha256, r.plan);
            if (size !== null) sizes.set(r.url, size);
          }
        }
        return sizes;
      },
      async visibleTo(ids: number[], identity: Identity, now: Date): Promise<Set<number>> {
        const seen = new Set<number>();
        for (const id of new Set(ids)) if (await loadFor(id, { identity }, now)) seen.add(id);
        return seen;
      },
      async nextExpiry(ids: number[], now: Date): Promise<string | null> {
        const ahead = (await repo.findByIds([...new Set(ids)])).map((r) => r.expiresAt).filter((e): e is string => e !== null && e > now.toISOString());
        return ahead.length > 0 ? ahead.sort()[0] : null;
      },
    } satisfies PhotoEmbedder,
  };
  return service;
}

export type PhotosService = ReturnType<typeof createPhotosService>;
