import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { buildTestApp, json } from './helpers/app.js';
import { agencyJpeg, multipart } from './helpers/photos.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['item', 'entry', 'link'].includes(name) });

t.test('feed enclosures carry the byte size of the rendition they point to once it exists, and never make one', async (t) => {
  const h = await buildTestApp(t);
  const upload = multipart([
    { name: 'file', filename: 'p.jpg', contentType: 'image/jpeg', data: await agencyJpeg({ caption: 'Harbour at dawn', credit: 'AGENCY/HANDOUT' }, [1000, 700]) },
  ]);
  const photo = json(await h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...h.admin, ...upload.headers }, payload: upload.payload }));
  const created = await h.app.inject({
    method: 'POST', url: '/v1/articles', headers: h.admin,
    payload: { headline: 'Harbour reopens', status: 'published', featuredPhotoId: photo.id, bodyMarkdown: 'Ships sailed again.' },
  });
  t.equal(created.statusCode, 201, created.body);

  const rssItem = async () => parser.parse((await h.app.inject({ url: '/v1/feeds/rss.xml' })).body).rss.channel.item[0];
  const before = await rssItem();
  const url = before.enclosure['@url'] as string;
  t.match(url, /\/v1\/photos\/\d+\/renditions\/\d+\.jpeg\?v=[0-9a-f]+$/);
  t.equal(before.enclosure['@length'], '0', 'not made yet: 0, "size unknown" (RSS Best Practices Profile)');
  t.equal(h.app.photos.renditionCache.renderCount, 0, 'building the feed made no rendition');

  const rendition = await h.app.inject({ url: new URL(url).pathname });
  t.equal(rendition.statusCode, 200);
  const bytes = rendition.rawPayload.length;
  t.ok(bytes > 1000);

  const after = await rssItem();
  t.equal(after.enclosure['@length'], String(bytes), 'RSS enclosure length: the rendition file\'s size');
  t.equal(after['media:content']['@fileSize'], String(bytes), 'Media RSS fileSize');
  const entry = parser.parse((await h.app.inject({ url: '/v1/feeds/atom.xml' })).body).feed.entry[0];
  t.equal(entry.link.find((l: any) => l['@rel'] === 'enclosure')['@length'], String(bytes), 'Atom enclosure length');
  const item = json(await h.app.inject({ url: '/v1/feeds/feed.json' })).items[0];
  t.equal(item.attachments[0].size_in_bytes, bytes, 'JSON Feed size_in_bytes');
});
