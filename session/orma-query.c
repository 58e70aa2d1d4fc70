/* orma-query.c: queries for the objects of one mapped class.
 *
 * A query is built by chaining filter/order/limit calls and run by one of
 * all, first, one, one_or_none, count or foreach_chunk. Running it
 * autoflushes the session, so the query sees pending changes, and loads
 * rows through the identity map, so a row already in the session comes
 * back as the same object with its unflushed changes kept.
 *
 * Mistakes while building (an unknown property, a value of the wrong
 * type) are kept and reported by the method that runs the query: the
 * building calls stay chainable.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gobject/gvaluecollector.h>

#include "orma-query.h"
#include "orma-session-private.h"
#include "orma-loading-private.h"
#include "orma-error-private.h"
#include "orma-value-private.h"

/**
 * OrmaQuery:
 *
 * A query for objects of one mapped class, made by orma_session_query().
 */
struct _OrmaQuery
{
  GObject      parent_instance;

  OrmaSession *session;
  GType        type;
  OrmaMapper  *mapper;
  GPtrArray   *filters;    /* OrmaExpr*, owned */
  GPtrArray   *order_by;   /* OrmaExpr*, owned */
  gint64       limit;      /* < 0: none */
  gint64       offset;
  GError      *error;      /* the first mistake made while building */
};

G_DEFINE_FINAL_TYPE (OrmaQuery, orma_query, G_TYPE_OBJECT)

static void
orma_query_finalize (GObject *object)
{
  OrmaQuery *self = ORMA_QUERY (object);

  g_clear_object (&self->session);
  g_ptr_array_unref (self->filters);
  g_ptr_array_unref (self->order_by);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (orma_query_parent_class)->finalize (object);
}

static void
orma_query_class_init (OrmaQueryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = orma_query_finalize;
}

static void
orma_query_init (OrmaQuery *self)
{
  self->filters = g_ptr_array_new_with_free_func ((GDestroyNotify) orma_expr_unref);
  self->order_by = g_ptr_array_new_with_free_func ((GDestroyNotify) orma_expr_unref);
  self->limit = -1;
}

static void
keep_error (OrmaQuery *self,
            GError    *error)
{
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
}

/**
 * orma_session_query:
 * @self: a session
 * @entity_type: the mapped class to query
 *
 * Starts a query for objects of @entity_type.
 *
 * Returns: (transfer full): a new query
 */
OrmaQuery *
orma_session_query (OrmaSession *self,
                    GType        entity_type)
{
  OrmaQuery *query;
  GError *error = NULL;

  g_return_val_if_fail (ORMA_IS_SESSION (self), NULL);

  query = g_object_new (ORMA_TYPE_QUERY, NULL);
  query->session = g_object_ref (self);
  query->type = entity_type;
  query->mapper = _orma_session_mapper (entity_type, &error);
  if (error != NULL)
    keep_error (query, error);
  return query;
}

/**
 * orma_query_filter:
 * @self: a query
 * @condition: (transfer floating): a condition, e.g. from orma_eq()
 *
 * Keeps only the rows for which @condition holds. Several filters are
 * combined with AND.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_filter (OrmaQuery *self,
                   OrmaExpr  *condition)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (condition != NULL, self);

  g_ptr_array_add (self->filters, orma_expr_ref_sink (condition));
  return self;
}

/* property = value, with the value converted to the column's type. */
static void
filter_by_converted (OrmaQuery    *self,
                     const char   *property,
                     const GValue *value)
{
  g_auto (GValue) converted = G_VALUE_INIT;
  GError *error = NULL;
  int column;

  if (self->mapper == NULL)
    return;
  column = _orma_mapper_find_column (self->mapper, property);
  if (column < 0)
    {
      keep_error (self, g_error_new (ORMA_ERROR, ORMA_ERROR_UNKNOWN_PROPERTY,
                                     "%s has no mapped property '%s'",
                                     g_type_name (self->type), property));
      return;
    }
  g_value_init (&converted, _orma_mapper_column (self->mapper, column)->type);
  if (!_orma_value_convert (value, &converted, &error))
    {
      g_prefix_error (&error, "%s.%s: ", g_type_name (self->type), property);
      keep_error (self, error);
      return;
    }
  orma_query_filter (self, orma_eq (orma_col (self->type, property),
                                    _orma_value_is_null (&converted) ? orma_null ()
                                                                     : orma_value (&converted)));
}

