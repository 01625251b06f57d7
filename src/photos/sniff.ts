/**
 * Identifies an image by its first bytes, never by its name or declared type. Only the formats
 * Newsdesk accepts are recognised; anything else (SVG, PDF, HEIC, text…) is `null` → 415.
 */
export const PHOTO_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff'] as const;
export type PhotoFormat = (typeof PHOTO_FORMATS)[number];

export const MIME_TYPES: Record<PhotoFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  tiff: 'image/tiff',
};

/** How many leading bytes `sniffFormat` needs at most. */
export const SNIFF_BYTES = 64;

const startsWith = (buf: Buffer, bytes: number[], at = 0) =>
  buf.length >= at + bytes.length && bytes.every((b, i) => buf[at + i] === b);
const ascii = (buf: Buffer, from: number, to: number) => buf.subarray(from, to).toString('latin1');

export function sniffFormat(head: Buffer): PhotoFormat | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (isAvif(head)) return 'avif';
  return null;
}

/** ISO-BMFF `ftyp` box whose major or compatible brands include avif/avis (HEIC alone is not AVIF). */
function isAvif(head: Buffer): boolean {
  if (head.length < 16 || ascii(head, 4, 8) !== 'ftyp') return false;
  const boxSize = Math.min(head.readUInt32BE(0), head.length);
  if (boxSize < 16) return false;
  const brands = [ascii(head, 8, 12)];
  for (let i = 16; i + 4 <= boxSize; i += 4) brands.push(ascii(head, i, i + 4));
  return brands.includes('avif') || brands.includes('avis');
}
