/* orma-metadata.c: a collection of tables, created and dropped together.
 *
 * Creation follows foreign keys: a referenced table is created before
 * the tables that reference it, whatever the order of declaration, and
 * dropping goes the other way. The order is deterministic (ties keep the
 * order in which tables were added), so the DDL a program issues is the
 * same on every run.
 *
 * Tables whose foreign keys form a cycle (widgets.favorite_entry_id ->
 * entries, entries.widget_id -> widgets) have no such order: one of them
 * must reference a table that does not exist yet. SQLite does not check
 * a reference when the table is created, so the key stays inline there
 * (SQLite could not add it later anyway: it has no ALTER TABLE ... ADD
 * CONSTRAINT). PostgreSQL does check, so there each "forward" key (one
 * whose table is created before the table it references) is left out of
 * CREATE TABLE and added by ALTER TABLE once every table exists.
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

/* The tables @table references that are not placed yet (not itself) */
static GPtrArray *
pending_dependencies (OrmaMetadata *metadata,
                      OrmaTable    *table,
                      GHashTable   *done)
{
  GPtrArray *deps = g_ptr_array_new ();
  guint i;

  for (i = 0; i < table->foreign_keys->len; i++)
    {
      OrmaForeignKey *fk = g_ptr_array_index (table->foreign_keys, i);
      OrmaTable *target = g_hash_table_lookup (metadata->by_name,
                                               fk->ref_table);

      if (target != NULL && target != table &&
          !g_hash_table_contains (done, target))
        g_ptr_array_add (deps, target);
    }
  return deps;
}

/* Whether @to can be reached from @from through the references of
 * tables not placed yet */
static gboolean
reaches (OrmaMetadata *metadata,
         OrmaTable    *from,
         OrmaTable    *to,
         GHashTable   *done,
         GHashTable   *seen)
{
  g_autoptr (GPtrArray) deps = NULL;
  guint i;

  if (from == to)
    return TRUE;
  if (!g_hash_table_add (seen, from))
    return FALSE;
  deps = pending_dependencies (metadata, from, done);
  for (i = 0; i < deps->len; i++)
    {
      if (reaches (metadata, g_ptr_array_index (deps, i), to, done, seen))
        return TRUE;
    }
  return FALSE;
}

/* A table of a cycle that waits for nothing but its own cycle: each
 * table it references leads back to it. Placing it first keeps the
 * tables outside the cycle (a table that references a cycle from
 * outside) in their proper place after it, so only keys inside the
 * cycle point forward. */
static gboolean
breaks_cycle (OrmaMetadata *metadata, OrmaTable *table, GHashTable *done)
{
  g_autoptr (GPtrArray) deps = pending_dependencies (metadata, table, done);
  guint i;

  for (i = 0; i < deps->len; i++)
    {
      g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);

      if (!reaches (metadata, g_ptr_array_index (deps, i), table, done, seen))
        return FALSE;
    }
  return TRUE;
}

/* The first table, in the order of addition, not yet placed whose
 * dependencies are all placed; when cycles leave none, the first that
 * breaks a cycle (there always is one: the tables left form a graph
 * where every table waits for another, and a cycle at its end waits for
 * nothing else). */
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
      if (fallback == NULL && breaks_cycle (metadata, table, done))
        fallback = table;
    }
  g_assert (fallback != NULL);
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

/* PostgreSQL refuses a reference to a table that does not exist yet;
 * SQLite accepts it and cannot add a constraint afterwards. */
static gboolean
defers_forward_keys (const OrmaDialect *dialect)
{
  return strcmp (dialect->name, "sqlite") != 0;
}

/* The foreign keys of @order that point to a table created after theirs
 * (never a table's key to itself, which exists by then), as a set of
 * OrmaForeignKey*, each mapped to the OrmaTable* that has it. */
static GHashTable *
forward_keys (OrmaMetadata *metadata, GPtrArray *order)
{
  g_autoptr (GHashTable) position = g_hash_table_new (NULL, NULL);
  GHashTable *forward = g_hash_table_new (NULL, NULL);
  guint i, k;

  for (i = 0; i < order->len; i++)
    g_hash_table_insert (position, g_ptr_array_index (order, i),
                         GUINT_TO_POINTER (i + 1));
  for (i = 0; i < order->len; i++)
    {
      OrmaTable *table = g_ptr_array_index (order, i);

      for (k = 0; k < table->foreign_keys->len; k++)
        {
          OrmaForeignKey *fk = g_ptr_array_index (table->foreign_keys, k);
          OrmaTable *target = g_hash_table_lookup (metadata->by_name,
                                                   fk->ref_table);

          if (target != NULL &&
              GPOINTER_TO_UINT (g_hash_table_lookup (position, target)) > i + 1)
            g_hash_table_insert (forward, fk, table);
        }
    }
  return forward;
}

