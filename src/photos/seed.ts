import type { FastifyInstance } from 'fastify';
import type { SamplePhoto, SampleStory } from '../seed/stories.js';
import { withIptc } from './iptc.js';
import { buildXmp } from './xmp.js';

/**
 * Sample photos for the seeded stories, made on the spot (no downloads): a 1600 × 1067 picture in
 * the story's colour (sky, sun, a skyline and water, varied per story), carrying its caption,
 * credit, creator, headline, alt text and date the way agency files do, in XMP and in an IPTC-IIM
 * block. It is then uploaded through `app.photos.upload`, the code path of POST /v1/photos, so
 * the seeded photos' metadata comes out of the files themselves.
 */
const WIDTH = 1600;
const HEIGHT = 1067;
const DAY_MS = 86_400_000;

/** The seed's photo step (see SeedOptions.attachPhoto in src/seed/index.ts). */
export async function attachSamplePhoto(story: SampleStory, app: FastifyInstance): Promise<number | null> {
  if (!app.photos) return null;
  const taken = new Date(app.clock.now().getTime() - story.photo.takenDaysAgo * DAY_MS);
  const bytes = await samplePhotoJpeg(story.slug, story.photo, taken);
  const { photo } = await app.photos.upload(bytes, { filename: `${story.slug}.jpg` });
  return photo.id;
}

export async function samplePhotoJpeg(seed: string, photo: SamplePhoto, taken: Date): Promise<Buffer> {
  const handout = /HANDOUT/i.test(photo.credit);
  const usageTerms = handout ? 'Editorial use only. Supplied by a third party. No resales. No archives.' : 'Editorial use only.';
  // Loaded here, not at the top: the server imports this module on every start, and only seeding draws.
  const { default: sharp } = await import('sharp');
  const jpeg = await sharp(Buffer.from(sceneSvg(seed, photo.colour)))
    .jpeg({ quality: 85 })
    .withXmp(
      buildXmp({
        headline: photo.headline,
        caption: photo.caption,
        credit: photo.credit,
        creator: photo.creator,
        altText: photo.altText,
        usageTerms,
        dateCreated: taken,
      }),
    )
    .toBuffer();
  return withIptc(jpeg, {
    headline: photo.headline,
    caption: photo.caption,
    credit: photo.credit,
    byline: photo.creator,
    instructions: usageTerms,
    dateCreated: taken,
  });
}

/** A small deterministic PRNG (mulberry32) seeded from a string, so each story keeps its picture. */
function random(seed: string): () => number {
  let h = 1779033703;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rgb = ([r, g, b]: number[]) => `rgb(${r.toFixed(0)},${g.toFixed(0)},${b.toFixed(0)})`;
const mix = (c: number[], d: number[], k: number) => c.map((v, i) => v + (d[i] - v) * k);

function sceneSvg(seed: string, colour: [number, number, number]): string {
  const rnd = random(seed);
  const white = [255, 255, 255];
  const black = [0, 0, 0];
  const skyTop = mix(colour, black, 0.35);
  const skyLow = mix(colour, white, 0.55);
  const horizon = Math.round(HEIGHT * (0.55 + rnd() * 0.1));
  const sunX = Math.round(WIDTH * (0.15 + rnd() * 0.7));
  const sunY = Math.round(horizon * (0.3 + rnd() * 0.4));
  let skyline = '';
  for (let x = -20; x < WIDTH; ) {
    const w = 40 + Math.round(rnd() * 110);
    const h = 60 + Math.round(rnd() * 260);
    const shade = rgb(mix(colour, black, 0.55 + rnd() * 0.25));
    skyline += `<rect x="${x}" y="${horizon - h}" width="${w}" height="${h + 2}" fill="${shade}"/>`;
    // A few lit windows.
    for (let k = 0; k < 4; k++) {
      if (rnd() < 0.5) continue;
      const wx = x + 8 + Math.round(rnd() * (w - 24));
      const wy = horizon - h + 12 + Math.round(rnd() * (h - 30));
      skyline += `<rect x="${wx}" y="${wy}" width="8" height="12" fill="${rgb(mix(colour, white, 0.85))}" opacity="0.8"/>`;
    }
    x += w + Math.round(rnd() * 12);
  }
  let ripples = '';
  for (let i = 0; i < 28; i++) {
    const y = horizon + 14 + Math.round(rnd() * (HEIGHT - horizon - 20));
    const x = Math.round(rnd() * WIDTH);
    const w = 60 + Math.round(rnd() * 260);
    ripples += `<rect x="${x}" y="${y}" width="${w}" height="3" rx="1.5" fill="${rgb(mix(colour, white, 0.7))}" opacity="${(0.15 + rnd() * 0.35).toFixed(2)}"/>`;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">` +
    '<defs>' +
    `<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${rgb(skyTop)}"/><stop offset="1" stop-color="${rgb(skyLow)}"/></linearGradient>` +
    `<linearGradient id="water" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${rgb(mix(colour, black, 0.3))}"/><stop offset="1" stop-color="${rgb(mix(colour, black, 0.7))}"/></linearGradient>` +
    `<radialGradient id="sun"><stop offset="0" stop-color="#fffbe8"/><stop offset="0.35" stop-color="#fff1c4" stop-opacity="0.9"/><stop offset="1" stop-color="#fff1c4" stop-opacity="0"/></radialGradient>` +
    '</defs>' +
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="url(#sky)"/>` +
    `<circle cx="${sunX}" cy="${sunY}" r="190" fill="url(#sun)"/>` +
    skyline +
    `<rect y="${horizon}" width="${WIDTH}" height="${HEIGHT - horizon}" fill="url(#water)"/>` +
    ripples +
    '</svg>'
  );
}
