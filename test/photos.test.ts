import exifr from 'exifr';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import sharp from 'sharp';
import t, { type Test } from 'tap';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { agencyJpeg, filesUnder, multipart, picture, xmpPng, type Part } from './helpers/photos.js';

const CAPTION = 'Kőváros, 4 March 2025: Residents of Kőváros queue for water after the flood, the city said. Photo by Zoë Brandão.';
const CREDIT = 'AGENCY-PARTNER/KŐVÁROS CITY HALL HANDOUT';

async function upload(h: TestApp, parts: Part[], headers: Record<string, string> = h.admin) {
  const body = multipart(parts);
  return h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...headers, ...body.headers }, payload: body.payload });
}
const file = (data: Buffer, filename = 'photo.jpg', contentType = 'image/jpeg'): Part => ({ name: 'file', filename, contentType, data });

/** Readers see a photo only once a visible article shows it (test/photos-visibility.test.ts): publish one. */
async function showInArticle(h: TestApp, photoId: number) {
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: h.admin,
    payload: { headline: `Showing photo ${photoId}`, status: 'published', featuredPhotoId: photoId, body: [{ type: 'paragraph', text: 'x' }] },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
}

/** Nothing left behind: no row, no original, no temp file. */
async function assertNothingStored(t: Test, h: TestApp, what: string) {
  const list = json(await h.app.inject({ url: '/v1/photos', headers: h.admin }));
  t.equal(list.meta.total, 0, `${what}: no row`);
  t.same(filesUnder(join(h.config.mediaDir, 'originals')), [], `${what}: no original file`);
  t.same(filesUnder(join(h.config.mediaDir, 'tmp')), [], `${what}: no temp file`);
}