/**
 * orma_query_filter_by:
 * @self: a query
 * @first_property: the name of a mapped property
 * @...: its value (of the property's type), then more name/value pairs,
 *   ending with %NULL
 *
 * Keeps only the rows whose properties equal the values given, e.g.
 * `orma_query_filter_by (q, "name", "ed", NULL)`. A %NULL string matches
 * NULL.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_filter_by (OrmaQuery  *self,
                      const char *first_property,
                      ...)
{
  va_list args;
  const char *name;

  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);

  va_start (args, first_property);
  for (name = first_property; name != NULL; name = va_arg (args, const char *))
    {
      g_auto (GValue) value = G_VALUE_INIT;
      g_autofree char *collect_error = NULL;
      int column = self->mapper ? _orma_mapper_find_column (self->mapper, name) : -1;

      /* The value's type comes from the property: without a known
       * property the remaining arguments cannot be read safely. */
      if (column < 0)
        {
          if (self->mapper != NULL)
            keep_error (self, g_error_new (ORMA_ERROR, ORMA_ERROR_UNKNOWN_PROPERTY,
                                           "%s has no mapped property '%s'",
                                           g_type_name (self->type), name));
          break;
        }
      G_VALUE_COLLECT_INIT (&value, _orma_mapper_column (self->mapper, column)->type,
                            args, 0, &collect_error);
      if (collect_error != NULL)
        {
          keep_error (self, g_error_new (ORMA_ERROR, ORMA_ERROR_TYPE_MISMATCH,
                                         "%s.%s: %s", g_type_name (self->type), name,
                                         collect_error));
          break;
        }
      filter_by_converted (self, name, &value);
    }
  va_end (args);
  return self;
}

/**
 * orma_query_filter_by_value:
 * @self: a query
 * @property: the name of a mapped property
 * @value: the value it must equal (converted to the property's type)
 *
 * Like orma_query_filter_by() for one property, with a #GValue.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_filter_by_value (OrmaQuery    *self,
                            const char   *property,
                            const GValue *value)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (property != NULL && G_IS_VALUE (value), self);

  filter_by_converted (self, property, value);
  return self;
}

/**
 * orma_query_order_by:
 * @self: a query
 * @ordering: (transfer floating): a column or expression, optionally
 *   wrapped in orma_asc() or orma_desc()
 *
 * Orders the results; later calls order ties of earlier ones.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_order_by (OrmaQuery *self,
                     OrmaExpr  *ordering)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (ordering != NULL, self);

  g_ptr_array_add (self->order_by, orma_expr_ref_sink (ordering));
  return self;
}

/**
 * orma_query_limit:
 * @self: a query
 * @limit: the most rows to return, or -1 for no limit
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_limit (OrmaQuery *self,
                  gint64     limit)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  self->limit = limit < 0 ? -1 : limit;
  return self;
}

/**
 * orma_query_offset:
 * @self: a query
 * @offset: how many rows to skip
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_offset (OrmaQuery *self,
                   gint64     offset)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  self->offset = MAX (offset, 0);
  return self;
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

typedef struct {
  OrmaSelect  select;
  OrmaExpr   *count;
  OrmaExpr   *where;
  GPtrArray  *params;
  GArray     *scratch;
  char       *sql;
} Compiled;

static void
compiled_clear (Compiled *compiled)
{
  g_clear_pointer (&compiled->count, orma_expr_unref);
  g_clear_pointer (&compiled->where, orma_expr_unref);
  g_clear_pointer (&compiled->params, g_ptr_array_unref);
  g_clear_pointer (&compiled->scratch, g_array_unref);
  g_clear_pointer (&compiled->sql, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Compiled, compiled_clear)

/* Checks the query can run and gets the session's connection, after an
 * autoflush. */
