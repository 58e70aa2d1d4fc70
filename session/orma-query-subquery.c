/* orma-query-subquery.c: a query inside another statement (a FROM item,
 * EXISTS, a scalar, IN), the UNION of two queries, and textual SQL.
 *
 * A query used inside another is built as it would run, without the
 * autoflush and without eager loading: its SELECT is copied into the
 * expression or alias, which then lives on its own. A mistake in the
 * inner query travels with it and fails the outer one when it runs.
 *
 * A UNION is a query of the same entity over the compound, as SQLAlchemy
 * builds it: SELECT anon_1... FROM (q1 UNION q2) AS anon_1, so that it
 * can be filtered, ordered and counted like any other.
 *
 * Textual SQL runs as written, with its ":name" parameters bound; its
 * result columns are matched to the mapped columns by name, through a
 * cursor that reorders them for the ordinary loader.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-query-private.h"
#include "orma-error-private.h"

/* The query's SELECT as it would run, in @out. */
static gboolean
build_inner (OrmaQuery          *query,
             OrmaQueryCompiled  *out,
             GError            **error)
{
  if (query->error != NULL)
    {
      g_propagate_error (error, g_error_copy (query->error));
      return FALSE;
    }
  if (query->text != NULL)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "a textual query cannot be used inside another statement");
      return FALSE;
    }
  if (!_orma_query_build_select (query, out, FALSE, error))
    return FALSE;
  /* an order without a limit means nothing inside another statement */
  if (out->select.limit < 0 && out->select.offset <= 0)
    out->select.n_order_by = 0;
  return TRUE;
}

/* A select whose only column fails with @error, so that the statement
 * it goes into fails with it. */
static void
error_select (OrmaSelect *select,
              OrmaExpr  **column,
              GError     *error)
{
  *column = orma_expr_ref_sink (_orma_expr_new_error (error->code, "%s", error->message));
  memset (select, 0, sizeof *select);
  select->columns = column;
  select->n_columns = 1;
  select->limit = -1;
  g_error_free (error);
}

/**
 * orma_query_subquery:
 * @self: a query
 * @name: (nullable): the name of the subquery in SQL, or %NULL for an
 *   anonymous one ("anon_1")
 *
 * The query as a FROM item: (SELECT ...) AS name. Its columns are
 * orma_alias_col (alias, "label or column name"); join it with
 * orma_query_join_on(), or map its rows to the entity with
 * orma_session_query_from() or orma_query_add_entity().
 *
 * Returns: (transfer full): a new alias
 */
OrmaAlias *
orma_query_subquery (OrmaQuery  *self,
                     const char *name)
{
  g_auto (OrmaQueryCompiled) inner = { 0 };
  g_autoptr (OrmaExpr) failed = NULL;
  GError *error = NULL;
  OrmaAlias *alias;

  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);

  if (!build_inner (self, &inner, &error))
    {
      error_select (&inner.select, &failed, error);
      return _orma_alias_new_subquery (&inner.select, name);
    }
  alias = _orma_alias_new_subquery (&inner.select, name);
  /* rows of the entity itself: an entity query can read them */
  if (!self->columns_only && self->items == NULL)
    alias->entity_type = self->type;
  return alias;
}

/**
 * orma_session_query_from:
 * @session: a session
 * @entity_type: a mapped class
 * @from: a subquery (orma_query_subquery()) whose columns include the
 *   class's mapped columns (by name), or an alias of the class
 *
 * A query of @entity_type whose rows are read from @from instead of the
 * class's table: SELECT anon_1.id, ... FROM (SELECT ...) AS anon_1. It is
 * filtered with the alias's columns (orma_alias_col()).
 *
 * Returns: (transfer full): a new query
 */
OrmaQuery *
orma_session_query_from (OrmaSession *session,
                         GType        entity_type,
                         OrmaAlias   *from)
{
  OrmaQuery *query;

  g_return_val_if_fail (ORMA_IS_SESSION (session), NULL);
  g_return_val_if_fail (from != NULL, NULL);

  query = _orma_query_new (session, entity_type);
  query->from_item = orma_alias_ref (from);
  if (query->mapper != NULL && from->kind == ORMA_ALIAS_TABLE &&
      from->table != query->mapper->table)
    _orma_query_keep_error (query, g_error_new (ORMA_ERROR, ORMA_ERROR_INVALID_QUERY,
                                                "an alias of table %s cannot give rows of %s",
                                                orma_table_get_name (from->table),
                                                g_type_name (entity_type)));
  return query;
}