static gboolean
exec_all (OrmaConnection *connection, GPtrArray *statements, GError **error)
{
  guint i;

  for (i = 0; i < statements->len; i++)
    {
      if (!_orma_connection_exec (connection,
                                  g_ptr_array_index (statements, i), error))
        return FALSE;
    }
  return TRUE;
}

/* Creates the tables that do not exist, then adds the forward keys of
 * those it created. */
static gboolean
create_tables (OrmaMetadata      *metadata,
               OrmaConnection    *connection,
               const OrmaDialect *dialect,
               GPtrArray         *order,
               GError           **error)
{
  g_autoptr (GHashTable) forward = NULL;
  g_autoptr (GPtrArray) alters = g_ptr_array_new_with_free_func (g_free);
  guint i, k;

  if (defers_forward_keys (dialect))
    forward = forward_keys (metadata, order);

  for (i = 0; i < order->len; i++)
    {
      OrmaTable *table = g_ptr_array_index (order, i);
      g_autoptr (GPtrArray) statements = NULL;
      gboolean exists = FALSE;

      if (!table_exists (connection, dialect, table, &exists, error))
        return FALSE;
      /* As SQLAlchemy's checkfirst: an existing table is left as it is,
       * its indexes and keys included */
      if (exists)
        continue;

      statements = _orma_table_create_sql_omitting (table, dialect, forward);
      if (!exec_all (connection, statements, error))
        return FALSE;
      for (k = 0; forward != NULL && k < table->foreign_keys->len; k++)
        {
          OrmaForeignKey *fk = g_ptr_array_index (table->foreign_keys, k);

          if (g_hash_table_contains (forward, fk))
            g_ptr_array_add (alters,
                             _orma_table_add_foreign_key_sql (table, fk, dialect));
        }
    }
  return exec_all (connection, alters, error);
}

/* Referencing tables first. A table that a forward key points to is
 * still referenced by a table not dropped yet:
 *
 * - on PostgreSQL it is dropped with CASCADE, which removes those
 *   constraints (not the tables). That works whatever the constraints
 *   are called, even for tables made by hand or before this rule, where
 *   dropping constraints by name first would have to guess the names;
 *   and it touches only the tables of a cycle, which PostgreSQL would
 *   otherwise refuse to drop.
 * - SQLite's DROP TABLE deletes the rows first and checks the keys that
 *   point to them: the checks are deferred to the commit
 *   (defer_foreign_keys lasts until the transaction ends), when every
 *   table of the cycle is gone and nothing is left to violate. */
static gboolean
drop_tables (OrmaMetadata      *metadata,
             OrmaConnection    *connection,
             const OrmaDialect *dialect,
             GPtrArray         *order,
             GError           **error)
{
  g_autoptr (GHashTable) forward = forward_keys (metadata, order);
  g_autoptr (GHashTable) cascade = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;
  guint i;

  if (g_hash_table_size (forward) > 0 && !defers_forward_keys (dialect) &&
      !_orma_connection_exec (connection, "PRAGMA defer_foreign_keys = ON",
                              error))
    return FALSE;
  g_hash_table_iter_init (&iter, forward);
  while (defers_forward_keys (dialect) &&
         g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (cascade,
                      g_hash_table_lookup (metadata->by_name,
                                           ((OrmaForeignKey *) key)->ref_table));

  for (i = order->len; i > 0; i--)
    {
      OrmaTable *table = g_ptr_array_index (order, i - 1);
      g_autofree char *sql = g_hash_table_contains (cascade, table)
                             ? _orma_table_drop_sql_cascade (table, dialect)
                             : _orma_table_drop_sql (table, dialect);

      if (!_orma_connection_exec (connection, sql, error))
        return FALSE;
    }
  return TRUE;
}

typedef gboolean (*TablesFunc) (OrmaMetadata      *metadata,
                                OrmaConnection    *connection,
                                const OrmaDialect *dialect,
                                GPtrArray         *order,
                                GError           **error);

/* Runs @func over the tables in dependency order, in one transaction
 * that a failure rolls back. */
static gboolean
run_in_transaction (OrmaMetadata  *metadata,
                    OrmaEngine    *engine,
                    TablesFunc     func,
                    GError       **error)
{
  g_autoptr (OrmaConnection) connection = NULL;
  g_autoptr (GPtrArray) order = NULL;

  connection = orma_engine_connect (engine, error);
  if (connection == NULL)
    return FALSE;
  if (!orma_connection_begin (connection, error))
    return FALSE;

  order = dependency_order (metadata);
  if (!func (metadata, connection, _orma_connection_get_dialect (connection),
             order, error))
    {
      /* the first error is the one to report */
      orma_connection_rollback (connection, NULL);
      return FALSE;
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
 * already exist are left alone. Where foreign keys form a cycle, the
 * keys that point forward are added by ALTER TABLE after the tables
 * (on PostgreSQL; SQLite takes them inline).
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

  return run_in_transaction (metadata, engine, create_tables, error);
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

  return run_in_transaction (metadata, engine, drop_tables, error);
}
