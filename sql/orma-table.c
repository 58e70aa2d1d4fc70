/* orma-table.c: table metadata (columns, primary key, foreign keys,
 * indexes) and the DDL that creates it.
 *
 * A table is built by a sequence of calls (from a mapped class's
 * class_init, or directly), none of which can return an error. So a
 * mistake in a declaration never crashes and never stops the declaring
 * code: the first one is kept in table->error, and orma_metadata_add_table()
 * or the registry reports it where a GError can be returned.
 *
 * Column indexes are stable: a column is added even when its declaration
 * is wrong, because the mapping layer relies on the table's index of a
 * column being the same as its own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "orma-error-private.h"
#include "orma-table-private.h"
#include "orma-value-private.h"

G_DEFINE_BOXED_TYPE (OrmaTable, orma_table, orma_table_ref, orma_table_unref)

static void
column_free (OrmaColumn *column)
{
  g_free (column->name);
  g_free (column);
}

static void
foreign_key_free (OrmaForeignKey *fk)
{
  g_ptr_array_unref (fk->columns);
  g_free (fk->ref_table);
  g_ptr_array_unref (fk->ref_columns);
  g_free (fk);
}

static void
index_free (OrmaIndex *index)
{
  g_free (index->name);
  g_ptr_array_unref (index->columns);
  g_free (index);
}

/* Keeps the first declaration error only: later ones are often
 * consequences of it. */
G_GNUC_PRINTF (2, 3)
static void
record_error (OrmaTable  *table,
              const char *format,
              ...)
{
  va_list args;

  if (table->error != NULL)
    return;
  va_start (args, format);
  table->error = g_error_new_valist (ORMA_ERROR, ORMA_ERROR_INVALID_MAPPING,
                                     format, args);
  va_end (args);
}

/**
 * orma_table_new:
 * @name: the table name
 *
 * Creates the metadata of a table with no columns yet.
 *
 * Returns: (transfer full): a new table
 */
OrmaTable *
orma_table_new (const char *name)
{
  OrmaTable *table = g_new0 (OrmaTable, 1);

  table->ref_count = 1;
  table->name = g_strdup (name != NULL ? name : "");
  table->columns = g_ptr_array_new_with_free_func ((GDestroyNotify) column_free);
  table->foreign_keys =
    g_ptr_array_new_with_free_func ((GDestroyNotify) foreign_key_free);
  table->indexes = g_ptr_array_new_with_free_func ((GDestroyNotify) index_free);
  table->primary_key = g_array_new (FALSE, FALSE, sizeof (guint));
  table->autoincrement = -1;
  table->version = -1;

  if (*table->name == '\0')
    record_error (table, "A table needs a name");
  return table;
}

/**
 * orma_table_ref:
 * @table: a table
 *
 * Adds a reference to @table.
 *
 * Returns: (transfer full): @table
 */
OrmaTable *
orma_table_ref (OrmaTable *table)
{
  g_return_val_if_fail (table != NULL, NULL);

  g_atomic_int_inc (&table->ref_count);
  return table;
}

/**
 * orma_table_unref:
 * @table: (transfer full): a table
 *
 * Drops a reference to @table; the last one frees it.
 */
void
orma_table_unref (OrmaTable *table)
{
  g_return_if_fail (table != NULL);

  if (!g_atomic_int_dec_and_test (&table->ref_count))
    return;
  g_free (table->name);
  g_ptr_array_unref (table->columns);
  g_ptr_array_unref (table->foreign_keys);
  g_ptr_array_unref (table->indexes);
  g_array_unref (table->primary_key);
  g_clear_error (&table->error);
  g_free (table);
}

/**
 * orma_table_get_name:
 * @table: a table
 *
 * Gets the name of @table.
 *
 * Returns: (transfer none): the table name
 */
const char *
orma_table_get_name (OrmaTable *table)
{
  g_return_val_if_fail (table != NULL, NULL);

  return table->name;
}