static OrmaConnection *
prepare_run (OrmaQuery  *self,
             GError    **error)
{
  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return NULL;
    }
  if (!_orma_session_check_open (self->session, error) ||
      !_orma_session_autoflush (self->session, error))
    return NULL;
  return _orma_session_connection (self->session, error);
}

/* @columns: NULL for every mapped column, or one expression (count). */
static gboolean
compile (OrmaQuery          *self,
         const OrmaDialect  *dialect,
         OrmaExpr          **columns,
         gboolean            with_order,
         gint64              limit,
         Compiled           *out,
         GError            **error)
{
  OrmaExpr **filters = (OrmaExpr **) self->filters->pdata;

  out->params = g_ptr_array_new ();
  out->scratch = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (out->scratch, (GDestroyNotify) g_value_unset);
  if (self->filters->len > 0)
    {
      /* the junction takes its own references to the filters */
      out->where = orma_expr_ref_sink (_orma_expr_new_junction (ORMA_EXPR_AND, filters,
                                                                self->filters->len));
    }
  out->select.from = self->mapper->table;
  out->select.columns = columns;
  out->select.n_columns = columns ? 1 : 0;
  out->select.where = out->where;
  if (with_order)
    {
      out->select.order_by = (OrmaExpr **) self->order_by->pdata;
      out->select.n_order_by = self->order_by->len;
    }
  out->select.limit = limit;
  out->select.offset = self->offset;
  out->sql = _orma_compile_select (dialect, &out->select, out->params, out->scratch, error);
  return out->sql != NULL;
}

/* Runs the query with @limit and calls @func per loaded object. */
typedef gboolean (*RowFunc) (OrmaEntity *entity, gpointer user_data, GError **error);

static gboolean
run (OrmaQuery  *self,
     gint64      limit,
     gboolean    stream,
     RowFunc     func,
     gpointer    user_data,
     GError    **error)
{
  OrmaConnection *connection = prepare_run (self, error);
  g_auto (Compiled) compiled = { 0 };
  g_autoptr (OrmaCursor) cursor = NULL;
  GError *local_error = NULL;

  if (connection == NULL ||
      !compile (self, _orma_connection_get_dialect (connection), NULL, TRUE, limit,
                &compiled, error))
    return FALSE;
  cursor = _orma_connection_query (connection, compiled.sql,
                                   (const GValue *const *) compiled.params->pdata,
                                   compiled.params->len, stream, NULL, error);
  if (cursor == NULL)
    return FALSE;

  /* Loading may not flush: a flush in the middle would run statements on
   * the connection the cursor is reading from. */
  self->session->no_autoflush++;
  while (_orma_cursor_next (cursor, &local_error))
    {
      g_autoptr (OrmaEntity) entity = _orma_loading_instance (self->session, self->mapper,
                                                              cursor, 0, &local_error);
      if (entity == NULL || !func (entity, user_data, &local_error))
        break;
    }
  self->session->no_autoflush--;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
collect_row (OrmaEntity  *entity,
             gpointer     user_data,
             GError     **error)
{
  g_ptr_array_add (user_data, g_object_ref (entity));
  return TRUE;
}

static GPtrArray *
run_collect (OrmaQuery  *self,
             gint64      limit,
             GError    **error)
{
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);

  if (!run (self, limit, FALSE, collect_row, results, error))
    return NULL;
  return g_steal_pointer (&results);
}

