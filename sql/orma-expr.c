/* orma-expr.c: SQL expression trees.
 *
 * Nodes are immutable and reference counted. A constructor returns a
 * floating reference that the first owner sinks (the GVariant idiom), so
 * nested builders such as orma_and (orma_eq (a, b), orma_lt (c, d), NULL)
 * hand every node to its parent and leak nothing.
 *
 * Mistakes in building an expression (a NULL operand, an unknown column)
 * do not crash and do not print: they become an ERROR node carrying a
 * GError code and message, which the compiler reports when the
 * expression is turned into SQL, where the caller has a GError to fill.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "orma-compiler-private.h"
#include "orma-error.h"
#include "orma-expr-private.h"
#include "orma-table-private.h"
#include "orma-value-private.h"

G_DEFINE_BOXED_TYPE (OrmaExpr, orma_expr, orma_expr_ref, orma_expr_unref)

static OrmaExpr *
expr_new (OrmaExprKind kind)
{
  OrmaExpr *expr = g_new0 (OrmaExpr, 1);

  expr->ref_count = 1;
  expr->floating = TRUE;
  expr->kind = kind;
  return expr;
}

static void
expr_free (OrmaExpr *expr)
{
  guint i;

  for (i = 0; i < expr->n_children; i++)
    orma_expr_unref (expr->children[i]);
  g_free (expr->children);
  g_free (expr->name);
  if (G_IS_VALUE (&expr->value))
    g_value_unset (&expr->value);
  g_clear_pointer (&expr->table, orma_table_unref);
  g_clear_pointer (&expr->from, orma_alias_unref);
  g_clear_pointer (&expr->select, _orma_select_free);
  g_free (expr);
}

/**
 * orma_expr_ref:
 * @expr: an expression
 *
 * Adds a reference to @expr. A floating expression stays floating.
 *
 * Returns: (transfer full): @expr
 */
OrmaExpr *
orma_expr_ref (OrmaExpr *expr)
{
  g_return_val_if_fail (expr != NULL, NULL);

  g_atomic_int_inc (&expr->ref_count);
  return expr;
}

/**
 * orma_expr_ref_sink:
 * @expr: an expression
 *
 * Takes ownership of the floating reference of @expr if it has one, or
 * adds a reference otherwise.
 *
 * Returns: (transfer full): @expr
 */
OrmaExpr *
orma_expr_ref_sink (OrmaExpr *expr)
{
  g_return_val_if_fail (expr != NULL, NULL);

  if (expr->floating)
    expr->floating = FALSE;
  else
    g_atomic_int_inc (&expr->ref_count);
  return expr;
}

/**
 * orma_expr_unref:
 * @expr: (transfer full): an expression
 *
 * Drops a reference to @expr (floating or not); the last one frees it and
 * drops its references to the expressions it is made of.
 */
void
orma_expr_unref (OrmaExpr *expr)
{
  g_return_if_fail (expr != NULL);

  if (g_atomic_int_dec_and_test (&expr->ref_count))
    expr_free (expr);
}

/**
 * orma_expr_is_floating:
 * @expr: an expression
 *
 * Tells whether @expr still has its floating reference, that is, whether
 * nothing took ownership of it yet.
 *
 * Returns: %TRUE if @expr is floating
 */
gboolean
orma_expr_is_floating (OrmaExpr *expr)
{
  g_return_val_if_fail (expr != NULL, FALSE);

  return expr->floating;
}

OrmaExpr *
_orma_expr_new_error (int         code,
                      const char *format,
                      ...)
{
  OrmaExpr *expr = expr_new (ORMA_EXPR_ERROR);
  va_list args;

  va_start (args, format);
  expr->name = g_strdup_vprintf (format, args);
  va_end (args);
  expr->error_code = code;
  return expr;
}

OrmaExpr *
_orma_expr_new_column (OrmaTable *table,
                       guint      column,
                       GType      entity_type)
{
  OrmaExpr *expr;

  /* NULL only for a column of a subquery alias, which sets `from` */
  g_return_val_if_fail (table == NULL ||
                        column < orma_table_get_n_columns (table), NULL);

  expr = expr_new (ORMA_EXPR_COLUMN);
  expr->table = table != NULL ? orma_table_ref (table) : NULL;
  expr->column = column;
  expr->entity_type = entity_type;
  return expr;
}