t.test('upload a JPEG with IPTC: metadata pre-filled in correct UTF-8, original stored by hash', async (t) => {
  const h = await buildTestApp(t);
  const bytes = await agencyJpeg({
    caption: CAPTION,
    credit: CREDIT,
    byline: 'Zoë Brandão',
    headline: 'Flood in Kőváros',
    copyright: '© 2025 Agency Partner',
    source: 'Kőváros City Hall',
    instructions: 'Editorial use only. No sales.',
    keywords: ['flood', 'Kőváros'],
    dateCreated: new Date('2025-03-04T09:30:00Z'),
  });
  // The file is standard IPTC: exifr reads it (as Latin-1, which is the bug the API must undo).
  const raw = await exifr.parse(bytes, { iptc: true });
  t.equal(Buffer.from(raw.Caption, 'latin1').toString('utf8'), CAPTION, 'exifr finds the IPTC caption (mis-decoded as Latin-1)');
  t.not(raw.Caption, CAPTION);

  const res = await upload(h, [file(bytes, 'flood.jpg')]);
  t.equal(res.statusCode, 201, res.body);
  const photo = json(res);
  t.equal(res.headers.location, `/v1/photos/${photo.id}`);
  t.equal(photo.caption, CAPTION, 'caption is correct UTF-8');
  t.equal(photo.credit, CREDIT);
  t.equal(photo.creator, 'Zoë Brandão');
  t.equal(photo.headline, 'Flood in Kőváros');
  t.equal(photo.copyright, '© 2025 Agency Partner');
  t.equal(photo.source, 'Kőváros City Hall');
  t.equal(photo.usageTerms, 'Editorial use only. No sales.');
  t.same(photo.keywords, ['flood', 'Kőváros']);
  t.equal(photo.takenAt, '2024-05-06T04:08:09.000Z', 'EXIF DateTimeOriginal with its offset wins for the date taken');
  t.equal(photo.width, 1200);
  t.equal(photo.height, 800);
  t.equal(photo.format, 'jpeg');
  t.equal(photo.mimeType, 'image/jpeg');
  t.equal(photo.byteSize, bytes.length);
  t.equal(photo.originalFilename, 'flood.jpg');
  t.match(photo.placeholder.color, /^#[0-9a-f]{6}$/);
  t.type(photo.placeholder.blurhash, 'string');
  t.equal(photo.expired, false);
  const stored = filesUnder(join(h.config.mediaDir, 'originals'));
  t.same(stored, [join(photo.sha256.slice(0, 2), `${photo.sha256}.jpg`)], 'the original is named by its SHA-256');

  // Renditions ready for srcset: widths up to the original (1200) plus the full-size one, 3 formats.
  const jpegs = photo.renditions.filter((r: { format: string }) => r.format === 'jpeg');
  t.same(jpegs.map((r: { width: number }) => r.width), [320, 640, 960, 1200]);
  t.same(jpegs.map((r: { height: number }) => r.height), [213, 427, 640, 800]);
  t.match(jpegs[3].url, new RegExp(`^http://localhost:3000/v1/photos/${photo.id}/renditions/1280\\.jpeg\\?v=[0-9a-f]{12}$`), 'absolute URL from PUBLIC_BASE_URL, with its version token');
  t.same(new Set(photo.renditions.map((r: { format: string }) => r.format)), new Set(['webp', 'avif', 'jpeg']));

  await showInArticle(h, photo.id);
  const got = await h.app.inject({ url: `/v1/photos/${photo.id}` });
  t.equal(got.statusCode, 200);
  t.equal(json(got).caption, CAPTION);
  t.match(got.headers['cache-control'], /^public/);
  const again = await h.app.inject({ url: `/v1/photos/${photo.id}`, headers: { 'if-none-match': got.headers.etag as string } });
  t.equal(again.statusCode, 304);
});

t.test('request fields win over embedded metadata; empty fields count as not sent', async (t) => {
  const h = await buildTestApp(t);
  const bytes = await agencyJpeg({ caption: 'Embedded caption', credit: 'EMBEDDED/CREDIT', byline: 'Embedded Creator' });
  const res = await upload(h, [
    { name: 'caption', value: 'Caption from the desk' },
    file(bytes),
    { name: 'altText', value: 'Residents queue at a water truck' },
    { name: 'credit', value: '' },
    { name: 'keywords', value: 'flood, water , ' },
    { name: 'expiresAt', value: '2030-01-01T00:00:00+01:00' },
  ]);
  t.equal(res.statusCode, 201, res.body);
  const photo = json(res);
  t.equal(photo.caption, 'Caption from the desk', 'a sent field wins, even when it comes before the file');
  t.equal(photo.altText, 'Residents queue at a water truck');
  t.equal(photo.credit, 'EMBEDDED/CREDIT', 'an empty field keeps the embedded value');
  t.equal(photo.creator, 'Embedded Creator');
  t.same(photo.keywords, ['flood', 'water']);
  t.equal(photo.expiresAt, '2029-12-31T23:00:00.000Z', 'timestamps are normalised to UTC');

  const bad = await upload(h, [file(await agencyJpeg({ caption: 'x' }, [300, 200])), { name: 'colour', value: 'red' }, { name: 'takenAt', value: 'yesterday' }]);
  t.equal(bad.statusCode, 400);
  t.same(json(bad).errors.map((e: { pointer: string }) => e.pointer).sort(), ['/body/colour', '/body/takenAt']);
});

t.test('a caption up to 10,000 characters is accepted in any script (the multipart field limit is in bytes)', async (t) => {
  const h = await buildTestApp(t);
  const cjk = '新闻'.repeat(5000); // 10,000 characters, 30,000 bytes of UTF-8
  const res = await upload(h, [file(await agencyJpeg({ caption: 'x' }, [300, 200])), { name: 'caption', value: cjk }]);
  t.equal(res.statusCode, 201, res.body);
  t.equal(json(res).caption, cjk);
  const tooLong = await upload(h, [file(await agencyJpeg({ caption: 'y' }, [300, 200])), { name: 'caption', value: `${cjk}新` }]);
  t.equal(tooLong.statusCode, 400, 'one more character is too long');
  t.equal(json(tooLong).errors[0].pointer, '/body/caption');
});

t.test('PNG with XMP, WebP, AVIF, GIF and TIFF are accepted; the format comes from the bytes', async (t) => {
  const h = await buildTestApp(t);
  const png = await xmpPng({
    caption: 'Ceremony in Szőlőhegy & the old town <b>not markup</b>',
    credit: 'XMP/CREDIT',
    creator: 'Ana Conceição',
    headline: 'Ceremony',
    keywords: ['ceremony', 'őszi'],
    usageTerms: 'Editorial use only',
    dateCreated: new Date('2025-02-01T10:00:00Z'),
  });
  const res = await upload(h, [file(png, 'named-like-a.jpg', 'image/jpeg')]);
  t.equal(res.statusCode, 201, res.body);
  const p = json(res);
  t.equal(p.format, 'png', 'declared name and type are ignored');
  t.equal(p.caption, 'Ceremony in Szőlőhegy & the old town <b>not markup</b>', 'XMP text with entities decoded');
  t.equal(p.credit, 'XMP/CREDIT');
  t.equal(p.creator, 'Ana Conceição');
  t.same(p.keywords, ['ceremony', 'őszi']);
  t.equal(p.usageTerms, 'Editorial use only');
  t.equal(p.takenAt, '2025-02-01T10:00:00.000Z');

  const cases: [string, Buffer][] = [
    ['webp', await picture(640, 480).webp().toBuffer()],
    ['avif', await picture(400, 300).avif().toBuffer()],
    ['gif', await picture(300, 200).gif().toBuffer()],
    ['tiff', await picture(320, 240).tiff().toBuffer()],
  ];
  for (const [format, bytes] of cases) {
    const r = await upload(h, [file(bytes, `x.${format}`, 'application/octet-stream')]);
    t.equal(r.statusCode, 201, `${format}: ${r.body}`);
    t.equal(json(r).format, format);
    const rendition = await h.app.inject({ url: `/v1/photos/${json(r).id}/renditions/320.webp`, headers: h.admin });
    t.equal(rendition.statusCode, 200, `${format} renders`);
  }
});

t.test('re-uploading the same bytes returns the existing photo (200), stored once', async (t) => {
  const h = await buildTestApp(t);
  const bytes = await agencyJpeg({ caption: 'Once' });
  const first = await upload(h, [file(bytes)]);
  t.equal(first.statusCode, 201);
  const second = await upload(h, [file(bytes, 'copy.jpg'), { name: 'caption', value: 'Different caption' }]);
  t.equal(second.statusCode, 200, 'same bytes: 200, not 201');
  t.equal(json(second).id, json(first).id);
  t.equal(json(second).caption, 'Once', 'the existing photo is returned unchanged');
  t.equal(json(await h.app.inject({ url: '/v1/photos', headers: h.admin })).meta.total, 1);
  t.equal(filesUnder(join(h.config.mediaDir, 'originals')).length, 1);
  t.same(filesUnder(join(h.config.mediaDir, 'tmp')), []);

  // Concurrent uploads of the same new bytes: one photo.
  const other = await agencyJpeg({ caption: 'Twice' }, [500, 400]);
  const results = await Promise.all([1, 2, 3].map(() => upload(h, [file(other)])));
  t.same(results.map((r) => r.statusCode).sort(), [200, 200, 201]);
  t.equal(new Set(results.map((r) => json(r).id)).size, 1);
  t.equal(filesUnder(join(h.config.mediaDir, 'originals')).length, 2);
  t.same(filesUnder(join(h.config.mediaDir, 'tmp')), []);
});

t.test('bad uploads are 4xx and leave no file and no row behind', async (t) => {
  const h = await buildTestApp(t, { env: { PHOTO_MAX_BYTES: '200000' } });
  const good = await agencyJpeg({ caption: 'Fine' }, [400, 300]);

  const text = await upload(h, [file(Buffer.from('This is not a picture, just text.\n'), 'photo.jpg', 'image/jpeg')]);
  t.equal(text.statusCode, 415, 'a text file named .jpg is 415');
  t.match(text.headers['content-type'], /application\/problem\+json/);
  await assertNothingStored(t, h, 'text as .jpg');

  const svg = await upload(h, [file(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), 'x.svg', 'image/svg+xml')]);
  t.equal(svg.statusCode, 415, 'SVG is not accepted');

  const truncated = await upload(h, [file(good.subarray(0, Math.floor(good.length * 0.6)))]);
  t.equal(truncated.statusCode, 422, 'a truncated JPEG is 422');
  t.notOk(json(truncated).detail.includes(h.config.mediaDir), 'the problem does not reveal server paths');
  await assertNothingStored(t, h, 'truncated');

  // A valid PNG whose header declares 30,000 × 30,000 pixels (a decompression bomb).
  const png = Buffer.from(await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } }).png().toBuffer());
  png.writeUInt32BE(30_000, 16);
  png.writeUInt32BE(30_000, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  const started = Date.now();
  const bomb = await upload(h, [file(png, 'bomb.png', 'image/png')]);
  t.equal(bomb.statusCode, 422, '30,000 × 30,000 declared is 422');
  // Decoding 900 megapixels takes tens of seconds and gigabytes; a header check is instant even on a loaded CI machine.
  t.ok(Date.now() - started < 5000, 'refused from the header, without decoding');
  t.match(json(bomb).detail, /pixel/);
  await assertNothingStored(t, h, 'pixel bomb');

  const empty = await upload(h, [file(Buffer.alloc(0))]);
  t.equal(empty.statusCode, 400, 'an empty file is 400');
  t.equal(json(empty).errors[0].pointer, '/body/file');
  await assertNothingStored(t, h, 'empty');

  const missing = await upload(h, [{ name: 'caption', value: 'No file here' }]);
  t.equal(missing.statusCode, 400, 'no file part is 400');
  t.equal(json(missing).errors[0].pointer, '/body/file');

  const two = await upload(h, [file(good), file(await agencyJpeg({ caption: 'Second' }, [300, 300]), 'b.jpg')]);
  t.equal(two.statusCode, 400, 'a second file part is 400');
  await assertNothingStored(t, h, 'two files');

  const wrongName = await upload(h, [{ name: 'image', filename: 'a.jpg', data: good }]);
  t.equal(wrongName.statusCode, 400, 'a file part not named "file" is 400');
  t.equal(json(wrongName).errors[0].pointer, '/body/image');

  const tooBig = await upload(h, [file(await picture(1600, 1200).png({ compressionLevel: 0 }).toBuffer(), 'big.png')]);
  t.equal(tooBig.statusCode, 413, 'over PHOTO_MAX_BYTES is 413');
  await assertNothingStored(t, h, 'too big');

  const notMultipart = await h.app.inject({ method: 'POST', url: '/v1/photos', headers: h.admin, payload: { caption: 'json' } });
  t.equal(notMultipart.statusCode, 415, 'JSON instead of multipart is 415');

  const garbage = await h.app.inject({
    method: 'POST',
    url: '/v1/photos',
    headers: { ...h.admin, 'content-type': 'multipart/form-data; boundary=xyz' },
    payload: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\nabc',
  });
  t.equal(garbage.statusCode, 400, 'a cut-off multipart body is 400');
  await assertNothingStored(t, h, 'malformed multipart');

  const anonymous = await upload(h, [file(good)], {});
  t.equal(anonymous.statusCode, 401, 'uploads need an admin key');
  await assertNothingStored(t, h, 'anonymous');
});

