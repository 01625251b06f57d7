import { parseArgs } from 'node:util';
import { closeDatabase } from '../db/client.js';
import type { LicenceTerms } from '../keys/licences.js';
import { SCOPES, createKeysService } from '../keys/service.js';
import { systemClock } from '../lib/clock.js';
import { cliContext } from './context.js';

const USAGE = `Usage:
  npm run keys -- create --name "Desk editor" --scope admin [--scope syndication]
  npm run keys -- create --name "Partner" --scope syndication [licence flags]
  npm run keys -- list
  npm run keys -- revoke <key-id>
  npm run keys -- rotate <key-id>                       a new token for the key (same scopes and licence); the old one stops working
  npm run keys -- licence <key-id> [licence flags]     replace a partner key's licence (flags left out: defaults)
  npm run keys -- licence <key-id> --remove             remove it (reads as anonymous)
  npm run keys -- feed-token <key-id>                   issue a feed token (?token= on feed URLs)
  npm run keys -- feed-tokens <key-id>                  list its feed tokens
  npm run keys -- revoke-feed-token <key-id> <token-id>
Licence flags (syndication keys):
  --sections world,politics   sections it may take in full (required with any licence flag)
  --all-sections              or: every section (said, never implied)
  --full-text                 full text of gated articles in those sections
  --usage-terms "…"           echoed into every payload the key receives
  --rate-limit 600            requests per rate-limit window (default RATE_LIMIT_KEY_MAX)`;

const LICENCE_FLAGS = ['sections', 'all-sections', 'full-text', 'usage-terms', 'rate-limit'] as const;

/** Licence terms from the flags; null when none was given; a string when one is invalid. */
function licenceFrom(values: Record<string, unknown>): LicenceTerms | null | string {
  if (!LICENCE_FLAGS.some((f) => values[f] !== undefined)) return null;
  if ((values.sections === undefined) === (values['all-sections'] === undefined)) {
    return 'A licence names its sections: --sections world,politics or --all-sections (one of them)';
  }
  const sections = typeof values.sections === 'string'
    ? values.sections.split(',').map((s) => s.trim()).filter(Boolean)
    : null;
  let rateLimit: number | null = null;
  if (values['rate-limit'] !== undefined) {
    rateLimit = Number(values['rate-limit']);
    if (!Number.isInteger(rateLimit) || rateLimit < 1) return '--rate-limit must be a positive whole number';
  }
  const usageTerms = typeof values['usage-terms'] === 'string' && values['usage-terms'].trim() ? values['usage-terms'].trim() : null;
  return { sections, fullText: values['full-text'] === true, usageTerms, rateLimit };
}

function describeLicence(l: LicenceTerms | null): string {
  if (!l) return 'no licence';
  return `sections ${l.sections ? l.sections.join(',') : 'all'}; ${l.fullText ? 'full text' : 'teasers of gated articles'}` +
    `${l.rateLimit ? `; ${l.rateLimit} requests/window` : ''}${l.usageTerms ? `; terms: ${l.usageTerms}` : ''}`;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      scope: { type: 'string', multiple: true },
      sections: { type: 'string' },
      'all-sections': { type: 'boolean' },
      'full-text': { type: 'boolean' },
      'usage-terms': { type: 'string' },
      'rate-limit': { type: 'string' },
      remove: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { db } = cliContext();
  const keys = createKeysService(db, systemClock);
  try {
    switch (command) {
      case 'create': {
        const scopes = values.scope ?? [];
        const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
        if (!values.name || scopes.length === 0 || unknown.length > 0) {
          console.error(unknown.length ? `Unknown scope(s): ${unknown.join(', ')}; known: ${SCOPES.join(', ')}` : USAGE);
          return 2;
        }
        const licence = licenceFrom(values);
        if (typeof licence === 'string') {
          console.error(licence);
          return 2;
        }
        const { token, key, licence: saved } = await keys.create({ name: values.name, scopes, licence });
        console.log(`Created key ${key.id} "${key.name}" with scopes ${key.scopes.join(', ')}${saved ? ` and licence: ${describeLicence(saved)}` : ''}.`);
        console.log('The key is shown only now; store it safely:');
        console.log(token);
        return 0;
      }
      case 'list': {
        const all = await keys.list();
        if (all.length === 0) console.log('No keys.');
        const licences = await keys.licences.getMany(all.map((k) => k.id));
        for (const k of all) {
          const state = k.revokedAt ? `revoked ${k.revokedAt}` : 'active';
          const licence = licences.get(k.id);
          console.log(`${k.id}  ${k.scopes.join(',').padEnd(18)}  ${state.padEnd(32)}  last used ${k.lastUsedAt ?? 'never'}  ${k.name}${licence ? `  [${describeLicence(licence)}]` : ''}`);
        }
        return 0;
      }
      case 'revoke': {
        const id = rest[0];
        if (!id) {
          console.error(USAGE);
          return 2;
        }
        if (!(await keys.revoke(id))) {
          console.error(`No key with id ${id}`);
          return 1;
        }
        console.log(`Revoked key ${id}.`);
        return 0;
      }
      case 'rotate': {
        const id = rest[0];
        if (!id) {
          console.error(USAGE);
          return 2;
        }
        const token = await keys.rotate(id);
        if (!token) {
          console.error(`No key with id ${id} that is not revoked`);
          return 1;
        }
        console.log(`New token for key ${id} (shown once; the old token no longer works):\n${token}`);
        return 0;
      }
      case 'licence': {
        const id = rest[0];
        const licence = licenceFrom(values);
        if (!id || (licence === null && !values.remove) || typeof licence === 'string') {
          console.error(typeof licence === 'string' ? licence : USAGE);
          return 2;
        }
        const saved = await keys.licences.set(id, values.remove ? null : licence);
        console.log(`Key ${id}: ${describeLicence(saved)}.`);
        return 0;
      }
      case 'feed-token': {
        const id = rest[0];
        if (!id) {
          console.error(USAGE);
          return 2;
        }
        const { token, feedToken } = await keys.licences.createFeedToken(id);
        console.log(`Created feed token ${feedToken.id} for key ${id}. Shown only now; append it to feed URLs as ?token=…`);
        console.log(token);
        return 0;
      }
      case 'feed-tokens': {
        const id = rest[0];
        if (!id) {
          console.error(USAGE);
          return 2;
        }
        const tokens = await keys.licences.listFeedTokens(id);
        if (tokens.length === 0) console.log('No feed tokens.');
        for (const f of tokens) {
          console.log(`${f.id}  ${f.revokedAt ? `revoked ${f.revokedAt}` : 'active'}  created ${f.createdAt}  last used ${f.lastUsedAt ?? 'never'}`);
        }
        return 0;
      }
      case 'revoke-feed-token': {
        const [id, tokenId] = rest;
        if (!id || !tokenId) {
          console.error(USAGE);
          return 2;
        }
        await keys.licences.revokeFeedToken(id, tokenId);
        console.log(`Revoked feed token ${tokenId}.`);
        return 0;
      }
      default:
        console.error(`Unknown command "${command}".\n${USAGE}`);
        return 2;
    }
  } finally {
    closeDatabase(db);
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
