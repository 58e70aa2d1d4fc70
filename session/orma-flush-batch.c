/* orma-flush-batch.c: writing the rows of one mapper in batches.
 *
 * Consecutive rows with the same column set share one statement executed
 * once per row in one batch (SQLite steps one prepared statement;
 * PostgreSQL pipelines, never a round trip per row). The SQL text of each
 * statement shape is compiled once and kept on the mapper.
 *
 * An UPDATE writes the columns the application changed, plus those the
 * flush itself wrote into a persistent row (foreign keys copied from a
 * parent); a new object that takes over the row of a deleted one with
 * the same primary key writes the columns that differ from that one's.
 *
 * UPDATE and DELETE check the number of rows each execution matched: an
 * UPDATE that matches nothing, or a DELETE of a versioned row that
 * matches nothing, means another transaction got there first, and is
 * reported as ORMA_ERROR_STALE_DATA.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-flush-private.h"
#include "orma-compiler-private.h"
#include "orma-error-private.h"
#include "orma-value-private.h"

typedef enum {
  STATEMENT_INSERT = 'I',
  STATEMENT_UPDATE = 'U',
  STATEMENT_DELETE = 'D',
} StatementKind;

static guint
mask_to_columns (guint64  mask,
                 guint   *columns)
{
  guint n = 0;

  for (guint i = 0; i < ORMA_MAX_COLUMNS; i++)
    if (mask & (G_GUINT64_CONSTANT (1) << i))
      columns[n++] = i;
  return n;
}

static guint64
key_mask (OrmaMapper *mapper)
{
  guint64 mask = 0;

  for (guint i = 0; i < mapper->n_pk; i++)
    mask |= G_GUINT64_CONSTANT (1) << mapper->pk[i];
  if (mapper->version >= 0)
    mask |= G_GUINT64_CONSTANT (1) << mapper->version;
  return mask;
}

/* The SQL for a statement shape, compiled on first use. @a is the column
 * set written (INSERT, UPDATE SET), @b the one matched (WHERE) or the
 * RETURNING column + 1 for INSERT. */
static const char *
statement_sql (OrmaFlushContext *ctx,
               OrmaMapper       *mapper,
               StatementKind     kind,
               guint64           a,
               guint64           b)
{
  g_autofree char *key = g_strdup_printf ("%s:%c:%" G_GINT64_MODIFIER "x:%" G_GINT64_MODIFIER "x",
                                          ctx->dialect->name, kind, a, b);
  guint a_cols[ORMA_MAX_COLUMNS], b_cols[ORMA_MAX_COLUMNS];
  guint n_a, n_b;
  char *sql;

  sql = g_hash_table_lookup (mapper->sql_cache, key);
  if (sql != NULL)
    return sql;

  n_a = mask_to_columns (a, a_cols);
  switch (kind)
    {
    case STATEMENT_INSERT:
      /* Where the driver reports generated keys as row ids, the INSERT
       * needs no RETURNING clause. */
      b_cols[0] = (guint) b - 1;
      sql = _orma_compile_insert (ctx->dialect, mapper->table, a_cols, n_a, b_cols,
                                  b && !ctx->dialect->generated_key_by_rowid ? 1 : 0);
      break;
    case STATEMENT_UPDATE:
      n_b = mask_to_columns (b, b_cols);
      sql = _orma_compile_update (ctx->dialect, mapper->table, a_cols, n_a, b_cols, n_b);
      break;
    case STATEMENT_DELETE:
    default:
      n_b = mask_to_columns (b, b_cols);
      sql = _orma_compile_delete (ctx->dialect, mapper->table, b_cols, n_b);
      break;
    }
  g_hash_table_insert (mapper->sql_cache, g_steal_pointer (&key), sql);
  return sql;
}

/* Renders the primary key of @entity for an error message. */
static char *
describe_row (OrmaMapper *mapper,
              OrmaEntity *entity)
{
  GString *text = g_string_new (orma_table_get_name (mapper->table));

  g_string_append_c (text, '(');
  for (guint i = 0; i < mapper->n_pk; i++)
    {
      g_autofree char *value = _orma_value_to_echo (_orma_entity_peek_committed (entity, mapper->pk[i]));
      g_string_append_printf (text, "%s%s=%s", i ? ", " : "",
                              _orma_mapper_column (mapper, mapper->pk[i])->name, value);
    }
  g_string_append_c (text, ')');
  return g_string_free (text, FALSE);
}

