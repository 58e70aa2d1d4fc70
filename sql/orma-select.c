/* orma-select.c: SELECT statements, from OrmaSelect to SQL text.
 *
 *   SELECT [DISTINCT] columns FROM item [, item...] [[LEFT OUTER] JOIN
 *   item ON cond]... [WHERE] [GROUP BY] [HAVING] [UNION [ALL] select]...
 *   [ORDER BY] [LIMIT/OFFSET]
 *
 * A SELECT is compiled in two steps: first its FROM items and join
 * targets are named (anonymous aliases get "<table>_<n>" / "anon_<n>"),
 * then the text is printed. Naming first lets the select list, which
 * comes before FROM in the text, use the same names as FROM, and makes
 * the numbering follow the order of the FROM clause, the order a reader
 * sees. Nested selects are compiled into the same text with the same
 * names and parameters (orma-compiler.c holds the shared state).
 *
 * Correlation is explicit: a subquery's FROM is exactly its own items;
 * a column of an enclosing query's table or alias just prints its name.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-compiler-private.h"
#include "orma-error-private.h"

/* ------------------------------------------------------------ copies */

static OrmaExpr **
copy_exprs (OrmaExpr *const *exprs, guint n)
{
  OrmaExpr **copy;
  guint i;

  if (exprs == NULL || n == 0)
    return NULL;
  copy = g_new (OrmaExpr *, n);
  for (i = 0; i < n; i++)
    copy[i] = exprs[i] != NULL ? orma_expr_ref (exprs[i]) : NULL;
  return copy;
}

static void
free_exprs (OrmaExpr **exprs, guint n)
{
  guint i;

  for (i = 0; exprs != NULL && i < n; i++)
    {
      if (exprs[i] != NULL)
        orma_expr_unref (exprs[i]);
    }
  g_free (exprs);
}

static void
copy_from_items (OrmaSelect *copy, const OrmaSelect *select)
{
  guint i;

  copy->from = select->from != NULL ? orma_table_ref (select->from) : NULL;
  copy->from_item = select->from_item != NULL
                    ? orma_alias_ref (select->from_item) : NULL;
  copy->n_extra_from = select->extra_from != NULL ? select->n_extra_from : 0;
  if (copy->n_extra_from > 0)
    copy->extra_from = g_new (OrmaAlias *, copy->n_extra_from);
  for (i = 0; i < copy->n_extra_from; i++)
    copy->extra_from[i] = orma_alias_ref (select->extra_from[i]);

  copy->n_joins = select->joins != NULL ? select->n_joins : 0;
  if (copy->n_joins > 0)
    copy->joins = g_new0 (OrmaJoin, copy->n_joins);
  for (i = 0; i < copy->n_joins; i++)
    {
      const OrmaJoin *join = &select->joins[i];

      copy->joins[i].kind = join->kind;
      copy->joins[i].target = join->target != NULL
                              ? orma_alias_ref (join->target) : NULL;
      copy->joins[i].on = join->on != NULL ? orma_expr_ref (join->on) : NULL;
    }
}

OrmaSelect *
_orma_select_copy (const OrmaSelect *select)
{
  OrmaSelect *copy;
  guint i;

  g_return_val_if_fail (select != NULL, NULL);

  copy = g_new0 (OrmaSelect, 1);
  copy->owned = TRUE;
  copy_from_items (copy, select);
  copy->n_columns = select->columns != NULL ? select->n_columns : 0;
  copy->columns = copy_exprs (select->columns, copy->n_columns);
  copy->distinct = select->distinct;
  copy->where = select->where != NULL ? orma_expr_ref (select->where) : NULL;
  copy->n_group_by = select->group_by != NULL ? select->n_group_by : 0;
  copy->group_by = copy_exprs (select->group_by, copy->n_group_by);
  copy->having = select->having != NULL ? orma_expr_ref (select->having)
                                        : NULL;
  copy->n_order_by = select->order_by != NULL ? select->n_order_by : 0;
  copy->order_by = copy_exprs (select->order_by, copy->n_order_by);
  copy->limit = select->limit;
  copy->offset = select->offset;

  copy->n_unions = select->unions != NULL ? select->n_unions : 0;
  if (copy->n_unions > 0)
    copy->unions = g_new (OrmaSelect *, copy->n_unions);
  for (i = 0; i < copy->n_unions; i++)
    copy->unions[i] = _orma_select_copy (select->unions[i]);
  copy->union_all = select->union_all;

  /* bound by the copy itself: a nested select has no scratch array */
  if (copy->limit >= 0)
    {
      g_value_init (&copy->limit_value, G_TYPE_INT64);
      g_value_set_int64 (&copy->limit_value, copy->limit);
    }
  if (copy->offset > 0)
    {
      g_value_init (&copy->offset_value, G_TYPE_INT64);
      g_value_set_int64 (&copy->offset_value, copy->offset);
    }
  return copy;
}

