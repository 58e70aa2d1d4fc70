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

#include "orma-query-private.h"
#include "orma-loading-private.h"
#include "orma-error-private.h"
#include "orma-value-private.h"

/**
 * OrmaQuery:
 *
 * A query for objects of one mapped class, made by orma_session_query().
 */

G_DEFINE_FINAL_TYPE (OrmaQuery, orma_query, G_TYPE_OBJECT)

static void
orma_query_finalize (GObject *object)
{
  OrmaQuery *self = ORMA_QUERY (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->from_item, orma_alias_unref);
  g_ptr_array_unref (self->filters);
  g_ptr_array_unref (self->order_by);
  g_clear_pointer (&self->joins, g_ptr_array_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->group_by, g_ptr_array_unref);
  g_clear_pointer (&self->having, orma_expr_unref);
  g_clear_pointer (&self->options, g_ptr_array_unref);
  g_clear_pointer (&self->parents, g_ptr_array_unref);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->binds, g_hash_table_unref);
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

void
_orma_query_keep_error (OrmaQuery *self,
                        GError    *error)
{
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
}

#define keep_error _orma_query_keep_error

OrmaQuery *
_orma_query_new (OrmaSession *session,
                 GType        entity_type)
{
  OrmaQuery *query;
  GError *error = NULL;

  query = g_object_new (ORMA_TYPE_QUERY, NULL);
  query->session = g_object_ref (session);
  query->type = entity_type;
  query->mapper = _orma_session_mapper (entity_type, &error);
  if (error != NULL)
    keep_error (query, error);
  return query;
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
  g_return_val_if_fail (ORMA_IS_SESSION (self), NULL);

  return _orma_query_new (self, entity_type);
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
/* The statement                                                       */

void
_orma_query_compiled_clear (OrmaQueryCompiled *compiled)
{
  g_clear_pointer (&compiled->plan, _orma_eager_plan_free);
  g_clear_pointer (&compiled->owned, g_ptr_array_unref);
  g_clear_pointer (&compiled->columns, g_ptr_array_unref);
  g_clear_pointer (&compiled->joins, g_array_unref);
  g_clear_pointer (&compiled->extra_from, g_ptr_array_unref);
  g_clear_pointer (&compiled->layout, g_array_unref);
  g_clear_pointer (&compiled->params, g_ptr_array_unref);
  g_clear_pointer (&compiled->scratch, g_array_unref);
  g_clear_pointer (&compiled->sql, g_free);
  g_clear_pointer (&compiled->order_by, g_ptr_array_unref);
  g_clear_pointer (&compiled->group_by, g_ptr_array_unref);
}

/* Keeps @expr (floating or not) until the statement has run. */
static OrmaExpr *
own (OrmaQueryCompiled *out,
     OrmaExpr          *expr)
{
  g_ptr_array_add (out->owned, orma_expr_ref_sink (expr));
  return expr;
}

/* Whether the rows of a FROM alias must be read column by column: its
 * columns are not the mapped columns in their order. */
static gboolean
from_item_needs_columns (OrmaQuery *self)
{
  OrmaAlias *from = self->from_item;

  if (from == NULL)
    return FALSE;
  if (from->kind == ORMA_ALIAS_TABLE)
    return FALSE;
  if (from->column_names->len != self->mapper->n_columns)
    return TRUE;
  for (guint i = 0; i < self->mapper->n_columns; i++)
    {
      const char *name = g_ptr_array_index (from->column_names, i);

      if (g_strcmp0 (name, _orma_mapper_column (self->mapper, i)->name) != 0)
        return TRUE;
    }
  return FALSE;
}

/* The query's entity, its columns in mapped order. */
static void
add_root_columns (OrmaQuery         *self,
                  OrmaQueryCompiled *out)
{
  for (guint i = 0; i < self->mapper->n_columns; i++)
    {
      OrmaExpr *column;

      if (self->from_item == NULL)
        column = _orma_expr_new_column (self->mapper->table, i, self->type);
      else if (self->from_item->kind == ORMA_ALIAS_TABLE)
        column = _orma_alias_column (self->from_item, i);
      else
        column = orma_alias_col (self->from_item, _orma_mapper_column (self->mapper, i)->name);
      g_ptr_array_add (out->columns, own (out, column));
    }
}

/* The related-to-parent conditions and the filters, joined by AND. */
static void
build_where (OrmaQuery         *self,
             OrmaQueryCompiled *out)
{
  g_autoptr (GPtrArray) conditions = g_ptr_array_new ();
  guint n_parents = self->parents ? self->parents->len : 0;

  /* the parent first, as SQLAlchemy writes a dynamic relationship's
   * query: what the rows belong to, then how they are filtered */
  for (guint i = 0; i < n_parents; i++)
    {
      OrmaQueryParent *parent = g_ptr_array_index (self->parents, i);

      g_ptr_array_add (conditions,
                       own (out, _orma_query_parent_condition (parent)));
    }
  for (guint i = 0; i < self->filters->len; i++)
    g_ptr_array_add (conditions,
                     own (out, _orma_query_adapt (self, g_ptr_array_index (self->filters, i))));
  if (conditions->len == 0)
    return;
  /* the junction takes its own references to the conditions */
  out->select.where = own (out, _orma_expr_new_junction (ORMA_EXPR_AND,
                                                         (OrmaExpr **) conditions->pdata,
                                                         conditions->len));
}

/* @exprs as the statement reads them (see _orma_query_adapt()). */
static GPtrArray *
adapt_all (OrmaQuery         *self,
           OrmaQueryCompiled *out,
           GPtrArray         *exprs)
{
  GPtrArray *adapted = g_ptr_array_sized_new (exprs->len);

  for (guint i = 0; i < exprs->len; i++)
    g_ptr_array_add (adapted, own (out, _orma_query_adapt (self, g_ptr_array_index (exprs, i))));
  return adapted;
}

gboolean
_orma_query_build_select (OrmaQuery          *self,
                          OrmaQueryCompiled  *out,
                          gboolean            layout,
                          GError            **error)
{
  OrmaSelect *select = &out->select;

  out->owned = g_ptr_array_new_with_free_func ((GDestroyNotify) orma_expr_unref);
  out->columns = g_ptr_array_new ();
  if (layout)
    out->layout = g_array_new (FALSE, TRUE, sizeof (OrmaRowSlot));

  if (self->from_item != NULL)
    select->from_item = self->from_item;
  else
    select->from = self->mapper->table;

  if (self->joins != NULL)
    {
      out->joins = g_array_new (FALSE, TRUE, sizeof (OrmaJoin));
      if (!_orma_query_joins_build (self, out->joins, error))
        return FALSE;
      select->joins = (OrmaJoin *) (gpointer) out->joins->data;
      select->n_joins = out->joins->len;
    }

  if (!self->columns_only)
    {
      /* Without anything else in the row, no list: the compiler writes
       * the table's (or the FROM item's) columns, which are the mapped
       * ones in order. */
      if (self->items != NULL || from_item_needs_columns (self))
        add_root_columns (self, out);
      if (layout)
        {
          OrmaRowSlot slot = { 0, self->mapper, G_TYPE_INVALID, NULL };

          g_array_append_val (out->layout, slot);
        }
    }
  if (self->items != NULL && !_orma_query_items_build (self, out, error))
    return FALSE;
  if (self->columns_only && out->columns->len == 0)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "the query for %s selects only its added columns, but has none",
                       g_type_name (self->type));
      return FALSE;
    }
  if (out->columns->len > 0)
    {
      select->columns = (OrmaExpr **) out->columns->pdata;
      select->n_columns = out->columns->len;
    }
  if (out->extra_from != NULL)
    {
      select->extra_from = (OrmaAlias **) out->extra_from->pdata;
      select->n_extra_from = out->extra_from->len;
    }

  build_where (self, out);
  if (self->group_by != NULL)
    {
      out->group_by = adapt_all (self, out, self->group_by);
      select->group_by = (OrmaExpr **) out->group_by->pdata;
      select->n_group_by = out->group_by->len;
    }
  if (self->having != NULL)
    select->having = own (out, _orma_query_adapt (self, self->having));
  select->distinct = self->distinct;
  out->order_by = adapt_all (self, out, self->order_by);
  select->order_by = (OrmaExpr **) out->order_by->pdata;
  select->n_order_by = out->order_by->len;
  select->limit = self->limit;
  select->offset = self->offset;
  return TRUE;
}

