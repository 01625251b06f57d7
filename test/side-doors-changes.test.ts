import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { post, seedTaxonomy } from './helpers/articles.js';
import { agencyJpeg, multipart } from './helpers/photos.js';

/**
 * Issue 12, side door 3: the change feed and webhooks. `photo.updated` must not tell a partner
 * that a photo it may not see exists, or when it changed: a photo of a story still under embargo
 * (scheduled), or one shown only past a paywall break its licence does not open. A partner whose
 * licence opens the story hears about it; admins see every change.
 */
const p = (text: string) => ({ type: 'paragraph', text });
let colour = 0;
async function upload(h: TestApp, caption: string) {
  colour += 30;
  const body = multipart([{ name: 'file', filename: 'p.jpg', contentType: 'image/jpeg', data: await agencyJpeg({ caption, credit: 'AGENCY/HANDOUT' }, [600 + colour, 400]) }]);
  const res = await h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...h.admin, ...body.headers }, payload: body.payload });
  if (res.statusCode !== 201) throw new Error(res.body);
  return json(res) as { id: number };
}
async function receiver(t: Test) {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => { received.push(body); res.writeHead(200).end('ok'); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received };
}
const edit = (h: TestApp, id: number, caption: string) =>
  h.app.inject({ method: 'PATCH', url: `/v1/photos/${id}`, headers: h.admin, payload: { caption } });

t.test('photo.updated reaches only partners who may see the photo: change feed and webhooks', async (t) => {
  const h = await buildTestApp(t, { env: { WEBHOOK_WORKER: 'false', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  const { app, admin } = h;
  await seedTaxonomy(app, admin);
  const embargoed = await upload(h, 'Embargoed: the minister signs');
  const pastBreak = await upload(h, 'Past the break: the ledger');
  const teaser = await upload(h, 'In the teaser: the port');
  await post(app, admin, '/v1/articles', {
    status: 'scheduled', scheduledFor: '2026-01-20T06:00:00Z', section: 'world', headline: 'Minister signs', featuredPhotoId: embargoed.id, body: [p('Signed.')],
  });
  await post(app, admin, '/v1/articles', {
    status: 'published', section: 'world', access: 'subscribers', headline: 'Ledger',
    body: [p('Teaser.'), { type: 'image', photoId: teaser.id }, { type: 'paywall' }, p('Hidden.'), { type: 'image', photoId: pastBreak.id }],
  });

  const key = async (name: string, licence?: unknown) => {
    const res = await app.inject({ method: 'POST', url: '/v1/admin/keys', headers: admin, payload: { name, scopes: ['syndication'], ...(licence ? { licence } : {}) } });
    if (res.statusCode !== 201) throw new Error(res.body);
    const body = json(res);
    return { id: body.key?.id ?? body.id, headers: { authorization: `Bearer ${body.token}` } };
  };
  const plain = await key('Plain partner');
  const licensed = await key('Licensed partner', { sections: ['world'], fullText: true });
  const otherSection = await key('Business partner', { sections: ['business'], fullText: true });

  const rxAnon = await receiver(t);
  const rxPlain = await receiver(t);
  const rxLicensed = await receiver(t);
  const hook = async (url: string, keyId?: string) => {
    const res = await app.inject({ method: 'POST', url: '/v1/admin/webhooks', headers: admin, payload: { url, events: ['photo.updated'], ...(keyId ? { keyId } : {}) } });
    if (res.statusCode !== 201) throw new Error(res.body);
    return json(res).endpoint.id as number;
  };
  const anonHook = await hook(rxAnon.url);
  await hook(rxPlain.url, plain.id);
  await hook(rxLicensed.url, licensed.id);

  for (const photo of [embargoed, pastBreak, teaser]) t.equal((await edit(h, photo.id, `Edited ${photo.id}`)).statusCode, 200);
  await app.webhooks.worker.drain();

  const feed = async (headers: Record<string, string>, query = '') => {
    const res = await app.inject({ url: `/v1/changes?type=photo.updated${query}`, headers });
    t.equal(res.statusCode, 200, res.body);
    return json(res) as { data: { id: number }[]; meta: { nextCursor: string; hasMore: boolean } };
  };
  const idsIn = (f: { data: { id: number }[] }) => f.data.map((c) => c.id).sort((a, b) => a - b);
  const photoIdsIn = (bodies: string[]) => bodies.map((b) => JSON.parse(b).data.id as number).sort((a, b) => a - b);

  t.same(idsIn(await feed(plain.headers)), [teaser.id], 'a partner without a licence hears only of the photo every reader is shown');
  t.same(idsIn(await feed(otherSection.headers)), [teaser.id], 'a licence for another section opens nothing more');
  t.same(idsIn(await feed(licensed.headers)), [pastBreak.id, teaser.id], 'a licence that opens the story: its photo past the break too, not the embargoed one');
  t.same(idsIn(await feed(admin)), [embargoed.id, pastBreak.id, teaser.id], 'admins see every change');
  const all = await feed(plain.headers, '');
  const unfiltered = await app.inject({ url: '/v1/changes', headers: plain.headers });
  t.notOk(json(unfiltered).data.some((c: { entity: string; id: number }) => c.entity === 'photo' && c.id !== teaser.id), 'nor without the type filter');
  t.equal(all.meta.hasMore, false);

  // Paging one change at a time: the hidden changes are stepped over, never shown, and no cursor repeats.
  const seen: number[] = [];
  let cursor = '';
  for (let i = 0; i < 10; i++) {
    const page = await feed(plain.headers, `&limit=1${cursor ? `&since=${cursor}` : ''}`);
    seen.push(...page.data.map((c) => c.id));
    if (!page.meta.hasMore) break;
    t.not(page.meta.nextCursor, cursor, 'the cursor moves on');
    cursor = page.meta.nextCursor;
  }
  t.same(seen, [teaser.id], 'paged one by one: the same');

  t.same(photoIdsIn(rxAnon.received), [teaser.id], 'a webhook for anonymous readers: only the photo every reader is shown');
  t.same(photoIdsIn(rxPlain.received), [teaser.id], "a webhook under a plain partner's key: the same");
  t.same(photoIdsIn(rxLicensed.received), [pastBreak.id, teaser.id], "a webhook under the licensed key: the story's photos it may see");
  for (const body of [...rxAnon.received, ...rxPlain.received]) t.notMatch(body, new RegExp(`Embargoed|ledger|Edited (?!${teaser.id})`, 'i'), 'nothing of the hidden photos');
  const log = json(await app.inject({ url: `/v1/admin/webhooks/${anonHook}/deliveries`, headers: admin })).data as { status: string; lastError: string | null }[];
  t.same(log.map((d) => d.status).sort(), ['delivered', 'skipped', 'skipped'], 'the delivery log says what was not sent');

  // Once the story is out, its photo is news for everyone.
  h.clock.set('2026-01-20T06:00:00Z');
  t.equal((await edit(h, embargoed.id, 'The minister signs')).statusCode, 200);
  await app.webhooks.worker.drain();
  t.ok(idsIn(await feed(plain.headers)).includes(embargoed.id), 'after the embargo: in the feed');
  t.ok(photoIdsIn(rxAnon.received).includes(embargoed.id), 'and delivered');
});