void
_orma_select_free (OrmaSelect *select)
{
  guint i;

  if (select == NULL)
    return;
  g_return_if_fail (select->owned);

  g_clear_pointer (&select->from, orma_table_unref);
  g_clear_pointer (&select->from_item, orma_alias_unref);
  for (i = 0; i < select->n_extra_from; i++)
    orma_alias_unref (select->extra_from[i]);
  g_free (select->extra_from);
  for (i = 0; i < select->n_joins; i++)
    {
      g_clear_pointer (&select->joins[i].target, orma_alias_unref);
      g_clear_pointer (&select->joins[i].on, orma_expr_unref);
    }
  g_free (select->joins);
  free_exprs (select->columns, select->n_columns);
  g_clear_pointer (&select->where, orma_expr_unref);
  free_exprs (select->group_by, select->n_group_by);
  g_clear_pointer (&select->having, orma_expr_unref);
  free_exprs (select->order_by, select->n_order_by);
  for (i = 0; i < select->n_unions; i++)
    _orma_select_free (select->unions[i]);
  g_free (select->unions);
  if (G_IS_VALUE (&select->limit_value))
    g_value_unset (&select->limit_value);
  if (G_IS_VALUE (&select->offset_value))
    g_value_unset (&select->offset_value);
  g_free (select);
}

/* ------------------------------------------------------------ naming */

/* The FROM items and join targets of @select, in clause order */
static GPtrArray *
from_items (const OrmaSelect *select)
{
  GPtrArray *items = g_ptr_array_new ();
  guint i;

  if (select->from_item != NULL)
    g_ptr_array_add (items, select->from_item);
  for (i = 0; select->extra_from != NULL && i < select->n_extra_from; i++)
    g_ptr_array_add (items, select->extra_from[i]);
  for (i = 0; select->joins != NULL && i < select->n_joins; i++)
    {
      if (select->joins[i].target != NULL)
        g_ptr_array_add (items, select->joins[i].target);
    }
  return items;
}

static void reserve_select_names (OrmaCompiler *c, const OrmaSelect *select,
                                  GHashTable *seen);

static void
reserve_name (OrmaCompiler *c, const char *name)
{
  g_hash_table_add (c->used_names, g_strdup (name));
}

static void
reserve_alias_names (OrmaCompiler *c, OrmaAlias *alias, GHashTable *seen)
{
  if (!g_hash_table_add (seen, alias))
    return;
  if (alias->kind == ORMA_ALIAS_TABLE && !alias->is_alias)
    reserve_name (c, alias->table->name);
  else if (alias->name != NULL)
    reserve_name (c, alias->name);
  if (alias->kind == ORMA_ALIAS_SUBQUERY && alias->subquery != NULL)
    reserve_select_names (c, alias->subquery, seen);
}

static void
reserve_expr_names (OrmaCompiler *c, OrmaExpr *expr, GHashTable *seen)
{
  guint i;

  if (expr == NULL)
    return;
  if (expr->from != NULL)
    reserve_alias_names (c, expr->from, seen);
  if (expr->select != NULL)
    reserve_select_names (c, expr->select, seen);
  for (i = 0; expr->children != NULL && i < expr->n_children; i++)
    reserve_expr_names (c, expr->children[i], seen);
}

static void
reserve_exprs_names (OrmaCompiler *c, OrmaExpr **exprs, guint n,
                     GHashTable *seen)
{
  guint i;

  for (i = 0; exprs != NULL && i < n; i++)
    reserve_expr_names (c, exprs[i], seen);
}

static void
reserve_select_names (OrmaCompiler *c, const OrmaSelect *select,
                      GHashTable *seen)
{
  g_autoptr (GPtrArray) items = from_items (select);
  guint i;

  if (select->from_item == NULL && select->from != NULL)
    reserve_name (c, select->from->name);
  for (i = 0; i < items->len; i++)
    reserve_alias_names (c, g_ptr_array_index (items, i), seen);
  for (i = 0; select->joins != NULL && i < select->n_joins; i++)
    reserve_expr_names (c, select->joins[i].on, seen);
  reserve_exprs_names (c, select->columns, select->n_columns, seen);
  reserve_expr_names (c, select->where, seen);
  reserve_exprs_names (c, select->group_by, select->n_group_by, seen);
  reserve_expr_names (c, select->having, seen);
  reserve_exprs_names (c, select->order_by, select->n_order_by, seen);
  for (i = 0; select->unions != NULL && i < select->n_unions; i++)
    reserve_select_names (c, select->unions[i], seen);
}