t.test('PHOTO_MAX_PIXELS bounds the pixel count', async (t) => {
  const h = await buildTestApp(t, { env: { PHOTO_MAX_PIXELS: '100000' } });
  const res = await upload(h, [file(await picture(400, 300).jpeg().toBuffer())]);
  t.equal(res.statusCode, 422);
  const ok = await upload(h, [file(await picture(300, 300).jpeg().toBuffer())]);
  t.equal(ok.statusCode, 201);
});

t.test('edit with PATCH: fields, focal point, If-Match', async (t) => {
  const h = await buildTestApp(t);
  const photo = json(await upload(h, [file(await agencyJpeg({ caption: 'Old caption', credit: 'OLD' }))]));
  const url = `/v1/photos/${photo.id}`;
  const got = await h.app.inject({ url, headers: h.admin });
  const etag = got.headers.etag as string;

  const res = await h.app.inject({
    method: 'PATCH',
    url,
    headers: { ...h.admin, 'if-match': etag },
    payload: { caption: 'New caption – with “quotes”', altText: 'A queue', credit: 'NEW/CREDIT', creator: null, focalPoint: { x: 0.25, y: 0.75 }, keywords: ['a', 'b'] },
  });
  t.equal(res.statusCode, 200, res.body);
  const edited = json(res);
  t.equal(edited.caption, 'New caption – with “quotes”');
  t.equal(edited.altText, 'A queue');
  t.equal(edited.credit, 'NEW/CREDIT');
  t.equal(edited.creator, null);
  t.same(edited.focalPoint, { x: 0.25, y: 0.75 });
  t.same(edited.keywords, ['a', 'b']);
  t.equal(edited.version, 2);

  const stale = await h.app.inject({ method: 'PATCH', url, headers: { ...h.admin, 'if-match': etag }, payload: { caption: 'Lost update' } });
  t.equal(stale.statusCode, 412);

  const bad = await h.app.inject({ method: 'PATCH', url, headers: h.admin, payload: { focalPoint: { x: 1.5, y: 0 }, sha256: 'x' } });
  t.equal(bad.statusCode, 400);
  t.same(json(bad).errors.map((e: { pointer: string }) => e.pointer).sort(), ['/body/focalPoint/x', '/body/sha256']);

  const anon = await h.app.inject({ method: 'PATCH', url, payload: { caption: 'x' } });
  t.equal(anon.statusCode, 401);
  const missing = await h.app.inject({ method: 'PATCH', url: '/v1/photos/999', headers: h.admin, payload: { caption: 'x' } });
  t.equal(missing.statusCode, 404);
});