/* Sinks every non-NULL operand and drops it: used when a constructor
 * gives up and returns an error node instead, so that the operands it
 * was handed do not leak. */
static void
discard_operands (OrmaExpr **operands, guint n_operands)
{
  guint i;

  for (i = 0; i < n_operands; i++)
    {
      if (operands[i] != NULL)
        orma_expr_unref (orma_expr_ref_sink (operands[i]));
    }
}

static OrmaExpr *
null_operand_error (const char *function)
{
  return _orma_expr_new_error (ORMA_ERROR_INVALID_QUERY,
                               "%s() was given a NULL expression", function);
}

/* A node over @operands, which it sinks; an error node if one is NULL. */
static OrmaExpr *
node_new (const char    *function,
          OrmaExprKind   kind,
          OrmaExpr     **operands,
          guint          n_operands)
{
  OrmaExpr *expr;
  guint i;

  for (i = 0; i < n_operands; i++)
    {
      if (operands[i] == NULL)
        {
          discard_operands (operands, n_operands);
          return null_operand_error (function);
        }
    }

  expr = expr_new (kind);
  expr->children = g_new (OrmaExpr *, MAX (n_operands, 1));
  expr->n_children = n_operands;
  for (i = 0; i < n_operands; i++)
    expr->children[i] = orma_expr_ref_sink (operands[i]);
  return expr;
}

/* Collects the NULL-terminated rest of a variadic call after @first. */
static GPtrArray *
collect_valist (OrmaExpr *first, va_list args)
{
  GPtrArray *items = g_ptr_array_new ();
  OrmaExpr *item;

  for (item = first; item != NULL; item = va_arg (args, OrmaExpr *))
    g_ptr_array_add (items, item);
  return items;
}

/* ------------------------------------------------------------ values */

static OrmaExpr *
value_new (GType type)
{
  OrmaExpr *expr = expr_new (ORMA_EXPR_VALUE);

  if (type != G_TYPE_INVALID)
    g_value_init (&expr->value, type);
  return expr;
}

/**
 * orma_int:
 * @value: an integer
 *
 * A bound integer parameter.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_int (gint64 value)
{
  OrmaExpr *expr = value_new (G_TYPE_INT64);

  g_value_set_int64 (&expr->value, value);
  return expr;
}

/**
 * orma_double:
 * @value: a floating point number
 *
 * A bound floating point parameter.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_double (double value)
{
  OrmaExpr *expr = value_new (G_TYPE_DOUBLE);

  g_value_set_double (&expr->value, value);
  return expr;
}

/**
 * orma_bool:
 * @value: a boolean
 *
 * A bound boolean parameter.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_bool (gboolean value)
{
  OrmaExpr *expr = value_new (G_TYPE_BOOLEAN);

  g_value_set_boolean (&expr->value, value);
  return expr;
}

/**
 * orma_str:
 * @value: (nullable): a string, copied; %NULL stands for SQL NULL
 *
 * A bound text parameter.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_str (const char *value)
{
  OrmaExpr *expr = value_new (G_TYPE_STRING);

  g_value_set_string (&expr->value, value);
  return expr;
}

/**
 * orma_bytes:
 * @value: (nullable): binary data; %NULL stands for SQL NULL
 *
 * A bound binary parameter.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_bytes (GBytes *value)
{
  OrmaExpr *expr = value_new (G_TYPE_BYTES);

  g_value_set_boxed (&expr->value, value);
  return expr;
}

/**
 * orma_datetime:
 * @value: (nullable): a date and time; %NULL stands for SQL NULL
 *
 * A bound timestamp parameter.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_datetime (GDateTime *value)
{
  OrmaExpr *expr = value_new (G_TYPE_DATE_TIME);

  g_value_set_boxed (&expr->value, value);
  return expr;
}

/**
 * orma_null:
 *
 * SQL NULL. Compared with orma_eq() or orma_ne() it gives IS NULL and
 * IS NOT NULL, as `x = NULL` is never true in SQL.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_null (void)
{
  return value_new (G_TYPE_INVALID);
}

/**
 * orma_value:
 * @value: (nullable): a value, copied; %NULL or an unset value stands for
 *   SQL NULL
 *
 * A bound parameter of any type Orma can store.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_value (const GValue *value)
{
  OrmaExpr *expr;

  if (value == NULL || !G_IS_VALUE (value))
    return orma_null ();

  expr = value_new (G_VALUE_TYPE (value));
  g_value_copy (value, &expr->value);
  return expr;
}

/* ------------------------------------------------------------ columns */

