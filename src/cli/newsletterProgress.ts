import cliProgress from 'cli-progress';
import { createSendsRepository } from '../newsletters/sendsRepository.js';
import { cliContext } from './context.js';

/**
 * `npm run newsletter:progress -- SEND_ID`: a send's delivery progress as a bar (stderr), until
 * nothing is left to deliver; then one line of counts on stdout. It only reads: the server's
 * worker does the sending.
 */
const id = Number(process.argv[2]);
if (!Number.isInteger(id) || id < 1) {
  console.error('usage: npm run newsletter:progress -- SEND_ID   (ids: GET /v1/newsletters/{slug}/sends)');
  process.exit(64);
}
const { db } = cliContext();
const repo = createSendsRepository(db);
const send = await repo.byId(id);
if (!send) {
  console.error(`There is no send ${id}`);
  process.exit(1);
}
const bar = new cliProgress.SingleBar(
  { format: 'send {id} [{bar}] {percentage}% | {value}/{total} done | queued {queued} · sent {sent} · failed {failed} · suppressed {suppressed}', stream: process.stderr },
  cliProgress.Presets.shades_classic,
);
let p = await repo.progress(id);
const total = Object.values(p).reduce((a, b) => a + b, 0);
const done = () => p.sent + p.failed + p.suppressed + p.interrupted;
const fields = () => ({ id, queued: p.queued + p.claimed + p.sending, sent: p.sent, failed: p.failed, suppressed: p.suppressed });
bar.start(total, done(), fields());
while (done() < total || (await repo.byId(id))?.status === 'scheduled') {
  await new Promise((r) => setTimeout(r, 500));
  p = await repo.progress(id);
  bar.update(done(), fields());
}
bar.stop();
console.log(JSON.stringify({ send: id, ...p }));
db.$client.close();