t.test('list: newest first, keyset paging, q and date filters, admin only', async (t) => {
  const h = await buildTestApp(t);
  const ids: number[] = [];
  const captions = ['Flood in the north', 'Election rally', 'Flood barriers rise', 'Market day'];
  for (const [i, caption] of captions.entries()) {
    h.clock.set(`2026-01-0${i + 1}T12:00:00Z`);
    ids.push(json(await upload(h, [file(await agencyJpeg({ caption, credit: i === 3 ? 'FLOOD PRESS' : 'AGENCY' }, [200 + i, 100]))])).id);
  }
  const page1 = await h.app.inject({ url: '/v1/photos?limit=3', headers: h.admin });
  t.equal(page1.statusCode, 200);
  t.same(json(page1).data.map((p: { id: number }) => p.id), [ids[3], ids[2], ids[1]]);
  t.equal(json(page1).meta.total, 4);
  t.match(page1.headers.link, /rel="next"/);
  const page2 = json(await h.app.inject({ url: `/v1/photos?limit=3&cursor=${json(page1).meta.nextCursor}`, headers: h.admin }));
  t.same(page2.data.map((p: { id: number }) => p.id), [ids[0]]);
  t.equal(page2.meta.nextCursor, null);

  const flood = json(await h.app.inject({ url: '/v1/photos?q=flood', headers: h.admin }));
  t.same(flood.data.map((p: { id: number }) => p.id), [ids[3], ids[2], ids[0]], 'q matches caption and credit, case-insensitively');
  const percent = json(await h.app.inject({ url: '/v1/photos?q=%25', headers: h.admin }));
  t.equal(percent.meta.total, 0, 'LIKE wildcards are literal');

  const dated = json(await h.app.inject({ url: '/v1/photos?from=2026-01-02T00:00:00Z&to=2026-01-04T00:00:00Z', headers: h.admin }));
  t.same(dated.data.map((p: { id: number }) => p.id), [ids[2], ids[1]]);

  t.equal((await h.app.inject({ url: '/v1/photos?cursor=bm9wZQ', headers: h.admin })).statusCode, 400);
  t.equal((await h.app.inject({ url: '/v1/photos' })).statusCode, 401);
});