/**
 * orma_table_col:
 * @table: a table
 * @column: the name of one of its columns
 *
 * A column of a table, for tables that have no mapped class. An unknown
 * column gives an expression that fails with %ORMA_ERROR_INVALID_QUERY
 * when it is compiled.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_table_col (OrmaTable  *table,
                const char *column)
{
  int index;

  if (table == NULL)
    return _orma_expr_new_error (ORMA_ERROR_INVALID_QUERY,
                                 "orma_table_col() was given a NULL table");
  if (column == NULL)
    return _orma_expr_new_error (ORMA_ERROR_INVALID_QUERY,
                                 "orma_table_col() was given a NULL column "
                                 "name for table %s", table->name);

  index = orma_table_find_column (table, column);
  if (index < 0)
    return _orma_expr_new_error (ORMA_ERROR_INVALID_QUERY,
                                 "table %s has no column %s",
                                 table->name, column);
  return _orma_expr_new_column (table, index, G_TYPE_INVALID);
}

/**
 * orma_star:
 *
 * `*`, as in `count(*)`.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_star (void)
{
  return expr_new (ORMA_EXPR_STAR);
}

/* ------------------------------------------------------------ comparisons */

static gboolean
is_null_value (OrmaExpr *expr)
{
  return expr != NULL && expr->kind == ORMA_EXPR_VALUE &&
         _orma_value_is_null (&expr->value);
}

/* x = NULL is never true in SQL: what the caller means is x IS NULL.
 * The NULL operand is not kept. */
static OrmaExpr *
null_comparison (const char *function,
                 OrmaExprKind kind,
                 OrmaExpr    *left,
                 OrmaExpr    *right)
{
  OrmaExpr *operand = is_null_value (right) ? left : right;
  OrmaExpr *null_value = is_null_value (right) ? right : left;
  OrmaExpr *expr = node_new (function, kind, &operand, 1);

  if (null_value != NULL)
    orma_expr_unref (orma_expr_ref_sink (null_value));
  return expr;
}

static OrmaExpr *
binary_new (const char *function,
            const char *op,
            OrmaExpr   *left,
            OrmaExpr   *right)
{
  OrmaExpr *operands[2] = { left, right };
  OrmaExpr *expr = node_new (function, ORMA_EXPR_BINARY, operands, 2);

  if (expr->kind == ORMA_EXPR_BINARY)
    expr->op = op;
  return expr;
}