typedef OrmaExpr *(*SelectExprFunc) (const OrmaSelect *select, gpointer data);

/* @make over the query's SELECT, or an error expression. */
static OrmaExpr *
inner_expr (OrmaQuery      *query,
            gboolean        exists,
            SelectExprFunc  make,
            gpointer        data)
{
  g_auto (OrmaQueryCompiled) inner = { 0 };
  g_autoptr (OrmaExpr) one = NULL;
  GError *error = NULL;

  if (!build_inner (query, &inner, &error))
    {
      OrmaExpr *failed = _orma_expr_new_error (error->code, "%s", error->message);

      g_error_free (error);
      return failed;
    }
  if (exists)
    {
      /* EXISTS asks for rows, not values */
      one = orma_expr_ref_sink (_orma_expr_new_text ("1"));
      inner.select.columns = &one;
      inner.select.n_columns = 1;
    }
  return make (&inner.select, data);
}

static OrmaExpr *
make_exists (const OrmaSelect *select,
             gpointer          data)
{
  return _orma_expr_new_exists (select);
}

static OrmaExpr *
make_scalar (const OrmaSelect *select,
             gpointer          data)
{
  return _orma_expr_new_scalar_subquery (select);
}

static OrmaExpr *
make_in (const OrmaSelect *select,
         gpointer          data)
{
  return _orma_expr_new_in_select (data, select);
}

/**
 * orma_query_exists:
 * @self: a query
 *
 * EXISTS (SELECT 1 FROM ... WHERE ...), for a filter of another query.
 * The subquery's FROM is its own table: a column of the enclosing
 * query's table in its filters refers to the enclosing row (a correlated
 * subquery), e.g. `addresses.user_id = users.id`.
 *
 * Returns: (transfer floating): a condition
 */
OrmaExpr *
orma_query_exists (OrmaQuery *self)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);

  return inner_expr (self, TRUE, make_exists, NULL);
}

/**
 * orma_query_as_scalar:
 * @self: a query of one column (orma_query_columns_only() with one
 *   orma_query_add_column()), finding at most one row
 *
 * The query as a value: (SELECT count(*) FROM addresses WHERE
 * addresses.user_id = users.id), for a column of another query
 * (orma_query_add_column(), with orma_label()) or a comparison.
 *
 * Returns: (transfer floating): an expression
 */
OrmaExpr *
orma_query_as_scalar (OrmaQuery *self)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);

  return inner_expr (self, FALSE, make_scalar, NULL);
}

/**
 * orma_in_query:
 * @operand: (transfer floating): a column or expression
 * @query: a query of one column
 *
 * operand IN (SELECT ...).
 *
 * Returns: (transfer floating): a condition
 */
OrmaExpr *
orma_in_query (OrmaExpr  *operand,
               OrmaQuery *query)
{
  g_return_val_if_fail (operand != NULL, NULL);
  g_return_val_if_fail (ORMA_IS_QUERY (query), NULL);

  if (query->error != NULL || query->text != NULL)
    {
      orma_expr_unref (orma_expr_ref_sink (operand));
      return inner_expr (query, FALSE, make_in, NULL);
    }
  return inner_expr (query, FALSE, make_in, operand);
}

static OrmaQuery *
compound (OrmaQuery *self,
          OrmaQuery *other,
          gboolean   all)
{
  g_auto (OrmaQueryCompiled) first = { 0 };
  g_auto (OrmaQueryCompiled) second = { 0 };
  OrmaQuery *query = _orma_query_new (self->session, self->type);
  OrmaSelect *others[1];
  GError *error = NULL;

  if (other->type != self->type)
    {
      _orma_query_keep_error (query, g_error_new (ORMA_ERROR, ORMA_ERROR_INVALID_QUERY,
                                                  "cannot make the union of a query for %s "
                                                  "and one for %s", g_type_name (self->type),
                                                  g_type_name (other->type)));
      return query;
    }
  if (!build_inner (self, &first, &error) || !build_inner (other, &second, &error))
    {
      _orma_query_keep_error (query, error);
      return query;
    }
  others[0] = &second.select;
  if (first.select.n_order_by > 0 || first.select.limit >= 0 || first.select.offset > 0)
    {
      /* The ORDER BY, LIMIT and OFFSET of a compound's head apply to the
       * whole compound: a first query limited on its own is read from a
       * subquery, as the compiler does for the later members. */
      OrmaSelect head = { 0 };
      g_autoptr (OrmaAlias) limited = _orma_alias_new_subquery (&first.select, NULL);

      head.from_item = limited;
      head.limit = -1;
      head.unions = others;
      head.n_unions = 1;
      head.union_all = all;
      query->from_item = _orma_alias_new_subquery (&head, NULL);
      return query;
    }
  first.select.unions = others;
  first.select.n_unions = 1;
  first.select.union_all = all;
  query->from_item = _orma_alias_new_subquery (&first.select, NULL);
  return query;
}