/**
 * orma_query_all:
 * @self: a query
 * @error: return location for a #GError
 *
 * Runs the query and returns every object it finds.
 *
 * Returns: (transfer full) (element-type OrmaEntity): the objects, or
 *   %NULL on error
 */
GPtrArray *
orma_query_all (OrmaQuery  *self,
                GError    **error)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return run_collect (self, self->limit, error);
}

/**
 * orma_query_first:
 * @self: a query
 * @error: return location for a #GError
 *
 * Runs the query with LIMIT 1.
 *
 * Returns: (transfer full) (nullable) (type OrmaEntity): the first object,
 *   or %NULL (with @error unset) if there is none
 */
gpointer
orma_query_first (OrmaQuery  *self,
                  GError    **error)
{
  g_autoptr (GPtrArray) results = NULL;

  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  results = run_collect (self, self->limit == 0 ? 0 : 1, error);
  if (results == NULL || results->len == 0)
    return NULL;
  return g_object_ref (g_ptr_array_index (results, 0));
}

/* Fetches at most two rows: enough to tell none, one and several apart. */
static gpointer
fetch_single (OrmaQuery  *self,
              gboolean    none_is_error,
              GError    **error)
{
  g_autoptr (GPtrArray) results = NULL;
  gint64 limit = self->limit < 0 || self->limit > 2 ? 2 : self->limit;

  results = run_collect (self, limit, error);
  if (results == NULL)
    return NULL;
  if (results->len > 1)
    {
      _orma_set_error (error, ORMA_ERROR_MULTIPLE_RESULTS,
                       "the query for %s found more than one row", g_type_name (self->type));
      return NULL;
    }
  if (results->len == 0)
    {
      if (none_is_error)
        _orma_set_error (error, ORMA_ERROR_NOT_FOUND,
                         "the query for %s found no row", g_type_name (self->type));
      return NULL;
    }
  return g_object_ref (g_ptr_array_index (results, 0));
}

/**
 * orma_query_one:
 * @self: a query
 * @error: return location for a #GError
 *
 * Runs the query, which must find exactly one row.
 *
 * Returns: (transfer full) (type OrmaEntity): the object; %NULL with
 *   %ORMA_ERROR_NOT_FOUND or %ORMA_ERROR_MULTIPLE_RESULTS otherwise
 */
gpointer
orma_query_one (OrmaQuery  *self,
                GError    **error)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return fetch_single (self, TRUE, error);
}

/**
 * orma_query_one_or_none:
 * @self: a query
 * @error: return location for a #GError
 *
 * Runs the query, which must find at most one row.
 *
 * Returns: (transfer full) (nullable) (type OrmaEntity): the object, or
 *   %NULL with @error unset when there is none; %NULL with
 *   %ORMA_ERROR_MULTIPLE_RESULTS when there are several
 */
gpointer
orma_query_one_or_none (OrmaQuery  *self,
                        GError    **error)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return fetch_single (self, FALSE, error);
}

static gboolean
check_orderings (OrmaQuery          *self,
                 const OrmaDialect  *dialect,
                 GError            **error)
{
  g_autoptr (GString) scratch = g_string_new (NULL);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();

  for (guint i = 0; i < self->order_by->len; i++)
    if (!_orma_compile_expr (dialect, g_ptr_array_index (self->order_by, i), scratch, params, error))
      return FALSE;
  return TRUE;
}