/* Compiles the select of @compiled. */
static gboolean
compile (OrmaQueryCompiled  *compiled,
         const OrmaDialect  *dialect,
         GError            **error)
{
  compiled->params = g_ptr_array_new ();
  compiled->scratch = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (compiled->scratch, (GDestroyNotify) g_value_unset);
  compiled->sql = _orma_compile_select (dialect, &compiled->select, compiled->params,
                                        compiled->scratch, error);
  return compiled->sql != NULL;
}

OrmaConnection *
_orma_query_prepare_run (OrmaQuery  *self,
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

/* The eager plan of the query, if it loads anything eagerly; it extends
 * the select with its joins and columns (@stream: the rows are read in
 * chunks). */
static gboolean
plan_eager (OrmaQuery          *self,
            OrmaQueryCompiled  *compiled,
            gboolean            stream,
            GError            **error)
{
  GError *local_error = NULL;

  if (!_orma_query_options_resolve (self, error))
    return FALSE;
  compiled->plan = _orma_eager_plan_new (self->session, self->mapper, self->from_item,
                                         self->options, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (compiled->plan == NULL)
    return TRUE;
  if (stream)
    _orma_eager_plan_group_owners (compiled->plan);
  return _orma_eager_plan_extend_select (compiled->plan, &compiled->select, error);
}

OrmaCursor *
_orma_query_execute (OrmaQuery          *self,
                     OrmaConnection     *connection,
                     gint64              limit,
                     gboolean            stream,
                     gboolean            eager,
                     OrmaQueryCompiled  *compiled,
                     GError            **error)
{
  const OrmaDialect *dialect = _orma_connection_get_dialect (connection);
  const GValue *const *params;
  guint n_params;

  if (self->text != NULL)
    {
      OrmaCursor *cursor = _orma_query_execute_text (self, connection, compiled, error);

      return cursor != NULL ? _orma_query_text_cursor (cursor, self->mapper, error) : NULL;
    }

  if (!_orma_query_build_select (self, compiled, TRUE, error))
    return NULL;
  compiled->select.limit = limit;
  if (eager && !self->columns_only)
    {
      if (!plan_eager (self, compiled, stream, error))
        return NULL;
      /* The plan's selectin loads run while the rows are read: the rows
       * must all have arrived. */
      if (compiled->plan != NULL)
        stream = FALSE;
    }
  if (!compile (compiled, dialect, error))
    return NULL;
  params = (const GValue *const *) compiled->params->pdata;
  n_params = compiled->params->len;
  return _orma_connection_query (connection, compiled->sql, params, n_params, stream,
                                 NULL, error);
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

/* Where the objects of a query go: one array for all(), chunks handed
 * to a function for foreach_chunk(). */
typedef struct {
  OrmaQueryCompiled *compiled;
  GPtrArray         *batch;      /* OrmaEntity, referenced */
  guint              chunk_size; /* 0: one batch */
  OrmaQueryChunkFunc func;       /* NULL: collect */
  gpointer           user_data;
  GHashTable        *seen;       /* with an eager plan: the batch's objects */
  gboolean           stopped;
} Batch;

/* Completes the batch's eager loads and hands it over. */
static gboolean
deliver (Batch   *batch,
         GError **error)
{
  OrmaEagerPlan *plan = batch->compiled->plan;

  if (plan != NULL && !_orma_eager_plan_finish (plan, batch->batch, error))
    return FALSE;
  if (batch->func == NULL)
    return TRUE;
  batch->stopped = !batch->func (batch->batch, batch->user_data);
  /* Dropping the chunk's references lets clean objects leave the
   * identity map: memory stays flat however many rows there are. */
  g_ptr_array_set_size (batch->batch, 0);
  if (batch->seen != NULL)
    g_hash_table_remove_all (batch->seen);
  return TRUE;
}

/* One object of a row. With an eager plan, a joined collection brings
 * the same owner on several rows: it is kept once, where it first
 * appeared, and a chunk is handed over only when the next owner begins,
 * so that an owner's rows are not split between chunks. */
static gboolean
add_entity (Batch      *batch,
            OrmaEntity *entity,
            GError    **error)
{
  gboolean full = batch->chunk_size > 0 && batch->batch->len >= batch->chunk_size;

  if (batch->seen != NULL)
    {
      if (g_hash_table_contains (batch->seen, entity))
        return TRUE;
      if (full && (!deliver (batch, error) || batch->stopped))
        return FALSE;
      g_hash_table_add (batch->seen, entity);
      g_ptr_array_add (batch->batch, g_object_ref (entity));
      return TRUE;
    }
  g_ptr_array_add (batch->batch, g_object_ref (entity));
  if (batch->chunk_size > 0 && batch->batch->len >= batch->chunk_size)
    return deliver (batch, error) && !batch->stopped;
  return TRUE;
}

/* Runs the query with @limit and gathers its objects into @batch. */
static gboolean
run (OrmaQuery  *self,
     gint64      limit,
     gboolean    stream,
     Batch      *batch,
     GError    **error)
{
  OrmaConnection *connection = _orma_query_prepare_run (self, error);
  g_auto (OrmaQueryCompiled) compiled = { 0 };
  g_autoptr (OrmaCursor) cursor = NULL;
  OrmaEagerPlan *plan;
  OrmaEntity *last = NULL;
  GError *local_error = NULL;

  if (connection == NULL)
    return FALSE;
  cursor = _orma_query_execute (self, connection, limit, stream, TRUE, &compiled, error);
  if (cursor == NULL)
    return FALSE;
  plan = compiled.plan;
  batch->compiled = &compiled;
  if (plan != NULL)
    batch->seen = g_hash_table_new (NULL, NULL);

  /* Loading may not flush: a flush in the middle would run statements on
   * the connection the cursor is reading from. */
  self->session->no_autoflush++;
  while (_orma_cursor_next (cursor, &local_error))
    {
      g_autoptr (OrmaEntity) entity = NULL;

      /* A joined collection repeats the owner on consecutive rows: the
       * same owner is neither looked up nor added again. */
      if (plan != NULL && last != NULL &&
          _orma_loading_row_is (self->session, self->mapper, cursor, 0, last))
        {
          if (!_orma_eager_plan_row (plan, last, cursor, &local_error))
            break;
          continue;
        }
      entity = _orma_loading_instance (self->session, self->mapper, cursor, 0, &local_error);
      last = NULL;
      if (entity == NULL)
        {
          /* a row without a key (NULL columns) has no object */
          if (local_error != NULL)
            break;
          continue;
        }
      if (plan != NULL && !_orma_eager_plan_row (plan, entity, cursor, &local_error))
        break;
      if (!add_entity (batch, entity, &local_error))
        break;
      /* borrowed: the batch holds it until a new owner comes */
      last = entity;
    }
  if (local_error == NULL && !batch->stopped &&
      (batch->func == NULL || batch->batch->len > 0))
    deliver (batch, &local_error);
  self->session->no_autoflush--;

  g_clear_pointer (&batch->seen, g_hash_table_unref);
  batch->compiled = NULL;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
run_collect (OrmaQuery  *self,
             gint64      limit,
             GError    **error)
{
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  Batch batch = { NULL, results, 0, NULL, NULL, NULL, FALSE };

  if (!run (self, limit, FALSE, &batch, error))
    return NULL;
  return g_steal_pointer (&results);
}

/**
 * orma_query_all:
 * @self: a query
 * @error: return location for a #GError
 *
 * Runs the query and returns every object it finds, each once (a joined
 * eager collection does not repeat its owner).
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

/* The statement of count(): count(*) in place of the columns, or, when
 * the rows are not those of the FROM clause (a limit, DISTINCT, groups,
 * textual SQL), the whole query counted as a subquery. */
static gboolean
compile_count (OrmaQuery          *self,
               const OrmaDialect  *dialect,
               OrmaQueryCompiled  *compiled,
               GError            **error)
{
  gboolean whole = self->limit >= 0 || self->offset > 0 || self->distinct ||
                   self->group_by != NULL || self->text != NULL;
  char *inner;

  if (self->text != NULL)
    {
      compiled->params = g_ptr_array_new ();
      compiled->sql = _orma_compile_text (dialect, self->text, self->binds,
                                          compiled->params, error);
      if (compiled->sql == NULL)
        return FALSE;
    }
  else if (!whole)
    {
      /* Ordering does not change a count and is left out, but a mistake
       * in it is still a mistake in the query. */
      if (!check_orderings (self, dialect, error) ||
          !_orma_query_build_select (self, compiled, FALSE, error))
        return FALSE;
      g_ptr_array_set_size (compiled->columns, 0);
      g_ptr_array_add (compiled->columns, own (compiled, orma_count (NULL)));
      compiled->select.columns = (OrmaExpr **) compiled->columns->pdata;
      compiled->select.n_columns = 1;
      compiled->select.n_order_by = 0;
      return compile (compiled, dialect, error);
    }
  else if (!_orma_query_build_select (self, compiled, FALSE, error) ||
           !compile (compiled, dialect, error))
    return FALSE;

  /* The limit applies to the rows, so the limited query is counted as a
   * whole. */
  inner = compiled->sql;
  compiled->sql = g_strdup_printf ("SELECT count(*) FROM (%s) AS anon_1", inner);
  g_free (inner);
  return TRUE;
}

/**
 * orma_query_count:
 * @self: a query
 * @count: (out): the number of rows the query would return
 * @error: return location for a #GError
 *
 * Counts the rows with SELECT count(*), without loading objects. With a
 * limit or an offset, DISTINCT or GROUP BY, the query is counted as a
 * subquery. With joins, every joined row counts.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_query_count (OrmaQuery  *self,
                  gint64     *count,
                  GError    **error)
{
  OrmaConnection *connection;
  g_auto (OrmaQueryCompiled) compiled = { 0 };
  g_autoptr (OrmaCursor) cursor = NULL;
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (ORMA_IS_QUERY (self), FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  connection = _orma_query_prepare_run (self, error);
  if (connection == NULL ||
      !compile_count (self, _orma_connection_get_dialect (connection), &compiled, error))
    return FALSE;

  if (self->text != NULL)
    cursor = _orma_query_run_text (connection, &compiled, error);
  else
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
 * rather than all at once (unless relationships are loaded eagerly: their
 * loads need the rows to have arrived). Eager loads of each chunk are
 * complete when @func receives it. @func must not use the session for
 * other queries while the rows stream.
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
  Batch batch = { NULL, chunk, MAX (chunk_size, 1), func, user_data, NULL, FALSE };

  g_return_val_if_fail (ORMA_IS_QUERY (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  return run (self, self->limit, TRUE, &batch, error);
}