/**
 * orma_query_union:
 * @self: a query
 * @other: a query of the same class
 *
 * A query of the same class whose rows are those of @self UNION those of
 * @other: SELECT anon_1... FROM (q1 UNION q2) AS anon_1. It can be
 * filtered (with orma_alias_col() of nothing: filter the parts),
 * ordered, limited and counted.
 *
 * Returns: (transfer full): a new query
 */
OrmaQuery *
orma_query_union (OrmaQuery *self,
                  OrmaQuery *other)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (ORMA_IS_QUERY (other), NULL);

  return compound (self, other, FALSE);
}

/**
 * orma_query_union_all:
 * @self: a query
 * @other: a query of the same class
 *
 * Like orma_query_union() with UNION ALL: rows found by both stay twice
 * in the SQL result (an object still comes once per row).
 *
 * Returns: (transfer full): a new query
 */
OrmaQuery *
orma_query_union_all (OrmaQuery *self,
                      OrmaQuery *other)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (ORMA_IS_QUERY (other), NULL);

  return compound (self, other, TRUE);
}

/* ------------------------------------------------------------------ */
/* Textual SQL                                                         */

static void
value_free (GValue *value)
{
  g_value_unset (value);
  g_free (value);
}

/**
 * orma_session_query_text:
 * @session: a session
 * @entity_type: a mapped class
 * @sql: a SELECT whose result has the class's mapped columns (by name, in
 *   any order), with ":name" parameters
 *
 * A query of @entity_type that runs @sql as written, with the parameters
 * given by orma_query_bind(); its rows become objects through the
 * identity map. A missing column or an unbound parameter is reported by
 * the call that runs the query. It cannot be filtered, joined or ordered
 * further (write that in the SQL).
 *
 * Returns: (transfer full): a new query
 */
OrmaQuery *
orma_session_query_text (OrmaSession *session,
                         GType        entity_type,
                         const char  *sql)
{
  OrmaQuery *query;

  g_return_val_if_fail (ORMA_IS_SESSION (session), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  query = _orma_query_new (session, entity_type);
  query->text = g_strdup (sql);
  query->binds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) value_free);
  return query;
}