/* Every name the statement uses as it is (tables named bare, aliases
 * named by the caller), at any depth, is taken before the first
 * anonymous alias is named. Taking only those of the select being
 * printed is not enough: an outer alias named "users_1" by the compiler
 * would be shadowed by an alias the caller named "users_1" inside an
 * EXISTS, and a correlation to the outer one would silently bind to the
 * inner one. Done once, by the outermost select of the statement (when
 * nothing is named yet). */
static void
reserve_statement_names (OrmaCompiler *c, const OrmaSelect *select)
{
  g_autoptr (GHashTable) seen = NULL;

  if (g_hash_table_size (c->used_names) > 0 ||
      g_hash_table_size (c->alias_names) > 0)
    return;
  seen = g_hash_table_new (NULL, NULL);
  reserve_select_names (c, select, seen);
}

/* Names given by the caller are taken first, so that an anonymous alias
 * met earlier in the clause never takes one of them. */
static void
name_from_items (OrmaCompiler *c, const OrmaSelect *select)
{
  g_autoptr (GPtrArray) items = from_items (select);
  guint i;

  if (select->from_item == NULL && select->from != NULL)
    reserve_name (c, select->from->name);
  for (i = 0; i < items->len; i++)
    {
      OrmaAlias *item = g_ptr_array_index (items, i);

      if (item->kind == ORMA_ALIAS_TABLE && !item->is_alias)
        reserve_name (c, item->table->name);
      else if (item->name != NULL)
        reserve_name (c, item->name);
    }
  for (i = 0; i < items->len; i++)
    _orma_compiler_alias_name (c, g_ptr_array_index (items, i));
}

/* ------------------------------------------------------------ printing */

static void
append_identifier (OrmaCompiler *c, const char *identifier)
{
  _orma_dialect_append_identifier (c->dialect, c->sql, identifier);
}

static gboolean
compile_exprs (OrmaCompiler *c, OrmaExpr **exprs, guint n, GError **error)
{
  guint i;

  for (i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (c->sql, ", ");
      if (!_orma_compiler_expr (c, exprs[i], error))
        return FALSE;
    }
  return TRUE;
}

/* Every column of the FROM item, qualified by its name in the statement */
static gboolean
append_item_columns (OrmaCompiler *c, const OrmaSelect *select,
                     GError **error)
{
  OrmaAlias *item = select->from_item;
  OrmaTable *table = item != NULL ? item->table : select->from;
  const char *qualifier;
  GPtrArray *names = NULL;
  guint n, i;

  if (item == NULL && table == NULL)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "A SELECT needs a table or columns");
      return FALSE;
    }
  qualifier = item != NULL ? _orma_compiler_alias_name (c, item)
                           : table->name;
  if (item != NULL && item->kind == ORMA_ALIAS_SUBQUERY)
    names = item->column_names;
  n = names != NULL ? names->len : table->columns->len;

  for (i = 0; i < n; i++)
    {
      const char *name = names != NULL ? g_ptr_array_index (names, i)
                                       : _orma_table_column (table, i)->name;

      if (name == NULL)
        {
          _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                           "Column %u of subquery %s has no name to select "
                           "it by", i + 1, qualifier);
          return FALSE;
        }
      if (i > 0)
        g_string_append (c->sql, ", ");
      append_identifier (c, qualifier);
      g_string_append_c (c->sql, '.');
      append_identifier (c, name);
    }
  return TRUE;
}

/* Only a label at the top of a select list item names a result column */
static gboolean
compile_result_column (OrmaCompiler *c, OrmaExpr *column, GError **error)
{
  if (column == NULL || column->kind != ORMA_EXPR_LABEL ||
      column->n_children != 1 || column->name == NULL)
    return _orma_compiler_expr (c, column, error);

  if (!_orma_compiler_expr (c, column->children[0], error))
    return FALSE;
  g_string_append (c->sql, " AS ");
  append_identifier (c, column->name);
  return TRUE;
}