/**
 * orma_eq:
 * @left: (transfer floating): an expression
 * @right: (transfer floating): an expression
 *
 * `left = right`; `left IS NULL` when @right is orma_null().
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_eq (OrmaExpr *left, OrmaExpr *right)
{
  if (is_null_value (left) || is_null_value (right))
    return null_comparison ("orma_eq", ORMA_EXPR_IS_NULL, left, right);
  return binary_new ("orma_eq", "=", left, right);
}

/**
 * orma_ne:
 * @left: (transfer floating): an expression
 * @right: (transfer floating): an expression
 *
 * `left != right`; `left IS NOT NULL` when @right is orma_null().
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_ne (OrmaExpr *left, OrmaExpr *right)
{
  if (is_null_value (left) || is_null_value (right))
    return null_comparison ("orma_ne", ORMA_EXPR_IS_NOT_NULL, left, right);
  return binary_new ("orma_ne", "!=", left, right);
}

/**
 * orma_lt:
 * @left: (transfer floating): an expression
 * @right: (transfer floating): an expression
 *
 * `left < right`.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_lt (OrmaExpr *left, OrmaExpr *right)
{
  return binary_new ("orma_lt", "<", left, right);
}

/**
 * orma_le:
 * @left: (transfer floating): an expression
 * @right: (transfer floating): an expression
 *
 * `left <= right`.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_le (OrmaExpr *left, OrmaExpr *right)
{
  return binary_new ("orma_le", "<=", left, right);
}

/**
 * orma_gt:
 * @left: (transfer floating): an expression
 * @right: (transfer floating): an expression
 *
 * `left > right`.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_gt (OrmaExpr *left, OrmaExpr *right)
{
  return binary_new ("orma_gt", ">", left, right);
}

/**
 * orma_ge:
 * @left: (transfer floating): an expression
 * @right: (transfer floating): an expression
 *
 * `left >= right`.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_ge (OrmaExpr *left, OrmaExpr *right)
{
  return binary_new ("orma_ge", ">=", left, right);
}

/**
 * orma_like:
 * @left: (transfer floating): an expression
 * @pattern: (transfer floating): a pattern with `%` and `_` wildcards
 *
 * `left LIKE pattern`.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_like (OrmaExpr *left, OrmaExpr *pattern)
{
  return binary_new ("orma_like", "LIKE", left, pattern);
}

/**
 * orma_is_null:
 * @operand: (transfer floating): an expression
 *
 * `operand IS NULL`.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_is_null (OrmaExpr *operand)
{
  return node_new ("orma_is_null", ORMA_EXPR_IS_NULL, &operand, 1);
}

/**
 * orma_is_not_null:
 * @operand: (transfer floating): an expression
 *
 * `operand IS NOT NULL`.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_is_not_null (OrmaExpr *operand)
{
  return node_new ("orma_is_not_null", ORMA_EXPR_IS_NOT_NULL, &operand, 1);
}

/* The operand first, then the items: the layout of IN nodes */
static OrmaExpr *
in_new (const char   *function,
        OrmaExprKind  kind,
        OrmaExpr     *operand,
        OrmaExpr    **items,
        guint         n_items)
{
  g_autofree OrmaExpr **operands = g_new (OrmaExpr *, n_items + 1);

  operands[0] = operand;
  if (n_items > 0)
    memcpy (operands + 1, items, n_items * sizeof (OrmaExpr *));
  return node_new (function, kind, operands, n_items + 1);
}

static OrmaExpr *
in_new_valist (const char   *function,
               OrmaExprKind  kind,
               OrmaExpr     *operand,
               OrmaExpr     *first_item,
               va_list       args)
{
  g_autoptr (GPtrArray) items = collect_valist (first_item, args);

  return in_new (function, kind, operand,
                 (OrmaExpr **) items->pdata, items->len);
}

/**
 * orma_in:
 * @operand: (transfer floating): an expression
 * @first_item: (transfer floating) (nullable): the first value
 * @...: more values, then %NULL
 *
 * `operand IN (items)`. With no items it is a condition that is always
 * false.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_in (OrmaExpr *operand, OrmaExpr *first_item, ...)
{
  OrmaExpr *expr;
  va_list args;

  va_start (args, first_item);
  expr = in_new_valist ("orma_in", ORMA_EXPR_IN, operand, first_item, args);
  va_end (args);
  return expr;
}

/**
 * orma_not_in:
 * @operand: (transfer floating): an expression
 * @first_item: (transfer floating) (nullable): the first value
 * @...: more values, then %NULL
 *
 * `operand NOT IN (items)`. With no items it is a condition that is
 * always true.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_not_in (OrmaExpr *operand, OrmaExpr *first_item, ...)
{
  OrmaExpr *expr;
  va_list args;

  va_start (args, first_item);
  expr = in_new_valist ("orma_not_in", ORMA_EXPR_NOT_IN, operand,
                        first_item, args);
  va_end (args);
  return expr;
}

/**
 * orma_in_array:
 * @operand: (transfer floating): an expression
 * @items: (array length=n_items) (transfer floating) (nullable): values
 * @n_items: the number of @items
 *
 * `operand IN (items)` with the items in an array.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_in_array (OrmaExpr *operand, OrmaExpr **items, guint n_items)
{
  if (items == NULL && n_items > 0)
    n_items = 0;
  return in_new ("orma_in_array", ORMA_EXPR_IN, operand, items, n_items);
}

/**
 * orma_not_in_array:
 * @operand: (transfer floating): an expression
 * @items: (array length=n_items) (transfer floating) (nullable): values
 * @n_items: the number of @items
 *
 * `operand NOT IN (items)` with the items in an array.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_not_in_array (OrmaExpr *operand, OrmaExpr **items, guint n_items)
{
  if (items == NULL && n_items > 0)
    n_items = 0;
  return in_new ("orma_not_in_array", ORMA_EXPR_NOT_IN, operand, items,
                 n_items);
}

/* ------------------------------------------------------------ logic */

