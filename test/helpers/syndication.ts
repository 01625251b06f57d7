import type { FastifyInstance } from 'fastify';
import { json } from './app.js';

/** Words that appear only after the paywall break of gated test stories. */
export const SECRET = 'zanzibar-quokka-secret';

async function post(app: FastifyInstance, headers: Record<string, string>, url: string, payload: unknown) {
  const res = await app.inject({ method: 'POST', url, headers, payload: payload as object });
  if (res.statusCode >= 300) throw new Error(`POST ${url} → ${res.statusCode}: ${res.body}`);
  return json(res);
}

/** Sections world and business, one author, one tag. */
export async function seedTaxonomy(app: FastifyInstance, admin: { authorization: string }) {
  for (const [slug, name] of [['world', 'World'], ['business', 'Business']]) await post(app, admin, '/v1/sections', { slug, name });
  await post(app, admin, '/v1/authors', { slug: 'ana-ruiz', name: 'Ana Ruiz', role: 'Correspondent' });
  await post(app, admin, '/v1/tags', { slug: 'energy', name: 'Energy' });
}

/** A published article (now, or at `publishedAt`), in World by Ana Ruiz unless told otherwise. */
export async function publish(app: FastifyInstance, admin: { authorization: string }, fields: Record<string, unknown>) {
  return post(app, admin, '/v1/articles', { status: 'published', section: 'world', authors: ['ana-ruiz'], ...fields });
}
