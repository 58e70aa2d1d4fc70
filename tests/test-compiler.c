/* test-compiler.c: the SQL compiler, as tables of "expression -> expected
 * SQL + parameters", checked for both dialects whatever the backend under
 * test (no database is involved).
 *
 * Also: identifier quoting, placeholder translation of textual SQL,
 * error nodes, and the floating reference discipline of expressions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "fixtures.h"
#include "orma-compiler-private.h"


/* ------------------------------------------------------------ tables */

static OrmaTable *users;     /* id (generated), name, age, score */
static OrmaTable *user_kw;   /* "user": id, "order" */
static OrmaTable *order_uc;  /* "Order": id, "Total" */
static OrmaTable *docs;      /* id, title, version (version counter) */
static OrmaTable *pairs;     /* composite key (a, b), label */

static void
tables_setup (void)
{
  users = orma_table_new ("users");
  orma_table_add_column (users, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_column (users, "name", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_table_add_column (users, "age", G_TYPE_INT, 0);
  orma_table_add_column (users, "score", G_TYPE_DOUBLE, 0);

  user_kw = orma_table_new ("user");
  orma_table_add_column (user_kw, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_column (user_kw, "order", G_TYPE_INT, 0);

  order_uc = orma_table_new ("Order");
  orma_table_add_column (order_uc, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_column (order_uc, "Total", G_TYPE_DOUBLE, 0);

  docs = orma_table_new ("docs");
  orma_table_add_column (docs, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_column (docs, "title", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_table_add_column (docs, "version", G_TYPE_INT, ORMA_COLUMN_VERSION);

  pairs = orma_table_new ("pairs");
  orma_table_add_column (pairs, "a", G_TYPE_INT, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_column (pairs, "b", G_TYPE_INT, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_column (pairs, "label", G_TYPE_STRING, 0);
}

static void
tables_teardown (void)
{
  g_clear_pointer (&users, orma_table_unref);
  g_clear_pointer (&user_kw, orma_table_unref);
  g_clear_pointer (&order_uc, orma_table_unref);
  g_clear_pointer (&docs, orma_table_unref);
  g_clear_pointer (&pairs, orma_table_unref);
}

#define U(column) orma_table_col (users, (column))

static const OrmaDialect *const dialects[] = {
  &_orma_dialect_sqlite,
  &_orma_dialect_postgresql,
};

/* The bound values as the tests spell them: 'ed', 42, 1.5, TRUE, NULL */
static char *
render_params (GPtrArray *params)
{
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; i < params->len; i++)
    {
      const GValue *value = g_ptr_array_index (params, i);

      if (i > 0)
        g_string_append (out, ", ");
      if (value == NULL || !G_IS_VALUE (value))
        g_string_append (out, "NULL");
      else if (G_VALUE_HOLDS_INT64 (value))
        g_string_append_printf (out, "%" G_GINT64_FORMAT,
                                g_value_get_int64 (value));
      else if (G_VALUE_HOLDS_DOUBLE (value))
        g_string_append_printf (out, "%g", g_value_get_double (value));
      else if (G_VALUE_HOLDS_BOOLEAN (value))
        g_string_append (out, g_value_get_boolean (value) ? "TRUE" : "FALSE");
      else if (G_VALUE_HOLDS_STRING (value) && g_value_get_string (value))
        g_string_append_printf (out, "'%s'", g_value_get_string (value));
      else if (G_VALUE_HOLDS_STRING (value))
        g_string_append (out, "NULL");
      else
        g_string_append (out, G_VALUE_TYPE_NAME (value));
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------ expressions */

typedef struct {
  const char *name;
  OrmaExpr *(*build) (void);
  const char *sqlite;
  const char *postgresql;
  const char *params;
} ExprCase;

static OrmaExpr *e_eq (void) { return orma_eq (U ("name"), orma_str ("ed")); }
static OrmaExpr *e_ne (void) { return orma_ne (U ("name"), orma_str ("ed")); }
static OrmaExpr *e_lt (void) { return orma_lt (U ("age"), orma_int (30)); }
static OrmaExpr *e_le (void) { return orma_le (U ("age"), orma_int (30)); }
static OrmaExpr *e_gt (void) { return orma_gt (U ("score"), orma_double (1.5)); }
static OrmaExpr *e_ge (void) { return orma_ge (U ("age"), orma_int (-2)); }
static OrmaExpr *e_like (void) { return orma_like (U ("name"), orma_str ("e%")); }
static OrmaExpr *e_col_col (void) { return orma_lt (U ("age"), U ("score")); }
static OrmaExpr *e_is_null (void) { return orma_is_null (U ("age")); }
static OrmaExpr *e_is_not_null (void) { return orma_is_not_null (U ("age")); }
static OrmaExpr *e_eq_null (void) { return orma_eq (U ("age"), orma_null ()); }
static OrmaExpr *e_ne_null (void) { return orma_ne (U ("age"), orma_null ()); }
static OrmaExpr *e_null_eq (void) { return orma_eq (orma_null (), U ("age")); }
static OrmaExpr *e_eq_null_str (void) { return orma_eq (U ("name"), orma_str (NULL)); }
static OrmaExpr *e_eq_null_value (void) { return orma_eq (U ("name"), orma_value (NULL)); }

static OrmaExpr *
e_in (void)
{
  return orma_in (U ("id"), orma_int (1), orma_int (2), orma_int (3), NULL);
}

static OrmaExpr *
e_not_in (void)
{
  return orma_not_in (U ("name"), orma_str ("a"), orma_str ("b"), NULL);
}

static OrmaExpr *
e_in_array (void)
{
  OrmaExpr *items[] = { orma_int (7), orma_int (8) };

  return orma_in_array (U ("id"), items, G_N_ELEMENTS (items));
}

static OrmaExpr *
e_not_in_array (void)
{
  OrmaExpr *items[] = { orma_int (7) };

  return orma_not_in_array (U ("id"), items, G_N_ELEMENTS (items));
}

static OrmaExpr *e_in_empty (void) { return orma_in (U ("id"), NULL, NULL); }
static OrmaExpr *e_not_in_empty (void) { return orma_not_in (U ("id"), NULL, NULL); }
static OrmaExpr *e_in_array_empty (void) { return orma_in_array (U ("id"), NULL, 0); }
static OrmaExpr *e_not_in_array_empty (void) { return orma_not_in_array (U ("id"), NULL, 0); }

static OrmaExpr *
e_and (void)
{
  return orma_and (orma_eq (U ("name"), orma_str ("ed")),
                   orma_gt (U ("age"), orma_int (30)), NULL);
}

static OrmaExpr *
e_or (void)
{
  return orma_or (orma_eq (U ("name"), orma_str ("ed")),
                  orma_eq (U ("name"), orma_str ("wendy")),
                  orma_is_null (U ("name")), NULL);
}

static OrmaExpr *
e_and_or (void)
{
  return orma_and (orma_eq (U ("name"), orma_str ("ed")),
                   orma_or (orma_lt (U ("age"), orma_int (18)),
                            orma_gt (U ("age"), orma_int (65)), NULL),
                   NULL);
}

static OrmaExpr *
e_or_and (void)
{
  return orma_or (orma_and (orma_eq (U ("name"), orma_str ("ed")),
                            orma_gt (U ("age"), orma_int (30)), NULL),
                  orma_eq (U ("id"), orma_int (1)), NULL);
}

static OrmaExpr *
e_and_and (void)
{
  return orma_and (orma_eq (U ("id"), orma_int (1)),
                   orma_and (orma_gt (U ("age"), orma_int (1)),
                             orma_lt (U ("age"), orma_int (9)), NULL),
                   NULL);
}

static OrmaExpr *
e_and_one (void)
{
  return orma_and (orma_eq (U ("name"), orma_str ("ed")), NULL);
}

/* a junction of one junction still needs its parentheses */
static OrmaExpr *
e_and_wrapped_or (void)
{
  return orma_and (orma_is_null (U ("age")),
                   orma_and (orma_or (orma_is_null (U ("name")),
                                      orma_is_null (U ("score")), NULL),
                             NULL),
                   NULL);
}

static OrmaExpr *e_not (void) { return orma_not (orma_eq (U ("name"), orma_str ("ed"))); }

static OrmaExpr *
e_not_and (void)
{
  return orma_not (orma_and (orma_eq (U ("name"), orma_str ("ed")),
                             orma_gt (U ("age"), orma_int (30)), NULL));
}

static OrmaExpr *
e_and_not_in (void)
{
  return orma_and (orma_not (orma_eq (U ("id"), orma_int (1))),
                   orma_in (U ("id"), orma_int (2), orma_int (3), NULL),
                   orma_in (U ("id"), NULL, NULL),
                   NULL);
}

static OrmaExpr *
e_nested_binary (void)
{
  return orma_eq (orma_eq (U ("name"), orma_str ("ed")), orma_bool (TRUE));
}

static OrmaExpr *
e_value_condition (void)
{
  return orma_and (orma_bool (FALSE), orma_eq (U ("id"), orma_int (1)), NULL);
}

static OrmaExpr *
e_is_null_compound (void)
{
  return orma_is_null (orma_eq (U ("age"), orma_int (1)));
}

static OrmaExpr *
e_func (void)
{
  return orma_eq (orma_func ("lower", U ("name"), NULL), orma_str ("ed"));
}

static OrmaExpr *e_func_no_args (void) { return orma_func ("random", NULL, NULL); }

static OrmaExpr *
e_func_two_args (void)
{
  return orma_func ("coalesce", U ("name"), orma_str ("?"), NULL);
}

static OrmaExpr *e_count_rows (void) { return orma_count (NULL); }
static OrmaExpr *e_count_star (void) { return orma_count (orma_star ()); }
static OrmaExpr *e_count_col (void) { return orma_count (U ("id")); }
static OrmaExpr *e_sum (void) { return orma_sum (U ("age")); }
static OrmaExpr *e_min (void) { return orma_min (U ("age")); }
static OrmaExpr *e_max (void) { return orma_max (U ("age")); }
static OrmaExpr *e_avg (void) { return orma_avg (U ("score")); }
static OrmaExpr *e_count_gt (void) { return orma_gt (orma_count (NULL), orma_int (1)); }
static OrmaExpr *e_asc (void) { return orma_asc (U ("name")); }
static OrmaExpr *e_desc (void) { return orma_desc (U ("name")); }
static OrmaExpr *e_star (void) { return orma_star (); }

static OrmaExpr *
e_quoted_keyword (void)
{
  return orma_eq (orma_table_col (user_kw, "order"), orma_int (1));
}

static OrmaExpr *
e_quoted_upper (void)
{
  return orma_gt (orma_table_col (order_uc, "Total"), orma_double (9.5));
}

static OrmaExpr *
e_value_kinds (void)
{
  g_auto (GValue) v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_STRING);
  g_value_set_string (&v, "copied");
  return orma_in (U ("name"), orma_value (&v), orma_str (NULL), NULL);
}

static OrmaExpr *
e_junction (void)
{
  OrmaExpr *children[] = { orma_eq (U ("id"), orma_int (1)),
                           orma_is_null (U ("name")) };

  return _orma_expr_new_junction (ORMA_EXPR_OR, children, 2);
}

static OrmaExpr *
e_junction_one (void)
{
  OrmaExpr *children[] = { orma_eq (U ("id"), orma_int (1)) };

  return _orma_expr_new_junction (ORMA_EXPR_AND, children, 1);
}

static OrmaExpr *e_junction_empty_and (void) { return _orma_expr_new_junction (ORMA_EXPR_AND, NULL, 0); }
static OrmaExpr *e_junction_empty_or (void) { return _orma_expr_new_junction (ORMA_EXPR_OR, NULL, 0); }

static OrmaExpr *
e_and_empty_or (void)
{
  return orma_and (orma_eq (U ("id"), orma_int (1)),
                   _orma_expr_new_junction (ORMA_EXPR_OR, NULL, 0), NULL);
}

static const ExprCase expr_cases[] = {
  { "eq", e_eq, "users.name = ?", "users.name = $1", "'ed'" },
  { "ne", e_ne, "users.name != ?", "users.name != $1", "'ed'" },
  { "lt", e_lt, "users.age < ?", "users.age < $1", "30" },
  { "le", e_le, "users.age <= ?", "users.age <= $1", "30" },
  { "gt", e_gt, "users.score > ?", "users.score > $1", "1.5" },
  { "ge", e_ge, "users.age >= ?", "users.age >= $1", "-2" },
  { "like", e_like, "users.name LIKE ?", "users.name LIKE $1", "'e%'" },
  { "column to column", e_col_col, "users.age < users.score", "users.age < users.score", "" },
  { "is null", e_is_null, "users.age IS NULL", "users.age IS NULL", "" },
  { "is not null", e_is_not_null, "users.age IS NOT NULL", "users.age IS NOT NULL", "" },
  { "eq null", e_eq_null, "users.age IS NULL", "users.age IS NULL", "" },
  { "ne null", e_ne_null, "users.age IS NOT NULL", "users.age IS NOT NULL", "" },
  { "null eq", e_null_eq, "users.age IS NULL", "users.age IS NULL", "" },
  { "eq null string", e_eq_null_str, "users.name IS NULL", "users.name IS NULL", "" },
  { "eq null value", e_eq_null_value, "users.name IS NULL", "users.name IS NULL", "" },
  { "in", e_in, "users.id IN (?, ?, ?)", "users.id IN ($1, $2, $3)", "1, 2, 3" },
  { "not in", e_not_in, "users.name NOT IN (?, ?)", "users.name NOT IN ($1, $2)", "'a', 'b'" },
  { "in array", e_in_array, "users.id IN (?, ?)", "users.id IN ($1, $2)", "7, 8" },
  { "not in array", e_not_in_array, "users.id NOT IN (?)", "users.id NOT IN ($1)", "7" },
  { "in empty", e_in_empty, "1 = 0", "1 = 0", "" },
  { "not in empty", e_not_in_empty, "1 = 1", "1 = 1", "" },
  { "in array empty", e_in_array_empty, "1 = 0", "1 = 0", "" },
  { "not in array empty", e_not_in_array_empty, "1 = 1", "1 = 1", "" },
  { "and", e_and, "users.name = ? AND users.age > ?",
    "users.name = $1 AND users.age > $2", "'ed', 30" },
  { "or", e_or, "users.name = ? OR users.name = ? OR users.name IS NULL",
    "users.name = $1 OR users.name = $2 OR users.name IS NULL", "'ed', 'wendy'" },
  { "or inside and", e_and_or,
    "users.name = ? AND (users.age < ? OR users.age > ?)",
    "users.name = $1 AND (users.age < $2 OR users.age > $3)", "'ed', 18, 65" },
  { "and inside or", e_or_and,
    "(users.name = ? AND users.age > ?) OR users.id = ?",
    "(users.name = $1 AND users.age > $2) OR users.id = $3", "'ed', 30, 1" },
  { "and inside and", e_and_and,
    "users.id = ? AND (users.age > ? AND users.age < ?)",
    "users.id = $1 AND (users.age > $2 AND users.age < $3)", "1, 1, 9" },
  { "and of one", e_and_one, "users.name = ?", "users.name = $1", "'ed'" },
  { "and of one or", e_and_wrapped_or,
    "users.age IS NULL AND (users.name IS NULL OR users.score IS NULL)",
    "users.age IS NULL AND (users.name IS NULL OR users.score IS NULL)", "" },
  { "not", e_not, "NOT (users.name = ?)", "NOT (users.name = $1)", "'ed'" },
  { "not and", e_not_and, "NOT (users.name = ? AND users.age > ?)",
    "NOT (users.name = $1 AND users.age > $2)", "'ed', 30" },
  { "and with not and in", e_and_not_in,
    "NOT (users.id = ?) AND users.id IN (?, ?) AND 1 = 0",
    "NOT (users.id = $1) AND users.id IN ($2, $3) AND 1 = 0", "1, 2, 3" },
  { "comparison of a comparison", e_nested_binary, "(users.name = ?) = ?",
    "(users.name = $1) = $2", "'ed', TRUE" },
  { "value as condition", e_value_condition, "? AND users.id = ?",
    "$1 AND users.id = $2", "FALSE, 1" },
  { "is null of a comparison", e_is_null_compound, "(users.age = ?) IS NULL",
    "(users.age = $1) IS NULL", "1" },
  { "function", e_func, "lower(users.name) = ?", "lower(users.name) = $1", "'ed'" },
  { "function without arguments", e_func_no_args, "random()", "random()", "" },
  { "function with two arguments", e_func_two_args, "coalesce(users.name, ?)",
    "coalesce(users.name, $1)", "'?'" },
  { "count rows", e_count_rows, "count(*)", "count(*)", "" },
  { "count star", e_count_star, "count(*)", "count(*)", "" },
  { "count column", e_count_col, "count(users.id)", "count(users.id)", "" },
  { "sum", e_sum, "sum(users.age)", "sum(users.age)", "" },
  { "min", e_min, "min(users.age)", "min(users.age)", "" },
  { "max", e_max, "max(users.age)", "max(users.age)", "" },
  { "avg", e_avg, "avg(users.score)", "avg(users.score)", "" },
  { "count compared", e_count_gt, "count(*) > ?", "count(*) > $1", "1" },
  { "asc", e_asc, "users.name ASC", "users.name ASC", "" },
  { "desc", e_desc, "users.name DESC", "users.name DESC", "" },
  { "star", e_star, "*", "*", "" },
  { "reserved words quoted", e_quoted_keyword, "\"user\".\"order\" = ?",
    "\"user\".\"order\" = $1", "1" },
  { "upper case quoted", e_quoted_upper, "\"Order\".\"Total\" > ?",
    "\"Order\".\"Total\" > $1", "9.5" },
  { "internal junction", e_junction, "users.id = ? OR users.name IS NULL",
    "users.id = $1 OR users.name IS NULL", "1" },
  { "internal junction of one", e_junction_one, "users.id = ?", "users.id = $1", "1" },
  { "internal empty and", e_junction_empty_and, "1 = 1", "1 = 1", "" },
  { "internal empty or", e_junction_empty_or, "1 = 0", "1 = 0", "" },
  { "and with an empty or", e_and_empty_or, "users.id = ? AND 1 = 0",
    "users.id = $1 AND 1 = 0", "1" },
  { "values copied and NULL", e_value_kinds, "users.name IN (?, ?)",
    "users.name IN ($1, $2)", "'copied', NULL" },
};

static void
check_expr_case (const ExprCase *tc, const OrmaDialect *dialect,
                 const char *expected)
{
  g_autoptr (OrmaExpr) expr = orma_expr_ref_sink (tc->build ());
  g_autoptr (GString) sql = g_string_new (NULL);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *rendered = NULL;

  ck_assert_msg (_orma_compile_expr (dialect, expr, sql, params, &error),
                 "%s (%s): %s", tc->name, dialect->name,
                 error ? error->message : "");
  ck_assert_msg (strcmp (sql->str, expected) == 0,
                 "%s (%s): got [%s], expected [%s]", tc->name, dialect->name,
                 sql->str, expected);
  rendered = render_params (params);
  ck_assert_msg (strcmp (rendered, tc->params) == 0,
                 "%s (%s): parameters [%s], expected [%s]", tc->name,
                 dialect->name, rendered, tc->params);
}

START_TEST (test_expr_cases)
{
  const ExprCase *tc = &expr_cases[_i];

  check_expr_case (tc, &_orma_dialect_sqlite, tc->sqlite);
  check_expr_case (tc, &_orma_dialect_postgresql, tc->postgresql);
}
END_TEST

/* Placeholders continue the numbering of parameters already collected */
START_TEST (test_expr_numbering_continues)
{
  g_autoptr (OrmaExpr) expr = orma_expr_ref_sink (e_and ());
  g_autoptr (GString) sql = g_string_new ("x = $1 AND ");
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  GValue first = G_VALUE_INIT;

  g_ptr_array_add (params, &first);
  ck_assert (_orma_compile_expr (&_orma_dialect_postgresql, expr, sql,
                                 params, &error));
  ck_assert_str_eq (sql->str, "x = $1 AND users.name = $2 AND users.age > $3");
  ck_assert_uint_eq (params->len, 3);
}
END_TEST

/* ------------------------------------------------------------ SELECT */

typedef struct {
  const char *name;
  void (*build) (OrmaSelect *select);
  const char *sqlite;
  const char *postgresql;
  const char *params;
} SelectCase;

static OrmaExpr **
expr_array (OrmaExpr *first, ...)
{
  GPtrArray *items = g_ptr_array_new ();
  OrmaExpr *item;
  va_list args;

  va_start (args, first);
  for (item = first; item != NULL; item = va_arg (args, OrmaExpr *))
    g_ptr_array_add (items, orma_expr_ref_sink (item));
  va_end (args);
  g_ptr_array_add (items, NULL);
  return (OrmaExpr **) g_ptr_array_free (items, FALSE);
}

static guint
expr_array_len (OrmaExpr **items)
{
  guint n = 0;

  while (items != NULL && items[n] != NULL)
    n++;
  return n;
}

static void
select_init (OrmaSelect *select, OrmaTable *from)
{
  memset (select, 0, sizeof *select);
  select->from = from;
  select->limit = -1;
  select->offset = 0;
}

static void
select_clear (OrmaSelect *select)
{
  guint i;

  for (i = 0; i < select->n_columns; i++)
    orma_expr_unref (select->columns[i]);
  g_free (select->columns);
  for (i = 0; i < select->n_order_by; i++)
    orma_expr_unref (select->order_by[i]);
  g_free (select->order_by);
  g_clear_pointer (&select->where, orma_expr_unref);
}

static void
set_columns (OrmaSelect *select, OrmaExpr **columns)
{
  select->columns = columns;
  select->n_columns = expr_array_len (columns);
}

static void
set_order_by (OrmaSelect *select, OrmaExpr **order_by)
{
  select->order_by = order_by;
  select->n_order_by = expr_array_len (order_by);
}

static void s_all (OrmaSelect *s) { select_init (s, users); }

static void
s_where (OrmaSelect *s)
{
  select_init (s, users);
  s->where = orma_expr_ref_sink (orma_eq (U ("name"), orma_str ("ed")));
}

static void
s_columns (OrmaSelect *s)
{
  select_init (s, users);
  set_columns (s, expr_array (U ("name"), orma_max (U ("age")), NULL));
}

static void
s_count (OrmaSelect *s)
{
  select_init (s, users);
  set_columns (s, expr_array (orma_count (NULL), NULL));
  s->where = orma_expr_ref_sink (orma_gt (U ("age"), orma_int (30)));
}

static void
s_order (OrmaSelect *s)
{
  select_init (s, users);
  set_order_by (s, expr_array (U ("name"), orma_asc (U ("age")),
                               orma_desc (U ("id")), NULL));
}

static void
s_limit (OrmaSelect *s)
{
  select_init (s, users);
  s->limit = 10;
}

static void
s_limit_zero (OrmaSelect *s)
{
  select_init (s, users);
  s->limit = 0;
}

static void
s_limit_offset (OrmaSelect *s)
{
  select_init (s, users);
  s->limit = 10;
  s->offset = 20;
}

static void
s_offset (OrmaSelect *s)
{
  select_init (s, users);
  s->offset = 5;
}

static void
s_everything (OrmaSelect *s)
{
  select_init (s, users);
  s->where = orma_expr_ref_sink (orma_or (orma_like (U ("name"), orma_str ("e%")),
                                          orma_in (U ("id"), orma_int (1),
                                                   orma_int (2), NULL),
                                          NULL));
  set_order_by (s, expr_array (orma_desc (U ("score")), NULL));
  s->limit = 3;
  s->offset = 6;
}

static void
s_quoted (OrmaSelect *s)
{
  select_init (s, user_kw);
  s->where = orma_expr_ref_sink (orma_eq (orma_table_col (user_kw, "order"),
                                          orma_int (2)));
}

static void
s_quoted_upper (OrmaSelect *s)
{
  select_init (s, order_uc);
}

static void
s_no_table (OrmaSelect *s)
{
  select_init (s, NULL);
  set_columns (s, expr_array (orma_func ("now", NULL, NULL), NULL));
}

static const SelectCase select_cases[] = {
  { "every column", s_all,
    "SELECT users.id, users.name, users.age, users.score FROM users",
    "SELECT users.id, users.name, users.age, users.score FROM users", "" },
  { "where", s_where,
    "SELECT users.id, users.name, users.age, users.score FROM users WHERE users.name = ?",
    "SELECT users.id, users.name, users.age, users.score FROM users WHERE users.name = $1",
    "'ed'" },
  { "columns", s_columns,
    "SELECT users.name, max(users.age) FROM users",
    "SELECT users.name, max(users.age) FROM users", "" },
  { "count", s_count,
    "SELECT count(*) FROM users WHERE users.age > ?",
    "SELECT count(*) FROM users WHERE users.age > $1", "30" },
  { "order by", s_order,
    "SELECT users.id, users.name, users.age, users.score FROM users "
    "ORDER BY users.name, users.age ASC, users.id DESC",
    "SELECT users.id, users.name, users.age, users.score FROM users "
    "ORDER BY users.name, users.age ASC, users.id DESC", "" },
  { "limit", s_limit,
    "SELECT users.id, users.name, users.age, users.score FROM users LIMIT ?",
    "SELECT users.id, users.name, users.age, users.score FROM users LIMIT $1",
    "10" },
  { "limit zero", s_limit_zero,
    "SELECT users.id, users.name, users.age, users.score FROM users LIMIT ?",
    "SELECT users.id, users.name, users.age, users.score FROM users LIMIT $1",
    "0" },
  { "limit and offset", s_limit_offset,
    "SELECT users.id, users.name, users.age, users.score FROM users LIMIT ? OFFSET ?",
    "SELECT users.id, users.name, users.age, users.score FROM users LIMIT $1 OFFSET $2",
    "10, 20" },
  { "offset only", s_offset,
    "SELECT users.id, users.name, users.age, users.score FROM users LIMIT -1 OFFSET ?",
    "SELECT users.id, users.name, users.age, users.score FROM users OFFSET $1",
    "5" },
  { "everything", s_everything,
    "SELECT users.id, users.name, users.age, users.score FROM users "
    "WHERE users.name LIKE ? OR users.id IN (?, ?) "
    "ORDER BY users.score DESC LIMIT ? OFFSET ?",
    "SELECT users.id, users.name, users.age, users.score FROM users "
    "WHERE users.name LIKE $1 OR users.id IN ($2, $3) "
    "ORDER BY users.score DESC LIMIT $4 OFFSET $5",
    "'e%', 1, 2, 3, 6" },
  { "quoted reserved words", s_quoted,
    "SELECT \"user\".id, \"user\".\"order\" FROM \"user\" WHERE \"user\".\"order\" = ?",
    "SELECT \"user\".id, \"user\".\"order\" FROM \"user\" WHERE \"user\".\"order\" = $1",
    "2" },
  { "quoted upper case", s_quoted_upper,
    "SELECT \"Order\".id, \"Order\".\"Total\" FROM \"Order\"",
    "SELECT \"Order\".id, \"Order\".\"Total\" FROM \"Order\"", "" },
  { "no table", s_no_table, "SELECT now()", "SELECT now()", "" },
};

static GArray *
scratch_new (void)
{
  GArray *scratch = g_array_new (FALSE, TRUE, sizeof (GValue));

  g_array_set_clear_func (scratch, (GDestroyNotify) g_value_unset);
  return scratch;
}

static void
check_select_case (const SelectCase *tc, const OrmaDialect *dialect,
                   const char *expected)
{
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GArray) scratch = scratch_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *rendered = NULL;
  OrmaSelect select;

  tc->build (&select);
  sql = _orma_compile_select (dialect, &select, params, scratch, &error);
  ck_assert_msg (sql != NULL, "%s (%s): %s", tc->name, dialect->name,
                 error ? error->message : "");
  ck_assert_msg (strcmp (sql, expected) == 0,
                 "%s (%s): got [%s], expected [%s]", tc->name, dialect->name,
                 sql, expected);
  rendered = render_params (params);
  ck_assert_msg (strcmp (rendered, tc->params) == 0,
                 "%s (%s): parameters [%s], expected [%s]", tc->name,
                 dialect->name, rendered, tc->params);
  select_clear (&select);
}

START_TEST (test_select_cases)
{
  const SelectCase *tc = &select_cases[_i];

  check_select_case (tc, &_orma_dialect_sqlite, tc->sqlite);
  check_select_case (tc, &_orma_dialect_postgresql, tc->postgresql);
}
END_TEST

/* ------------------------------------------------------------ DML */

typedef struct {
  const char *name;
  char *(*build) (const OrmaDialect *dialect);
  const char *sqlite;
  const char *postgresql;
} DmlCase;

static char *
d_insert (const OrmaDialect *d)
{
  const guint columns[] = { 1, 2 };

  return _orma_compile_insert (d, users, columns, 2, NULL, 0);
}

static char *
d_insert_returning (const OrmaDialect *d)
{
  const guint columns[] = { 1, 2, 3 };
  const guint returning[] = { 0 };

  return _orma_compile_insert (d, users, columns, 3, returning, 1);
}

static char *
d_insert_defaults (const OrmaDialect *d)
{
  const guint returning[] = { 0, 2 };

  return _orma_compile_insert (d, users, NULL, 0, returning, 2);
}

static char *
d_insert_quoted (const OrmaDialect *d)
{
  const guint columns[] = { 0, 1 };

  return _orma_compile_insert (d, user_kw, columns, 2, NULL, 0);
}

static char *
d_update (const OrmaDialect *d)
{
  const guint set[] = { 1, 2 };
  const guint where[] = { 0 };

  return _orma_compile_update (d, users, set, 2, where, 1);
}

static char *
d_update_version (const OrmaDialect *d)
{
  const guint set[] = { 1, 2 };
  const guint where[] = { 0, 2 };

  return _orma_compile_update (d, docs, set, 2, where, 2);
}

static char *
d_update_all (const OrmaDialect *d)
{
  const guint set[] = { 3 };

  return _orma_compile_update (d, users, set, 1, NULL, 0);
}

static char *
d_update_quoted (const OrmaDialect *d)
{
  const guint set[] = { 1 };
  const guint where[] = { 0 };

  return _orma_compile_update (d, order_uc, set, 1, where, 1);
}

static char *
d_delete (const OrmaDialect *d)
{
  const guint where[] = { 0 };

  return _orma_compile_delete (d, users, where, 1);
}

static char *
d_delete_composite (const OrmaDialect *d)
{
  const guint where[] = { 0, 1 };

  return _orma_compile_delete (d, pairs, where, 2);
}

static char *
d_delete_all (const OrmaDialect *d)
{
  return _orma_compile_delete (d, user_kw, NULL, 0);
}

static const DmlCase dml_cases[] = {
  { "insert", d_insert,
    "INSERT INTO users (name, age) VALUES (?, ?)",
    "INSERT INTO users (name, age) VALUES ($1, $2)" },
  { "insert returning", d_insert_returning,
    "INSERT INTO users (name, age, score) VALUES (?, ?, ?) RETURNING id",
    "INSERT INTO users (name, age, score) VALUES ($1, $2, $3) RETURNING id" },
  { "insert default values", d_insert_defaults,
    "INSERT INTO users DEFAULT VALUES RETURNING id, age",
    "INSERT INTO users DEFAULT VALUES RETURNING id, age" },
  { "insert quoted", d_insert_quoted,
    "INSERT INTO \"user\" (id, \"order\") VALUES (?, ?)",
    "INSERT INTO \"user\" (id, \"order\") VALUES ($1, $2)" },
  { "update", d_update,
    "UPDATE users SET name = ?, age = ? WHERE id = ?",
    "UPDATE users SET name = $1, age = $2 WHERE id = $3" },
  { "update with version", d_update_version,
    "UPDATE docs SET title = ?, version = ? WHERE id = ? AND version = ?",
    "UPDATE docs SET title = $1, version = $2 WHERE id = $3 AND version = $4" },
  { "update every row", d_update_all,
    "UPDATE users SET score = ?", "UPDATE users SET score = $1" },
  { "update quoted", d_update_quoted,
    "UPDATE \"Order\" SET \"Total\" = ? WHERE id = ?",
    "UPDATE \"Order\" SET \"Total\" = $1 WHERE id = $2" },
  { "delete", d_delete,
    "DELETE FROM users WHERE id = ?", "DELETE FROM users WHERE id = $1" },
  { "delete composite key", d_delete_composite,
    "DELETE FROM pairs WHERE a = ? AND b = ?",
    "DELETE FROM pairs WHERE a = $1 AND b = $2" },
  { "delete every row", d_delete_all,
    "DELETE FROM \"user\"", "DELETE FROM \"user\"" },
};

START_TEST (test_dml_cases)
{
  const DmlCase *tc = &dml_cases[_i];
  g_autofree char *sqlite = tc->build (&_orma_dialect_sqlite);
  g_autofree char *postgresql = tc->build (&_orma_dialect_postgresql);

  ck_assert_msg (g_strcmp0 (sqlite, tc->sqlite) == 0,
                 "%s (sqlite): got [%s], expected [%s]", tc->name, sqlite,
                 tc->sqlite);
  ck_assert_msg (g_strcmp0 (postgresql, tc->postgresql) == 0,
                 "%s (postgresql): got [%s], expected [%s]", tc->name,
                 postgresql, tc->postgresql);
}
END_TEST

/* ------------------------------------------------------------ errors */

typedef struct {
  const char *name;
  OrmaExpr *(*build) (void);
  const char *message_part;   /* the message must name the culprit */
} ErrorCase;

static OrmaExpr *x_eq_left (void) { return orma_eq (NULL, orma_int (1)); }
static OrmaExpr *x_eq_right (void) { return orma_eq (U ("id"), NULL); }
static OrmaExpr *x_eq_null_null (void) { return orma_eq (NULL, orma_null ()); }
static OrmaExpr *x_ne_null_null (void) { return orma_ne (orma_null (), NULL); }
static OrmaExpr *x_like (void) { return orma_like (U ("name"), NULL); }
static OrmaExpr *x_not (void) { return orma_not (NULL); }
static OrmaExpr *x_is_null (void) { return orma_is_null (NULL); }
static OrmaExpr *x_asc (void) { return orma_asc (NULL); }
static OrmaExpr *x_sum (void) { return orma_sum (NULL); }
static OrmaExpr *x_and_empty (void) { return orma_and (NULL, NULL); }
static OrmaExpr *x_or_empty (void) { return orma_or (NULL, NULL); }
static OrmaExpr *x_in_operand (void) { return orma_in (NULL, orma_int (1), NULL); }
static OrmaExpr *x_func_name (void) { return orma_func (NULL, orma_int (1), NULL); }
static OrmaExpr *x_unknown_column (void) { return orma_eq (U ("nope"), orma_int (1)); }
static OrmaExpr *x_null_table (void) { return orma_table_col (NULL, "id"); }
static OrmaExpr *x_null_column (void) { return orma_table_col (users, NULL); }
static OrmaExpr *x_empty_in_error (void) { return orma_in (U ("nope"), NULL, NULL); }
static OrmaExpr *x_eq_null_error (void) { return orma_eq (U ("nope"), orma_null ()); }
static OrmaExpr *x_count_error (void) { return orma_count (U ("nope")); }

static OrmaExpr *
x_in_array_item (void)
{
  OrmaExpr *items[] = { orma_int (1), NULL, orma_int (3) };

  return orma_in_array (U ("id"), items, G_N_ELEMENTS (items));
}

static OrmaExpr *
x_deep (void)
{
  return orma_and (orma_eq (U ("id"), orma_int (1)),
                   orma_or (orma_is_null (U ("age")),
                            orma_not (orma_is_not_null (NULL)), NULL),
                   NULL);
}

static const ErrorCase error_cases[] = {
  { "eq NULL left", x_eq_left, "orma_eq" },
  { "eq NULL right", x_eq_right, "orma_eq" },
  { "eq NULL with null value", x_eq_null_null, "orma_eq" },
  { "ne null value with NULL", x_ne_null_null, "orma_ne" },
  { "like NULL pattern", x_like, "orma_like" },
  { "not NULL", x_not, "orma_not" },
  { "is null NULL", x_is_null, "orma_is_null" },
  { "asc NULL", x_asc, "orma_asc" },
  { "sum NULL", x_sum, "orma_sum" },
  { "and of nothing", x_and_empty, "orma_and" },
  { "or of nothing", x_or_empty, "orma_or" },
  { "in NULL operand", x_in_operand, "orma_in" },
  { "in array NULL item", x_in_array_item, "orma_in_array" },
  { "function without name", x_func_name, "orma_func" },
  { "unknown column", x_unknown_column, "users has no column nope" },
  { "NULL table", x_null_table, "NULL table" },
  { "NULL column name", x_null_column, "users" },
  { "empty IN of an unknown column", x_empty_in_error, "nope" },
  { "unknown column IS NULL", x_eq_null_error, "nope" },
  { "count of an unknown column", x_count_error, "nope" },
  { "deep inside", x_deep, "orma_is_not_null" },
};

START_TEST (test_error_cases)
{
  const ErrorCase *tc = &error_cases[_i];
  guint d;

  for (d = 0; d < G_N_ELEMENTS (dialects); d++)
    {
      g_autoptr (OrmaExpr) expr = orma_expr_ref_sink (tc->build ());
      g_autoptr (GString) sql = g_string_new (NULL);
      g_autoptr (GPtrArray) params = g_ptr_array_new ();
      g_autoptr (GError) error = NULL;

      ck_assert_msg (!_orma_compile_expr (dialects[d], expr, sql, params,
                                          &error),
                     "%s: compiled to [%s]", tc->name, sql->str);
      orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
      ck_assert_msg (strstr (error->message, tc->message_part) != NULL,
                     "%s: message [%s] does not mention [%s]", tc->name,
                     error->message, tc->message_part);
    }
}
END_TEST

START_TEST (test_select_errors)
{
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GArray) scratch = scratch_new ();
  OrmaSelect select;
  guint d;

  for (d = 0; d < G_N_ELEMENTS (dialects); d++)
    {
      g_autoptr (GError) where_error = NULL;
      g_autoptr (GError) order_error = NULL;
      g_autoptr (GError) column_error = NULL;
      g_autoptr (GError) empty_error = NULL;
      char *sql;

      select_init (&select, users);
      select.where = orma_expr_ref_sink (orma_eq (U ("nope"), orma_int (1)));
      sql = _orma_compile_select (dialects[d], &select, params, scratch,
                                  &where_error);
      ck_assert_ptr_null (sql);
      orma_assert_error (where_error, ORMA_ERROR_INVALID_QUERY);
      select_clear (&select);

      select_init (&select, users);
      set_order_by (&select, expr_array (orma_desc (NULL), NULL));
      sql = _orma_compile_select (dialects[d], &select, params, scratch,
                                  &order_error);
      ck_assert_ptr_null (sql);
      orma_assert_error (order_error, ORMA_ERROR_INVALID_QUERY);
      select_clear (&select);

      select_init (&select, users);
      set_columns (&select, expr_array (U ("id"), U ("missing"), NULL));
      sql = _orma_compile_select (dialects[d], &select, params, scratch,
                                  &column_error);
      ck_assert_ptr_null (sql);
      orma_assert_error (column_error, ORMA_ERROR_INVALID_QUERY);
      select_clear (&select);

      select_init (&select, NULL);
      sql = _orma_compile_select (dialects[d], &select, params, scratch,
                                  &empty_error);
      ck_assert_ptr_null (sql);
      orma_assert_error (empty_error, ORMA_ERROR_INVALID_QUERY);
      select_clear (&select);
    }
}
END_TEST

START_TEST (test_unknown_kind)
{
  OrmaExpr *expr = orma_expr_ref_sink (orma_star ());
  g_autoptr (GString) sql = g_string_new (NULL);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;

  expr->kind = (OrmaExprKind) 1000;
  ck_assert (!_orma_compile_expr (&_orma_dialect_sqlite, expr, sql, params,
                                  &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  expr->kind = ORMA_EXPR_STAR;
  orma_expr_unref (expr);
}
END_TEST

START_TEST (test_null_expression)
{
  g_autoptr (GString) sql = g_string_new (NULL);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;

  ck_assert (!_orma_compile_expr (&_orma_dialect_sqlite, NULL, sql, params,
                                  &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
}
END_TEST

/* ------------------------------------------------------------ floating */

START_TEST (test_floating_constructor)
{
  OrmaExpr *expr = orma_int (1);

  ck_assert (orma_expr_is_floating (expr));
  ck_assert_ptr_eq (orma_expr_ref_sink (expr), expr);
  ck_assert (!orma_expr_is_floating (expr));
  ck_assert_int_eq (expr->ref_count, 1);
  /* a second sink is an ordinary reference */
  orma_expr_ref_sink (expr);
  ck_assert_int_eq (expr->ref_count, 2);
  orma_expr_unref (expr);
  orma_expr_unref (expr);
}
END_TEST

START_TEST (test_floating_ref_keeps_floating)
{
  OrmaExpr *expr = orma_str ("x");

  orma_expr_ref (expr);
  ck_assert (orma_expr_is_floating (expr));
  ck_assert_int_eq (expr->ref_count, 2);
  orma_expr_unref (expr);
  /* dropping a floating reference without sinking frees the node too */
  orma_expr_unref (expr);
}
END_TEST

START_TEST (test_parent_sinks_children)
{
  OrmaExpr *child = orma_int (1);
  OrmaExpr *parent = orma_not (orma_eq (U ("id"), child));

  ck_assert (orma_expr_is_floating (parent));
  ck_assert (!orma_expr_is_floating (child));
  ck_assert_int_eq (child->ref_count, 1);
  ck_assert_ptr_eq (parent->children[0]->children[1], child);
  orma_expr_unref (parent);
}
END_TEST

START_TEST (test_parent_shares_held_child)
{
  OrmaExpr *child = orma_expr_ref_sink (orma_eq (U ("id"), orma_int (1)));
  OrmaExpr *a = orma_expr_ref_sink (orma_and (child, child, NULL));
  OrmaExpr *b = orma_not (child);

  ck_assert_int_eq (child->ref_count, 4);
  orma_expr_unref (a);
  orma_expr_unref (b);
  ck_assert_int_eq (child->ref_count, 1);
  ck_assert (!orma_expr_is_floating (child));
  orma_expr_unref (child);
}
END_TEST

START_TEST (test_error_node_releases_operands)
{
  OrmaExpr *held = orma_expr_ref_sink (orma_int (5));
  OrmaExpr *error_node = orma_lt (NULL, held);
  OrmaExpr *items[] = { orma_int (1), NULL, held };
  OrmaExpr *in_error = orma_in_array (orma_str ("x"), items, 3);

  ck_assert_int_eq (error_node->kind, ORMA_EXPR_ERROR);
  ck_assert_int_eq (error_node->error_code, ORMA_ERROR_INVALID_QUERY);
  ck_assert_int_eq (in_error->kind, ORMA_EXPR_ERROR);
  /* the floating operands were freed (valgrind sees it), the held one is
   * still ours alone */
  ck_assert_int_eq (held->ref_count, 1);
  orma_expr_unref (error_node);
  orma_expr_unref (in_error);
  orma_expr_unref (orma_func (NULL, orma_int (1), orma_str ("y"), NULL));
  orma_expr_unref (held);
}
END_TEST

/* The query builder keeps its filters and sinks the junction it makes */
START_TEST (test_junction_references)
{
  OrmaExpr *filters[2];
  OrmaExpr *where;

  filters[0] = orma_expr_ref_sink (orma_eq (U ("id"), orma_int (1)));
  filters[1] = orma_expr_ref_sink (orma_is_null (U ("age")));

  where = orma_expr_ref_sink (_orma_expr_new_junction (ORMA_EXPR_AND, filters, 2));
  ck_assert_int_eq (filters[0]->ref_count, 2);
  orma_expr_unref (where);
  ck_assert_int_eq (filters[0]->ref_count, 1);

  where = orma_expr_ref_sink (_orma_expr_new_junction (ORMA_EXPR_AND, filters, 1));
  ck_assert_ptr_eq (where, filters[0]);
  ck_assert_int_eq (filters[0]->ref_count, 2);
  orma_expr_unref (where);

  orma_expr_unref (filters[0]);
  orma_expr_unref (filters[1]);
}
END_TEST

START_TEST (test_null_comparison_keeps_no_null)
{
  OrmaExpr *expr = orma_eq (U ("age"), orma_null ());

  ck_assert_int_eq (expr->kind, ORMA_EXPR_IS_NULL);
  ck_assert_uint_eq (expr->n_children, 1);
  ck_assert_int_eq (expr->children[0]->kind, ORMA_EXPR_COLUMN);
  orma_expr_unref (expr);
}
END_TEST

START_TEST (test_column_holds_table)
{
  OrmaTable *table = orma_table_new ("t");
  OrmaExpr *expr;

  orma_table_add_column (table, "c", G_TYPE_INT, 0);
  expr = orma_expr_ref_sink (orma_table_col (table, "c"));
  orma_table_unref (table);
  /* the expression keeps the table alive */
  ck_assert_str_eq (expr->table->name, "t");
  ck_assert_uint_eq (expr->column, 0);
  ck_assert (expr->entity_type == G_TYPE_INVALID);
  orma_expr_unref (expr);
}
END_TEST

START_TEST (test_boxed_value)
{
  g_auto (GValue) value = G_VALUE_INIT;
  g_autoptr (OrmaExpr) expr = orma_expr_ref_sink (orma_bool (TRUE));

  g_value_init (&value, ORMA_TYPE_EXPR);
  g_value_set_boxed (&value, expr);
  ck_assert_int_eq (expr->ref_count, 2);
  g_value_unset (&value);
  ck_assert_int_eq (expr->ref_count, 1);
}
END_TEST

START_TEST (test_value_constructors)
{
  g_autoptr (GBytes) bytes = g_bytes_new ("ab", 2);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (OrmaExpr) b = orma_expr_ref_sink (orma_bytes (bytes));
  g_autoptr (OrmaExpr) t = orma_expr_ref_sink (orma_datetime (now));
  g_autoptr (OrmaExpr) d = orma_expr_ref_sink (orma_double (0.25));
  g_autoptr (OrmaExpr) n = orma_expr_ref_sink (orma_null ());

  ck_assert (G_VALUE_HOLDS (&b->value, G_TYPE_BYTES));
  ck_assert_ptr_eq (g_value_get_boxed (&b->value), bytes);
  ck_assert (G_VALUE_HOLDS (&t->value, G_TYPE_DATE_TIME));
  ck_assert (g_value_get_double (&d->value) == 0.25);
  ck_assert (!G_IS_VALUE (&n->value));
}
END_TEST

/* ------------------------------------------------------------ quoting */

typedef struct {
  const char *identifier;
  const char *expected;
} QuoteCase;

static const QuoteCase quote_cases[] = {
  { "users", "users" },
  { "_private9", "_private9" },
  { "user", "\"user\"" },
  { "Order", "\"Order\"" },
  { "userName", "\"userName\"" },
  { "9lives", "\"9lives\"" },
  { "has space", "\"has space\"" },
  { "say\"what", "\"say\"\"what\"" },
  { "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
  { "", "\"\"" },
  { "users2", "users2" },
  { "order_id", "order_id" },
};

static const char *const reserved[] = {
  "user", "order", "group", "table", "select", "from", "where", "limit",
  "offset", "index", "key", "default", "check", "column", "references",
  "primary", "unique", "desc", "asc", "and", "or", "not", "null", "in",
  "like", "is", "values", "set", "end", "all", "any",
};

START_TEST (test_quoting)
{
  guint d, i;

  for (d = 0; d < G_N_ELEMENTS (dialects); d++)
    {
      for (i = 0; i < G_N_ELEMENTS (quote_cases); i++)
        {
          g_autoptr (GString) sql = g_string_new (NULL);

          _orma_dialect_append_identifier (dialects[d], sql,
                                           quote_cases[i].identifier);
          ck_assert_str_eq (sql->str, quote_cases[i].expected);
        }
      for (i = 0; i < G_N_ELEMENTS (reserved); i++)
        {
          g_autoptr (GString) sql = g_string_new (NULL);
          g_autofree char *expected = g_strdup_printf ("\"%s\"", reserved[i]);

          _orma_dialect_append_identifier (dialects[d], sql, reserved[i]);
          ck_assert_str_eq (sql->str, expected);
        }
    }
}
END_TEST

START_TEST (test_placeholders)
{
  g_autoptr (GString) sqlite = g_string_new (NULL);
  g_autoptr (GString) postgresql = g_string_new (NULL);

  _orma_dialect_append_param (&_orma_dialect_sqlite, sqlite, 1);
  _orma_dialect_append_param (&_orma_dialect_sqlite, sqlite, 12);
  _orma_dialect_append_param (&_orma_dialect_postgresql, postgresql, 1);
  _orma_dialect_append_param (&_orma_dialect_postgresql, postgresql, 12);
  ck_assert_str_eq (sqlite->str, "??");
  ck_assert_str_eq (postgresql->str, "$1$12");
}
END_TEST

/* ------------------------------------------------------------ translate */

typedef struct {
  const char *sql;
  const char *postgresql;
  guint       n_params;
} TranslateCase;

static const TranslateCase translate_cases[] = {
  { "SELECT * FROM t WHERE a = ? AND b = ?",
    "SELECT * FROM t WHERE a = $1 AND b = $2", 2 },
  { "SELECT 1", "SELECT 1", 0 },
  { "", "", 0 },
  { "?", "$1", 1 },
  { "SELECT '?', ? FROM t", "SELECT '?', $1 FROM t", 1 },
  { "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1 },
  { "SELECT '', ?", "SELECT '', $1", 1 },
  { "SELECT \"we?ird\" FROM t WHERE x = ?",
    "SELECT \"we?ird\" FROM t WHERE x = $1", 1 },
  { "SELECT \"a\"\"?\" , ?", "SELECT \"a\"\"?\" , $1", 1 },
  { "SELECT 1 -- what?\n, ?", "SELECT 1 -- what?\n, $1", 1 },
  { "SELECT ? -- trailing ?", "SELECT $1 -- trailing ?", 1 },
  { "SELECT /* ? */ ?", "SELECT /* ? */ $1", 1 },
  { "SELECT ? /* unterminated ?", "SELECT $1 /* unterminated ?", 1 },
  { "SELECT 'unterminated ?", "SELECT 'unterminated ?", 0 },
  { "SELECT 5 - ?, 6 / ?", "SELECT 5 - $1, 6 / $2", 2 },
  { "INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    "INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)", 11 },
};

START_TEST (test_translate_cases)
{
  const TranslateCase *tc = &translate_cases[_i];
  g_autofree char *sqlite = NULL;
  g_autofree char *postgresql = NULL;
  guint n_sqlite = 99, n_postgresql = 99;

  sqlite = _orma_dialect_translate_params (&_orma_dialect_sqlite, tc->sql,
                                           &n_sqlite);
  postgresql = _orma_dialect_translate_params (&_orma_dialect_postgresql,
                                               tc->sql, &n_postgresql);
  ck_assert_str_eq (sqlite, tc->sql);
  ck_assert_str_eq (postgresql, tc->postgresql);
  ck_assert_uint_eq (n_sqlite, tc->n_params);
  ck_assert_uint_eq (n_postgresql, tc->n_params);
}
END_TEST

START_TEST (test_translate_optional_count)
{
  g_autofree char *sql = _orma_dialect_translate_params (&_orma_dialect_postgresql,
                                                         "? ?", NULL);

  ck_assert_str_eq (sql, "$1 $2");
}
END_TEST

/* ------------------------------------------------------------ dialects */

START_TEST (test_dialect_constants)
{
  const OrmaDialect *s = &_orma_dialect_sqlite;
  const OrmaDialect *p = &_orma_dialect_postgresql;

  ck_assert_str_eq (s->type_name (G_TYPE_BOOLEAN), "BOOLEAN");
  ck_assert_str_eq (s->type_name (G_TYPE_INT), "INTEGER");
  ck_assert_str_eq (s->type_name (G_TYPE_INT64), "BIGINT");
  ck_assert_str_eq (s->type_name (G_TYPE_DOUBLE), "REAL");
  ck_assert_str_eq (s->type_name (G_TYPE_STRING), "TEXT");
  ck_assert_str_eq (s->type_name (G_TYPE_BYTES), "BLOB");
  ck_assert_str_eq (s->type_name (G_TYPE_DATE_TIME), "TIMESTAMP");
  ck_assert_str_eq (s->type_name (G_TYPE_ENUM), "INTEGER");
  ck_assert_ptr_null (s->type_name (G_TYPE_OBJECT));

  ck_assert_str_eq (p->type_name (G_TYPE_BOOLEAN), "BOOLEAN");
  ck_assert_str_eq (p->type_name (G_TYPE_INT), "INTEGER");
  ck_assert_str_eq (p->type_name (G_TYPE_UINT), "BIGINT");
  ck_assert_str_eq (p->type_name (G_TYPE_INT64), "BIGINT");
  ck_assert_str_eq (p->type_name (G_TYPE_DOUBLE), "DOUBLE PRECISION");
  ck_assert_str_eq (p->type_name (G_TYPE_STRING), "TEXT");
  ck_assert_str_eq (p->type_name (G_TYPE_BYTES), "BYTEA");
  ck_assert_str_eq (p->type_name (G_TYPE_DATE_TIME), "TIMESTAMP WITH TIME ZONE");
  ck_assert_str_eq (p->type_name (G_TYPE_FLAGS), "INTEGER");
  ck_assert_ptr_null (p->type_name (G_TYPE_POINTER));

  ck_assert_str_eq (s->autoincrement_pk, "INTEGER NOT NULL PRIMARY KEY");
  ck_assert (!s->numbered_params);
  ck_assert (p->numbered_params);
  ck_assert_str_eq (s->limit_all, "-1");
  ck_assert_ptr_null (p->limit_all);
}
END_TEST

/* ------------------------------------------------------------ suite */

static Suite *
compiler_suite (void)
{
  Suite *suite = suite_create ("compiler");
  TCase *tc;

  tc = tcase_create ("expressions");
  tcase_add_checked_fixture (tc, tables_setup, tables_teardown);
  tcase_add_loop_test (tc, test_expr_cases, 0, G_N_ELEMENTS (expr_cases));
  tcase_add_test (tc, test_expr_numbering_continues);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("statements");
  tcase_add_checked_fixture (tc, tables_setup, tables_teardown);
  tcase_add_loop_test (tc, test_select_cases, 0, G_N_ELEMENTS (select_cases));
  tcase_add_loop_test (tc, test_dml_cases, 0, G_N_ELEMENTS (dml_cases));
  suite_add_tcase (suite, tc);

  tc = tcase_create ("errors");
  tcase_add_checked_fixture (tc, tables_setup, tables_teardown);
  tcase_add_loop_test (tc, test_error_cases, 0, G_N_ELEMENTS (error_cases));
  tcase_add_test (tc, test_select_errors);
  tcase_add_test (tc, test_unknown_kind);
  tcase_add_test (tc, test_null_expression);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("references");
  tcase_add_checked_fixture (tc, tables_setup, tables_teardown);
  tcase_add_test (tc, test_floating_constructor);
  tcase_add_test (tc, test_floating_ref_keeps_floating);
  tcase_add_test (tc, test_parent_sinks_children);
  tcase_add_test (tc, test_parent_shares_held_child);
  tcase_add_test (tc, test_error_node_releases_operands);
  tcase_add_test (tc, test_junction_references);
  tcase_add_test (tc, test_null_comparison_keeps_no_null);
  tcase_add_test (tc, test_column_holds_table);
  tcase_add_test (tc, test_boxed_value);
  tcase_add_test (tc, test_value_constructors);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("dialects");
  tcase_add_test (tc, test_quoting);
  tcase_add_test (tc, test_placeholders);
  tcase_add_loop_test (tc, test_translate_cases, 0,
                       G_N_ELEMENTS (translate_cases));
  tcase_add_test (tc, test_translate_optional_count);
  tcase_add_test (tc, test_dialect_constants);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return orma_test_run (compiler_suite ());
}