t.test('renditions: sizes, formats, no metadata, cache headers, 304, clamping, crops', async (t) => {
  const h = await buildTestApp(t);
  const photo = json(await upload(h, [file(await agencyJpeg({ caption: 'Rendered', credit: 'R' }, [1600, 1000]))]));
  await showInArticle(h, photo.id);
  const base = `/v1/photos/${photo.id}/renditions`;
  const v = new URL(photo.renditions[0].url).searchParams.get('v');

  for (const [format, mime, sharpFormat] of [['webp', 'image/webp', 'webp'], ['avif', 'image/avif', 'heif'], ['jpeg', 'image/jpeg', 'jpeg']]) {
    const res = await h.app.inject({ url: `${base}/640.${format}?v=${v}` });
    t.equal(res.statusCode, 200, `${format}: ${res.statusCode}`);
    t.equal(res.headers['content-type'], mime);
    t.equal(Number(res.headers['content-length']), res.rawPayload.length, 'Content-Length is the body size');
    t.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    t.ok(res.headers.etag, 'has an ETag');
    const meta = await sharp(res.rawPayload).metadata();
    t.equal(meta.format, sharpFormat);
    t.equal(meta.width, 640);
    t.equal(meta.height, 400);
    t.notOk(meta.exif, `${format}: no EXIF (so no GPS)`);
    t.notOk(meta.xmp, `${format}: no XMP`);
    t.notOk(meta.iptc, `${format}: no IPTC`);
    t.equal(res.rawPayload.indexOf('GPS'), -1);
    const listed = photo.renditions.find((r: { format: string; width: number }) => r.format === format && r.width === 640);
    t.same([listed.width, listed.height], [meta.width, meta.height], 'the listing tells the real dimensions');

    const notModified = await h.app.inject({ url: `${base}/640.${format}?v=${v}`, headers: { 'if-none-match': res.headers.etag as string } });
    t.equal(notModified.statusCode, 304);
    t.equal(notModified.body, '');
    t.equal(notModified.headers.etag, res.headers.etag);
    t.equal(notModified.headers['cache-control'], 'public, max-age=31536000, immutable');
  }
  const files = filesUnder(join(h.config.mediaDir, 'renditions'));
  t.equal(files.length, 3, 'each rendition is made once and cached on disk');

  const cached = await h.app.inject({ url: `${base}/640.webp` });
  t.equal(cached.statusCode, 200);
  t.equal(filesUnder(join(h.config.mediaDir, 'renditions')).length, 3);

  // Never upscaled: 1920 is served at the original 1600 width; 1280 is a real downscale.
  const full = await h.app.inject({ url: `${base}/1920.jpeg` });
  const fullMeta = await sharp(full.rawPayload).metadata();
  t.same([fullMeta.width, fullMeta.height], [1600, 1000], 'a width above the original clamps to the original');
  t.same(
    photo.renditions.filter((r: { format: string }) => r.format === 'webp').map((r: { width: number }) => r.width),
    [320, 640, 960, 1280, 1600],
  );

  // Aspect-ratio crops around the focal point.
  const square = await h.app.inject({ url: `${base}/320.jpeg?ar=1:1` });
  t.equal(square.statusCode, 200);
  t.same(await sharp(square.rawPayload).metadata().then((m) => [m.width, m.height]), [320, 320]);
  const wide = await h.app.inject({ url: `${base}/1920.webp?ar=16:9` });
  t.same(await sharp(wide.rawPayload).metadata().then((m) => [m.width, m.height]), [1600, 900], 'crop then clamp');

  // The focal point moves the crop: the ETag (and the pixels) change.
  await h.app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: h.admin, payload: { focalPoint: { x: 0, y: 0.5 } } });
  const moved = await h.app.inject({ url: `${base}/320.jpeg?ar=1:1` });
  t.not(moved.headers.etag, square.headers.etag);
  t.equal((await h.app.inject({ url: `${base}/320.jpeg?ar=1:1`, headers: { 'if-none-match': square.headers.etag as string } })).statusCode, 200);

  const head = await h.app.inject({ method: 'HEAD', url: `${base}/640.webp` });
  t.equal(head.statusCode, 200);
  t.equal(head.headers['content-type'], 'image/webp');

  // Outside the sets: 400, so nobody can fill the disk.
  for (const bad of [`${base}/500.webp`, `${base}/640.png`, `${base}/640.webp?ar=5:4`, `${base}/640.webp?ar=16:9x`, `${base}/640.webp?w=3`, `${base}/abc.webp`]) {
    const r = await h.app.inject({ url: bad });
    t.equal(r.statusCode, 400, `${bad} is 400`);
  }
  t.equal((await h.app.inject({ url: '/v1/photos/9999/renditions/640.webp' })).statusCode, 404);

  const admin = await h.app.inject({ url: `${base}/640.webp`, headers: h.admin });
  t.equal(admin.headers['cache-control'], 'private, no-store', 'a credentialed request is not stored by shared caches');
});

