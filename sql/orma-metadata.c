/* orma-metadata.c: a collection of tables, created and dropped together.
 *
 * Creation follows foreign keys: a referenced table is created before
 * the tables that reference it, whatever the order of declaration, and
 * dropping goes the other way. The order is deterministic (ties keep the
 * order in which tables were added), so the DDL a program issues is the
 * same on every run.
 *
 * Everything happens in one transaction: on both backends DDL is
 * transactional, so a failure leaves the database as it was.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-connection-private.h"
#include "orma-engine.h"
#include "orma-error-private.h"
#include "orma-table-private.h"

struct _OrmaMetadata
{
  gint        ref_count;
  GPtrArray  *tables;    /* OrmaTable*, in the order they were added */
  GHashTable *by_name;   /* name (owned by the table) -> OrmaTable* */
};

G_DEFINE_BOXED_TYPE (OrmaMetadata, orma_metadata, orma_metadata_ref,
                     orma_metadata_unref)

/**
 * orma_metadata_new:
 *
 * Creates an empty collection of tables.
 *
 * Returns: (transfer full): a new metadata
 */
OrmaMetadata *
orma_metadata_new (void)
{
  OrmaMetadata *metadata = g_new0 (OrmaMetadata, 1);

  metadata->ref_count = 1;
  metadata->tables =
    g_ptr_array_new_with_free_func ((GDestroyNotify) orma_table_unref);
  metadata->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  return metadata;
}

/**
 * orma_metadata_ref:
 * @metadata: a metadata
 *
 * Adds a reference to @metadata.
 *
 * Returns: (transfer full): @metadata
 */
OrmaMetadata *
orma_metadata_ref (OrmaMetadata *metadata)
{
  g_return_val_if_fail (metadata != NULL, NULL);

  g_atomic_int_inc (&metadata->ref_count);
  return metadata;
}

/**
 * orma_metadata_unref:
 * @metadata: (transfer full): a metadata
 *
 * Drops a reference to @metadata; the last one frees it and drops its
 * references to its tables.
 */
void
orma_metadata_unref (OrmaMetadata *metadata)
{
  g_return_if_fail (metadata != NULL);

  if (!g_atomic_int_dec_and_test (&metadata->ref_count))
    return;
  g_hash_table_unref (metadata->by_name);
  g_ptr_array_unref (metadata->tables);
  g_free (metadata);
}

/**
 * orma_metadata_add_table:
 * @metadata: a metadata
 * @table: a table
 * @error: return location for a #GError
 *
 * Adds @table to @metadata, taking a reference. Fails with
 * %ORMA_ERROR_INVALID_MAPPING if a table of that name is already there or
 * if the declaration of @table has an error.
 *
 * Returns: %TRUE if @table was added
 */
gboolean
orma_metadata_add_table (OrmaMetadata  *metadata,
                         OrmaTable     *table,
                         GError       **error)
{
  g_return_val_if_fail (metadata != NULL, FALSE);
  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (table->error != NULL)
    {
      g_propagate_error (error, g_error_copy (table->error));
      return FALSE;
    }
  if (g_hash_table_contains (metadata->by_name, table->name))
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_MAPPING,
                       "Table %s is declared twice", table->name);
      return FALSE;
    }

  g_ptr_array_add (metadata->tables, orma_table_ref (table));
  g_hash_table_insert (metadata->by_name, table->name, table);
  return TRUE;
}

/**
 * orma_metadata_get_table:
 * @metadata: a metadata
 * @name: a table name
 *
 * Looks a table up by name.
 *
 * Returns: (transfer none) (nullable): the table, or %NULL if @metadata
 *   has none of that name
 */
