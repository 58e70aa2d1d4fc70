/* orma-compiler.c: turns expression trees and table metadata into SQL
 * text plus the list of values to bind.
 *
 * The output is deterministic (the same tree always gives the same text)
 * so that the connection's statement cache, keyed by the SQL text, finds
 * repeated statements, and so that tests can compare exact strings.
 * User values never enter the text: each VALUE node becomes a placeholder
 * and a pointer to its GValue is appended to the parameters.
 *
 * Precedence is handled by parenthesizing any compound child of a
 * compound node instead of by operator priorities: a little more
 * punctuation, never a wrong grouping.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-compiler-private.h"
#include "orma-error-private.h"

#include <string.h>

static gboolean compile (OrmaCompiler *c, OrmaExpr *expr, GError **error);

/* ------------------------------------------------------------ state */

void
_orma_compiler_init (OrmaCompiler      *c,
                     const OrmaDialect *dialect,
                     GString           *sql,
                     GPtrArray         *params,
                     GArray            *scratch)
{
  memset (c, 0, sizeof *c);
  c->dialect = dialect;
  c->sql = sql;
  c->params = params;
  c->scratch = scratch;
  c->alias_names = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  c->counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  c->used_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         NULL);
}

void
_orma_compiler_clear (OrmaCompiler *c)
{
  g_clear_pointer (&c->alias_names, g_hash_table_unref);
  g_clear_pointer (&c->counters, g_hash_table_unref);
  g_clear_pointer (&c->used_names, g_hash_table_unref);
}

void
_orma_compiler_param (OrmaCompiler *c, const GValue *value)
{
  g_ptr_array_add (c->params, (gpointer) value);
  _orma_dialect_append_param (c->dialect, c->sql, c->params->len);
}

static void
append_param (OrmaCompiler *c, const GValue *value)
{
  _orma_compiler_param (c, value);
}

/* Anonymous aliases are numbered per prefix ("users_1", "users_2",
 * "anon_1") in the order the compiler first meets them, which depends
 * only on the shape of the statement: the same query always gives the
 * same text, and the statement cache finds it. A number whose name is
 * already taken (an explicit alias called "users_1") is skipped. */
static char *
generate_name (OrmaCompiler *c, const char *prefix)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (c->counters, prefix));
  char *name;

  for (;;)
    {
      name = g_strdup_printf ("%s_%u", prefix, ++n);
      if (!g_hash_table_contains (c->used_names, name))
        break;
      g_free (name);
    }
  g_hash_table_replace (c->counters, g_strdup (prefix), GUINT_TO_POINTER (n));
  return name;
}

const char *
_orma_compiler_new_name (OrmaCompiler *c, const char *prefix)
{
  char *name = generate_name (c, prefix);

  g_hash_table_add (c->used_names, name);
  return name;
}

const char *
_orma_compiler_alias_name (OrmaCompiler *c, OrmaAlias *alias)
{
  char *name = g_hash_table_lookup (c->alias_names, alias);

  if (name != NULL)
    return name;

  if (alias->kind == ORMA_ALIAS_TABLE && !alias->is_alias)
    name = g_strdup (alias->table->name);
  else if (alias->name != NULL)
    name = g_strdup (alias->name);
  else
    name = generate_name (c, alias->kind == ORMA_ALIAS_TABLE
                             ? alias->table->name : "anon");
  g_hash_table_add (c->used_names, g_strdup (name));
  g_hash_table_insert (c->alias_names, alias, name);
  return name;
}

static void
append_identifier (OrmaCompiler *c, const char *identifier)
{
  _orma_dialect_append_identifier (c->dialect, c->sql, identifier);
}

/* Whether @expr prints as "a AND b" or "a OR b"; a junction of one
 * condition prints as that condition. */
static gboolean
is_junction (OrmaExpr *expr)
{
  if (expr->kind != ORMA_EXPR_AND && expr->kind != ORMA_EXPR_OR)
    return FALSE;
  if (expr->n_children == 0 || expr->children[0] == NULL)
    return FALSE;
  return expr->n_children > 1 || is_junction (expr->children[0]);
}

/* Nodes whose text is an operator expression that would bind differently
 * inside another operator; atoms and function calls never need
 * parentheses, nor does NOT, which brings its own. */