t.test('renditions: EXIF orientation is applied; concurrent first requests render once', async (t) => {
  const h = await buildTestApp(t);
  // Stored landscape 600×400 with orientation 6 (rotate 90° clockwise to display): shown 400×600.
  const bytes = await picture(600, 400).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const photo = json(await upload(h, [file(bytes)]));
  await showInArticle(h, photo.id);
  t.equal(photo.orientation, 6);
  t.same([photo.width, photo.height], [400, 600], 'display size');
  const before = h.app.photos.renditionCache.renderCount;
  const results = await Promise.all(Array.from({ length: 6 }, () => h.app.inject({ url: `/v1/photos/${photo.id}/renditions/320.webp` })));
  t.ok(results.every((r) => r.statusCode === 200));
  t.equal(new Set(results.map((r) => r.rawPayload.toString('base64'))).size, 1, 'all got the same bytes');
  t.equal(h.app.photos.renditionCache.renderCount - before, 1, 'made once');
  const meta = await sharp(results[0].rawPayload).metadata();
  t.same([meta.width, meta.height], [320, 480], 'rotated upright');
  t.notOk(meta.orientation && meta.orientation !== 1, 'no orientation tag left');
  t.same(filesUnder(join(h.config.mediaDir, 'tmp')), []);

  // Served again from memory (CACHE_RENDITIONS_MB) and, with no memory for it, from disk: the same answer.
  const again = await h.app.inject({ url: `/v1/photos/${photo.id}/renditions/320.webp` });
  t.same([again.statusCode, again.headers['content-length'], again.headers.etag], [200, String(results[0].rawPayload.length), results[0].headers.etag]);
  t.ok(again.rawPayload.equals(results[0].rawPayload));
  const noMemory = await buildTestApp(t, { env: { CACHE_RENDITIONS_MB: '0' } });
  const same = json(await upload(noMemory, [file(bytes)]));
  await showInArticle(noMemory, same.id);
  const fromDisk = await noMemory.app.inject({ url: `/v1/photos/${same.id}/renditions/320.webp` });
  t.ok(fromDisk.rawPayload.equals(results[0].rawPayload), 'streamed from disk');
  t.equal(fromDisk.headers['content-length'], String(results[0].rawPayload.length));
});