OrmaTable *
orma_metadata_get_table (OrmaMetadata *metadata,
                         const char   *name)
{
  g_return_val_if_fail (metadata != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_hash_table_lookup (metadata->by_name, name);
}

/* ------------------------------------------------------------ ordering */

/* Whether every table @table references (other than itself, and other
 * than tables this metadata does not hold) is already in @done. */
static gboolean
dependencies_done (OrmaMetadata *metadata,
                   OrmaTable    *table,
                   GHashTable   *done)
{
  guint i;

  for (i = 0; i < table->foreign_keys->len; i++)
    {
      OrmaForeignKey *fk = g_ptr_array_index (table->foreign_keys, i);
      OrmaTable *target = g_hash_table_lookup (metadata->by_name,
                                               fk->ref_table);

      if (target != NULL && target != table &&
          !g_hash_table_contains (done, target))
        return FALSE;
    }
  return TRUE;
}

/* The first table, in the order of addition, not yet placed whose
 * dependencies are all placed; when a cycle leaves none, the first not
 * yet placed. */
static OrmaTable *
next_table (OrmaMetadata *metadata, GHashTable *done)
{
  OrmaTable *fallback = NULL;
  guint i;

  for (i = 0; i < metadata->tables->len; i++)
    {
      OrmaTable *table = g_ptr_array_index (metadata->tables, i);

      if (g_hash_table_contains (done, table))
        continue;
      if (dependencies_done (metadata, table, done))
        return table;
      if (fallback == NULL)
        fallback = table;
    }
  return fallback;
}

/* Referenced tables first. Quadratic, which is nothing next to the DDL
 * it orders. (OrmaTable*, transfer none) */
static GPtrArray *
dependency_order (OrmaMetadata *metadata)
{
  GPtrArray *order = g_ptr_array_sized_new (metadata->tables->len);
  g_autoptr (GHashTable) done = g_hash_table_new (NULL, NULL);

  while (order->len < metadata->tables->len)
    {
      OrmaTable *table = next_table (metadata, done);

      g_hash_table_add (done, table);
      g_ptr_array_add (order, table);
    }
  return order;
}

/* ------------------------------------------------------------ DDL */

static gboolean
table_exists (OrmaConnection    *connection,
              const OrmaDialect *dialect,
              OrmaTable         *table,
              gboolean          *exists,
              GError           **error)
{
  g_auto (GValue) name = G_VALUE_INIT;
  const GValue *params[1] = { &name };
  g_autoptr (OrmaCursor) cursor = NULL;
  g_autoptr (GError) local_error = NULL;

  g_value_init (&name, G_TYPE_STRING);
  g_value_set_static_string (&name, table->name);
  cursor = _orma_connection_query (connection, dialect->table_exists_sql,
                                   params, 1, FALSE, NULL, error);
  if (cursor == NULL)
    return FALSE;

  *exists = _orma_cursor_next (cursor, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
create_table (OrmaConnection    *connection,
              const OrmaDialect *dialect,
              OrmaTable         *table,
              GError           **error)
{
  g_autoptr (GPtrArray) statements = NULL;
  gboolean exists = FALSE;
  guint i;

  if (!table_exists (connection, dialect, table, &exists, error))
    return FALSE;
  /* As SQLAlchemy's checkfirst: an existing table is left as it is, its
   * indexes included */
  if (exists)
    return TRUE;

  statements = _orma_table_create_sql (table, dialect);
  for (i = 0; i < statements->len; i++)
    {
      if (!_orma_connection_exec (connection,
                                  g_ptr_array_index (statements, i), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
drop_table (OrmaConnection    *connection,
            const OrmaDialect *dialect,
            OrmaTable         *table,
            GError           **error)
{
  g_autofree char *sql = _orma_table_drop_sql (table, dialect);

  return _orma_connection_exec (connection, sql, error);
}

typedef gboolean (*TableFunc) (OrmaConnection    *connection,
                               const OrmaDialect *dialect,
                               OrmaTable         *table,
                               GError           **error);

/* Runs @func on every table, in dependency order or its reverse, in one
 * transaction that a failure rolls back. */
static gboolean
run_in_transaction (OrmaMetadata  *metadata,
                    OrmaEngine    *engine,
                    gboolean       reverse,
                    TableFunc      func,
                    GError       **error)
{
  g_autoptr (OrmaConnection) connection = NULL;
  g_autoptr (GPtrArray) order = NULL;
  const OrmaDialect *dialect;
  guint i;

  connection = orma_engine_connect (engine, error);
  if (connection == NULL)
    return FALSE;
  dialect = _orma_connection_get_dialect (connection);
  if (!orma_connection_begin (connection, error))
    return FALSE;

  order = dependency_order (metadata);
  for (i = 0; i < order->len; i++)
    {
      OrmaTable *table = g_ptr_array_index (order,
                                            reverse ? order->len - 1 - i : i);

      if (!func (connection, dialect, table, error))
        {
          /* the first error is the one to report */
          orma_connection_rollback (connection, NULL);
          return FALSE;
        }
    }
  return orma_connection_commit (connection, error);
}

/**
 * orma_metadata_create_all:
 * @metadata: a metadata
 * @engine: the database
 * @error: return location for a #GError
 *
 * Creates the tables of @metadata that do not exist yet, with their
 * indexes, referenced tables first, in one transaction. Tables that
 * already exist are left alone.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_metadata_create_all (OrmaMetadata  *metadata,
                          OrmaEngine    *engine,
                          GError       **error)
{
  g_return_val_if_fail (metadata != NULL, FALSE);
  g_return_val_if_fail (ORMA_IS_ENGINE (engine), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_in_transaction (metadata, engine, FALSE, create_table, error);
}

/**
 * orma_metadata_drop_all:
 * @metadata: a metadata
 * @engine: the database
 * @error: return location for a #GError
 *
 * Drops the tables of @metadata that exist, referencing tables first, in
 * one transaction.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_metadata_drop_all (OrmaMetadata  *metadata,
                        OrmaEngine    *engine,
                        GError       **error)
{
  g_return_val_if_fail (metadata != NULL, FALSE);
  g_return_val_if_fail (ORMA_IS_ENGINE (engine), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_in_transaction (metadata, engine, TRUE, drop_table, error);
}