/**
 * orma_table_get_n_columns:
 * @table: a table
 *
 * Gets the number of columns of @table.
 *
 * Returns: the number of columns
 */
guint
orma_table_get_n_columns (OrmaTable *table)
{
  g_return_val_if_fail (table != NULL, 0);

  return table->columns->len;
}

/**
 * orma_table_find_column:
 * @table: a table
 * @name: a column name
 *
 * Finds a column of @table by name.
 *
 * Returns: the index of the column, or -1 if @table has none of that name
 */
int
orma_table_find_column (OrmaTable  *table,
                        const char *name)
{
  guint i;

  g_return_val_if_fail (table != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  for (i = 0; i < table->columns->len; i++)
    {
      if (strcmp (_orma_table_column (table, i)->name, name) == 0)
        return i;
    }
  return -1;
}

static gboolean
is_integer_storage (GType storage)
{
  return storage == G_TYPE_INT || storage == G_TYPE_INT64 ||
         storage == G_TYPE_UINT;
}

/* The database generates the key only for a single integer primary key
 * the application did not claim; recomputed as primary key columns are
 * added, since a second one makes the key composite. */
static void
update_autoincrement (OrmaTable *table)
{
  OrmaColumn *column;

  table->autoincrement = -1;
  if (table->primary_key->len != 1)
    return;
  column = _orma_table_column (table,
                               g_array_index (table->primary_key, guint, 0));
  if (is_integer_storage (column->storage) &&
      !(column->flags & ORMA_COLUMN_NO_AUTOINCREMENT))
    table->autoincrement = g_array_index (table->primary_key, guint, 0);
}

static void add_index (OrmaTable  *table,
                       const char *prefix,
                       GPtrArray  *columns,
                       gboolean    unique);

static void
check_column (OrmaTable   *table,
              OrmaColumn  *column,
              GType        type)
{
  if (*column->name == '\0')
    record_error (table, "Table %s: a column needs a name", table->name);
  else if (orma_table_find_column (table, column->name) >= 0)
    record_error (table, "Table %s: column %s is declared twice",
                  table->name, column->name);
  else if (column->storage == G_TYPE_INVALID)
    record_error (table, "Table %s: column %s has type %s, which Orma cannot "
                  "store", table->name, column->name, g_type_name (type));
}

static void
check_version_column (OrmaTable *table, OrmaColumn *column)
{
  if (table->version >= 0)
    record_error (table, "Table %s: column %s is a second version column",
                  table->name, column->name);
  else if (!is_integer_storage (column->storage))
    record_error (table, "Table %s: version column %s must be an integer",
                  table->name, column->name);
}

/**
 * orma_table_add_column:
 * @table: a table
 * @name: the column name
 * @type: the #GType of its values: boolean, integers, double, string,
 *   an enum or flags type, #GBytes or #GDateTime
 * @flags: constraints of the column
 *
 * Adds a column to @table. A mistake (unsupported type, duplicate name,
 * second version column) is reported by orma_metadata_add_table() as
 * %ORMA_ERROR_INVALID_MAPPING.
 *
 * Returns: the index of the new column
 */
guint
orma_table_add_column (OrmaTable       *table,
                       const char      *name,
                       GType            type,
                       OrmaColumnFlags  flags)
{
  OrmaColumn *column;
  guint index;

  g_return_val_if_fail (table != NULL, 0);

  column = g_new0 (OrmaColumn, 1);
  column->name = g_strdup (name != NULL ? name : "");
  column->type = type;
  column->storage = _orma_value_storage_type (type);
  /* what the key and the version counter need, made visible to every
   * reader of the flags */
  if (flags & (ORMA_COLUMN_PRIMARY_KEY | ORMA_COLUMN_VERSION))
    flags |= ORMA_COLUMN_NOT_NULL;
  column->flags = flags;
  check_column (table, column, type);
  if (flags & ORMA_COLUMN_VERSION)
    check_version_column (table, column);

  index = table->columns->len;
  g_ptr_array_add (table->columns, column);

  if ((flags & ORMA_COLUMN_VERSION) && table->version < 0)
    table->version = index;
  if (flags & ORMA_COLUMN_PRIMARY_KEY)
    {
      g_array_append_val (table->primary_key, index);
      update_autoincrement (table);
    }
  if (flags & ORMA_COLUMN_INDEXED)
    {
      g_autoptr (GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);

      g_ptr_array_add (columns, g_strdup (column->name));
      add_index (table, "ix", columns, FALSE);
    }
  return index;
}

/* "a, b" -> ["a", "b"], each stripped; NULL or blank gives none */
static GPtrArray *
split_column_list (const char *list)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) parts = NULL;
  guint i;

  if (list == NULL)
    return names;
  parts = g_strsplit (list, ",", -1);
  for (i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_ptr_array_add (names, g_strdup (parts[i]));
    }
  return names;
}

