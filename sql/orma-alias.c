/* orma-alias.c: FROM items that are not just a table: a table under
 * another name (self-joins, a table joined twice) and a subquery under a
 * name.
 *
 * An alias only describes the item; it has no name of its own until it
 * is given one or, when anonymous, until a statement is compiled (the
 * compiler names it by its order of appearance, see orma-compiler.c), so
 * one alias object can take part in many statements.
 *
 * Columns of an alias are ordinary COLUMN expressions that hold a
 * reference to the alias in `from`: the compiler qualifies them with the
 * alias's name instead of the table's.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-compiler-private.h"
#include "orma-error.h"

G_DEFINE_BOXED_TYPE (OrmaAlias, orma_alias, orma_alias_ref, orma_alias_unref)

static OrmaAlias *
alias_new (OrmaAliasKind kind, const char *name)
{
  OrmaAlias *alias = g_new0 (OrmaAlias, 1);

  alias->ref_count = 1;
  alias->kind = kind;
  alias->name = g_strdup (name);
  return alias;
}

OrmaAlias *
_orma_alias_new_table (OrmaTable  *table,
                       const char *name,
                       gboolean    is_alias,
                       GType       entity_type)
{
  OrmaAlias *alias;

  g_return_val_if_fail (table != NULL, NULL);

  alias = alias_new (ORMA_ALIAS_TABLE, is_alias ? name : NULL);
  alias->table = orma_table_ref (table);
  alias->is_alias = is_alias;
  alias->entity_type = entity_type;
  return alias;
}

/* The name a result column is known by outside the subquery: its label,
 * or the name of the column it selects; NULL for anything else. */
static char *
result_column_name (OrmaExpr *expr)
{
  if (expr->kind == ORMA_EXPR_LABEL)
    return g_strdup (expr->name);
  if (expr->kind != ORMA_EXPR_COLUMN)
    return NULL;
  if (expr->from != NULL && expr->from->kind == ORMA_ALIAS_SUBQUERY)
    {
      GPtrArray *names = expr->from->column_names;

      return expr->column < names->len
             ? g_strdup (g_ptr_array_index (names, expr->column)) : NULL;
    }
  if (expr->table != NULL && expr->column < expr->table->columns->len)
    return g_strdup (_orma_table_column (expr->table, expr->column)->name);
  return NULL;
}

/* With no column list, a SELECT returns every column of its FROM item */
static void
add_item_column_names (GPtrArray *names, const OrmaSelect *select)
{
  OrmaTable *table = select->from_item != NULL ? select->from_item->table
                                               : select->from;
  guint i;

  if (select->from_item != NULL &&
      select->from_item->kind == ORMA_ALIAS_SUBQUERY)
    {
      GPtrArray *inner = select->from_item->column_names;

      for (i = 0; i < inner->len; i++)
        g_ptr_array_add (names, g_strdup (g_ptr_array_index (inner, i)));
      return;
    }

  for (i = 0; table != NULL && i < table->columns->len; i++)
    g_ptr_array_add (names, g_strdup (_orma_table_column (table, i)->name));
}

OrmaAlias *
_orma_alias_new_subquery (const OrmaSelect *select,
                          const char       *name)
{
  OrmaAlias *alias;
  guint i;

  g_return_val_if_fail (select != NULL, NULL);

  alias = alias_new (ORMA_ALIAS_SUBQUERY, name);
  alias->is_alias = TRUE;
  alias->subquery = _orma_select_copy (select);
  alias->column_names = g_ptr_array_new_with_free_func (g_free);
  if (select->columns != NULL && select->n_columns > 0)
    {
      for (i = 0; i < select->n_columns; i++)
        g_ptr_array_add (alias->column_names,
                         result_column_name (select->columns[i]));
    }
  else
    {
      add_item_column_names (alias->column_names, select);
    }
  return alias;
}

/**
 * orma_table_alias:
 * @table: a table
 * @name: (nullable): the name to give it in SQL; %NULL for an anonymous
 *   alias, which the compiler names "<table>_<n>"
 *
 * The table under another name, to join it twice or to itself.
 *
 * Returns: (transfer full): a new alias
 */
OrmaAlias *
orma_table_alias (OrmaTable  *table,
                  const char *name)
{
  g_return_val_if_fail (table != NULL, NULL);

  return _orma_alias_new_table (table, name, TRUE, G_TYPE_INVALID);
}

/**
 * orma_alias_ref:
 * @alias: an alias
 *
 * Returns: (transfer full): @alias
 */
