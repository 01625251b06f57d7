import type { Db } from './client.js';
import { translateEngineError } from './errors.js';

/** An open transaction: the same query builder as the connection, bound to the transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** What statements run on: the connection itself, or an open transaction. */
export type Queryable = Db | Tx;
/** The same as Queryable: what statements that may run inside a caller's transaction take. */
export type SqlRunner = Queryable;

/** A unit of work must not hand back a promise: it would escape the transaction. */
export type Synchronous<T> = T extends PromiseLike<unknown> ? never : T;

/**
 * Runs `work` as one atomic unit: every statement in it commits together, or none does (any error
 * rolls it back). This is how a repository makes one write, with everything that must commit with
 * it, into one operation; callers only ever see the returned promise.
 *
 * SQLite: better-sqlite3 transactions are synchronous, so `work` runs to its end without yielding
 * (it must not await or return a promise) and no other statement of this process interleaves.
 * `immediate` takes the database's write lock at BEGIN (BEGIN IMMEDIATE) instead of at the first
 * write, so what `work` reads cannot be changed by another connection before it writes: use it for
 * check-then-write units (a conditional spend, a token that may be used once). Without it the unit
 * is still atomic and, on SQLite, serialisable (one writer at a time).
 *
 * A crash before the commit leaves nothing of the unit; after it, all of it (durability as
 * configured by DB_SYNCHRONOUS). Engine errors come back translated (./errors.ts).
 */
export async function atomic<T>(db: Db, work: (tx: Tx) => Synchronous<T>, options: { immediate?: boolean } = {}): Promise<T> {
  try {
    return db.transaction(work, options.immediate ? { behavior: 'immediate' } : undefined);
  } catch (err) {
    throw translateEngineError(err);
  }
}

/** One statement (atomic by itself), with engine errors translated. */
export async function single<T>(work: () => Synchronous<T>): Promise<T> {
  try {
    return work();
  } catch (err) {
    throw translateEngineError(err);
  }
}
