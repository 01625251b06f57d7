/**
 * A minimal IPTC-IIM writer: builds the Photoshop "8BIM" APP13 segment that news agencies use
 * for captions and credits, and inserts it into a JPEG. Text is written as UTF-8 and declared so
 * with the CodedCharacterSet dataset (1:90 = ESC % G), as current agency software does.
 * Used by the sample-content seed and by tests; the API only reads IPTC (with exifr).
 */

export interface IptcFields {
  /** 2:05 Object Name (title) */
  objectName?: string;
  /** 2:105 Headline */
  headline?: string;
  /** 2:120 Caption/Abstract */
  caption?: string;
  /** 2:110 Credit */
  credit?: string;
  /** 2:80 By-line (creator) */
  byline?: string;
  /** 2:116 Copyright Notice */
  copyright?: string;
  /** 2:115 Source */
  source?: string;
  /** 2:40 Special Instructions (usage terms) */
  instructions?: string;
  /** 2:25 Keywords (repeatable) */
  keywords?: string[];
  /** 2:55 Date Created + 2:60 Time Created (written in UTC) */
  dateCreated?: Date;
}

const UTF8_ESCAPE = Buffer.from([0x1b, 0x25, 0x47]); // ESC % G

function dataset(record: number, tag: number, value: Buffer): Buffer {
  if (value.length > 0x7fff) throw new RangeError(`IPTC ${record}:${tag} value is too long`);
  const head = Buffer.from([0x1c, record, tag, value.length >> 8, value.length & 0xff]);
  return Buffer.concat([head, value]);
}

const text = (tag: number, value: string | undefined): Buffer[] =>
  value === undefined ? [] : [dataset(2, tag, Buffer.from(value, 'utf8'))];

/** The IIM bytes (records 1 and 2) for `fields`. */
export function buildIptc(fields: IptcFields): Buffer {
  const parts: Buffer[] = [
    dataset(1, 90, UTF8_ESCAPE),
    dataset(2, 0, Buffer.from([0x00, 0x04])), // Record Version 4
    ...text(5, fields.objectName),
    ...text(105, fields.headline),
    ...text(120, fields.caption),
    ...text(110, fields.credit),
    ...text(80, fields.byline),
    ...text(116, fields.copyright),
    ...text(115, fields.source),
    ...text(40, fields.instructions),
    ...(fields.keywords ?? []).flatMap((k) => text(25, k)),
  ];
  if (fields.dateCreated) {
    const iso = fields.dateCreated.toISOString(); // 2025-03-04T10:11:12.000Z
    parts.push(dataset(2, 55, Buffer.from(iso.slice(0, 10).replaceAll('-', ''), 'ascii')));
    parts.push(dataset(2, 60, Buffer.from(`${iso.slice(11, 19).replaceAll(':', '')}+0000`, 'ascii')));
  }
  return Buffer.concat(parts);
}

/** A JPEG APP13 segment ("Photoshop 3.0" + one 8BIM 0x0404 resource) holding `iim`. */
export function app13Segment(iim: Buffer): Buffer {
  const pad = iim.length % 2 === 1 ? Buffer.from([0]) : Buffer.alloc(0);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(iim.length);
  const resource = Buffer.concat([
    Buffer.from('8BIM', 'ascii'),
    Buffer.from([0x04, 0x04]),
    Buffer.from([0x00, 0x00]), // empty Pascal name, padded to even length
    size,
    iim,
    pad,
  ]);
  const payload = Buffer.concat([Buffer.from('Photoshop 3.0\0', 'ascii'), resource]);
  const length = payload.length + 2;
  if (length > 0xffff) throw new RangeError('IPTC block too large for one APP13 segment');
  return Buffer.concat([Buffer.from([0xff, 0xed, length >> 8, length & 0xff]), payload]);
}

