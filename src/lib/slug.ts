import slugify from '@sindresorhus/slugify';

/** A URL slug from any text (transliterates accents and non-Latin letters where it can). */
export function toSlug(text: string, maxLength = 80): string {
  const s = slugify(text, { decamelize: false }).slice(0, maxLength).replace(/-+$/, '');
  return s || 'item';
}