t.test('expiry: readers get 410, admins still see it, embeds leave it out', async (t) => {
  const h = await buildTestApp(t);
  const photo = json(await upload(h, [file(await agencyJpeg({ caption: 'Handout' })), { name: 'expiresAt', value: '2026-01-20T00:00:00Z' }]));
  await showInArticle(h, photo.id);
  const url = `/v1/photos/${photo.id}`;
  const before = await h.app.inject({ url: `${url}/renditions/320.jpeg?v=${new URL(photo.renditions[0].url).searchParams.get('v')}` });
  t.equal(before.statusCode, 200);
  const maxAge = Number(/max-age=(\d+)/.exec(before.headers['cache-control'] as string)?.[1]);
  t.equal(before.headers['cache-control'], `public, max-age=${maxAge}, immutable`);
  t.ok(maxAge <= 5 * 86400 && maxAge > 4 * 86400, 'not cached past the expiry');
  t.equal((await h.app.photoEmbedder.embed([photo.id], h.clock.now())).size, 1);

  h.clock.set('2026-01-21T00:00:00Z');
  t.equal((await h.app.inject({ url })).statusCode, 410);
  t.equal((await h.app.inject({ url: `${url}/renditions/320.jpeg` })).statusCode, 410);
  const { token } = await h.app.keys.create({ name: 'partner', scopes: ['syndication'] });
  t.equal((await h.app.inject({ url, headers: { authorization: `Bearer ${token}` } })).statusCode, 410, 'partners are readers too');
  const asAdmin = await h.app.inject({ url, headers: h.admin });
  t.equal(asAdmin.statusCode, 200);
  t.equal(json(asAdmin).expired, true);
  t.equal((await h.app.inject({ url: `${url}/renditions/320.jpeg`, headers: h.admin })).statusCode, 200);
  t.equal((await h.app.photoEmbedder.embed([photo.id], h.clock.now())).size, 0, 'expired photos are not embedded');
  t.same(await h.app.photoEmbedder.missing([photo.id]), [], 'but it still exists (an article may keep referencing it)');

  const renewed = await h.app.inject({ method: 'PATCH', url, headers: h.admin, payload: { expiresAt: null } });
  t.equal(json(renewed).expired, false);
  t.equal((await h.app.inject({ url })).statusCode, 200);
});

t.test('embedder: validates ids and embeds caption, credit and renditions', async (t) => {
  const h = await buildTestApp(t);
  const a = json(await upload(h, [file(await agencyJpeg({ caption: 'A caption', credit: 'A/CREDIT', byline: 'A' })), { name: 'altText', value: 'Alt A' }]));
  t.same(await h.app.photoEmbedder.missing([a.id, 999, a.id, 998]), [999, 998]);
  const map = await h.app.photoEmbedder.embed([a.id, 999], h.clock.now());
  t.same([...map.keys()], [a.id]);
  const e = map.get(a.id)!;
  t.equal(e.caption, 'A caption');
  t.equal(e.credit, 'A/CREDIT');
  t.equal(e.altText, 'Alt A');
  t.equal(e.creator, 'A');
  t.equal(e.width, 1200);
  t.ok(e.renditions.length > 0);
  t.match(e.renditions[0].url, /^http:\/\/localhost:3000\/v1\/photos\/\d+\/renditions\/\d+\.(webp|avif|jpeg)\?v=[0-9a-f]{12}$/);
});

t.test('delete removes the row, the original and its renditions', async (t) => {
  const h = await buildTestApp(t);
  const photo = json(await upload(h, [file(await agencyJpeg({ caption: 'Going' }))]));
  await h.app.inject({ url: `/v1/photos/${photo.id}/renditions/320.webp`, headers: h.admin });
  t.equal(filesUnder(join(h.config.mediaDir, 'renditions')).length, 1);
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/photos/${photo.id}` })).statusCode, 401);
  const del = await h.app.inject({ method: 'DELETE', url: `/v1/photos/${photo.id}`, headers: h.admin });
  t.equal(del.statusCode, 204);
  t.equal((await h.app.inject({ url: `/v1/photos/${photo.id}` })).statusCode, 404);
  t.equal((await h.app.inject({ url: `/v1/photos/${photo.id}/renditions/320.webp` })).statusCode, 404);
  t.same(filesUnder(join(h.config.mediaDir, 'originals')), []);
  t.same(filesUnder(join(h.config.mediaDir, 'renditions')), []);
  t.same(await h.app.photoEmbedder.missing([photo.id]), [photo.id]);
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/photos/${photo.id}`, headers: h.admin })).statusCode, 404);

  // The same bytes can come back as a new photo.
  const back = await upload(h, [file(await agencyJpeg({ caption: 'Going' }))]);
  t.equal(back.statusCode, 201);
});