char *
_orma_flush_describe_row (OrmaEntity *entity)
{
  OrmaMapper *mapper = _orma_entity_get_mapper (entity);
  OrmaInstanceState *state = _orma_instance_state_get (entity);
  GString *text = g_string_new (G_OBJECT_TYPE_NAME (entity));

  if (state == NULL || state->state == ORMA_STATE_PENDING || state->state == ORMA_STATE_TRANSIENT)
    {
      g_string_append (text, " (pending)");
      return g_string_free (text, FALSE);
    }
  g_string_append_c (text, '(');
  for (guint i = 0; i < mapper->n_pk; i++)
    {
      g_autofree char *value = _orma_value_to_echo (_orma_entity_peek_committed (entity, mapper->pk[i]));
      g_string_append_printf (text, "%s%s=%s", i ? ", " : "",
                              _orma_mapper_column (mapper, mapper->pk[i])->name, value);
    }
  g_string_append_c (text, ')');
  return g_string_free (text, FALSE);
}

static gboolean
check_affected (OrmaMapper   *mapper,
                GPtrArray    *entities,
                guint         first,
                const gint64 *affected,
                guint         n_rows,
                const char   *verb,
                GError      **error)
{
  for (guint i = 0; i < n_rows; i++)
    if (affected[i] != 1)
      {
        g_autofree char *row = describe_row (mapper, g_ptr_array_index (entities, first + i));
        _orma_set_error (error, ORMA_ERROR_STALE_DATA,
                         "%s of %s matched %" G_GINT64_FORMAT " rows instead of 1: "
                         "the row was changed or deleted by another transaction",
                         verb, row, affected[i]);
        return FALSE;
      }
  return TRUE;
}

void
_orma_flush_write_value (OrmaFlushContext *ctx,
                         OrmaEntity       *entity,
                         guint             column,
                         const GValue     *value)
{
  OrmaUndoEntry entry = { 0 };
  const GValue *old = _orma_entity_peek (entity, column);

  entry.entity = g_object_ref (entity);
  entry.column = column;
  if (old != NULL)
    {
      g_value_init (&entry.old, G_VALUE_TYPE (old));
      g_value_copy (old, &entry.old);
    }
  g_array_append_val (ctx->undo, entry);
  _orma_entity_load (entity, column, value, NULL);
}

void
_orma_flush_mark_synced (OrmaFlushContext *ctx,
                         OrmaEntity       *entity,
                         guint             column)
{
  guint64 *mask;

  if (ctx->sync_masks == NULL)
    ctx->sync_masks = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  mask = g_hash_table_lookup (ctx->sync_masks, entity);
  if (mask == NULL)
    {
      mask = g_new0 (guint64, 1);
      g_hash_table_insert (ctx->sync_masks, entity, mask);
    }
  *mask |= G_GUINT64_CONSTANT (1) << column;
}

/* ------------------------------------------------------------------ */
/* INSERT                                                              */

typedef struct {
  OrmaFlushContext *ctx;
  GPtrArray        *entities;
  guint             first;
  guint             column;
  GType             type;
} ReturningData;

static gboolean
store_generated_key (guint        row_index,
                     OrmaCursor  *cursor,
                     gpointer     user_data,
                     GError     **error)
{
  ReturningData *data = user_data;
  g_auto (GValue) value = G_VALUE_INIT;

  g_value_init (&value, data->type);
  if (!_orma_cursor_get (cursor, 0, &value, error))
    return FALSE;
  _orma_flush_write_value (data->ctx, g_ptr_array_index (data->entities, data->first + row_index),
                           data->column, &value);
  return TRUE;
}

/* Every column is written, except a generated key left NULL: the
 * database assigns it and RETURNING brings it back. */
