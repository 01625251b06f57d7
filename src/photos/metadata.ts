import type exifrType from 'exifr';
import { readIptc, type IptcRecords } from './iptc.js';

// exifr is loaded with the first upload, not at start.
let exifrModule: Promise<typeof exifrType> | null = null;
const loadExifr = () => (exifrModule ??= import('exifr').then((m) => m.default));

/**
 * Pre-fill from the metadata agencies embed in their pictures, the way WordPress does on upload.
 * Sources, in order of preference for each field: XMP (UTF-8 XML, the current standard), then
 * IPTC-IIM (the older block most wire photos still carry), then EXIF (camera fields).
 *
 * The raw blocks come from sharp's `metadata()` (it finds them in JPEG, PNG, WebP, TIFF and AVIF
 * alike); exifr parses EXIF and XMP. IPTC-IIM is decoded by `readIptc`, which honours the
 * CodedCharacterSet (exifr decodes IPTC strings as Latin-1, which garbles the UTF-8 that agencies
 * send: "ZoÃ« BrandÃ£o" instead of "Zoë Brandão").
 * Metadata is best effort: a damaged block is skipped, never an error for the upload.
 */
export interface EmbeddedMetadata {
  headline: string | null;
  /** XMP Iptc4xmpCore:AltTextAccessibility (IPTC Photo Metadata 2021). */
  altText: string | null;
  caption: string | null;
  credit: string | null;
  creator: string | null;
  copyright: string | null;
  source: string | null;
  usageTerms: string | null;
  keywords: string[];
  /** ISO 8601 UTC; EXIF times without an offset are taken as UTC. */
  takenAt: string | null;
}

export interface RawBlocks {
  exif?: Buffer;
  xmp?: Buffer;
  iptc?: Buffer;
}

const EXIFR_OPTIONS = {
  tiff: true,
  exif: true,
  gps: false,
  interop: false,
  ifd1: false,
  makerNote: false,
  userComment: false,
  xmp: false,
  iptc: false,
  icc: false,
  jfif: false,
  ihdr: false,
  mergeOutput: false,
  reviveValues: false,
  translateValues: false,
  silentErrors: true,
} as unknown as Parameters<typeof exifrType.parse>[1];

const NS = {
  dc: 'http://purl.org/dc/elements/1.1/',
  photoshop: 'http://ns.adobe.com/photoshop/1.0/',
  xmpRights: 'http://ns.adobe.com/xap/1.0/rights/',
  xmp: 'http://ns.adobe.com/xap/1.0/',
  exif: 'http://ns.adobe.com/exif/1.0/',
  iptcCore: 'http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/',
} as const;

// IPTC-IIM record 2 dataset numbers.
const IIM = {
  objectName: 5,
  keywords: 25,
  specialInstructions: 40,
  dateCreated: 55,
  timeCreated: 60,
  byline: 80,
  headline: 105,
  credit: 110,
  source: 115,
  copyright: 116,
  caption: 120,
} as const;

/** Camera firmware fills ImageDescription with its own name; that is not a caption. */
const BOILERPLATE = /^(?:OLYMPUS DIGITAL CAMERA|SONY DSC|DIGITAL CAMERA|KODAK[\w ]*CAMERA|DCIM|default|image|untitled|SAMSUNG|LG Electronics)$/i;

export async function readEmbeddedMetadata(blocks: RawBlocks): Promise<EmbeddedMetadata> {
  const [exif, xmp] = await Promise.all([parseExif(blocks.exif), parseXmp(blocks.xmp)]);
  let iptc: IptcRecords = new Map();
  try {
    if (blocks.iptc) iptc = readIptc(blocks.iptc);
  } catch {
    /* damaged block: ignore */
  }
  const ii = (tag: number) => clean(iptc.get(tag)?.join(', '));
  const ex = (group: 'ifd0' | 'exif', key: string) => {
    const v = (exif?.[group] as Record<string, unknown> | undefined)?.[key];
    return typeof v === 'string' ? clean(v) : null;
  };

  const description = ex('ifd0', 'ImageDescription');
  const keywords = xmp.list(NS.dc, 'subject');
  return {
    headline: clip(xmp.text(NS.photoshop, 'Headline') ?? ii(IIM.headline) ?? xmp.text(NS.dc, 'title') ?? ii(IIM.objectName), 500),
    altText: clip(xmp.text(NS.iptcCore, 'AltTextAccessibility'), 2000),
    caption: clip(xmp.text(NS.dc, 'description') ?? ii(IIM.caption) ?? (description && !BOILERPLATE.test(description) ? description : null), 10_000),
    credit: clip(xmp.text(NS.photoshop, 'Credit') ?? ii(IIM.credit), 500),
    creator: clip(joined(xmp.list(NS.dc, 'creator')) ?? clean(iptc.get(IIM.byline)?.join(', ')) ?? ex('ifd0', 'Artist'), 500),
    copyright: clip(xmp.text(NS.dc, 'rights') ?? ii(IIM.copyright) ?? ex('ifd0', 'Copyright'), 1000),
    source: clip(xmp.text(NS.photoshop, 'Source') ?? ii(IIM.source), 500),
    usageTerms: clip(
      xmp.text(NS.xmpRights, 'UsageTerms') ?? xmp.text(NS.photoshop, 'Instructions') ?? ii(IIM.specialInstructions),
      2000,
    ),
    keywords: uniqueKeywords((keywords.length > 0 ? keywords : iptc.get(IIM.keywords) ?? []).map((k) => k.slice(0, 100))).slice(0, 100),
    takenAt:
      exifDate(ex('exif', 'DateTimeOriginal'), ex('exif', 'OffsetTimeOriginal')) ??
      isoDate(xmp.text(NS.photoshop, 'DateCreated')) ??
      isoDate(xmp.text(NS.exif, 'DateTimeOriginal')) ??
      iptcDate(ii(IIM.dateCreated), ii(IIM.timeCreated)) ??
      isoDate(xmp.text(NS.xmp, 'CreateDate')) ??
      exifDate(ex('exif', 'CreateDate'), ex('exif', 'OffsetTimeDigitized')),
  };
}

