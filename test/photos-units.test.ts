import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';
import { buildIptc, decodeIptcText, readIptc } from '../src/photos/iptc.js';
import { cropBox, offeredWidths, planRendition } from '../src/photos/renditions.js';
import { sniffFormat } from '../src/photos/sniff.js';
import { buildXmp } from '../src/photos/xmp.js';
import { XML_ILLEGAL, xmlErrors } from './helpers/xml.js';

t.test('IPTC text: declared UTF-8, undeclared UTF-8, and Latin-1/Windows-1252', async (t) => {
  const utf8 = Buffer.from('Zoë Brandão, Kőváros', 'utf8');
  t.equal(decodeIptcText(utf8, true), 'Zoë Brandão, Kőváros');
  t.equal(decodeIptcText(utf8, false), 'Zoë Brandão, Kőváros', 'valid UTF-8 without the 1:90 declaration is UTF-8');
  t.equal(decodeIptcText(Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x35]), false), 'Café €5', 'not UTF-8: Windows-1252');
  t.equal(decodeIptcText(Buffer.from('plain ascii'), false), 'plain ascii');

  // An IIM block without 1:90, written in Latin-1, as older agency software does.
  const latin1 = Buffer.concat([Buffer.from([0x1c, 0x02, 0x78, 0x00, 0x05]), Buffer.from('Zoë!', 'latin1'), Buffer.from([0x20])]);
  t.same(readIptc(latin1).get(120), ['Zoë! ']);
  // The writer's own block round-trips (1:90 present).
  const block = buildIptc({ caption: 'Kőváros', keywords: ['a', 'ő'] });
  t.same(readIptc(block).get(120), ['Kőváros']);
  t.same(readIptc(block).get(25), ['a', 'ő']);
  // Damaged: a length running past the end yields what is there, never an exception.
  t.same(readIptc(Buffer.from([0x1c, 0x02, 0x78, 0x7f, 0xff, 0x41])).get(120), ['A']);
  t.same([...readIptc(Buffer.from('8BIM\x04\x04\x00', 'latin1')).keys()], []);
});

t.test('byte sniffing', async (t) => {
  t.equal(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'jpeg');
  t.equal(sniffFormat(Buffer.from('GIF89a')), 'gif');
  t.equal(sniffFormat(Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1')), 'webp');
  const ftyp = (major: string, ...compat: string[]) => {
    const body = Buffer.from(`ftyp${major}\x00\x00\x00\x00${compat.join('')}`, 'latin1');
    const size = Buffer.alloc(4);
    size.writeUInt32BE(body.length + 4);
    return Buffer.concat([size, body]);
  };
  t.equal(sniffFormat(ftyp('avif', 'mif1', 'avif')), 'avif');
  t.equal(sniffFormat(ftyp('mif1', 'mif1', 'avif')), 'avif', 'AVIF as a compatible brand');
  t.equal(sniffFormat(ftyp('heic', 'mif1', 'heic')), null, 'HEIC is not accepted');
  t.equal(sniffFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), null);
  t.equal(sniffFormat(Buffer.from('%PDF-1.7')), null);
  t.equal(sniffFormat(Buffer.alloc(0)), null);
});

t.test('rendition planning: offered widths, clamping, crops around the focal point', async (t) => {
  const widths = [320, 640, 960, 1280, 1920];
  t.same(offeredWidths(widths, 1600), [320, 640, 960, 1280, 1920], 'the next width up stands for full size');
  t.same(offeredWidths(widths, 1280), [320, 640, 960, 1280], 'an exact match needs no extra');
  t.same(offeredWidths(widths, 200), [320], 'a tiny picture still has one rendition');
  t.same(offeredWidths(widths, 4000), widths);

  const g = { width: 1600, height: 1000, focalX: null, focalY: null };
  const clamped = planRendition(g, 1920, 'webp', null);
  t.same([clamped.width, clamped.height], [1600, 1000]);
  t.equal(planRendition(g, 1280, 'webp', null).name, planRendition(g, 1280, 'webp', null).name, 'stable names');
  t.equal(planRendition(g, 1920, 'jpeg', null).name, planRendition({ ...g }, 1920, 'jpeg', null).name);

  t.same(cropBox(g, '1:1'), { left: 300, top: 0, width: 1000, height: 1000 }, 'centred by default');
  t.same(cropBox({ ...g, focalX: 0, focalY: 0 }, '1:1'), { left: 0, top: 0, width: 1000, height: 1000 }, 'kept inside the picture');
  t.same(cropBox({ ...g, focalX: 0.9, focalY: 0.5 }, '1:1'), { left: 600, top: 0, width: 1000, height: 1000 });
  t.same(cropBox({ ...g, focalX: 0.5, focalY: 0.1 }, '16:9'), { left: 0, top: 0, width: 1600, height: 900 });
  t.same(cropBox({ ...g, focalX: 0.5, focalY: 0.52 }, '16:9'), { left: 0, top: 70, width: 1600, height: 900 });
  const tall = planRendition(g, 320, 'avif', '9:16');
  t.same([tall.width, tall.height], [320, 569]);
});

t.test('photo settings are validated', async (t) => {
  const c = loadConfig({ PHOTO_WIDTHS: '1280, 320,640,320', PHOTO_ASPECT_RATIOS: '16:9, 1:1' });
  t.same(c.PHOTO_WIDTHS, [320, 640, 1280], 'sorted, without repeats');
  t.same(c.PHOTO_ASPECT_RATIOS, ['16:9', '1:1']);
  for (const [env, name] of [
    [{ PHOTO_WIDTHS: 'big' }, 'PHOTO_WIDTHS'],
    [{ PHOTO_WIDTHS: '8' }, 'PHOTO_WIDTHS'],
    [{ PHOTO_ASPECT_RATIOS: '16x9' }, 'PHOTO_ASPECT_RATIOS'],
    [{ PHOTO_ASPECT_RATIOS: '0:1' }, 'PHOTO_ASPECT_RATIOS'],
    [{ PHOTO_MAX_BYTES: '10' }, 'PHOTO_MAX_BYTES'],
  ] as const) {
    t.throws(() => loadConfig(env), ConfigError);
    t.throws(() => loadConfig(env), new RegExp(`${name}:`));
  }
});

t.test('XMP packets are well-formed XML whatever the fields hold', async (t) => {
  const hostile = 'Dock ]]> workers ]]> & <b>"co"</b> \u0001\u0008\u001F\uFFFE end';
  const packet = buildXmp({ caption: hostile, credit: hostile, creator: hostile, keywords: [hostile], headline: hostile, usageTerms: hostile });
  t.same(xmlErrors(packet), [], 'a strict parser accepts it');
  t.notMatch(packet, XML_ILLEGAL, 'no character XML 1.0 forbids');
  t.match(packet, 'Dock ]]&gt; workers ]]&gt; &amp; &lt;b&gt;');
});