t.test('keywords are de-duplicated case-insensitively, keeping the first spelling (PATCH, upload fields, embedded)', async (t) => {
  const h = await buildTestApp(t);
  const embedded = await upload(h, [file(await agencyJpeg({ caption: 'Keywords', keywords: ['Flood', 'flood', 'FLOOD', 'Kőváros', 'kőváros'] }))]);
  t.same(json(embedded).keywords, ['Flood', 'Kőváros'], 'embedded IPTC keywords');
  const sent = await upload(h, [file(await agencyJpeg({ caption: 'Fields' }, [300, 200])), { name: 'keywords', value: 'water, Water ,WATER,rescue' }]);
  t.same(json(sent).keywords, ['water', 'rescue'], 'the upload field');

  const id = json(embedded).id;
  const res = await h.app.inject({
    method: 'PATCH',
    url: `/v1/photos/${id}`,
    headers: h.admin,
    payload: { keywords: ['Straße', 'Flood barrier', 'STRASSE', 'flood  barrier', ' FLOOD BARRIER ', 'Kőváros', 'KŐVÁROS', 'rescue', 'Rescue'] },
  });
  t.equal(res.statusCode, 200, res.body);
  t.same(json(res).keywords, ['Straße', 'Flood barrier', 'Kőváros', 'rescue'], 'first spelling kept, order kept');
  t.same(json(await h.app.inject({ url: `/v1/photos/${id}`, headers: h.admin })).keywords, ['Straße', 'Flood barrier', 'Kőváros', 'rescue'], 'as stored');
});

t.test('list by date: from/to bound the upload date, takenFrom/takenTo the date taken', async (t) => {
  const h = await buildTestApp(t);
  // Uploaded in January 2026; taken at other times (and one with no date taken at all).
  const shots: [string, string | null][] = [
    ['2026-01-02T12:00:00Z', '2019-07-01T08:00:00Z'],
    ['2026-01-03T12:00:00Z', '2025-12-31T23:59:59Z'],
    ['2026-01-04T12:00:00Z', '2026-01-01T00:00:00Z'],
    ['2026-01-05T12:00:00Z', null],
  ];
  const ids: number[] = [];
  for (const [i, [uploaded, taken]] of shots.entries()) {
    h.clock.set(uploaded);
    const bytes = taken ? await agencyJpeg({ caption: `Shot ${i}` }, [300 + i, 200]) : await picture(300 + i, 200).jpeg().toBuffer();
    const res = await upload(h, [file(bytes), ...(taken ? [{ name: 'takenAt', value: taken }] : [])]);
    t.equal(json(res).takenAt, taken ? new Date(taken).toISOString() : null);
    ids.push(json(res).id);
  }
  const list = async (query: string) => {
    const res = await h.app.inject({ url: `/v1/photos?${query}`, headers: h.admin });
    t.equal(res.statusCode, 200, res.body);
    return json(res) as { data: { id: number }[]; meta: { total: number } };
  };
  const taken2025 = await list('takenFrom=2025-01-01T00:00:00Z&takenTo=2026-01-01T00:00:00Z');
  t.same(taken2025.data.map((p) => p.id), [ids[1]], 'taken in 2025 (end exclusive)');
  t.equal(taken2025.meta.total, 1);
  t.same((await list('takenTo=2025-01-01T00:00:00Z')).data.map((p) => p.id), [ids[0]], 'taken before 2025');
  t.same((await list('takenFrom=2026-01-01T00:00:00Z')).data.map((p) => p.id), [ids[2]], 'no date taken: never matches');
  t.same((await list('from=2026-01-03T00:00:00Z&to=2026-01-05T00:00:00Z')).data.map((p) => p.id), [ids[2], ids[1]], 'upload date, newest first');
  t.same((await list('from=2026-01-03T00:00:00Z&takenTo=2026-01-01T00:00:00Z')).data.map((p) => p.id), [ids[1]], 'both together');
  const paged = await list('takenFrom=2000-01-01T00:00:00Z&limit=2');
  t.equal(paged.meta.total, 3);
  t.equal((await h.app.inject({ url: '/v1/photos?takenFrom=last-year', headers: h.admin })).statusCode, 400);
});