static guint64
insert_mask (OrmaMapper *mapper,
             OrmaEntity *entity)
{
  guint64 mask = mapper->n_columns == 64 ? G_MAXUINT64
                                         : (G_GUINT64_CONSTANT (1) << mapper->n_columns) - 1;

  if (mapper->autoincrement >= 0 && _orma_entity_is_null_at (entity, mapper->autoincrement))
    mask &= ~(G_GUINT64_CONSTANT (1) << mapper->autoincrement);
  return mask;
}

static gboolean
insert_batch (OrmaFlushContext *ctx,
              OrmaMapper       *mapper,
              GPtrArray        *entities,
              guint             first,
              guint             n_rows,
              guint64           mask,
              GError          **error)
{
  guint columns[ORMA_MAX_COLUMNS];
  guint n_columns = mask_to_columns (mask, columns);
  gboolean generated = mapper->autoincrement >= 0 &&
                       !(mask & (G_GUINT64_CONSTANT (1) << mapper->autoincrement));
  g_autofree const GValue **params = g_new (const GValue *, (gsize) n_rows * n_columns);
  ReturningData data = { ctx, entities, first, 0, G_TYPE_INVALID };
  const char *sql;

  sql = statement_sql (ctx, mapper, STATEMENT_INSERT, mask,
                       generated ? (guint64) mapper->autoincrement + 1 : 0);
  for (guint r = 0; r < n_rows; r++)
    {
      OrmaEntity *entity = g_ptr_array_index (entities, first + r);
      for (guint c = 0; c < n_columns; c++)
        params[(gsize) r * n_columns + c] = _orma_entity_peek (entity, columns[c]);
    }
  if (generated)
    {
      data.column = mapper->autoincrement;
      data.type = _orma_mapper_column (mapper, mapper->autoincrement)->type;
    }
  ctx->n_statements++;
  return _orma_connection_execute_many (ctx->connection, sql, params, n_columns, n_rows,
                                        generated ? store_generated_key : NULL, &data,
                                        NULL, error);
}

/* A versioned row starts at version 1 unless the application chose. */
static void
initialize_versions (OrmaFlushContext *ctx,
                     OrmaMapper       *mapper,
                     GPtrArray        *entities)
{
  g_auto (GValue) one = G_VALUE_INIT;

  if (mapper->version < 0)
    return;
  g_value_init (&one, G_TYPE_INT64);
  g_value_set_int64 (&one, 1);
  for (guint i = 0; i < entities->len; i++)
    if (_orma_entity_is_null_at (g_ptr_array_index (entities, i), mapper->version))
      _orma_flush_write_value (ctx, g_ptr_array_index (entities, i), mapper->version, &one);
}

