import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { withIptc, type IptcFields } from '../../src/photos/iptc.js';
import { buildXmp, type XmpFields } from '../../src/photos/xmp.js';

/** One part of a multipart/form-data body. */
export type Part =
  | { name: string; value: string }
  | { name: string; filename: string; contentType?: string; data: Buffer };

/** Builds a multipart/form-data body by hand (what curl -F sends). */
export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----newsdesk${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('data' in part) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
            `Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`,
        ),
      );
      chunks.push(part.data);
      chunks.push(Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n`));
      chunks.push(Buffer.from(part.value, 'utf8'));
      chunks.push(Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A picture with some structure (a gradient and a disc), so encoders have something to do. */
export function picture(width: number, height: number, colour: [number, number, number] = [40, 90, 160]) {
  const [r, g, b] = colour;
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="rgb(${r},${g},${b})"/>` +
      `<stop offset="1" stop-color="rgb(${255 - r},${255 - g},${255 - b})"/></linearGradient></defs>` +
      `<rect width="100%" height="100%" fill="url(#g)"/>` +
      `<circle cx="${Math.round(width * 0.3)}" cy="${Math.round(height * 0.4)}" r="${Math.round(Math.min(width, height) / 5)}" fill="#fff"/>` +
      `</svg>`,
  );
  return sharp(svg);
}

export const GPS_EXIF = {
  IFD0: { Copyright: 'EXIF copyright', Artist: 'EXIF Artist' },
  IFD2: { DateTimeOriginal: '2024:05:06 07:08:09', OffsetTimeOriginal: '+03:00' },
  IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
};

/** A JPEG with GPS EXIF and an IPTC block (UTF-8, declared), like an agency picture. */
export async function agencyJpeg(iptc: IptcFields, size: [number, number] = [1200, 800]): Promise<Buffer> {
  const jpeg = await picture(size[0], size[1]).jpeg({ quality: 85 }).withExif(GPS_EXIF).toBuffer();
  return withIptc(jpeg, iptc);
}

export async function xmpPng(fields: XmpFields, size: [number, number] = [800, 600]): Promise<Buffer> {
  return picture(size[0], size[1], [200, 60, 40]).png().withXmp(buildXmp(fields)).toBuffer();
}

/** Every file under a directory (recursively), relative paths. */
export function filesUnder(dir: string): string[] {
  let out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(filesUnder(p).map((f) => join(name, f)));
    else out.push(name);
  }
  return out;
}
