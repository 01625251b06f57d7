import { parseArgs } from 'node:util';
import { closeDatabase } from '../db/client.js';
import { SCOPES, createKeysService } from '../keys/service.js';
import { systemClock } from '../lib/clock.js';
import { cliContext } from './context.js';

const USAGE = `Usage:
  npm run keys -- create --name "Desk editor" --scope admin [--scope syndication]
  npm run keys -- list
  npm run keys -- revoke <key-id>`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, scope: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
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
        const { token, key } = await keys.create({ name: values.name, scopes });
        console.log(`Created key ${key.id} "${key.name}" with scopes ${key.scopes.join(', ')}.`);
        console.log('The key is shown only now; store it safely:');
        console.log(token);
        return 0;
      }
      case 'list': {
        const all = await keys.list();
        if (all.length === 0) console.log('No keys.');
        for (const k of all) {
          const state = k.revokedAt ? `revoked ${k.revokedAt}` : 'active';
          console.log(`${k.id}  ${k.scopes.join(',').padEnd(18)}  ${state.padEnd(32)}  last used ${k.lastUsedAt ?? 'never'}  ${k.name}`);
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