static OrmaExpr *
junction_new_valist (const char   *function,
                     OrmaExprKind  kind,
                     OrmaExpr     *first,
                     va_list       args)
{
  g_autoptr (GPtrArray) operands = collect_valist (first, args);

  if (operands->len == 0)
    return _orma_expr_new_error (ORMA_ERROR_INVALID_QUERY,
                                 "%s() was given no condition", function);
  return node_new (function, kind, (OrmaExpr **) operands->pdata,
                   operands->len);
}

/* For the query builder, which keeps its filters in an array. The single
 * child comes back unchanged rather than wrapped: the caller sinks the
 * result either way. No children gives an empty AND (true) or OR
 * (false), which the public constructors cannot build. */
OrmaExpr *
_orma_expr_new_junction (OrmaExprKind   kind,
                         OrmaExpr     **children,
                         guint          n_children)
{
  g_return_val_if_fail (kind == ORMA_EXPR_AND || kind == ORMA_EXPR_OR, NULL);
  g_return_val_if_fail (children != NULL || n_children == 0, NULL);

  if (n_children == 1 && children[0] != NULL)
    return children[0];
  return node_new (kind == ORMA_EXPR_AND ? "orma_and" : "orma_or", kind,
                   children, n_children);
}

/**
 * orma_and:
 * @first: (transfer floating): a condition
 * @...: more conditions, then %NULL
 *
 * All the conditions joined by AND.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_and (OrmaExpr *first, ...)
{
  OrmaExpr *expr;
  va_list args;

  va_start (args, first);
  expr = junction_new_valist ("orma_and", ORMA_EXPR_AND, first, args);
  va_end (args);
  return expr;
}

/**
 * orma_or:
 * @first: (transfer floating): a condition
 * @...: more conditions, then %NULL
 *
 * All the conditions joined by OR.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_or (OrmaExpr *first, ...)
{
  OrmaExpr *expr;
  va_list args;

  va_start (args, first);
  expr = junction_new_valist ("orma_or", ORMA_EXPR_OR, first, args);
  va_end (args);
  return expr;
}

/**
 * orma_not:
 * @operand: (transfer floating): a condition
 *
 * `NOT (operand)`.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_not (OrmaExpr *operand)
{
  return node_new ("orma_not", ORMA_EXPR_NOT, &operand, 1);
}

/* ------------------------------------------------------------ functions */

static OrmaExpr *
func_new (const char *function,
          const char *name,
          OrmaExpr  **args,
          guint       n_args)
{
  OrmaExpr *expr;

  if (name == NULL || *name == '\0')
    {
      discard_operands (args, n_args);
      return _orma_expr_new_error (ORMA_ERROR_INVALID_QUERY,
                                   "%s() was given no function name",
                                   function);
    }

  expr = node_new (function, ORMA_EXPR_FUNC, args, n_args);
  if (expr->kind == ORMA_EXPR_FUNC)
    expr->name = g_strdup (name);
  return expr;
}