static gboolean
compile_select_list (OrmaCompiler *c, const OrmaSelect *select,
                     GError **error)
{
  guint i;

  if (select->distinct)
    g_string_append (c->sql, "DISTINCT ");
  if (select->columns == NULL || select->n_columns == 0)
    return append_item_columns (c, select, error);

  for (i = 0; i < select->n_columns; i++)
    {
      if (i > 0)
        g_string_append (c->sql, ", ");
      if (!compile_result_column (c, select->columns[i], error))
        return FALSE;
    }
  return TRUE;
}

/* users | users AS users_1 | (SELECT ...) AS anon_1 */
static gboolean
compile_from_item (OrmaCompiler *c, OrmaAlias *item, GError **error)
{
  const char *name = _orma_compiler_alias_name (c, item);

  if (item->kind == ORMA_ALIAS_SUBQUERY)
    {
      g_string_append_c (c->sql, '(');
      if (!_orma_compiler_select (c, item->subquery, error))
        return FALSE;
      g_string_append (c->sql, ") AS ");
      append_identifier (c, name);
      return TRUE;
    }
  append_identifier (c, item->table->name);
  if (item->is_alias)
    {
      g_string_append (c->sql, " AS ");
      append_identifier (c, name);
    }
  return TRUE;
}

static gboolean
compile_joins (OrmaCompiler *c, const OrmaSelect *select, GError **error)
{
  guint i;

  for (i = 0; select->joins != NULL && i < select->n_joins; i++)
    {
      const OrmaJoin *join = &select->joins[i];

      if (join->target == NULL || join->on == NULL)
        {
          _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                           "A JOIN needs a target and an ON condition");
          return FALSE;
        }
      g_string_append (c->sql, join->kind == ORMA_JOIN_LEFT
                               ? " LEFT OUTER JOIN " : " JOIN ");
      if (!compile_from_item (c, join->target, error))
        return FALSE;
      g_string_append (c->sql, " ON ");
      if (!_orma_compiler_expr (c, join->on, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
compile_from (OrmaCompiler *c, const OrmaSelect *select, GError **error)
{
  guint i;

  if (select->from_item == NULL && select->from == NULL)
    {
      if (select->n_extra_from > 0 || select->n_joins > 0)
        {
          _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                           "A SELECT with joins needs a FROM item");
          return FALSE;
        }
      return TRUE;
    }

  g_string_append (c->sql, " FROM ");
  if (select->from_item != NULL)
    {
      if (!compile_from_item (c, select->from_item, error))
        return FALSE;
    }
  else
    {
      append_identifier (c, select->from->name);
    }
  for (i = 0; select->extra_from != NULL && i < select->n_extra_from; i++)
    {
      g_string_append (c->sql, ", ");
      if (!compile_from_item (c, select->extra_from[i], error))
        return FALSE;
    }
  return compile_joins (c, select, error);
}

static gboolean
compile_clause (OrmaCompiler *c, const char *keyword, OrmaExpr **exprs,
                guint n, GError **error)
{
  if (exprs == NULL || n == 0)
    return TRUE;
  g_string_append (c->sql, keyword);
  return compile_exprs (c, exprs, n, error);
}

/* A bare expression sorts ascending without saying so, as in SQL. The
 * ORDER BY of a UNION may only name result columns: there, columns and
 * labels print as bare names. */
static gboolean
compile_order_by (OrmaCompiler *c, const OrmaSelect *select,
                  GError **error)
{
  gboolean ok;

  c->bare_columns = select->n_unions > 0;
  ok = compile_clause (c, " ORDER BY ", select->order_by, select->n_order_by,
                       error);
  c->bare_columns = FALSE;
  return ok;
}

/* A value kept alive by @scratch for as long as the caller keeps it. It
 * lives in a block of its own that a scratch value holds (a boxed
 * GValue), not in the array itself: the array grows with every select of
 * the statement that is not an owned copy (a UNION of selects on the
 * stack), and growing moves its elements, which the parameters already
 * collected would still point to. */
static const GValue *
scratch_int64 (GArray *scratch, gint64 number)
{
  GValue *value = g_new0 (GValue, 1);
  GValue holder = G_VALUE_INIT;

  g_value_init (value, G_TYPE_INT64);
  g_value_set_int64 (value, number);
  g_value_init (&holder, G_TYPE_VALUE);
  g_value_take_boxed (&holder, value);
  g_array_append_val (scratch, holder);   /* the array owns it now */
  return value;
}

/* Limit and offset are parameters too, so that paging through a result
 * reuses one prepared statement. An owned copy carries its own values;
 * a select on the caller's stack has them kept by the scratch array. */
static gboolean
compile_limit_offset (OrmaCompiler *c, const OrmaSelect *select,
                      GError **error)
{
  gboolean has_limit = select->limit >= 0;
  gboolean has_offset = select->offset > 0;
  const GValue *limit = &select->limit_value;
  const GValue *offset = &select->offset_value;

  if (!has_limit && !has_offset)
    return TRUE;

  if (!select->owned)
    {
      if (c->scratch == NULL)
        {
          _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                           "A nested SELECT with LIMIT or OFFSET must be a "
                           "copy (_orma_select_copy)");
          return FALSE;
        }
      if (has_limit)
        limit = scratch_int64 (c->scratch, select->limit);
      if (has_offset)
        offset = scratch_int64 (c->scratch, select->offset);
    }

  if (has_limit)
    {
      g_string_append (c->sql, " LIMIT ");
      _orma_compiler_param (c, limit);
    }
  else if (c->dialect->limit_all != NULL)
    {
      g_string_append_printf (c->sql, " LIMIT %s", c->dialect->limit_all);
    }
  if (has_offset)
    {
      g_string_append (c->sql, " OFFSET ");
      _orma_compiler_param (c, offset);
    }
  return TRUE;
}

static gboolean
has_tail (const OrmaSelect *select)
{
  return select->n_order_by > 0 || select->limit >= 0 || select->offset > 0 ||
         select->n_unions > 0;
}

/* SELECT ... up to HAVING: one member of a compound */
static gboolean
compile_core (OrmaCompiler *c, const OrmaSelect *select, GError **error)
{
  name_from_items (c, select);

  g_string_append (c->sql, "SELECT ");
  if (!compile_select_list (c, select, error))
    return FALSE;
  if (!compile_from (c, select, error))
    return FALSE;
  if (select->where != NULL)
    {
      g_string_append (c->sql, " WHERE ");
      if (!_orma_compiler_expr (c, select->where, error))
        return FALSE;
    }
  if (!compile_clause (c, " GROUP BY ", select->group_by, select->n_group_by,
                       error))
    return FALSE;
  if (select->having != NULL)
    {
      g_string_append (c->sql, " HAVING ");
      if (!_orma_compiler_expr (c, select->having, error))
        return FALSE;
    }
  return TRUE;
}

/* A UNION member with its own ORDER BY, LIMIT or UNION cannot stand in
 * the compound as it is (SQLite allows no parentheses there): it becomes
 * SELECT * FROM (member) AS anon_n. */
static gboolean
compile_union_member (OrmaCompiler *c, const OrmaSelect *member,
                      GError **error)
{
  if (!has_tail (member))
    return compile_core (c, member, error);

  g_string_append (c->sql, "SELECT * FROM (");
  if (!_orma_compiler_select (c, member, error))
    return FALSE;
  g_string_append (c->sql, ") AS ");
  append_identifier (c, _orma_compiler_new_name (c, "anon"));
  return TRUE;
}

gboolean
_orma_compiler_select (OrmaCompiler     *c,
                       const OrmaSelect *select,
                       GError          **error)
{
  guint i;

  if (select == NULL)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY, "No SELECT to compile");
      return FALSE;
    }
  reserve_statement_names (c, select);
  if (!compile_core (c, select, error))
    return FALSE;
  for (i = 0; select->unions != NULL && i < select->n_unions; i++)
    {
      g_string_append (c->sql, select->union_all ? " UNION ALL " : " UNION ");
      if (!compile_union_member (c, select->unions[i], error))
        return FALSE;
    }
  if (!compile_order_by (c, select, error))
    return FALSE;
  return compile_limit_offset (c, select, error);
}

char *
_orma_compile_select (const OrmaDialect *dialect,
                      const OrmaSelect  *select,
                      GPtrArray         *params,
                      GArray            *scratch,
                      GError           **error)
{
  g_autoptr (GString) sql = g_string_new (NULL);
  OrmaCompiler c;
  gboolean ok;

  g_return_val_if_fail (dialect != NULL, NULL);
  g_return_val_if_fail (select != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (scratch != NULL, NULL);

  _orma_compiler_init (&c, dialect, sql, params, scratch);
  ok = _orma_compiler_select (&c, select, error);
  _orma_compiler_clear (&c);
  if (!ok)
    return NULL;
  return g_string_free (g_steal_pointer (&sql), FALSE);
}