async function parseExif(block: Buffer | undefined): Promise<Record<string, unknown> | null> {
  if (!block || block.length < 8) return null;
  // sharp returns the APP1 payload: "Exif\0\0" followed by a TIFF structure.
  const tiff = block.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? block.subarray(6) : block;
  try {
    return ((await (await loadExifr()).parse(Buffer.from(tiff), EXIFR_OPTIONS)) as Record<string, unknown> | undefined) ?? null;
  } catch {
    return null;
  }
}

interface XmpReader {
  text(ns: string, name: string): string | null;
  list(ns: string, name: string): string[];
}

async function parseXmp(block: Buffer | undefined): Promise<XmpReader> {
  let doc: Record<string, unknown> = {};
  if (block && block.length > 0) {
    try {
      doc = ((await (await loadExifr()).sidecar(Buffer.from(block), { reviveValues: false, translateValues: false }, 'xmp')) ?? {}) as Record<string, unknown>;
    } catch {
      doc = {};
    }
  }
  // exifr groups properties by the prefix the file uses; find it from the namespace URI.
  const xmlns = (doc.xmlns ?? {}) as Record<string, string>;
  const group = (ns: string): Record<string, unknown> | undefined => {
    const prefix = Object.entries(xmlns).find(([, uri]) => uri === ns)?.[0];
    const g = prefix ? doc[prefix] : undefined;
    return g && typeof g === 'object' ? (g as Record<string, unknown>) : undefined;
  };
  return {
    text: (ns, name) => clean(xmpText(group(ns)?.[name])),
    list: (ns, name) => xmpList(group(ns)?.[name]),
  };
}

/** An XMP value: a plain string, a language alternative ({lang, value} or a list of them), or a Seq/Bag. */
function xmpText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number') return decodeXmlEntities(String(v));
  if (Array.isArray(v)) {
    if (v.length === 0) return null;
    const preferred = v.find((x) => x && typeof x === 'object' && (x as { lang?: string }).lang === 'x-default') ?? v[0];
    return xmpText(preferred);
  }
  if (typeof v === 'object' && 'value' in (v as object)) return xmpText((v as { value: unknown }).value);
  return null;
}

function xmpList(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.map((x) => clean(xmpText(x))).filter((x): x is string => !!x);
}

function decodeXmlEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (all, e: string) => {
    const lower = e.toLowerCase();
    if (lower === 'amp') return '&';
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'quot') return '"';
    if (lower === 'apos') return "'";
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
  });
}

/** Trims, drops control characters (keeps newlines and tabs), normalises line ends; empty → null. */
export function clean(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const s = value
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .normalize('NFC')
    .trim();
  return s === '' ? null : s;
}

/**
 * Keywords as stored: cleaned, empty ones dropped, duplicates removed case-insensitively (and
 * ignoring runs of spaces), keeping the first spelling: `Flood, flood, FLOOD` → `Flood`.
 */
export function uniqueKeywords(list: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of list) {
    const k = clean(raw);
    if (!k) continue;
    // Upper then lower folds more than lower alone (ß and SS, ſ and s).
    const key = k.replace(/\s+/g, ' ').toUpperCase().toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(k);
  }
  return out;
}

const clip = (s: string | null, max: number) => (s && s.length > max ? s.slice(0, max) : s);
const joined = (list: string[]) => (list.length > 0 ? list.join(', ') : null);

function plausible(d: Date): string | null {
  const t = d.getTime();
  if (Number.isNaN(t)) return null;
  const year = d.getUTCFullYear();
  return year >= 1826 && year <= 2200 ? d.toISOString() : null;
}

/** EXIF "YYYY:MM:DD HH:MM:SS" with an optional "+HH:MM" offset tag; no offset → UTC. */
function exifDate(value: string | null, offset: string | null): string | null {
  const m = value ? /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value) : null;
  if (!m || m[1] === '0000') return null;
  const tz = offset && /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? offset.trim() : 'Z';
  return plausible(new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${tz}`));
}

/** XMP dates: "YYYY", "YYYY-MM", "YYYY-MM-DD", with an optional time and offset; no offset → UTC. */
function isoDate(value: string | null): string | null {
  if (!value) return null;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', tz = 'Z'] = m;
  return plausible(new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${tz}`));
}

/** IPTC 2:55 "CCYYMMDD" and 2:60 "HHMMSS±HHMM". */
function iptcDate(date: string | null, time: string | null): string | null {
  const d = date ? /^(\d{4})(\d{2})(\d{2})$/.exec(date) : null;
  if (!d) return null;
  const t = time ? /^(\d{2})(\d{2})(\d{2})(?:([+-])(\d{2})(\d{2}))?$/.exec(time) : null;
  const clock = t ? `${t[1]}:${t[2]}:${t[3]}` : '00:00:00';
  const tz = t && t[4] ? `${t[4]}${t[5]}:${t[6]}` : 'Z';
  return plausible(new Date(`${d[1]}-${d[2]}-${d[3]}T${clock}${tz}`));
}
