/**
 * The errors the data layer raises when a write breaks a rule the database enforces, and the one
 * place that knows which engine codes mean which. Repositories translate every engine error on the
 * way out (see `atomic` and `single` in ./transaction.ts), so services catch these typed errors and
 * never read a driver's code. A second engine adds its codes to the tables below.
 */

/** A write would store a value that must be unique and is taken (a slug, a file's hash, a key). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(message = 'The value is already taken', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A write broke a reference between rows: it named a row that does not exist, or removed one that
 * other rows still point at (a section that still has articles).
 */
export class ReferenceViolationError extends Error {
  override readonly name = 'ReferenceViolationError';
  constructor(message = 'The change would break a reference between records', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Engine codes, by what they mean. SQLite: better-sqlite3's extended result codes; PostgreSQL: SQLSTATE. */
const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505']);
const REFERENCE_CODES = new Set(['SQLITE_CONSTRAINT_FOREIGNKEY', '23503']);

/** The typed error an engine error stands for; anything else is returned as it is. */
export function translateEngineError(err: unknown): unknown {
  if (err instanceof ConflictError || err instanceof ReferenceViolationError) return err;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return err;
  if (UNIQUE_CODES.has(code)) return new ConflictError(undefined, { cause: err });
  if (REFERENCE_CODES.has(code)) return new ReferenceViolationError(undefined, { cause: err });
  return err;
}