gboolean
_orma_flush_insert (OrmaFlushContext  *ctx,
                    OrmaMapper        *mapper,
                    GPtrArray         *entities,
                    GError           **error)
{
  guint i = 0;

  initialize_versions (ctx, mapper, entities);
  while (i < entities->len)
    {
      guint64 mask = insert_mask (mapper, g_ptr_array_index (entities, i));
      guint j = i + 1;

      while (j < entities->len && insert_mask (mapper, g_ptr_array_index (entities, j)) == mask)
        j++;
      if (!insert_batch (ctx, mapper, entities, i, j - i, mask, error))
        return FALSE;
      i = j;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* UPDATE                                                              */

/* The columns of a new object that differ from the deleted row it
 * takes over. */
static guint64
replacement_mask (OrmaMapper *mapper,
                  OrmaEntity *entity,
                  OrmaEntity *old)
{
  guint64 mask = 0;

  for (guint c = 0; c < mapper->n_columns; c++)
    if ((int) c != mapper->version &&
        !_orma_value_equal (_orma_entity_peek (entity, c), _orma_entity_peek_committed (old, c)))
      mask |= G_GUINT64_CONSTANT (1) << c;
  return mask;
}

/* The columns an UPDATE of @entity writes; 0 when it has nothing to
 * write (the version column alone does not count). */
static guint64
update_mask (OrmaFlushContext *ctx,
             OrmaMapper       *mapper,
             OrmaEntity       *entity)
{
  OrmaEntity *old = NULL;
  guint64 mask;

  if (ctx->plan != NULL && ctx->plan->replaced != NULL)
    old = g_hash_table_lookup (ctx->plan->replaced, entity);
  mask = old != NULL ? replacement_mask (mapper, entity, old)
                     : _orma_entity_modified_mask (entity);
  if (ctx->sync_masks != NULL)
    {
      guint64 *synced = g_hash_table_lookup (ctx->sync_masks, entity);
      if (synced != NULL)
        mask |= *synced;
    }
  if (mask != 0 && mapper->version >= 0)
    mask |= G_GUINT64_CONSTANT (1) << mapper->version;
  return mask;
}

/* Writes committed version + 1 into each row; the committed version goes
 * into @old_versions for the WHERE clause. */
static void
bump_versions (OrmaFlushContext *ctx,
               OrmaMapper       *mapper,
               GPtrArray        *entities,
               guint             first,
               guint             n_rows,
               GValue           *old_versions)
{
  for (guint r = 0; r < n_rows; r++)
    {
      OrmaEntity *entity = g_ptr_array_index (entities, first + r);
      const GValue *committed = _orma_entity_peek_committed (entity, mapper->version);
      g_auto (GValue) next = G_VALUE_INIT;
      gint64 version = 0;

      g_value_init (&old_versions[r], G_TYPE_INT64);
      if (committed != NULL)
        {
          _orma_value_convert (committed, &old_versions[r], NULL);
          version = g_value_get_int64 (&old_versions[r]);
        }
      g_value_init (&next, G_TYPE_INT64);
      g_value_set_int64 (&next, version + 1);
      _orma_flush_write_value (ctx, entity, mapper->version, &next);
    }
}

static gboolean
update_batch (OrmaFlushContext *ctx,
              OrmaMapper       *mapper,
              GPtrArray        *entities,
              guint             first,
              guint             n_rows,
              guint64           set_mask,
              GError          **error)
{
  guint64 where_mask = key_mask (mapper);
  guint set[ORMA_MAX_COLUMNS], where[ORMA_MAX_COLUMNS];
  guint n_set = mask_to_columns (set_mask, set);
  guint n_where = mask_to_columns (where_mask, where);
  guint n_params = n_set + n_where;
  g_autofree const GValue **params = g_new (const GValue *, (gsize) n_rows * n_params);
  g_autofree gint64 *affected = g_new0 (gint64, n_rows);
  GValue *old_versions = NULL;
  const char *sql;
  gboolean ok;

  sql = statement_sql (ctx, mapper, STATEMENT_UPDATE, set_mask, where_mask);
  if (mapper->version >= 0)
    {
      old_versions = g_new0 (GValue, n_rows);
      bump_versions (ctx, mapper, entities, first, n_rows, old_versions);
    }
  for (guint r = 0; r < n_rows; r++)
    {
      OrmaEntity *entity = g_ptr_array_index (entities, first + r);
      const GValue **row = &params[(gsize) r * n_params];

      for (guint c = 0; c < n_set; c++)
        row[c] = _orma_entity_peek (entity, set[c]);
      for (guint c = 0; c < n_where; c++)
        row[n_set + c] = (int) where[c] == mapper->version
                           ? &old_versions[r]
                           : _orma_entity_peek_committed (entity, where[c]);
    }

  ctx->n_statements++;
  ok = _orma_connection_execute_many (ctx->connection, sql, params, n_params, n_rows,
                                      NULL, NULL, affected, error) &&
       check_affected (mapper, entities, first, affected, n_rows, "UPDATE", error);

  if (old_versions != NULL)
    {
      for (guint r = 0; r < n_rows; r++)
        g_value_unset (&old_versions[r]);
      g_free (old_versions);
    }
  return ok;
}

gboolean
_orma_flush_update (OrmaFlushContext  *ctx,
                    OrmaMapper        *mapper,
                    GPtrArray         *entities,
                    GError           **error)
{
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GArray) masks = NULL;
  guint i = 0;

  /* Rows with nothing to write (a change set back, a foreign key that
   * already had its value) are left out. */
  rows = g_ptr_array_sized_new (entities->len);
  masks = g_array_sized_new (FALSE, FALSE, sizeof (guint64), entities->len);
  for (guint r = 0; r < entities->len; r++)
    {
      guint64 mask = update_mask (ctx, mapper, g_ptr_array_index (entities, r));
      if (mask == 0)
        continue;
      g_ptr_array_add (rows, g_ptr_array_index (entities, r));
      g_array_append_val (masks, mask);
    }

  /* Rows changed in the same columns go together: one statement shape. */
  while (i < rows->len)
    {
      guint64 mask = g_array_index (masks, guint64, i);
      guint j = i + 1;

      while (j < rows->len && g_array_index (masks, guint64, j) == mask)
        j++;
      if (!update_batch (ctx, mapper, rows, i, j - i, mask, error))
        return FALSE;
      i = j;
    }
  return TRUE;
}

gboolean
_orma_flush_update_columns (OrmaFlushContext  *ctx,
                            OrmaMapper        *mapper,
                            GPtrArray         *entities,
                            guint64            mask,
                            GError           **error)
{
  guint64 where_mask = 0;
  guint set[ORMA_MAX_COLUMNS], where[ORMA_MAX_COLUMNS];
  guint n_set = mask_to_columns (mask, set);
  guint n_where, n_params, n_rows = entities->len;
  g_autofree const GValue **params = NULL;
  g_autofree gint64 *affected = NULL;
  const char *sql;

  if (n_rows == 0)
    return TRUE;
  for (guint i = 0; i < mapper->n_pk; i++)
    where_mask |= G_GUINT64_CONSTANT (1) << mapper->pk[i];
  n_where = mask_to_columns (where_mask, where);
  n_params = n_set + n_where;
  params = g_new (const GValue *, (gsize) n_rows * n_params);
  affected = g_new0 (gint64, n_rows);
  sql = statement_sql (ctx, mapper, STATEMENT_UPDATE, mask, where_mask);
  for (guint r = 0; r < n_rows; r++)
    {
      OrmaEntity *entity = g_ptr_array_index (entities, r);
      const GValue **row = &params[(gsize) r * n_params];

      for (guint c = 0; c < n_set; c++)
        row[c] = _orma_entity_peek (entity, set[c]);
      for (guint c = 0; c < n_where; c++)
        row[n_set + c] = _orma_entity_peek_committed (entity, where[c]);
    }
  ctx->n_statements++;
  return _orma_connection_execute_many (ctx->connection, sql, params, n_params, n_rows,
                                        NULL, NULL, affected, error) &&
         check_affected (mapper, entities, 0, affected, n_rows, "UPDATE", error);
}

/* ------------------------------------------------------------------ */
/* DELETE                                                              */

gboolean
_orma_flush_delete (OrmaFlushContext  *ctx,
                    OrmaMapper        *mapper,
                    GPtrArray         *entities,
                    GError           **error)
{
  guint64 where_mask = key_mask (mapper);
  guint where[ORMA_MAX_COLUMNS];
  guint n_where = mask_to_columns (where_mask, where);
  guint n_rows = entities->len;
  g_autofree const GValue **params = g_new (const GValue *, (gsize) n_rows * n_where);
  g_autofree gint64 *affected = g_new0 (gint64, n_rows);
  const char *sql;

  if (n_rows == 0)
    return TRUE;
  sql = statement_sql (ctx, mapper, STATEMENT_DELETE, 0, where_mask);
  for (guint r = 0; r < n_rows; r++)
    for (guint c = 0; c < n_where; c++)
      params[(gsize) r * n_where + c] =
        _orma_entity_peek_committed (g_ptr_array_index (entities, r), where[c]);

  ctx->n_statements++;
  if (!_orma_connection_execute_many (ctx->connection, sql, params, n_where, n_rows,
                                      NULL, NULL, affected, error))
    return FALSE;
  /* Only a versioned row proves a concurrent change by its absence; an
   * unversioned row already gone leaves the database as asked. */
  return mapper->version < 0 ||
         check_affected (mapper, entities, 0, affected, n_rows, "DELETE", error);
}
