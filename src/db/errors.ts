/**
 * The errors the data layer raises when a write breaks a rule the database enforces, and the one
 * place that knows which engine codes mean which. Repositories translate every engine error on the
 * way out (see `atomic` and `single` in ./transaction.ts), so services catch these typed errors and
 * never read a driver's code. A second engine adds its codes to the tables below.
 */

/** A write would store a value that must be unique and is taken (a slug, a file's hash, a key). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  /** The engine's code for the rule (e.g. SQLITE_CONSTRAINT_UNIQUE), for logs only. */
  readonly constraint: string | undefined;
  constructor(message = 'The value is already taken', options: { cause?: unknown; constraint?: string } = {}) {
    super(message, { cause: options.cause });
    this.constraint = options.constraint;
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
  if (UNIQUE_CODES.has(code)) return new ConflictError(undefined, { cause: err, constraint: code });
  if (REFERENCE_CODES.has(code)) return new ReferenceViolationError(undefined, { cause: err });
  return err;
}

/** Whether `err` is the engine refusing a duplicate key. */
export function isUniqueViolation(err: unknown): boolean {
  return translateEngineError(err) instanceof ConflictError;
}

/** Runs one synchronous write (inside a transaction or not); a duplicate-key refusal comes back as a ConflictError saying `message`. */
export function uniqueOrConflict<T>(write: () => T, message: string): T {
  try {
    return write();
  } catch (err) {
    const translated = translateEngineError(err);
    if (translated instanceof ConflictError) throw new ConflictError(message, { cause: err, constraint: translated.constraint });
    throw translated;
  }
}