static gboolean
is_compound (OrmaExpr *expr)
{
  switch (expr->kind)
    {
    case ORMA_EXPR_BINARY:
    case ORMA_EXPR_IS_NULL:
    case ORMA_EXPR_IS_NOT_NULL:
    case ORMA_EXPR_IN:
    case ORMA_EXPR_NOT_IN:
    case ORMA_EXPR_IN_SELECT:
    case ORMA_EXPR_TEXT:      /* unknown text: never trust its grouping */
      return TRUE;
    case ORMA_EXPR_LABEL:
      return is_compound (expr->children[0]);
    case ORMA_EXPR_AND:
    case ORMA_EXPR_OR:
      return expr->n_children != 1 || expr->children[0] == NULL ||
             is_compound (expr->children[0]);
    default:
      return FALSE;
    }
}

static gboolean
compile_parenthesized (OrmaCompiler *c, OrmaExpr *expr, gboolean parens,
                       GError **error)
{
  if (parens)
    g_string_append_c (c->sql, '(');
  if (!compile (c, expr, error))
    return FALSE;
  if (parens)
    g_string_append_c (c->sql, ')');
  return TRUE;
}

/* An operand of a comparison, IS NULL, IN, ASC/DESC */
static gboolean
compile_operand (OrmaCompiler *c, OrmaExpr *expr, GError **error)
{
  return compile_parenthesized (c, expr, is_compound (expr), error);
}

/* A member of an AND or OR: comparisons bind tighter than AND and OR,
 * so only a nested junction needs parentheses. They are written even for
 * AND inside OR, where SQL would not need them, for the reader's sake. */
static gboolean
compile_condition (OrmaCompiler *c, OrmaExpr *expr, GError **error)
{
  return compile_parenthesized (c, expr,
                                is_junction (expr) ||
                                expr->kind == ORMA_EXPR_TEXT, error);
}

typedef gboolean (*CompileFunc) (OrmaCompiler *c, OrmaExpr *expr, GError **error);

static gboolean
compile_list (OrmaCompiler *c,
              OrmaExpr    **items,
              guint         n_items,
              const char *separator,
              CompileFunc compile_item,
              GError    **error)
{
  guint i;

  for (i = 0; i < n_items; i++)
    {
      if (i > 0)
        g_string_append (c->sql, separator);
      if (!compile_item (c, items[i], error))
        return FALSE;
    }
  return TRUE;
}

/* A junction of one condition is that condition: the parent decided on
 * parentheses already (is_junction() and is_compound() look through). */
static gboolean
compile_junction (OrmaCompiler *c, OrmaExpr *expr, GError **error)
{
  /* Only built inside Orma (the public constructors refuse it): an empty
   * AND is true and an empty OR false, as the identities of the operators */
  if (expr->n_children == 0)
    {
      g_string_append (c->sql, expr->kind == ORMA_EXPR_AND ? "1 = 1" : "1 = 0");
      return TRUE;
    }
  if (expr->n_children == 1)
    return compile (c, expr->children[0], error);
  return compile_list (c, expr->children, expr->n_children,
                       expr->kind == ORMA_EXPR_AND ? " AND " : " OR ",
                       compile_condition, error);
}

/* The name a column has for its FROM item: a column of the table (of a
 * table alias) or a result column of a subquery alias. */
static const char *
column_name (OrmaExpr *expr)
{
  if (expr->from != NULL && expr->from->kind == ORMA_ALIAS_SUBQUERY)
    {
      GPtrArray *names = expr->from->column_names;

      return expr->column < names->len
             ? g_ptr_array_index (names, expr->column) : NULL;
    }
  if (expr->table == NULL || expr->column >= expr->table->columns->len)
    return NULL;
  return _orma_table_column (expr->table, expr->column)->name;
}

/* table.column, alias.column, or the bare column where the SQL wants
 * result column names (the ORDER BY of a UNION) */
static gboolean
compile_column (OrmaCompiler *c, OrmaExpr *expr, GError **error)
{
  const char *name = column_name (expr);

  if (name == NULL)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "Column expression without a valid table column");
      return FALSE;
    }
  if (!c->bare_columns)
    {
      if (expr->from != NULL)
        append_identifier (c, _orma_compiler_alias_name (c, expr->from));
      else
        append_identifier (c, expr->table->name);
      g_string_append_c (c->sql, '.');
    }
  append_identifier (c, name);
  return TRUE;
}

/* The select list prints "expr AS name" itself (orma-select.c); in any
 * other place a label stands for its expression, which is valid in
 * every clause of both dialects, except in the ORDER BY of a UNION where
 * only result column names are allowed. */
static gboolean
compile_label (OrmaCompiler *c, OrmaExpr *expr, GError **error)
{
  if (c->bare_columns)
    {
      append_identifier (c, expr->name);
      return TRUE;
    }
  return compile (c, expr->children[0], error);
}