/**
 * orma_query_count:
 * @self: a query
 * @count: (out): the number of rows the query would return
 * @error: return location for a #GError
 *
 * Counts the rows with SELECT count(*), without loading objects. With a
 * limit or an offset the limited query is counted as a subquery.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_query_count (OrmaQuery  *self,
                  gint64     *count,
                  GError    **error)
{
  OrmaConnection *connection;
  const OrmaDialect *dialect;
  g_auto (Compiled) compiled = { 0 };
  g_autoptr (OrmaCursor) cursor = NULL;
  g_auto (GValue) value = G_VALUE_INIT;
  gboolean limited = self->limit >= 0 || self->offset > 0;

  g_return_val_if_fail (ORMA_IS_QUERY (self), FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  connection = prepare_run (self, error);
  if (connection == NULL)
    return FALSE;
  dialect = _orma_connection_get_dialect (connection);

  if (!limited)
    {
      /* Ordering does not change a count and is left out, but a mistake
       * in it is still a mistake in the query. */
      if (!check_orderings (self, dialect, error))
        return FALSE;
      compiled.count = orma_expr_ref_sink (orma_count (NULL));
      if (!compile (self, dialect, &compiled.count, FALSE, -1, &compiled, error))
        return FALSE;
    }
  else
    {
      char *inner;

      /* The limit applies to the rows, so the limited query is counted
       * as a whole. */
      if (!compile (self, dialect, NULL, TRUE, self->limit, &compiled, error))
        return FALSE;
      inner = compiled.sql;
      compiled.sql = g_strdup_printf ("SELECT count(*) FROM (%s) AS anon_1", inner);
      g_free (inner);
    }

  cursor = _orma_connection_query (connection, compiled.sql,
                                   (const GValue *const *) compiled.params->pdata,
                                   compiled.params->len, FALSE, NULL, error);
  if (cursor == NULL)
    return FALSE;
  if (!_orma_cursor_next (cursor, error))
    {
      if (error == NULL || *error == NULL)
        _orma_set_error (error, ORMA_ERROR_FAILED, "count(*) returned no row");
      return FALSE;
    }
  g_value_init (&value, G_TYPE_INT64);
  if (!_orma_cursor_get (cursor, 0, &value, error))
    return FALSE;
  *count = g_value_get_int64 (&value);
  return TRUE;
}

typedef struct {
  guint              chunk_size;
  GPtrArray         *chunk;
  OrmaQueryChunkFunc func;
  gpointer           user_data;
  gboolean           stopped;
} ChunkData;

static gboolean
deliver_chunk (ChunkData *data)
{
  gboolean go_on = data->func (data->chunk, data->user_data);

  /* Dropping the chunk's references lets clean objects leave the
   * identity map: memory stays flat however many rows there are. */
  g_ptr_array_set_size (data->chunk, 0);
  data->stopped = !go_on;
  return go_on;
}

static gboolean
chunk_row (OrmaEntity  *entity,
           gpointer     user_data,
           GError     **error)
{
  ChunkData *data = user_data;

  g_ptr_array_add (data->chunk, g_object_ref (entity));
  if (data->chunk->len < data->chunk_size)
    return TRUE;
  return deliver_chunk (data);
}

/**
 * orma_query_foreach_chunk:
 * @self: a query
 * @chunk_size: how many objects each call of @func receives
 * @func: (scope call): called with each chunk
 * @user_data: data for @func
 * @error: return location for a #GError
 *
 * Runs the query and streams its results in chunks, for results too large
 * to hold at once: each chunk's objects are released after @func returns
 * (unless @func keeps references). PostgreSQL sends the rows one by one
 * rather than all at once. @func must not use the session for other
 * queries while the rows stream.
 *
 * Returns: %TRUE on success, also when @func stopped early
 */
gboolean
orma_query_foreach_chunk (OrmaQuery           *self,
                          guint                chunk_size,
                          OrmaQueryChunkFunc   func,
                          gpointer             user_data,
                          GError             **error)
{
  g_autoptr (GPtrArray) chunk = g_ptr_array_new_with_free_func (g_object_unref);
  ChunkData data = { MAX (chunk_size, 1), chunk, func, user_data, FALSE };

  g_return_val_if_fail (ORMA_IS_QUERY (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!run (self, self->limit, TRUE, chunk_row, &data, error))
    return FALSE;
  if (!data.stopped && chunk->len > 0)
    deliver_chunk (&data);
  return TRUE;
}
