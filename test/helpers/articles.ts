import type { FastifyInstance } from 'fastify';
import type { EmbeddedPhoto, PhotoEmbedder } from '../../src/schemas/photo.js';
import { json } from './app.js';

/** Sections, authors and tags most article tests need. */
export async function seedTaxonomy(app: FastifyInstance, admin: { authorization: string }) {
  for (const [slug, name] of [['world', 'World'], ['business', 'Business']]) {
    await post(app, admin, '/v1/sections', { slug, name });
  }
  for (const [slug, name] of [['ana-ruiz', 'Ana Ruiz'], ['tomas-berg', 'Tomas Berg']]) {
    await post(app, admin, '/v1/authors', { slug, name, role: 'Correspondent', bio: `${name} reports for us.` });
  }
  for (const [slug, name] of [['energy', 'Energy'], ['floods', 'Floods']]) {
    await post(app, admin, '/v1/tags', { slug, name });
  }
}

export async function post(app: FastifyInstance, headers: Record<string, string>, url: string, payload?: unknown) {
  const res = await app.inject({ method: 'POST', url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  if (res.statusCode >= 300) throw new Error(`POST ${url} → ${res.statusCode}: ${res.body}`);
  return json(res);
}

/** A published article (now, or `publishedAt`), body from Markdown. */
export async function publish(app: FastifyInstance, admin: { authorization: string }, fields: Record<string, unknown>) {
  return post(app, admin, '/v1/articles', { status: 'published', section: 'world', authors: ['ana-ruiz'], ...fields });
}

/** The words that appear ONLY after the paywall break in GATED_MARKDOWN. */
export const SECRET = 'zanzibar-quokka-secret';
export const GATED_MARKDOWN = [
  'The first teaser paragraph, attributed to agencies.',
  '',
  'The second teaser paragraph.',
  '',
  '<!-- paywall -->',
  '',
  `The third paragraph holds the ${SECRET} words.`,
  '',
  `> A pulled quote mentioning ${SECRET} too.`,
  '> — Ministry statement',
  '',
  `![${SECRET} alt](photo:2 "${SECRET} caption")`,
].join('\n');

/** A fake photo library: ids 1–9 exist. */
export function fakePhotos(): PhotoEmbedder & { calls: number[][] } {
  const calls: number[][] = [];
  const photo = (id: number): EmbeddedPhoto => ({
    id,
    caption: `Caption of photo ${id}`,
    altText: `Alt of photo ${id}`,
    credit: 'AGENCY/HANDOUT',
    creator: 'A photographer',
    copyright: null,
    width: 1200,
    height: 800,
    focalPoint: null,
    placeholder: null,
    renditions: [{ url: `https://cdn.example/photos/${id}/w800.jpeg`, width: 800, height: 533, format: 'jpeg' }],
  });
  return {
    calls,
    missing: async (ids) => ids.filter((id) => id < 1 || id > 9),
    embed: async (ids) => {
      calls.push(ids);
      return new Map(ids.filter((id) => id >= 1 && id <= 9).map((id) => [id, photo(id)]));
    },
  };
}
