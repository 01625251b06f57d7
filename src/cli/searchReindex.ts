import { refreshTeasers } from '../articles/teasers.js';
import { closeDatabase } from '../db/client.js';
import { checkSearchIndex, rebuildSearchIndex } from '../search/repository.js';
import { cliContext } from './context.js';

// npm run search:reindex            rebuild the full-text index from the articles (one transaction)
// npm run search:reindex -- --check compare the index with the articles; exit 1 when out of step
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--check');
if (unknown.length > 0) {
  console.error(`Unknown argument ${unknown.join(' ')}. Usage: npm run search:reindex [-- --check]`);
  process.exit(64);
}
const { db, config } = cliContext();
try {
  if (args.includes('--check')) {
    const r = checkSearchIndex(db);
    const problems = r.missing.length + r.extra.length + r.stale.length;
    if (problems === 0) {
      console.log('The search index is in step with the articles.');
    } else {
      const ids = (xs: number[]) => (xs.length > 20 ? `${xs.slice(0, 20).join(', ')} … (${xs.length})` : xs.join(', ') || '-');
      console.log(`The search index is out of step: missing ${ids(r.missing)}; extra ${ids(r.extra)}; stale ${ids(r.stale)}.`);
      console.log('Run `npm run search:reindex` to rebuild it.');
      process.exitCode = 1;
    }
  } else {
    const started = Date.now();
    refreshTeasers(db, config.TEASER_BLOCKS); // teasers computed with another TEASER_BLOCKS (the server does this at start too)
    const r = rebuildSearchIndex(db);
    console.log(`Rebuilt the search index: ${r.articles} articles, ${r.tags} tags in ${Date.now() - started} ms.`);
  }
} finally {
  closeDatabase(db);
}