/* A nested SELECT, in parentheses, with the statement's naming and
 * parameters, and not in the enclosing clause's printing mode. */
static gboolean
compile_subselect (OrmaCompiler *c, const char *prefix, OrmaExpr *expr,
                   GError **error)
{
  gboolean bare_columns = c->bare_columns;
  gboolean ok;

  g_string_append (c->sql, prefix);
  g_string_append_c (c->sql, '(');
  c->bare_columns = FALSE;
  ok = _orma_compiler_select (c, expr->select, error);
  c->bare_columns = bare_columns;
  if (ok)
    g_string_append_c (c->sql, ')');
  return ok;
}

static gboolean
compile_in_select (OrmaCompiler *c, OrmaExpr *expr, GError **error)
{
  if (!compile_operand (c, expr->children[0], error))
    return FALSE;
  return compile_subselect (c, " IN ", expr, error);
}

static gboolean
compile_postfix (OrmaCompiler *c, OrmaExpr *expr, const char *suffix,
                 GError **error)
{
  if (!compile_operand (c, expr->children[0], error))
    return FALSE;
  g_string_append (c->sql, suffix);
  return TRUE;
}

/* The operand of an empty IN is still compiled, into a throwaway buffer,
 * so that an error inside it is not silently dropped. */
static gboolean
check_expr (const OrmaDialect *dialect, OrmaExpr *expr, GError **error)
{
  g_autoptr (GString) sql = g_string_new (NULL);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();

  return _orma_compile_expr (dialect, expr, sql, params, error);
}

static gboolean
compile_in (OrmaCompiler *c, OrmaExpr *expr, GError **error)
{
  gboolean negated = expr->kind == ORMA_EXPR_NOT_IN;

  if (expr->n_children == 1)
    {
      /* As SQLAlchemy does: IN () matches nothing, NOT IN () everything */
      if (!check_expr (c->dialect, expr->children[0], error))
        return FALSE;
      g_string_append (c->sql, negated ? "1 = 1" : "1 = 0");
      return TRUE;
    }

  if (!compile_operand (c, expr->children[0], error))
    return FALSE;
  g_string_append (c->sql, negated ? " NOT IN (" : " IN (");
  if (!compile_list (c, expr->children + 1, expr->n_children - 1, ", ",
                     compile, error))
    return FALSE;
  g_string_append_c (c->sql, ')');
  return TRUE;
}

static gboolean
compile_func (OrmaCompiler *c, OrmaExpr *expr, GError **error)
{
  /* the name is written as given: function names are not identifiers to
   * quote, and "count" must not become "COUNT" or "\"count\"" */
  g_string_append (c->sql, expr->name);
  g_string_append_c (c->sql, '(');
  if (!compile_list (c, expr->children, expr->n_children, ", ", compile,
                     error))
    return FALSE;
  g_string_append_c (c->sql, ')');
  return TRUE;
}

static gboolean
compile_binary (OrmaCompiler *c, OrmaExpr *expr, GError **error)
{
  if (!compile_operand (c, expr->children[0], error))
    return FALSE;
  g_string_append_printf (c->sql, " %s ", expr->op);
  return compile_operand (c, expr->children[1], error);
}

static gboolean
compile_not (OrmaCompiler *c, OrmaExpr *expr, GError **error)
{
  g_string_append (c->sql, "NOT (");
  if (!compile (c, expr->children[0], error))
    return FALSE;
  g_string_append_c (c->sql, ')');
  return TRUE;
}

/* The number of children each kind needs (-1: any, -2: at least one);
 * nodes built inside Orma without the public constructors are checked
 * here rather than trusted. */
static int
expected_children (OrmaExprKind kind)
{
  switch (kind)
    {
    case ORMA_EXPR_VALUE:
    case ORMA_EXPR_COLUMN:
    case ORMA_EXPR_STAR:
    case ORMA_EXPR_ERROR:
    case ORMA_EXPR_EXISTS:
    case ORMA_EXPR_SUBQUERY:
    case ORMA_EXPR_TEXT:
      return 0;
    case ORMA_EXPR_BINARY:
      return 2;
    case ORMA_EXPR_IS_NULL:
    case ORMA_EXPR_IS_NOT_NULL:
    case ORMA_EXPR_NOT:
    case ORMA_EXPR_ASC:
    case ORMA_EXPR_DESC:
    case ORMA_EXPR_LABEL:
    case ORMA_EXPR_IN_SELECT:
      return 1;
    case ORMA_EXPR_IN:
    case ORMA_EXPR_NOT_IN:
      return -2;
    default:
      return -1;
    }
}