OrmaAlias *
orma_alias_ref (OrmaAlias *alias)
{
  g_return_val_if_fail (alias != NULL, NULL);

  g_atomic_int_inc (&alias->ref_count);
  return alias;
}

/**
 * orma_alias_unref:
 * @alias: (transfer full): an alias
 *
 * Drops a reference; the last one frees the alias.
 */
void
orma_alias_unref (OrmaAlias *alias)
{
  g_return_if_fail (alias != NULL);

  if (!g_atomic_int_dec_and_test (&alias->ref_count))
    return;
  g_clear_pointer (&alias->table, orma_table_unref);
  g_clear_pointer (&alias->subquery, _orma_select_free);
  g_clear_pointer (&alias->column_names, g_ptr_array_unref);
  g_free (alias->name);
  g_free (alias);
}

OrmaExpr *
_orma_alias_column (OrmaAlias *alias,
                    guint      column)
{
  OrmaExpr *expr;

  g_return_val_if_fail (alias != NULL, NULL);

  if (alias->kind == ORMA_ALIAS_TABLE)
    {
      g_return_val_if_fail (column < alias->table->columns->len, NULL);
      expr = _orma_expr_new_column (alias->table, column, alias->entity_type);
    }
  else
    {
      g_return_val_if_fail (column < alias->column_names->len, NULL);
      if (g_ptr_array_index (alias->column_names, column) == NULL)
        return _orma_expr_new_error (ORMA_ERROR_INVALID_QUERY,
                                     "column %u of subquery %s has no name "
                                     "(label it with orma_label())",
                                     column + 1,
                                     alias->name ? alias->name : "(anonymous)");
      /* a subquery column is known by its position in the result; it has
       * no table of its own */
      expr = _orma_expr_new_column (NULL, column, alias->entity_type);
    }
  expr->from = orma_alias_ref (alias);
  return expr;
}

/* Property names use dashes where column names use underscores */
static gboolean
names_match (const char *a, const char *b)
{
  for (; *a != '\0' && *b != '\0'; a++, b++)
    {
      char ca = *a == '-' ? '_' : *a;
      char cb = *b == '-' ? '_' : *b;

      if (ca != cb)
        return FALSE;
    }
  return *a == *b;
}

static int
find_name (GPtrArray *names, const char *name)
{
  guint i;

  for (i = 0; i < names->len; i++)
    {
      const char *candidate = g_ptr_array_index (names, i);

      if (candidate != NULL && strcmp (candidate, name) == 0)
        return i;
    }
  for (i = 0; i < names->len; i++)
    {
      const char *candidate = g_ptr_array_index (names, i);

      if (candidate != NULL && names_match (candidate, name))
        return i;
    }
  return -1;
}

static int
find_table_column (OrmaTable *table, const char *name)
{
  int index = orma_table_find_column (table, name);
  guint i;

  if (index >= 0)
    return index;
  for (i = 0; i < table->columns->len; i++)
    {
      if (names_match (_orma_table_column (table, i)->name, name))
        return i;
    }
  return -1;
}

static const char *
alias_display_name (OrmaAlias *alias)
{
  if (alias->name != NULL)
    return alias->name;
  if (alias->kind == ORMA_ALIAS_TABLE)
    return alias->table->name;
  return "(anonymous subquery)";
}

/**
 * orma_alias_col:
 * @alias: an alias
 * @name: a column name (or mapped property name) of the aliased table,
 *   or a result column name (label or column name) of a subquery
 *
 * A column of @alias. An unknown name gives an expression that fails
 * with %ORMA_ERROR_UNKNOWN_PROPERTY when it is compiled.
 *
 * Returns: (transfer floating): a new expression
 */
OrmaExpr *
orma_alias_col (OrmaAlias  *alias,
                const char *name)
{
  int index;

  if (alias == NULL)
    return _orma_expr_new_error (ORMA_ERROR_INVALID_QUERY,
                                 "orma_alias_col() was given a NULL alias");
  if (name == NULL)
    return _orma_expr_new_error (ORMA_ERROR_INVALID_QUERY,
                                 "orma_alias_col() was given a NULL name "
                                 "for alias %s", alias_display_name (alias));

  if (alias->kind == ORMA_ALIAS_TABLE)
    index = find_table_column (alias->table, name);
  else
    index = find_name (alias->column_names, name);
  if (index < 0)
    return _orma_expr_new_error (ORMA_ERROR_UNKNOWN_PROPERTY,
                                 "alias %s has no column %s",
                                 alias_display_name (alias), name);
  return _orma_alias_column (alias, index);
}
