import { encode as encodeBlurhash } from 'blurhash';
import type { Metadata, OutputInfo, default as Sharp } from 'sharp';
import { HttpError } from '../lib/httpError.js';
import type { PhotoFormat } from './sniff.js';

/**
 * Everything that touches pixels, with sharp (libvips). Decoding is bounded by
 * `limitInputPixels` (read from the header before any pixel is decoded, so a 30,000 × 30,000
 * "decompression bomb" costs nothing) and fails on truncated data.
 */

/**
 * sharp (libvips, ~30 MB resident) is loaded on first use: a server that mostly serves cached
 * renditions may never need it. Its own thread pool (one per core) is fine; its cache of open
 * files is off, since files are renamed under it.
 */
let sharpModule: Promise<typeof Sharp> | null = null;
function loadSharp(): Promise<typeof Sharp> {
  sharpModule ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache({ files: 0 });
    return sharp;
  });
  return sharpModule;
}

/** sharp's format name for each accepted format (AVIF is HEIF with AV1 compression). */
const SHARP_FORMAT: Record<PhotoFormat, string> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  avif: 'heif',
  gif: 'gif',
  tiff: 'tiff',
};

export interface Probe {
  /** Display size, with the EXIF orientation applied. */
  width: number;
  height: number;
  orientation: number | null;
  dominantColor: string;
  blurhash: string | null;
  /** Raw metadata blocks for the IPTC/XMP/EXIF reader. */
  blocks: { exif?: Buffer; xmp?: Buffer; iptc?: Buffer };
}

const unprocessable = (detail: string) => new HttpError(422, detail, { errors: [{ pointer: '/body/file', detail }] });

/** Checks that the file is a whole, decodable image within the limits, and measures it. */
export async function probeImage(path: string, format: PhotoFormat, maxPixels: number): Promise<Probe> {
  const options = { limitInputPixels: maxPixels, failOn: 'truncated' as const, pages: 1 };
  let meta: Metadata;
  try {
    meta = await (await loadSharp())(path, options).metadata();
  } catch (err) {
    throw decodeError(err, maxPixels, path);
  }
  if (meta.format !== SHARP_FORMAT[format] || (format === 'avif' && meta.compression !== 'av1')) {
    throw unprocessable(`The file starts like ${format.toUpperCase()} but is not a valid ${format.toUpperCase()} image`);
  }
  const rawWidth = meta.width ?? 0;
  const rawHeight = meta.pageHeight ?? meta.height ?? 0;
  if (rawWidth < 1 || rawHeight < 1) throw unprocessable('The image has no pixels');
  if (rawWidth * rawHeight > maxPixels) {
    throw unprocessable(`The image is ${rawWidth} × ${rawHeight} pixels, more than the ${maxPixels}-pixel limit`);
  }
  const orientation = meta.orientation ?? null;
  const swap = orientation !== null && orientation >= 5 && orientation <= 8;

  // Decode every pixel once (this is what finds a truncated or corrupt file), into a thumbnail
  // for the placeholder.
  let thumb: { data: Buffer; info: OutputInfo };
  try {
    thumb = await (await loadSharp())(path, options)
      .autoOrient()
      .resize(48, 48, { fit: 'inside' })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw decodeError(err, maxPixels, path);
  }
  const { data, info } = thumb;
  let blurhash: string | null = null;
  try {
    blurhash = encodeBlurhash(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height, 4, 3);
  } catch {
    blurhash = null;
  }
  const { dominant } = await (await loadSharp())(data, { raw: { width: info.width, height: info.height, channels: 4 } }).stats();
  return {
    width: swap ? rawHeight : rawWidth,
    height: swap ? rawWidth : rawHeight,
    orientation,
    dominantColor: `#${[dominant.r, dominant.g, dominant.b].map((c) => c.toString(16).padStart(2, '0')).join('')}`,
    blurhash,
    blocks: { exif: meta.exif, xmp: meta.xmp, iptc: meta.iptc },
  };
}

function decodeError(err: unknown, maxPixels: number, path: string): HttpError {
  // libvips names the file it read; that is a server path, not the client's business.
  const message = (err instanceof Error ? err.message : String(err)).split(path).join('the file');
  if (/pixel limit/i.test(message)) {
    return unprocessable(`The image has more pixels than the ${maxPixels}-pixel limit`);
  }
  return unprocessable(`The image is truncated or corrupt and cannot be decoded (${message.split('\n')[0].slice(0, 200)})`);
}

export type RenditionFormat = 'webp' | 'avif' | 'jpeg';

export const RENDITION_MIME: Record<RenditionFormat, string> = {
  webp: 'image/webp',
  avif: 'image/avif',
  jpeg: 'image/jpeg',
};

export interface RenderSpec {
  format: RenditionFormat;
  width: number;
  height: number;
  /** Region of the display-oriented original to keep, or null for all of it. */
  crop: { left: number; top: number; width: number; height: number } | null;
}

/**
 * Makes one rendition file: auto-rotated by the EXIF orientation, cropped, resized (never up),
 * converted to sRGB and encoded. No metadata is written: EXIF (GPS included), IPTC, XMP and the
 * ICC profile are all dropped (sharp keeps none unless asked).
 */
export async function renderRendition(source: string, target: string, spec: RenderSpec, maxPixels: number): Promise<void> {
  const sharp = await loadSharp();
  let pipeline = sharp(source, { limitInputPixels: maxPixels, failOn: 'truncated', pages: 1 }).autoOrient();
  if (spec.crop) pipeline = pipeline.extract(spec.crop);
  pipeline = pipeline.resize({ width: spec.width, height: spec.height, fit: 'fill' }).toColourspace('srgb');
  switch (spec.format) {
    case 'webp':
      pipeline = pipeline.webp({ quality: 80, effort: 4 });
      break;
    case 'avif':
      pipeline = pipeline.avif({ quality: 50, effort: 3 });
      break;
    case 'jpeg':
      pipeline = pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 82, progressive: true, mozjpeg: true });
      break;
  }
  await pipeline.toFile(target);
}