/** Returns a copy of `jpeg` with an IPTC APP13 segment inserted after its leading APPn segments. */
export function withIptc(jpeg: Buffer, fields: IptcFields): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new TypeError('not a JPEG');
  let offset = 2;
  // Skip APP0…APP15 (0xFFE0–0xFFEF) so JFIF/EXIF/XMP stay first, as readers expect.
  while (offset + 4 <= jpeg.length && jpeg[offset] === 0xff && jpeg[offset + 1] >= 0xe0 && jpeg[offset + 1] <= 0xef) {
    offset += 2 + jpeg.readUInt16BE(offset + 2);
  }
  return Buffer.concat([jpeg.subarray(0, offset), app13Segment(buildIptc(fields)), jpeg.subarray(offset)]);
}

/** IPTC datasets as read: record-2 tag number → values in file order. */
export type IptcRecords = Map<number, string[]>;

/**
 * Reads record 2 of an IPTC-IIM block: either raw IIM bytes or a Photoshop "8BIM" resource block
 * (what a JPEG APP13 holds and what sharp's `metadata().iptc` returns). Strings are decoded as
 * UTF-8 when the block declares it (1:90 = ESC % G); otherwise as UTF-8 when the bytes are valid
 * UTF-8 (agency files often omit 1:90) and as Windows-1252 (a superset of Latin-1) when not.
 * Bounds are checked everywhere: a damaged block yields what could be read, never an exception.
 */
export function readIptc(block: Buffer): IptcRecords {
  const iim = findIim(block);
  const out: IptcRecords = new Map();
  if (!iim) return out;
  const raw: [number, Buffer][] = [];
  let utf8Declared = false;
  let i = 0;
  while (i + 5 <= iim.length && iim[i] === 0x1c) {
    const record = iim[i + 1];
    const tag = iim[i + 2];
    let length = iim.readUInt16BE(i + 3);
    let start = i + 5;
    if (length & 0x8000) {
      // Extended dataset: the low bits say how many bytes hold the real length.
      const n = length & 0x7fff;
      if (n < 1 || n > 4 || start + n > iim.length) break;
      length = iim.readUIntBE(start, n);
      start += n;
    }
    const end = Math.min(start + length, iim.length);
    const value = iim.subarray(start, end);
    if (record === 1 && tag === 90) utf8Declared = value.equals(UTF8_ESCAPE);
    if (record === 2) raw.push([tag, value]);
    i = start + length;
  }
  for (const [tag, value] of raw) {
    if (tag === 0) continue; // record version (binary)
    const list = out.get(tag) ?? [];
    list.push(decodeIptcText(value, utf8Declared));
    out.set(tag, list);
  }
  return out;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');
// Windows-1252's 0x80–0x9F (Node's TextDecoder treats "windows-1252" as plain Latin-1).
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const cp1252 = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b))).join('');

/** Decodes one IPTC string value (see readIptc for the rules). Exported for tests. */
export function decodeIptcText(bytes: Uint8Array, utf8Declared: boolean): string {
  if (utf8Declared) return utf8Lenient.decode(bytes);
  if (bytes.every((b) => b < 0x80)) return Buffer.from(bytes).toString('latin1');
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return cp1252(bytes);
  }
}

function findIim(block: Buffer): Buffer | null {
  if (block.length > 0 && block[0] === 0x1c) return block;
  let i = block.indexOf('8BIM', 0, 'latin1');
  while (i >= 0 && i + 12 <= block.length) {
    const id = block.readUInt16BE(i + 4);
    let nameLength = block[i + 6] + 1; // Pascal string incl. its length byte, padded to even
    if (nameLength % 2 === 1) nameLength += 1;
    const sizeAt = i + 6 + nameLength;
    if (sizeAt + 4 > block.length) return null;
    const size = block.readUInt32BE(sizeAt);
    const dataAt = sizeAt + 4;
    if (id === 0x0404) return block.subarray(dataAt, Math.min(dataAt + size, block.length));
    const next = dataAt + size + (size % 2);
    i = block.indexOf('8BIM', next, 'latin1');
  }
  return null;
}
