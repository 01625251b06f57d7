import t from 'tap';
import { ConflictError, ReferenceViolationError, translateEngineError, uniqueOrConflict } from '../src/db/errors.js';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { HttpError } from '../src/lib/httpError.js';
import { ManualClock } from '../src/lib/clock.js';
import { createSectionsRepository } from '../src/sections/repository.js';
import { createSectionsService } from '../src/sections/service.js';
import { createTagsRepository } from '../src/tags/repository.js';
import { createPlansRepository } from '../src/subscriptions/plans/repository.js';

const at = '2026-01-15T12:00:00.000Z';

function freshDb() {
  const db = openDatabase(':memory:');
  runMigrations(db);
  return db;
}

t.test('repositories answer a taken slug with ConflictError', async (t) => {
  const db = freshDb();
  t.teardown(() => db.$client.close());
  const sections = createSectionsRepository(db);
  await sections.insert({ slug: 'world', name: 'World', createdAt: at, updatedAt: at });
  await t.rejects(sections.insert({ slug: 'world', name: 'World again', createdAt: at, updatedAt: at }), ConflictError);
  const other = await sections.insert({ slug: 'business', name: 'Business', createdAt: at, updatedAt: at });
  await t.rejects(sections.update(other.id, other.version, { slug: 'world' }), ConflictError, 'a rename onto a taken slug');

  const tags = createTagsRepository(db);
  await tags.insert({ slug: 'energy', name: 'Energy', createdAt: at, updatedAt: at });
  await t.rejects(tags.insert({ slug: 'energy', name: 'Energy', createdAt: at, updatedAt: at }), ConflictError);

  const plans = createPlansRepository(db);
  await t.rejects(
    plans.insert({ slug: 'free', name: 'Free again', priceCents: 0, currency: 'EUR', interval: 'none', levels: ['registered'], createdAt: at, updatedAt: at }),
    ConflictError,
    'the free plan (seeded by a migration) holds its slug',
  );

});

// Two editors saving one slug at the same moment both pass the "is it taken?" read; the database
// lets one write win, and the other editor gets the 409 they would have got a moment later.
t.test('a slug taken between the check and the write is the same 409', async (t) => {
  const db = freshDb();
  t.teardown(() => db.$client.close());
  const real = createSectionsRepository(db);
  // The check misses the concurrent winner: the write alone finds out.
  const racing = { ...real, findBySlug: async () => undefined };
  const sections = createSectionsService({ repo: racing, clock: new ManualClock() });
  await sections.create({ slug: 'world', name: 'World' });
  const refused = await sections.create({ slug: 'world', name: 'World' }).catch((err: unknown) => err);
  t.type(refused, HttpError);
  t.match(refused, { statusCode: 409, message: 'A section with slug "world" already exists' });
});

t.test('engine errors are translated in one place', async (t) => {
  const driver = (code: string) => Object.assign(new Error(`${code} from the driver`), { code });
  t.type(translateEngineError(driver('SQLITE_CONSTRAINT_UNIQUE')), ConflictError);
  t.type(translateEngineError(driver('SQLITE_CONSTRAINT_PRIMARYKEY')), ConflictError);
  t.type(translateEngineError(driver('SQLITE_CONSTRAINT_FOREIGNKEY')), ReferenceViolationError);
  t.type(translateEngineError(driver('23505')), ConflictError, 'PostgreSQL unique_violation');
  t.type(translateEngineError(driver('23503')), ReferenceViolationError, 'PostgreSQL foreign_key_violation');
  const other = driver('SQLITE_BUSY');
  t.equal(translateEngineError(other), other, 'anything else is passed on as it is');
  const translated = translateEngineError(driver('SQLITE_CONSTRAINT_UNIQUE')) as Error;
  t.equal((translated.cause as Error).message, 'SQLITE_CONSTRAINT_UNIQUE from the driver', 'the original is kept as the cause');
  t.throws(() => uniqueOrConflict(() => { throw driver('SQLITE_CONSTRAINT_UNIQUE'); }, 'The slug "x" is taken'), { name: 'ConflictError', message: 'The slug "x" is taken', constraint: 'SQLITE_CONSTRAINT_UNIQUE' });
  t.throws(() => uniqueOrConflict(() => { throw driver('SQLITE_CONSTRAINT_FOREIGNKEY'); }, 'unused'), ReferenceViolationError);
  t.equal(uniqueOrConflict(() => 7, 'unused'), 7);
});