static gboolean
check_local_columns (OrmaTable  *table,
                     GPtrArray  *columns,
                     const char *what)
{
  guint i;

  if (columns->len == 0)
    {
      record_error (table, "Table %s: %s names no column", table->name, what);
      return FALSE;
    }
  for (i = 0; i < columns->len; i++)
    {
      const char *name = g_ptr_array_index (columns, i);

      if (orma_table_find_column (table, name) < 0)
        {
          record_error (table, "Table %s: %s names unknown column %s",
                        table->name, what, name);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * orma_table_add_foreign_key:
 * @table: a table
 * @columns: the local columns, separated by commas: "author_id" or
 *   "a_id, b_id"
 * @ref_table: the referenced table
 * @ref_columns: (nullable): its columns, as many as @columns; %NULL
 *   references its primary key
 * @on_delete: what the database does when the referenced row is deleted
 *
 * Declares a FOREIGN KEY constraint. The local columns must already be
 * declared.
 */
void
orma_table_add_foreign_key (OrmaTable            *table,
                            const char           *columns,
                            const char           *ref_table,
                            const char           *ref_columns,
                            OrmaForeignKeyAction  on_delete)
{
  OrmaForeignKey *fk;

  g_return_if_fail (table != NULL);

  fk = g_new0 (OrmaForeignKey, 1);
  fk->columns = split_column_list (columns);
  fk->ref_table = g_strdup (ref_table != NULL ? ref_table : "");
  fk->ref_columns = split_column_list (ref_columns);
  fk->on_delete = on_delete;
  g_ptr_array_add (table->foreign_keys, fk);

  if (!check_local_columns (table, fk->columns, "a foreign key"))
    return;
  if (*fk->ref_table == '\0')
    record_error (table, "Table %s: the foreign key on %s names no table",
                  table->name, columns);
  else if (ref_columns != NULL && fk->ref_columns->len != fk->columns->len)
    record_error (table, "Table %s: the foreign key (%s) references %u "
                  "columns of %s for %u local ones", table->name, columns,
                  fk->ref_columns->len, fk->ref_table, fk->columns->len);
}

/* ix_users_name, uq_pairs_a_b */
static char *
index_name (OrmaTable *table, const char *prefix, GPtrArray *columns)
{
  GString *name = g_string_new (prefix);
  guint i;

  g_string_append_printf (name, "_%s", table->name);
  for (i = 0; i < columns->len; i++)
    g_string_append_printf (name, "_%s",
                            (char *) g_ptr_array_index (columns, i));
  return g_string_free (name, FALSE);
}

/* Takes a reference to @columns */
static void
add_index (OrmaTable  *table,
           const char *prefix,
           GPtrArray  *columns,
           gboolean    unique)
{
  OrmaIndex *index = g_new0 (OrmaIndex, 1);

  index->name = index_name (table, prefix, columns);
  index->columns = g_ptr_array_ref (columns);
  index->unique = unique;
  g_ptr_array_add (table->indexes, index);
}

/**
 * orma_table_add_index:
 * @table: a table
 * @columns: the indexed columns, separated by commas: "a, b"
 * @unique: whether the index is UNIQUE
 *
 * Declares an index on @table, named ix_TABLE_COLUMNS (uq_TABLE_COLUMNS
 * for a unique one). The columns must already be declared.
 */
void
orma_table_add_index (OrmaTable  *table,
                      const char *columns,
                      gboolean    unique)
{
  g_autoptr (GPtrArray) names = NULL;

  g_return_if_fail (table != NULL);

  names = split_column_list (columns);
  if (!check_local_columns (table, names, "an index"))
    return;
  add_index (table, unique ? "uq" : "ix", names, unique);
}

/* ------------------------------------------------------------ DDL */

static void
append_identifier_list (const OrmaDialect *dialect,
                        GString           *sql,
                        GPtrArray         *names)
{
  guint i;

  for (i = 0; i < names->len; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      _orma_dialect_append_identifier (dialect, sql,
                                       g_ptr_array_index (names, i));
    }
}

/* "name TYPE [NOT NULL] [PRIMARY KEY] [UNIQUE]" */
static void
append_column_definition (OrmaTable         *table,
                          guint              index,
                          const OrmaDialect *dialect,
                          GString           *sql)
{
  OrmaColumn *column = _orma_table_column (table, index);
  const char *type_name = dialect->type_name (column->storage);

  _orma_dialect_append_identifier (dialect, sql, column->name);
  g_string_append_c (sql, ' ');
  if ((int) index == table->autoincrement)
    {
      g_string_append (sql, dialect->autoincrement_pk);
      return;
    }

  g_string_append (sql, type_name != NULL ? type_name : "TEXT");
  if (column->flags & (ORMA_COLUMN_NOT_NULL | ORMA_COLUMN_PRIMARY_KEY |
                       ORMA_COLUMN_VERSION))
    g_string_append (sql, " NOT NULL");
  if ((column->flags & ORMA_COLUMN_PRIMARY_KEY) && table->primary_key->len == 1)
    g_string_append (sql, " PRIMARY KEY");
  if (column->flags & ORMA_COLUMN_UNIQUE)
    g_string_append (sql, " UNIQUE");
}

static void
append_primary_key_constraint (OrmaTable         *table,
                               const OrmaDialect *dialect,
                               GString           *sql)
{
  guint i;

  g_string_append (sql, ",\n\tPRIMARY KEY (");
  for (i = 0; i < table->primary_key->len; i++)
    {
      guint column = g_array_index (table->primary_key, guint, i);

      if (i > 0)
        g_string_append (sql, ", ");
      _orma_dialect_append_identifier (dialect, sql,
                                       _orma_table_column (table, column)->name);
    }
  g_string_append_c (sql, ')');
}

/* FOREIGN KEY (...) REFERENCES t (...) [ON DELETE ...] */
static void
append_foreign_key (OrmaForeignKey    *fk,
                    const OrmaDialect *dialect,
                    GString           *sql)
{
  g_string_append (sql, "FOREIGN KEY (");
  append_identifier_list (dialect, sql, fk->columns);
  g_string_append (sql, ") REFERENCES ");
  _orma_dialect_append_identifier (dialect, sql, fk->ref_table);
  if (fk->ref_columns->len > 0)
    {
      g_string_append (sql, " (");
      append_identifier_list (dialect, sql, fk->ref_columns);
      g_string_append_c (sql, ')');
    }
  if (fk->on_delete == ORMA_FK_CASCADE)
    g_string_append (sql, " ON DELETE CASCADE");
  else if (fk->on_delete == ORMA_FK_SET_NULL)
    g_string_append (sql, " ON DELETE SET NULL");
}

static void
append_foreign_key_constraint (OrmaForeignKey    *fk,
                               const OrmaDialect *dialect,
                               GString           *sql)
{
  g_string_append (sql, ",\n\t");
  append_foreign_key (fk, dialect, sql);
}

/* One column or constraint a line, tab-indented:
 *
 *   CREATE TABLE posts (
 *   	id INTEGER NOT NULL PRIMARY KEY,
 *   	author_id BIGINT,
 *   	FOREIGN KEY (author_id) REFERENCES users (id)
 *   )
 */
static char *
create_table_sql (OrmaTable         *table,
                  const OrmaDialect *dialect,
                  GHashTable        *omitted)
{
  GString *sql = g_string_new ("CREATE TABLE ");
  guint i;

  _orma_dialect_append_identifier (dialect, sql, table->name);
  g_string_append (sql, " (");
  for (i = 0; i < table->columns->len; i++)
    {
      g_string_append (sql, i > 0 ? ",\n\t" : "\n\t");
      append_column_definition (table, i, dialect, sql);
    }
  if (table->primary_key->len > 1)
    append_primary_key_constraint (table, dialect, sql);
  for (i = 0; i < table->foreign_keys->len; i++)
    {
      OrmaForeignKey *fk = g_ptr_array_index (table->foreign_keys, i);

      if (omitted == NULL || !g_hash_table_contains (omitted, fk))
        append_foreign_key_constraint (fk, dialect, sql);
    }
  g_string_append (sql, "\n)");
  return g_string_free (sql, FALSE);
}

static char *
create_index_sql (OrmaTable         *table,
                  OrmaIndex         *index,
                  const OrmaDialect *dialect)
{
  GString *sql = g_string_new (index->unique ? "CREATE UNIQUE INDEX "
                                             : "CREATE INDEX ");

  _orma_dialect_append_identifier (dialect, sql, index->name);
  g_string_append (sql, " ON ");
  _orma_dialect_append_identifier (dialect, sql, table->name);
  g_string_append (sql, " (");
  append_identifier_list (dialect, sql, index->columns);
  g_string_append_c (sql, ')');
  return g_string_free (sql, FALSE);
}

GPtrArray *
_orma_table_create_sql (OrmaTable         *table,
                        const OrmaDialect *dialect)
{
  return _orma_table_create_sql_omitting (table, dialect, NULL);
}

GPtrArray *
_orma_table_create_sql_omitting (OrmaTable         *table,
                                 const OrmaDialect *dialect,
                                 GHashTable        *omitted)
{
  GPtrArray *statements;
  guint i;

  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (dialect != NULL, NULL);

  statements = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (statements, create_table_sql (table, dialect, omitted));
  for (i = 0; i < table->indexes->len; i++)
    g_ptr_array_add (statements,
                     create_index_sql (table,
                                       g_ptr_array_index (table->indexes, i),
                                       dialect));
  return statements;
}

char *
_orma_table_add_foreign_key_sql (OrmaTable         *table,
                                 OrmaForeignKey    *fk,
                                 const OrmaDialect *dialect)
{
  GString *sql;

  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (fk != NULL, NULL);
  g_return_val_if_fail (dialect != NULL, NULL);

  sql = g_string_new ("ALTER TABLE ");
  _orma_dialect_append_identifier (dialect, sql, table->name);
  g_string_append (sql, " ADD ");
  append_foreign_key (fk, dialect, sql);
  return g_string_free (sql, FALSE);
}

static char *
drop_sql (OrmaTable *table, const OrmaDialect *dialect, gboolean cascade)
{
  GString *sql;

  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (dialect != NULL, NULL);

  sql = g_string_new ("DROP TABLE IF EXISTS ");
  _orma_dialect_append_identifier (dialect, sql, table->name);
  if (cascade)
    g_string_append (sql, " CASCADE");
  return g_string_free (sql, FALSE);
}

char *
_orma_table_drop_sql (OrmaTable         *table,
                      const OrmaDialect *dialect)
{
  return drop_sql (table, dialect, FALSE);
}

/* Also drops the foreign key constraints of other tables that reference
 * this one (PostgreSQL) */
char *
_orma_table_drop_sql_cascade (OrmaTable         *table,
                              const OrmaDialect *dialect)
{
  return drop_sql (table, dialect, TRUE);
}