static gboolean
check_shape (OrmaExpr *expr, GError **error)
{
  int expected = expected_children (expr->kind);
  gboolean ok;
  guint i;

  if (expected >= 0)
    ok = expr->n_children == (guint) expected;
  else
    ok = expected == -1 || expr->n_children >= 1;
  if (expr->kind == ORMA_EXPR_BINARY && expr->op == NULL)
    ok = FALSE;
  if ((expr->kind == ORMA_EXPR_FUNC || expr->kind == ORMA_EXPR_LABEL ||
       expr->kind == ORMA_EXPR_TEXT) && expr->name == NULL)
    ok = FALSE;
  if ((expr->kind == ORMA_EXPR_EXISTS || expr->kind == ORMA_EXPR_SUBQUERY ||
       expr->kind == ORMA_EXPR_IN_SELECT) && expr->select == NULL)
    ok = FALSE;
  for (i = 0; ok && i < expr->n_children; i++)
    ok = expr->children[i] != NULL;

  if (!ok)
    _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                     "Malformed expression node (kind %d, %u operands)",
                     (int) expr->kind, expr->n_children);
  return ok;
}

static gboolean
compile (OrmaCompiler *c, OrmaExpr *expr, GError **error)
{
  if (!check_shape (expr, error))
    return FALSE;

  switch (expr->kind)
    {
    case ORMA_EXPR_VALUE:
      append_param (c, &expr->value);
      return TRUE;
    case ORMA_EXPR_COLUMN:
      return compile_column (c, expr, error);
    case ORMA_EXPR_STAR:
      g_string_append_c (c->sql, '*');
      return TRUE;
    case ORMA_EXPR_BINARY:
      return compile_binary (c, expr, error);
    case ORMA_EXPR_IS_NULL:
      return compile_postfix (c, expr, " IS NULL", error);
    case ORMA_EXPR_IS_NOT_NULL:
      return compile_postfix (c, expr, " IS NOT NULL", error);
    case ORMA_EXPR_IN:
    case ORMA_EXPR_NOT_IN:
      return compile_in (c, expr, error);
    case ORMA_EXPR_AND:
    case ORMA_EXPR_OR:
      return compile_junction (c, expr, error);
    case ORMA_EXPR_NOT:
      return compile_not (c, expr, error);
    case ORMA_EXPR_FUNC:
      return compile_func (c, expr, error);
    case ORMA_EXPR_ASC:
      return compile_postfix (c, expr, " ASC", error);
    case ORMA_EXPR_DESC:
      return compile_postfix (c, expr, " DESC", error);
    case ORMA_EXPR_LABEL:
      return compile_label (c, expr, error);
    case ORMA_EXPR_EXISTS:
      return compile_subselect (c, "EXISTS ", expr, error);
    case ORMA_EXPR_SUBQUERY:
      return compile_subselect (c, "", expr, error);
    case ORMA_EXPR_IN_SELECT:
      return compile_in_select (c, expr, error);
    case ORMA_EXPR_TEXT:
      g_string_append (c->sql, expr->name);
      return TRUE;
    case ORMA_EXPR_ERROR:
      g_set_error_literal (error, ORMA_ERROR, expr->error_code,
                           expr->name != NULL ? expr->name
                                              : "Invalid expression");
      return FALSE;
    default:
      break;
    }

  _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                   "Unknown kind of expression (%d)", (int) expr->kind);
  return FALSE;
}

gboolean
_orma_compile_expr (const OrmaDialect *dialect,
                    OrmaExpr          *expr,
                    GString           *sql,
                    GPtrArray         *params,
                    GError           **error)
{
  OrmaCompiler c;
  gboolean ok;

  g_return_val_if_fail (dialect != NULL, FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (expr == NULL)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "No expression to compile");
      return FALSE;
    }
  _orma_compiler_init (&c, dialect, sql, params, NULL);
  ok = compile (&c, expr, error);
  _orma_compiler_clear (&c);
  return ok;
}

gboolean
_orma_compiler_expr (OrmaCompiler *c,
                     OrmaExpr     *expr,
                     GError      **error)
{
  if (expr == NULL)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "No expression to compile");
      return FALSE;
    }
  return compile (c, expr, error);
}

/* ------------------------------------------------------------ DML */

static void
append_column_name (const OrmaDialect *dialect,
                    GString           *sql,
                    OrmaTable         *table,
                    guint              column)
{
  _orma_dialect_append_identifier (dialect, sql,
                                   _orma_table_column (table, column)->name);
}