/**
 * orma_query_bind:
 * @self: a query made by orma_session_query_text()
 * @name: a parameter's name, without the colon
 * @value: its value (copied)
 *
 * Binds the parameter ":name" of a textual query.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_bind (OrmaQuery    *self,
                 const char   *name,
                 const GValue *value)
{
  GValue *copy;

  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (name != NULL && G_IS_VALUE (value), self);

  if (self->binds == NULL)
    {
      _orma_query_keep_error (self, g_error_new (ORMA_ERROR, ORMA_ERROR_INVALID_QUERY,
                                                 "orma_query_bind (\"%s\"): the query for %s "
                                                 "has no textual SQL", name,
                                                 g_type_name (self->type)));
      return self;
    }
  copy = g_new0 (GValue, 1);
  g_value_init (copy, G_VALUE_TYPE (value));
  g_value_copy (value, copy);
  g_hash_table_replace (self->binds, g_strdup (name), copy);
  return self;
}

OrmaCursor *
_orma_query_execute_text (OrmaQuery          *self,
                          OrmaConnection     *connection,
                          OrmaQueryCompiled  *compiled,
                          GError            **error)
{
  if (self->filters->len > 0 || self->order_by->len > 0 || self->joins != NULL ||
      self->items != NULL || self->group_by != NULL || self->parents != NULL)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "the textual query for %s runs as written: it cannot be filtered, "
                       "joined or ordered", g_type_name (self->type));
      return NULL;
    }
  compiled->params = g_ptr_array_new ();
  compiled->sql = _orma_compile_text (_orma_connection_get_dialect (connection), self->text,
                                      self->binds, compiled->params, error);
  if (compiled->sql == NULL)
    return NULL;
  return _orma_query_run_text (connection, compiled, error);
}

#define TEXT_SAVEPOINT "orma_text"

OrmaCursor *
_orma_query_run_text (OrmaConnection     *connection,
                      OrmaQueryCompiled  *compiled,
                      GError            **error)
{
  /* A statement PostgreSQL refuses aborts the whole transaction, and a
   * hand-written one is the likeliest to be refused: it runs inside a
   * savepoint there, so that its error leaves the session's transaction
   * (and what was flushed in it) usable. SQLite keeps the transaction
   * going by itself. The rows are all read before the release. */
  gboolean guard = g_strcmp0 (_orma_connection_get_dialect (connection)->name,
                              "postgresql") == 0;
  GError *local_error = NULL;
  OrmaCursor *cursor;

  if (guard && !orma_connection_savepoint (connection, TEXT_SAVEPOINT, error))
    return NULL;
  cursor = _orma_connection_query (connection, compiled->sql,
                                   (const GValue *const *) compiled->params->pdata,
                                   compiled->params->len, FALSE, NULL, &local_error);
  if (!guard)
    ;
  else if (cursor == NULL)
    orma_connection_rollback_to_savepoint (connection, TEXT_SAVEPOINT, NULL);
  else if (!orma_connection_release_savepoint (connection, TEXT_SAVEPOINT, &local_error))
    g_clear_pointer (&cursor, _orma_cursor_free);
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return cursor;
}

/* A cursor whose column i is column map[i] of another. */
typedef struct {
  OrmaCursor  base;
  OrmaCursor *inner;
  guint       n_columns;
  guint       map[];
} MappedCursor;

static gboolean
mapped_next (OrmaCursor  *cursor,
             GError     **error)
{
  return _orma_cursor_next (((MappedCursor *) cursor)->inner, error);
}

static guint
mapped_n_columns (OrmaCursor *cursor)
{
  return ((MappedCursor *) cursor)->n_columns;
}

static const char *
mapped_column_name (OrmaCursor *cursor,
                    guint       column)
{
  MappedCursor *self = (MappedCursor *) cursor;

  return self->inner->driver->cursor_column_name (self->inner, self->map[column]);
}

static gboolean
mapped_is_null (OrmaCursor *cursor,
                guint       column)
{
  MappedCursor *self = (MappedCursor *) cursor;

  return _orma_cursor_is_null (self->inner, self->map[column]);
}

static gboolean
mapped_get (OrmaCursor  *cursor,
            guint        column,
            GValue      *value,
            GError     **error)
{
  MappedCursor *self = (MappedCursor *) cursor;

  return _orma_cursor_get (self->inner, self->map[column], value, error);
}

static void
mapped_free (OrmaCursor *cursor)
{
  MappedCursor *self = (MappedCursor *) cursor;

  _orma_cursor_free (self->inner);
  g_free (self);
}

static const OrmaDriver mapped_cursor_driver = {
  .name = "mapped",
  .cursor_next = mapped_next,
  .cursor_n_columns = mapped_n_columns,
  .cursor_column_name = mapped_column_name,
  .cursor_is_null = mapped_is_null,
  .cursor_get = mapped_get,
  .cursor_free = mapped_free,
};

/* The result column named @name (PostgreSQL folds unquoted names to
 * lower case, so the case is not compared), or -1. */
static int
find_result_column (OrmaCursor *cursor,
                    const char *name)
{
  guint n = _orma_cursor_n_columns (cursor);

  for (guint i = 0; i < n; i++)
    {
      const char *candidate = cursor->driver->cursor_column_name (cursor, i);

      if (candidate != NULL && g_ascii_strcasecmp (candidate, name) == 0)
        return i;
    }
  return -1;
}

OrmaCursor *
_orma_query_text_cursor (OrmaCursor  *inner,
                         OrmaMapper  *mapper,
                         GError     **error)
{
  MappedCursor *cursor = g_malloc0 (sizeof (MappedCursor) + mapper->n_columns * sizeof (guint));

  cursor->base.driver = &mapped_cursor_driver;
  cursor->inner = inner;
  cursor->n_columns = mapper->n_columns;
  for (guint i = 0; i < mapper->n_columns; i++)
    {
      const char *name = _orma_mapper_column (mapper, i)->name;
      int found = find_result_column (inner, name);

      if (found < 0)
        {
          _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                           "the textual query for %s gives no column \"%s\"",
                           g_type_name (mapper->type), name);
          mapped_free (&cursor->base);
          return NULL;
        }
      cursor->map[i] = found;
    }
  return &cursor->base;
}

