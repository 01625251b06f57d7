import t from 'tap';
import { seedSampleContent } from '../src/seed/index.js';
import { buildTestApp, json } from './helpers/app.js';
import { publish } from './helpers/syndication.js';

const counts = (doc: { bodies: { wordCount: number }[] }) => doc.bodies.map((b) => b.wordCount);

t.test('ninjs body word counts use the article\'s own method: the prose of that body, not image captions', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedSampleContent(app);
  const photo = json(await app.inject({ url: '/v1/photos?limit=1', headers: admin })).data[0];
  const markdown = [
    'One two three four five.', // 5 words
    '',
    'Six seven eight.', // 3 words
    '',
    '<!-- paywall -->',
    '',
    'Nine ten eleven twelve.', // 4 words
    '',
    '> Thirteen fourteen.',
    '> — Fifteen Sixteen', // quote with attribution: 4 words, as the article counts them
    '',
    `![alt words here](photo:${photo.id} "a long caption of seven more words")`,
  ].join('\n');
  const a = await publish(app, admin, { headline: 'Counting words', slug: 'counting-words', access: 'subscribers', bodyMarkdown: markdown, authors: [], section: null });
  t.equal(a.wordCount, 16, 'the article counts its prose: paragraphs and the quote, not the caption');

  const full = json(await app.inject({ url: '/v1/syndication/ninjs/articles/counting-words', headers: admin }));
  t.equal(full.representationType, 'full');
  t.match(full.bodies[1].value, 'a long caption of seven more words', 'the caption is in the text body');
  t.same(counts(full), [16, 16], 'both full bodies: the article\'s wordCount');

  const teaser = json(await app.inject({ url: '/v1/syndication/ninjs/articles/counting-words' }));
  t.equal(teaser.representationType, 'partial');
  t.same(counts(teaser), [8, 8], 'teaser bodies: the teaser\'s prose');
  t.match(teaser.edNote, 'the full article has 16 words');

  const listed = json(await app.inject({ url: '/v1/syndication/ninjs/articles?limit=100', headers: admin })).data;
  t.same(counts(listed.find((d: { altIds: { role: string; value: string }[] }) => d.altIds.some((x) => x.value === 'counting-words'))), [16, 16], 'the ninjs list counts the same way');

  // Every seeded story: the full ninjs body counts what the article JSON says.
  const all = json(await app.inject({ url: '/v1/articles?limit=100&fields=slug,wordCount', headers: admin })).data as { slug: string; wordCount: number }[];
  for (const { slug, wordCount } of all) {
    const doc = json(await app.inject({ url: `/v1/syndication/ninjs/articles/${slug}`, headers: admin }));
    t.same(counts(doc), [wordCount, wordCount], `${slug}: ${wordCount} words`);
  }
});