/**
 * orma_func:
 * @name: the SQL function name, written as given
 * @first_arg: (transfer floating) (nullable): the first argument
 * @...: more arguments, then %NULL
 *
 * A call of an SQL function: `name(args)`.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_func (const char *name, OrmaExpr *first_arg, ...)
{
  g_autoptr (GPtrArray) args = NULL;
  va_list va;

  va_start (va, first_arg);
  args = collect_valist (first_arg, va);
  va_end (va);
  return func_new ("orma_func", name, (OrmaExpr **) args->pdata, args->len);
}

/**
 * orma_count:
 * @operand: (transfer floating) (nullable): what to count; %NULL counts
 *   rows, as `count(*)`
 *
 * The `count` aggregate.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_count (OrmaExpr *operand)
{
  if (operand == NULL)
    operand = orma_star ();
  return func_new ("orma_count", "count", &operand, 1);
}

/**
 * orma_sum:
 * @operand: (transfer floating): an expression
 *
 * The `sum` aggregate.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_sum (OrmaExpr *operand)
{
  return func_new ("orma_sum", "sum", &operand, 1);
}

/**
 * orma_min:
 * @operand: (transfer floating): an expression
 *
 * The `min` aggregate.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_min (OrmaExpr *operand)
{
  return func_new ("orma_min", "min", &operand, 1);
}

/**
 * orma_max:
 * @operand: (transfer floating): an expression
 *
 * The `max` aggregate.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_max (OrmaExpr *operand)
{
  return func_new ("orma_max", "max", &operand, 1);
}

/**
 * orma_avg:
 * @operand: (transfer floating): an expression
 *
 * The `avg` aggregate.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_avg (OrmaExpr *operand)
{
  return func_new ("orma_avg", "avg", &operand, 1);
}

/**
 * orma_asc:
 * @operand: (transfer floating): an expression
 *
 * Ascending order on @operand, for ORDER BY.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_asc (OrmaExpr *operand)
{
  return node_new ("orma_asc", ORMA_EXPR_ASC, &operand, 1);
}

/**
 * orma_desc:
 * @operand: (transfer floating): an expression
 *
 * Descending order on @operand, for ORDER BY.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_desc (OrmaExpr *operand)
{
  return node_new ("orma_desc", ORMA_EXPR_DESC, &operand, 1);
}

/* ------------------------------------------------------------ selects */

/**
 * orma_label:
 * @expr: (transfer floating): an expression
 * @name: the name of the result column
 *
 * `expr AS name` in a select list; a subquery's column is then found by
 * @name with orma_alias_col(), and a result row's with
 * orma_result_row_lookup().
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_label (OrmaExpr   *expr,
            const char *name)
{
  OrmaExpr *label;

  if (name == NULL || *name == '\0')
    {
      discard_operands (&expr, 1);
      return _orma_expr_new_error (ORMA_ERROR_INVALID_QUERY,
                                   "orma_label() was given no name");
    }
  label = node_new ("orma_label", ORMA_EXPR_LABEL, &expr, 1);
  if (label->kind == ORMA_EXPR_LABEL)
    label->name = g_strdup (name);
  return label;
}

static OrmaExpr *
select_node_new (OrmaExprKind kind, const OrmaSelect *select)
{
  OrmaExpr *expr = expr_new (kind);

  expr->select = _orma_select_copy (select);
  return expr;
}

OrmaExpr *
_orma_expr_new_exists (const OrmaSelect *select)
{
  g_return_val_if_fail (select != NULL, NULL);

  return select_node_new (ORMA_EXPR_EXISTS, select);
}

OrmaExpr *
_orma_expr_new_scalar_subquery (const OrmaSelect *select)
{
  g_return_val_if_fail (select != NULL, NULL);

  return select_node_new (ORMA_EXPR_SUBQUERY, select);
}

OrmaExpr *
_orma_expr_new_in_select (OrmaExpr         *operand,
                          const OrmaSelect *select)
{
  OrmaExpr *expr;

  g_return_val_if_fail (select != NULL, NULL);

  expr = node_new ("orma_in_query", ORMA_EXPR_IN_SELECT, &operand, 1);
  if (expr->kind == ORMA_EXPR_IN_SELECT)
    expr->select = _orma_select_copy (select);
  return expr;
}

OrmaExpr *
_orma_expr_new_text (const char *sql)
{
  OrmaExpr *expr;

  g_return_val_if_fail (sql != NULL, NULL);

  expr = expr_new (ORMA_EXPR_TEXT);
  expr->name = g_strdup (sql);
  return expr;
}