/* ------------------------------------------------------------------ */
/* Columns of a query over a subquery                                  */

typedef OrmaExpr *(*BinaryFunc) (OrmaExpr *left, OrmaExpr *right);

static BinaryFunc
binary_constructor (const char *op)
{
  static const struct { const char *op; BinaryFunc func; } ops[] = {
    { "=", orma_eq }, { "!=", orma_ne }, { "<", orma_lt }, { "<=", orma_le },
    { ">", orma_gt }, { ">=", orma_ge }, { "LIKE", orma_like },
  };

  for (guint i = 0; op != NULL && i < G_N_ELEMENTS (ops); i++)
    if (strcmp (ops[i].op, op) == 0)
      return ops[i].func;
  return NULL;
}

/* Drops what adapt() returned for a child when the parent stays as it
 * was: a new node (floating) is freed, a borrowed one left alone. */
static void
drop (OrmaExpr *expr)
{
  if (expr->floating)
    orma_expr_unref (orma_expr_ref_sink (expr));
}

static OrmaExpr *adapt (OrmaAlias *from, OrmaTable *table, OrmaExpr *expr);

/* A node rebuilt over adapted children, or @expr itself when none of
 * them changed or the kind cannot be rebuilt. */
static OrmaExpr *
adapt_node (OrmaAlias *from,
            OrmaTable *table,
            OrmaExpr  *expr)
{
  OrmaExpr *children[8];
  gboolean changed = FALSE;
  guint n = expr->n_children;
  BinaryFunc binary;

  if (n == 0 || n > G_N_ELEMENTS (children))
    return expr;
  for (guint i = 0; i < n; i++)
    {
      children[i] = adapt (from, table, expr->children[i]);
      changed |= children[i] != expr->children[i];
    }
  if (changed)
    switch (expr->kind)
      {
      case ORMA_EXPR_ASC:         return orma_asc (children[0]);
      case ORMA_EXPR_DESC:        return orma_desc (children[0]);
      case ORMA_EXPR_NOT:         return orma_not (children[0]);
      case ORMA_EXPR_IS_NULL:     return orma_is_null (children[0]);
      case ORMA_EXPR_IS_NOT_NULL: return orma_is_not_null (children[0]);
      case ORMA_EXPR_LABEL:       return orma_label (children[0], expr->name);
      case ORMA_EXPR_AND:
      case ORMA_EXPR_OR:          return _orma_expr_new_junction (expr->kind, children, n);
      case ORMA_EXPR_IN:          return orma_in_array (children[0], children + 1, n - 1);
      case ORMA_EXPR_NOT_IN:      return orma_not_in_array (children[0], children + 1, n - 1);
      case ORMA_EXPR_BINARY:
        if ((binary = binary_constructor (expr->op)) != NULL)
          return binary (children[0], children[1]);
        break;
      case ORMA_EXPR_FUNC:
        if (n == 1)
          return orma_func (expr->name, children[0], NULL);
        if (n == 2)
          return orma_func (expr->name, children[0], children[1], NULL);
        break;
      default:
        break;
      }
  for (guint i = 0; i < n; i++)
    drop (children[i]);
  return expr;
}

/* @expr with the columns of @table itself read from @from instead. */
static OrmaExpr *
adapt (OrmaAlias *from,
       OrmaTable *table,
       OrmaExpr  *expr)
{
  if (expr->kind == ORMA_EXPR_COLUMN)
    {
      if (expr->from != NULL || expr->table != table)
        return expr;
      return orma_alias_col (from, _orma_table_column (table, expr->column)->name);
    }
  return adapt_node (from, table, expr);
}

OrmaExpr *
_orma_query_adapt (OrmaQuery *self,
                   OrmaExpr  *expr)
{
  if (self->from_item == NULL || self->from_item->kind != ORMA_ALIAS_SUBQUERY ||
      self->mapper == NULL)
    return expr;
  return adapt (self->from_item, self->mapper->table, expr);
}
