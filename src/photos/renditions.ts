import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { renderRendition, type RenderSpec, type RenditionFormat } from './image.js';
import type { MediaStorage } from './storage.js';

/**
 * Renditions: a fixed set of widths (PHOTO_WIDTHS) × WebP/AVIF/JPEG, optionally cropped to an
 * aspect ratio from an allow-list (PHOTO_ASPECT_RATIOS) around the focal point.
 *
 * Never upscaled. For a picture W pixels wide (after any crop) the offered widths are those ≤ W,
 * plus the first configured width above W, which is served at W pixels (the full-size rendition;
 * its `width` in the listing says so). Asking for any other configured width above W answers
 * that same full-size file ("clamps"); a width that is not configured is a 400. So the disk holds
 * at most |widths| × |formats| × (1 + |ratios|) files per photo, whatever anyone requests.
 */
export const RENDITION_FORMATS: RenditionFormat[] = ['webp', 'avif', 'jpeg'];

/** Bumped when encoder settings change, so old cached files and ETags are not reused. */
const RENDER_VERSION = 1;

export interface Geometry {
  width: number;
  height: number;
  focalX: number | null;
  focalY: number | null;
}

export interface PlannedRendition extends RenderSpec {
  /** The cache file name (unique per output). */
  name: string;
}

export function parseRatio(ratio: string): [number, number] {
  const [a, b] = ratio.split(':').map(Number);
  return [a, b];
}

/** The region of the (display-oriented) picture an aspect ratio keeps, centred on the focal point. */
export function cropBox(g: Geometry, ratio: string | null): RenderSpec['crop'] {
  if (!ratio) return null;
  const [a, b] = parseRatio(ratio);
  const target = a / b;
  let cw = g.width;
  let ch = g.height;
  if (g.width / g.height > target) cw = Math.max(1, Math.min(g.width, Math.round(g.height * target)));
  else ch = Math.max(1, Math.min(g.height, Math.round(g.width / target)));
  const fx = g.focalX ?? 0.5;
  const fy = g.focalY ?? 0.5;
  const left = clamp(Math.round(fx * g.width - cw / 2), 0, g.width - cw);
  const top = clamp(Math.round(fy * g.height - ch / 2), 0, g.height - ch);
  return { left, top, width: cw, height: ch };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** Configured widths offered for a region `regionWidth` pixels wide (see the module comment). */
export function offeredWidths(widths: number[], regionWidth: number): number[] {
  const below = widths.filter((w) => w <= regionWidth);
  const above = widths.find((w) => w > regionWidth);
  return above !== undefined && !below.includes(regionWidth) ? [...below, above] : below;
}

/** What a request for `requestedWidth` (a configured width) in `format` produces. */
export function planRendition(g: Geometry, requestedWidth: number, format: RenditionFormat, ratio: string | null): PlannedRendition {
  const crop = cropBox(g, ratio);
  const regionW = crop?.width ?? g.width;
  const regionH = crop?.height ?? g.height;
  const width = Math.min(requestedWidth, regionW);
  let height: number;
  if (ratio) {
    const [a, b] = parseRatio(ratio);
    height = Math.max(1, Math.round((width * b) / a));
  } else {
    height = Math.max(1, Math.round((width * regionH) / regionW));
  }
  const cropPart = crop ? `-c${crop.left}_${crop.top}_${crop.width}_${crop.height}` : '';
  return { format, width, height, crop, name: `r${RENDER_VERSION}-${width}x${height}${cropPart}.${format}` };
}

/** ETag of a rendition: changes with the original's bytes, the output size, crop and encoder version. */
export function renditionEtag(sha256: string, plan: PlannedRendition): string {
  return `"${sha256.slice(0, 20)}-${plan.name}"`;
}

/**
 * The version token (`?v=`) of a photo's rendition URLs. The bytes behind
 * `/v1/photos/{id}/renditions/{width}.{format}?ar={ratio}` are a function of what the URL names
 * (width, format, ratio) and of three things it does not: the original's bytes (SHA-256; its
 * geometry follows from them), the focal point (where crops fall) and the encoder settings
 * (RENDER_VERSION). The token hashes those three, so a URL carrying the current token always
 * names the same bytes and can be cached as immutable; any change gives new URLs.
 */
export function renditionToken(sha256: string, focalX: number | null, focalY: number | null): string {
  return createHash('sha256').update(`${sha256}|${focalX ?? '-'}|${focalY ?? '-'}|r${RENDER_VERSION}`).digest('hex').slice(0, 12);
}

/**
 * Makes renditions on first request and caches them on disk. Concurrent first requests for the
 * same file share one render (an in-flight map of promises); the file is written under a temp
 * name and renamed, so a reader never sees half a file.
 */
export function createRenditionCache(storage: MediaStorage, maxPixels: number) {
  const inFlight = new Map<string, Promise<string>>();
  let renders = 0;

  async function make(original: string, target: string, plan: PlannedRendition): Promise<string> {
    const temp = await storage.tempPath();
    try {
      await renderRendition(original, temp, plan, maxPixels);
      await storage.moveInto(temp, target);
      renders++;
      return target;
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  return {
    /** Path of the rendition file, making it if needed. */
    async get(sha256: string, originalPath: string, plan: PlannedRendition): Promise<{ path: string; size: number }> {
      const target = join(storage.renditionDir(sha256), plan.name);
      let found = await storage.exists(target);
      if (found) return { path: target, size: found.size };
      let pending = inFlight.get(target);
      if (!pending) {
        pending = make(originalPath, target, plan).finally(() => inFlight.delete(target));
        inFlight.set(target, pending);
      }
      await pending;
      found = await storage.exists(target);
      if (!found) throw new Error(`rendition ${target} vanished after rendering`);
      return { path: target, size: found.size };
    },
    /** The byte size of the rendition file when it has been made, else null (never makes it). */
    async sizeIfMade(sha256: string, plan: PlannedRendition): Promise<number | null> {
      return (await storage.exists(join(storage.renditionDir(sha256), plan.name)))?.size ?? null;
    },
    /** How many renditions this process has rendered (for tests and metrics). */
    get renderCount() {
      return renders;
    },
  };
}

export type RenditionCache = ReturnType<typeof createRenditionCache>;
