import { getTableConfig, type SQLiteColumn, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import {
  customType,
  doublePrecision,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  type PgColumnBuilderBase,
  type PgTableWithColumns,
} from 'drizzle-orm/pg-core';
import { is, SQL } from 'drizzle-orm';

/**
 * The tables are described once, in src/db/schema/ (drizzle's sqlite-core), and this maps each one to
 * a PostgreSQL table with the same names and the same storage types: integer stays integer, text
 * stays text (ISO timestamps sort as text on both; JSON columns are JSON text on both), real becomes
 * double precision, blob becomes bytea. Keeping the storage types equal is what lets one repository
 * query run on either engine: drizzle renders a query from the column objects it is given, and a
 * column that stores the same thing maps its values the same way (proven in test/pg-schema.test.ts).
 *
 * drizzle-kit reads the result (src/db/pg/schema.ts) to generate migrations-pg/, so PostgreSQL's
 * migrations come from its own schema, and a column added to the SQLite description reaches both.
 */

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

type AnyPgTable = PgTableWithColumns<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every table mapped so far, by its SQL name: foreign keys point at the mapped table they name. */
const mapped = new Map<string, AnyPgTable>();

export function toPgTable(table: SQLiteTable): AnyPgTable {
  const config = getTableConfig(table);
  const keyOf = new Map<SQLiteColumn, string>();
  for (const [key, value] of Object.entries(table)) {
    if (config.columns.includes(value as SQLiteColumn)) keyOf.set(value as SQLiteColumn, key);
  }

  const columns: Record<string, PgColumnBuilderBase> = {};
  for (const column of config.columns) columns[keyOf.get(column) ?? column.name] = toPgColumn(config.name, column);

  const pg = pgTable(config.name, columns, (t) => {
    const byName = (c: { name: string }) => {
      const found = Object.values(t).find((candidate) => (candidate as { name?: string }).name === c.name);
      if (!found) throw new Error(`${config.name}: no column ${c.name}`);
      return found as never;
    };
    const extras = [];
    for (const ix of config.indexes) {
      const { name, columns: on, unique, where } = ix.config;
      const builder = (unique ? uniqueIndex(name) : index(name)).on(...(on.map((c) => byName(c as { name: string })) as [never]));
      extras.push(where ? builder.where(where) : builder);
    }
    for (const pk of config.primaryKeys) extras.push(primaryKey({ columns: pk.columns.map(byName) as [never] }));
    for (const fk of config.foreignKeys) {
      const ref = fk.reference();
      const target = getTableConfig(ref.foreignTable).name;
      const foreign = target === config.name ? t : mapped.get(target);
      if (!foreign) throw new Error(`${config.name}: foreign key to ${target}, which is not mapped yet`);
      const foreignCols = ref.foreignColumns.map((c) => (foreign as Record<string, unknown>)[keyOfIn(ref.foreignTable, c)]);
      let built = foreignKey({ columns: ref.columns.map(byName) as [never], foreignColumns: foreignCols as [never] });
      if (fk.onDelete) built = built.onDelete(fk.onDelete);
      if (fk.onUpdate) built = built.onUpdate(fk.onUpdate);
      extras.push(built);
    }
    return extras;
  });
  mapped.set(config.name, pg);
  return pg;
}

function keyOfIn(table: SQLiteTable, column: SQLiteColumn): string {
  const entry = Object.entries(table).find(([, value]) => value === column);
  if (!entry) throw new Error(`no key for column ${column.name}`);
  return entry[0];
}

function toPgColumn(tableName: string, column: SQLiteColumn): PgColumnBuilderBase {
  const type = column.getSQLType();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let built: any;
  if (type === 'integer') built = integer(column.name);
  else if (type === 'text') built = text(column.name);
  else if (type === 'real') built = doublePrecision(column.name);
  else if (type === 'blob') built = bytea(column.name);
  else throw new Error(`${tableName}.${column.name}: no PostgreSQL mapping for SQLite type ${type}`);

  if ((column as { autoIncrement?: boolean }).autoIncrement) built = built.generatedByDefaultAsIdentity();
  if (column.primary) built = built.primaryKey();
  else if (column.notNull) built = built.notNull();
  if (column.hasDefault && column.default !== undefined) {
    // A JS default (false for a boolean-mode integer, an object for a JSON column) is stored as the
    // SQLite column would store it, so both engines hold the same value for it.
    built = built.default(is(column.default, SQL) ? column.default : column.mapToDriverValue(column.default));
  }
  if (column.isUnique) built = built.unique(column.uniqueName);
  return built;
}