static void
append_column_list (const OrmaDialect *dialect,
                    GString           *sql,
                    OrmaTable         *table,
                    const guint       *columns,
                    guint              n_columns)
{
  guint i;

  for (i = 0; i < n_columns; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      append_column_name (dialect, sql, table, columns[i]);
    }
}

/* "a = ?<sep>b = ?", numbering the placeholders from *n_params + 1 */
static void
append_assignments (const OrmaDialect *dialect,
                    GString           *sql,
                    OrmaTable         *table,
                    const guint       *columns,
                    guint              n_columns,
                    const char        *separator,
                    guint             *n_params)
{
  guint i;

  for (i = 0; i < n_columns; i++)
    {
      if (i > 0)
        g_string_append (sql, separator);
      append_column_name (dialect, sql, table, columns[i]);
      g_string_append (sql, " = ");
      _orma_dialect_append_param (dialect, sql, ++*n_params);
    }
}

static void
append_where (const OrmaDialect *dialect,
              GString           *sql,
              OrmaTable         *table,
              const guint       *where,
              guint              n_where,
              guint             *n_params)
{
  if (n_where == 0)
    return;
  g_string_append (sql, " WHERE ");
  append_assignments (dialect, sql, table, where, n_where, " AND ",
                      n_params);
}

static gboolean
columns_valid (OrmaTable *table, const guint *columns, guint n_columns)
{
  guint i;

  if (n_columns > 0 && columns == NULL)
    return FALSE;
  for (i = 0; i < n_columns; i++)
    {
      if (columns[i] >= table->columns->len)
        return FALSE;
    }
  return TRUE;
}

char *
_orma_compile_insert (const OrmaDialect *dialect,
                      OrmaTable         *table,
                      const guint       *columns,
                      guint              n_columns,
                      const guint       *returning,
                      guint              n_returning)
{
  g_autoptr (GString) sql = g_string_new ("INSERT INTO ");
  guint i;

  g_return_val_if_fail (dialect != NULL, NULL);
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (columns_valid (table, columns, n_columns), NULL);
  g_return_val_if_fail (columns_valid (table, returning, n_returning), NULL);

  _orma_dialect_append_identifier (dialect, sql, table->name);
  if (n_columns == 0)
    {
      /* a row made only of generated and default values */
      g_string_append (sql, " DEFAULT VALUES");
    }
  else
    {
      g_string_append (sql, " (");
      append_column_list (dialect, sql, table, columns, n_columns);
      g_string_append (sql, ") VALUES (");
      for (i = 0; i < n_columns; i++)
        {
          if (i > 0)
            g_string_append (sql, ", ");
          _orma_dialect_append_param (dialect, sql, i + 1);
        }
      g_string_append_c (sql, ')');
    }

  if (n_returning > 0)
    {
      g_string_append (sql, " RETURNING ");
      append_column_list (dialect, sql, table, returning, n_returning);
    }
  return g_string_free (g_steal_pointer (&sql), FALSE);
}

char *
_orma_compile_update (const OrmaDialect *dialect,
                      OrmaTable         *table,
                      const guint       *set,
                      guint              n_set,
                      const guint       *where,
                      guint              n_where)
{
  g_autoptr (GString) sql = g_string_new ("UPDATE ");
  guint n_params = 0;

  g_return_val_if_fail (dialect != NULL, NULL);
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (n_set > 0, NULL);
  g_return_val_if_fail (columns_valid (table, set, n_set), NULL);
  g_return_val_if_fail (columns_valid (table, where, n_where), NULL);

  _orma_dialect_append_identifier (dialect, sql, table->name);
  g_string_append (sql, " SET ");
  append_assignments (dialect, sql, table, set, n_set, ", ", &n_params);
  append_where (dialect, sql, table, where, n_where, &n_params);
  return g_string_free (g_steal_pointer (&sql), FALSE);
}

char *
_orma_compile_delete (const OrmaDialect *dialect,
                      OrmaTable         *table,
                      const guint       *where,
                      guint              n_where)
{
  g_autoptr (GString) sql = g_string_new ("DELETE FROM ");
  guint n_params = 0;

  g_return_val_if_fail (dialect != NULL, NULL);
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (columns_valid (table, where, n_where), NULL);

  _orma_dialect_append_identifier (dialect, sql, table->name);
  append_where (dialect, sql, table, where, n_where, &n_params);
  return g_string_free (g_steal_pointer (&sql), FALSE);
}
