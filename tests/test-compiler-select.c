/* test-compiler-select.c: SELECT statements with aliases, joins, labels,
 * subqueries (EXISTS, scalar, IN, FROM), GROUP BY/HAVING and UNION, and
 * textual SQL with named parameters.
 *
 * The cases are tables of "statement -> expected SQL for SQLite and for
 * PostgreSQL + parameters", compiled without a database; a few of them
 * are then run against the backend under test to prove the SQL valid and
 * the rows right.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "fixtures.h"
#include "orma-compiler-private.h"
#include "orma-connection-private.h"

/* ------------------------------------------------------------ tables */

static OrmaTable *users;      /* id, name, age */
static OrmaTable *addresses;  /* id, user_id -> users, email */
static OrmaTable *nodes;      /* id, parent_id -> nodes, name */

static void
tables_setup (void)
{
  users = orma_table_new ("users");
  orma_table_add_column (users, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_column (users, "name", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_table_add_column (users, "age", G_TYPE_INT, 0);

  addresses = orma_table_new ("addresses");
  orma_table_add_column (addresses, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_column (addresses, "user_id", G_TYPE_INT64, 0);
  orma_table_add_column (addresses, "email", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_table_add_foreign_key (addresses, "user_id", "users", "id", ORMA_FK_NO_ACTION);

  nodes = orma_table_new ("nodes");
  orma_table_add_column (nodes, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_column (nodes, "parent_id", G_TYPE_INT64, 0);
  orma_table_add_column (nodes, "name", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_table_add_foreign_key (nodes, "parent_id", "nodes", "id", ORMA_FK_NO_ACTION);
}

static void
tables_teardown (void)
{
  g_clear_pointer (&users, orma_table_unref);
  g_clear_pointer (&addresses, orma_table_unref);
  g_clear_pointer (&nodes, orma_table_unref);
}

#define U(column) orma_table_col (users, (column))
#define A(column) orma_table_col (addresses, (column))
#define N(column) orma_table_col (nodes, (column))

/* ------------------------------------------------------------ building */

/* Selects are built as owned copies, as the query builder keeps them:
 * every member holds a reference, _orma_select_free() drops them. */
static OrmaSelect *
sel_new (OrmaTable *from)
{
  OrmaSelect *s = g_new0 (OrmaSelect, 1);

  s->owned = TRUE;
  s->from = from != NULL ? orma_table_ref (from) : NULL;
  s->limit = -1;
  return s;
}

static OrmaSelect *
sel_new_item (OrmaAlias *item)
{
  OrmaSelect *s = sel_new (NULL);

  s->from_item = item;   /* taken */
  return s;
}

static void
push_expr (OrmaExpr ***array, guint *n, OrmaExpr *expr)
{
  *array = g_renew (OrmaExpr *, *array, *n + 1);
  (*array)[(*n)++] = orma_expr_ref_sink (expr);
}

static void
sel_column (OrmaSelect *s, OrmaExpr *expr)
{
  push_expr (&s->columns, &s->n_columns, expr);
}

static void
sel_group_by (OrmaSelect *s, OrmaExpr *expr)
{
  push_expr (&s->group_by, &s->n_group_by, expr);
}

static void
sel_order_by (OrmaSelect *s, OrmaExpr *expr)
{
  push_expr (&s->order_by, &s->n_order_by, expr);
}

static void
sel_where (OrmaSelect *s, OrmaExpr *expr)
{
  s->where = orma_expr_ref_sink (expr);
}

static void
sel_having (OrmaSelect *s, OrmaExpr *expr)
{
  s->having = orma_expr_ref_sink (expr);
}

/* @target (taken) */
static void
sel_join (OrmaSelect *s, OrmaJoinKind kind, OrmaAlias *target, OrmaExpr *on)
{
  s->joins = g_renew (OrmaJoin, s->joins, s->n_joins + 1);
  s->joins[s->n_joins].kind = kind;
  s->joins[s->n_joins].target = target;
  s->joins[s->n_joins].on = orma_expr_ref_sink (on);
  s->n_joins++;
}

/* @item (taken) */
static void
sel_extra_from (OrmaSelect *s, OrmaAlias *item)
{
  s->extra_from = g_renew (OrmaAlias *, s->extra_from, s->n_extra_from + 1);
  s->extra_from[s->n_extra_from++] = item;
}

static void
sel_limit (OrmaSelect *s, gint64 limit, gint64 offset)
{
  s->limit = limit;
  s->offset = offset;
  if (limit >= 0)
    {
      g_value_init (&s->limit_value, G_TYPE_INT64);
      g_value_set_int64 (&s->limit_value, limit);
    }
  if (offset > 0)
    {
      g_value_init (&s->offset_value, G_TYPE_INT64);
      g_value_set_int64 (&s->offset_value, offset);
    }
}

/* @member (taken) */
static void
sel_union (OrmaSelect *s, OrmaSelect *member, gboolean all)
{
  s->unions = g_renew (OrmaSelect *, s->unions, s->n_unions + 1);
  s->unions[s->n_unions++] = member;
  s->union_all = all;
}

/* Expressions over a select (which they copy; this drops the original) */
static OrmaExpr *
exists (OrmaSelect *s)
{
  OrmaExpr *expr = _orma_expr_new_exists (s);

  _orma_select_free (s);
  return expr;
}

static OrmaExpr *
scalar (OrmaSelect *s)
{
  OrmaExpr *expr = _orma_expr_new_scalar_subquery (s);

  _orma_select_free (s);
  return expr;
}

static OrmaExpr *
in_select (OrmaExpr *operand, OrmaSelect *s)
{
  OrmaExpr *expr = _orma_expr_new_in_select (operand, s);

  _orma_select_free (s);
  return expr;
}

static OrmaAlias *
subquery (OrmaSelect *s, const char *name)
{
  OrmaAlias *alias = _orma_alias_new_subquery (s, name);

  _orma_select_free (s);
  return alias;
}

/* The bound values as the tests spell them: 'ed', 42, NULL */
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
      else if (G_VALUE_HOLDS_INT (value))
        g_string_append_printf (out, "%d", g_value_get_int (value));
      else if (G_VALUE_HOLDS_STRING (value) && g_value_get_string (value))
        g_string_append_printf (out, "'%s'", g_value_get_string (value));
      else
        g_string_append (out, G_VALUE_TYPE_NAME (value));
    }
  return g_string_free (out, FALSE);
}

static GArray *
scratch_new (void)
{
  GArray *scratch = g_array_new (FALSE, TRUE, sizeof (GValue));

  g_array_set_clear_func (scratch, (GDestroyNotify) g_value_unset);
  return scratch;
}

/* ------------------------------------------------------------ cases */

typedef struct {
  const char *name;
  OrmaSelect *(*build) (void);
  const char *sqlite;
  const char *postgresql;
  const char *params;
} SelectCase;

/* The parent through an anonymous alias of the same table */
static OrmaSelect *
b_self_join (void)
{
  OrmaSelect *s = sel_new (nodes);
  OrmaAlias *parent = orma_table_alias (nodes, NULL);

  sel_join (s, ORMA_JOIN_INNER, parent,
            orma_eq (N ("parent_id"), orma_alias_col (parent, "id")));
  sel_where (s, orma_eq (orma_alias_col (parent, "name"), orma_str ("root")));
  return s;
}

/* Two aliases of one table, numbered in FROM order; the select list
 * (printed before FROM) names them the same way; "parent-id" is the
 * property spelling of parent_id. */
static OrmaSelect *
b_two_aliases (void)
{
  OrmaSelect *s = sel_new (nodes);
  OrmaAlias *parent = orma_table_alias (nodes, NULL);
  OrmaAlias *grandparent = orma_table_alias (nodes, NULL);

  sel_column (s, N ("name"));
  sel_column (s, orma_alias_col (grandparent, "name"));
  sel_join (s, ORMA_JOIN_INNER, orma_alias_ref (parent),
            orma_eq (N ("parent_id"), orma_alias_col (parent, "id")));
  sel_join (s, ORMA_JOIN_LEFT, orma_alias_ref (grandparent),
            orma_eq (orma_alias_col (parent, "parent-id"),
                     orma_alias_col (grandparent, "id")));
  orma_alias_unref (parent);
  orma_alias_unref (grandparent);
  return s;
}

static OrmaSelect *
b_named_alias (void)
{
  OrmaSelect *s = sel_new (users);
  OrmaAlias *a = orma_table_alias (addresses, "a");

  sel_column (s, U ("name"));
  sel_column (s, orma_alias_col (a, "email"));
  sel_join (s, ORMA_JOIN_LEFT, a, orma_eq (orma_alias_col (a, "user_id"), U ("id")));
  sel_order_by (s, orma_asc (orma_alias_col (a, "email")));
  return s;
}

/* An explicit name is never given to an anonymous alias */
static OrmaSelect *
b_name_taken (void)
{
  OrmaSelect *s = sel_new (users);
  OrmaAlias *anon = orma_table_alias (users, NULL);
  OrmaAlias *named = orma_table_alias (users, "users_1");

  sel_column (s, orma_alias_col (anon, "id"));
  sel_column (s, orma_alias_col (named, "id"));
  sel_join (s, ORMA_JOIN_INNER, anon, orma_eq (orma_alias_col (anon, "id"), U ("id")));
  sel_join (s, ORMA_JOIN_INNER, named, orma_eq (orma_alias_col (named, "id"), U ("id")));
  return s;
}

/* FROM an alias, every column qualified by it */
static OrmaSelect *
b_from_alias (void)
{
  OrmaSelect *s = sel_new_item (orma_table_alias (users, NULL));

  sel_limit (s, 5, 0);
  return s;
}

static OrmaSelect *
b_extra_from (void)
{
  OrmaSelect *s = sel_new (users);
  OrmaAlias *a = orma_table_alias (addresses, NULL);

  sel_column (s, U ("name"));
  sel_column (s, orma_alias_col (a, "email"));
  sel_extra_from (s, orma_alias_ref (a));
  sel_where (s, orma_eq (orma_alias_col (a, "user_id"), U ("id")));
  orma_alias_unref (a);
  return s;
}

static OrmaSelect *
b_group_by (void)
{
  OrmaSelect *s = sel_new (users);
  OrmaExpr *n = orma_expr_ref_sink (orma_label (orma_count (A ("id")), "n"));

  s->distinct = TRUE;
  sel_column (s, orma_label (U ("name"), "username"));
  sel_column (s, n);              /* held, not floating: both add a reference */
  sel_join (s, ORMA_JOIN_INNER, _orma_alias_new_table (addresses, NULL, FALSE, 0),
            orma_eq (A ("user_id"), U ("id")));
  sel_group_by (s, U ("name"));
  sel_having (s, orma_gt (orma_count (A ("id")), orma_int (1)));
  /* a label elsewhere than the select list stands for its expression */
  sel_order_by (s, orma_desc (n));
  orma_expr_unref (n);
  return s;
}

static OrmaSelect *
b_exists (void)
{
  OrmaSelect *s = sel_new (users);
  OrmaSelect *sub = sel_new (addresses);

  sel_column (sub, A ("id"));
  sel_where (sub, orma_and (orma_eq (A ("user_id"), U ("id")),
                            orma_like (A ("email"), orma_str ("%@x.org")), NULL));
  sel_where (s, orma_and (orma_gt (U ("age"), orma_int (30)), exists (sub),
                          NULL));
  return s;
}

static OrmaSelect *
b_not_exists (void)
{
  OrmaSelect *s = sel_new (users);
  OrmaSelect *sub = sel_new (addresses);

  sel_column (sub, orma_star ());
  sel_where (sub, orma_eq (A ("user_id"), U ("id")));
  sel_where (s, orma_not (exists (sub)));
  return s;
}

static OrmaSelect *
b_scalar (void)
{
  OrmaSelect *s = sel_new (users);
  OrmaSelect *sub = sel_new (addresses);

  sel_column (sub, orma_count (NULL));
  sel_where (sub, orma_eq (A ("user_id"), U ("id")));
  sel_column (s, U ("name"));
  sel_column (s, orma_label (scalar (sub), "n_addresses"));
  return s;
}

static OrmaSelect *
b_in_select (void)
{
  OrmaSelect *s = sel_new (users);
  OrmaSelect *sub = sel_new (addresses);

  sel_column (sub, A ("user_id"));
  sel_where (sub, orma_like (A ("email"), orma_str ("%@x.org")));
  sel_column (s, U ("id"));
  sel_where (s, orma_and (in_select (U ("id"), sub),
                          orma_ne (U ("name"), orma_str ("ed")), NULL));
  return s;
}

/* addresses per user, as an anonymous FROM subquery */
static OrmaSelect *
counts_select (void)
{
  OrmaSelect *sub = sel_new (addresses);

  sel_column (sub, A ("user_id"));
  sel_column (sub, orma_label (orma_count (NULL), "n"));
  sel_group_by (sub, A ("user_id"));
  return sub;
}

static OrmaSelect *
b_from_subquery (void)
{
  OrmaAlias *counts = subquery (counts_select (), NULL);
  OrmaSelect *s = sel_new_item (orma_alias_ref (counts));

  sel_where (s, orma_gt (orma_alias_col (counts, "n"), orma_int (1)));
  orma_alias_unref (counts);
  return s;
}

static OrmaSelect *
b_join_subquery (void)
{
  OrmaAlias *counts = subquery (counts_select (), NULL);
  OrmaSelect *s = sel_new (users);

  sel_column (s, U ("name"));
  sel_column (s, orma_alias_col (counts, "n"));
  sel_join (s, ORMA_JOIN_LEFT, orma_alias_ref (counts),
            orma_eq (orma_alias_col (counts, "user-id"), U ("id")));
  orma_alias_unref (counts);
  return s;
}

/* Parameters keep counting through a nested LIMIT and OFFSET */
static OrmaSelect *
b_subquery_limit (void)
{
  OrmaSelect *inner = sel_new (users);
  OrmaAlias *page;
  OrmaSelect *s;

  sel_where (inner, orma_gt (U ("age"), orma_int (18)));
  sel_order_by (inner, U ("id"));
  sel_limit (inner, 10, 20);
  page = subquery (inner, "page");
  s = sel_new_item (orma_alias_ref (page));
  sel_column (s, orma_alias_col (page, "name"));
  sel_where (s, orma_ne (orma_alias_col (page, "name"), orma_str ("ed")));
  sel_limit (s, -1, 3);
  orma_alias_unref (page);
  return s;
}

/* The outer FROM items are named first, then the nested ones as they are
 * printed: the subquery anon_1, the outer alias users_1, the alias
 * inside the subquery users_2, the alias inside EXISTS users_3. */
static OrmaSelect *
b_nested_naming (void)
{
  OrmaAlias *inner_alias = orma_table_alias (users, NULL);
  OrmaSelect *inner = sel_new_item (orma_alias_ref (inner_alias));
  OrmaAlias *outer_alias = orma_table_alias (users, NULL);
  OrmaAlias *exists_alias = orma_table_alias (users, NULL);
  OrmaSelect *ex = sel_new_item (orma_alias_ref (exists_alias));
  OrmaAlias *sub;
  OrmaSelect *s;

  sel_column (inner, orma_alias_col (inner_alias, "id"));
  sub = subquery (inner, NULL);
  sel_column (ex, orma_alias_col (exists_alias, "id"));
  sel_where (ex, orma_eq (orma_alias_col (exists_alias, "id"),
                          orma_alias_col (outer_alias, "id")));

  s = sel_new_item (orma_alias_ref (sub));
  sel_column (s, orma_alias_col (outer_alias, "name"));
  sel_join (s, ORMA_JOIN_INNER, orma_alias_ref (outer_alias),
            orma_eq (orma_alias_col (outer_alias, "id"),
                     orma_alias_col (sub, "id")));
  sel_where (s, exists (ex));
  orma_alias_unref (inner_alias);
  orma_alias_unref (outer_alias);
  orma_alias_unref (exists_alias);
  orma_alias_unref (sub);
  return s;
}

static OrmaSelect *
young_or_old (gboolean old)
{
  OrmaSelect *s = sel_new (users);

  sel_column (s, U ("id"));
  sel_column (s, U ("name"));
  sel_where (s, old ? orma_gt (U ("age"), orma_int (60))
                    : orma_lt (U ("age"), orma_int (20)));
  return s;
}

/* ORDER BY of a compound names result columns */
static OrmaSelect *
b_union (void)
{
  OrmaSelect *s = young_or_old (FALSE);

  sel_union (s, young_or_old (TRUE), FALSE);
  sel_order_by (s, orma_desc (U ("name")));
  sel_limit (s, 5, 0);
  return s;
}

/* A member with its own ORDER BY and LIMIT is wrapped */
static OrmaSelect *
b_union_all_limited (void)
{
  OrmaSelect *s = young_or_old (FALSE);
  OrmaSelect *member = young_or_old (TRUE);

  sel_order_by (member, orma_desc (U ("age")));
  sel_limit (member, 1, 0);
  sel_union (s, member, TRUE);
  return s;
}

static OrmaSelect *
b_text (void)
{
  OrmaSelect *s = sel_new (users);

  sel_column (s, U ("id"));
  sel_where (s, orma_and (_orma_expr_new_text ("users.age % 2 = 0 OR users.age IS NULL"),
                          orma_eq (U ("name"), orma_str ("ed")), NULL));
  return s;
}


/* A name given inside a nested select is taken before any anonymous
 * alias of the statement is named: the outer anonymous alias must not
 * become "users_1", which the EXISTS would then shadow. */
static OrmaSelect *
b_name_taken_nested (void)
{
  OrmaSelect *s = sel_new (users);
  OrmaAlias *anon = orma_table_alias (users, NULL);
  OrmaAlias *named = orma_table_alias (addresses, "users_1");
  OrmaSelect *ex = sel_new_item (orma_alias_ref (named));

  sel_column (ex, orma_star ());
  sel_where (ex, orma_eq (orma_alias_col (named, "user_id"),
                          orma_alias_col (anon, "id")));
  sel_column (s, orma_alias_col (anon, "name"));
  sel_join (s, ORMA_JOIN_INNER, orma_alias_ref (anon),
            orma_eq (orma_alias_col (anon, "id"), U ("id")));
  sel_where (s, exists (ex));
  orma_alias_unref (anon);
  orma_alias_unref (named);
  return s;
}

/* The same for subqueries: an anonymous one in FROM, one named "anon_1"
 * inside the EXISTS */
static OrmaSelect *
b_anon_taken_nested (void)
{
  OrmaSelect *inner = sel_new (users);
  OrmaAlias *anon;
  OrmaAlias *named;
  OrmaSelect *ex;
  OrmaSelect *s;

  sel_column (inner, U ("id"));
  anon = subquery (inner, NULL);
  inner = sel_new (addresses);
  sel_column (inner, A ("user_id"));
  named = subquery (inner, "anon_1");
  ex = sel_new_item (orma_alias_ref (named));
  sel_column (ex, orma_star ());
  sel_where (ex, orma_eq (orma_alias_col (named, "user_id"),
                          orma_alias_col (anon, "id")));
  s = sel_new_item (orma_alias_ref (anon));
  sel_where (s, exists (ex));
  orma_alias_unref (anon);
  orma_alias_unref (named);
  return s;
}

/* Aliases and labels that are reserved words or not lower case are
 * quoted wherever they appear */
static OrmaSelect *
b_quoted_names (void)
{
  OrmaSelect *s = sel_new (nodes);
  OrmaAlias *parent = orma_table_alias (nodes, "Parent");
  OrmaAlias *order = orma_table_alias (nodes, "order");

  sel_column (s, orma_label (N ("name"), "userName"));
  sel_column (s, orma_label (orma_alias_col (parent, "name"), "select"));
  sel_join (s, ORMA_JOIN_LEFT, orma_alias_ref (parent),
            orma_eq (N ("parent_id"), orma_alias_col (parent, "id")));
  sel_join (s, ORMA_JOIN_LEFT, orma_alias_ref (order),
            orma_eq (orma_alias_col (parent, "parent_id"), orma_alias_col (order, "id")));
  sel_where (s, orma_eq (orma_alias_col (order, "name"), orma_str ("root")));
  sel_order_by (s, N ("id"));
  orma_alias_unref (parent);
  orma_alias_unref (order);
  return s;
}

/* Nested selects with parameters in the select list, FROM, WHERE,
 * HAVING and ORDER BY, and LIMIT/OFFSET inside them: parameters are
 * numbered in the order of the text */
static OrmaSelect *
b_all_clauses (void)
{
  OrmaSelect *counts = sel_new (addresses);
  OrmaSelect *k = sel_new (addresses);
  OrmaSelect *ex = sel_new (addresses);
  OrmaSelect *last = sel_new (addresses);
  OrmaSelect *s = sel_new (users);
  OrmaAlias *c;

  sel_column (counts, A ("user_id"));
  sel_column (counts, orma_label (orma_count (NULL), "n"));
  sel_where (counts, orma_like (A ("email"), orma_str ("%.org")));
  sel_group_by (counts, A ("user_id"));
  sel_order_by (counts, A ("user_id"));
  sel_limit (counts, 10, 1);
  c = subquery (counts, "c");

  sel_column (k, orma_count (NULL));
  sel_where (k, orma_and (orma_eq (A ("user_id"), U ("id")),
                          orma_ne (A ("email"), orma_str ("zzz")), NULL));
  sel_column (ex, A ("id"));
  sel_where (ex, orma_eq (A ("user_id"), U ("id")));
  sel_limit (ex, 1, 0);
  sel_column (last, orma_max (A ("id")));
  sel_where (last, orma_and (orma_eq (A ("user_id"), U ("id")),
                             orma_lt (A ("id"), orma_int (100)), NULL));

  sel_column (s, U ("name"));
  sel_column (s, orma_label (scalar (k), "k"));
  sel_column (s, orma_alias_col (c, "n"));
  sel_join (s, ORMA_JOIN_LEFT, orma_alias_ref (c),
            orma_eq (orma_alias_col (c, "user_id"), U ("id")));
  sel_where (s, orma_and (orma_gt (U ("age"), orma_int (1)), exists (ex), NULL));
  sel_group_by (s, U ("id"));
  sel_group_by (s, U ("name"));
  sel_group_by (s, orma_alias_col (c, "n"));
  sel_having (s, orma_ge (orma_count (NULL), orma_int (1)));
  sel_order_by (s, orma_desc (scalar (last)));
  sel_order_by (s, U ("name"));
  sel_limit (s, 3, 0);
  orma_alias_unref (c);
  return s;
}

static const SelectCase select_cases[] = {
  { "self join", b_self_join,
    "SELECT nodes.id, nodes.parent_id, nodes.name FROM nodes "
    "JOIN nodes AS nodes_1 ON nodes.parent_id = nodes_1.id WHERE nodes_1.name = ?",
    "SELECT nodes.id, nodes.parent_id, nodes.name FROM nodes "
    "JOIN nodes AS nodes_1 ON nodes.parent_id = nodes_1.id WHERE nodes_1.name = $1",
    "'root'" },
  { "two aliases", b_two_aliases,
    "SELECT nodes.name, nodes_2.name FROM nodes "
    "JOIN nodes AS nodes_1 ON nodes.parent_id = nodes_1.id "
    "LEFT OUTER JOIN nodes AS nodes_2 ON nodes_1.parent_id = nodes_2.id",
    "SELECT nodes.name, nodes_2.name FROM nodes "
    "JOIN nodes AS nodes_1 ON nodes.parent_id = nodes_1.id "
    "LEFT OUTER JOIN nodes AS nodes_2 ON nodes_1.parent_id = nodes_2.id", "" },
  { "named alias", b_named_alias,
    "SELECT users.name, a.email FROM users LEFT OUTER JOIN addresses AS a "
    "ON a.user_id = users.id ORDER BY a.email ASC",
    "SELECT users.name, a.email FROM users LEFT OUTER JOIN addresses AS a "
    "ON a.user_id = users.id ORDER BY a.email ASC", "" },
  { "generated name skips a taken one", b_name_taken,
    "SELECT users_2.id, users_1.id FROM users JOIN users AS users_2 ON users_2.id = users.id "
    "JOIN users AS users_1 ON users_1.id = users.id",
    "SELECT users_2.id, users_1.id FROM users JOIN users AS users_2 ON users_2.id = users.id "
    "JOIN users AS users_1 ON users_1.id = users.id", "" },
  { "from alias", b_from_alias,
    "SELECT users_1.id, users_1.name, users_1.age FROM users AS users_1 LIMIT ?",
    "SELECT users_1.id, users_1.name, users_1.age FROM users AS users_1 LIMIT $1", "5" },
  { "extra from", b_extra_from,
    "SELECT users.name, addresses_1.email FROM users, addresses AS addresses_1 "
    "WHERE addresses_1.user_id = users.id",
    "SELECT users.name, addresses_1.email FROM users, addresses AS addresses_1 "
    "WHERE addresses_1.user_id = users.id", "" },
  { "group by, having, labels", b_group_by,
    "SELECT DISTINCT users.name AS username, count(addresses.id) AS n FROM users "
    "JOIN addresses ON addresses.user_id = users.id GROUP BY users.name "
    "HAVING count(addresses.id) > ? ORDER BY count(addresses.id) DESC",
    "SELECT DISTINCT users.name AS username, count(addresses.id) AS n FROM users "
    "JOIN addresses ON addresses.user_id = users.id GROUP BY users.name "
    "HAVING count(addresses.id) > $1 ORDER BY count(addresses.id) DESC", "1" },
  { "exists", b_exists,
    "SELECT users.id, users.name, users.age FROM users WHERE users.age > ? AND "
    "EXISTS (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id "
    "AND addresses.email LIKE ?)",
    "SELECT users.id, users.name, users.age FROM users WHERE users.age > $1 AND "
    "EXISTS (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id "
    "AND addresses.email LIKE $2)", "30, '%@x.org'" },
  { "not exists", b_not_exists,
    "SELECT users.id, users.name, users.age FROM users WHERE NOT (EXISTS "
    "(SELECT * FROM addresses WHERE addresses.user_id = users.id))",
    "SELECT users.id, users.name, users.age FROM users WHERE NOT (EXISTS "
    "(SELECT * FROM addresses WHERE addresses.user_id = users.id))", "" },
  { "scalar subquery", b_scalar,
    "SELECT users.name, (SELECT count(*) FROM addresses WHERE addresses.user_id = users.id) "
    "AS n_addresses FROM users",
    "SELECT users.name, (SELECT count(*) FROM addresses WHERE addresses.user_id = users.id) "
    "AS n_addresses FROM users", "" },
  { "in select", b_in_select,
    "SELECT users.id FROM users WHERE users.id IN (SELECT addresses.user_id FROM addresses "
    "WHERE addresses.email LIKE ?) AND users.name != ?",
    "SELECT users.id FROM users WHERE users.id IN (SELECT addresses.user_id FROM addresses "
    "WHERE addresses.email LIKE $1) AND users.name != $2", "'%@x.org', 'ed'" },
  { "from subquery", b_from_subquery,
    "SELECT anon_1.user_id, anon_1.n FROM (SELECT addresses.user_id, count(*) AS n "
    "FROM addresses GROUP BY addresses.user_id) AS anon_1 WHERE anon_1.n > ?",
    "SELECT anon_1.user_id, anon_1.n FROM (SELECT addresses.user_id, count(*) AS n "
    "FROM addresses GROUP BY addresses.user_id) AS anon_1 WHERE anon_1.n > $1", "1" },
  { "join subquery", b_join_subquery,
    "SELECT users.name, anon_1.n FROM users LEFT OUTER JOIN (SELECT addresses.user_id, "
    "count(*) AS n FROM addresses GROUP BY addresses.user_id) AS anon_1 "
    "ON anon_1.user_id = users.id",
    "SELECT users.name, anon_1.n FROM users LEFT OUTER JOIN (SELECT addresses.user_id, "
    "count(*) AS n FROM addresses GROUP BY addresses.user_id) AS anon_1 "
    "ON anon_1.user_id = users.id", "" },
  { "subquery with limit", b_subquery_limit,
    "SELECT page.name FROM (SELECT users.id, users.name, users.age FROM users "
    "WHERE users.age > ? ORDER BY users.id LIMIT ? OFFSET ?) AS page "
    "WHERE page.name != ? LIMIT -1 OFFSET ?",
    "SELECT page.name FROM (SELECT users.id, users.name, users.age FROM users "
    "WHERE users.age > $1 ORDER BY users.id LIMIT $2 OFFSET $3) AS page "
    "WHERE page.name != $4 OFFSET $5", "18, 10, 20, 'ed', 3" },
  { "nested naming", b_nested_naming,
    "SELECT users_1.name FROM (SELECT users_2.id FROM users AS users_2) AS anon_1 "
    "JOIN users AS users_1 ON users_1.id = anon_1.id WHERE EXISTS (SELECT users_3.id "
    "FROM users AS users_3 WHERE users_3.id = users_1.id)",
    "SELECT users_1.name FROM (SELECT users_2.id FROM users AS users_2) AS anon_1 "
    "JOIN users AS users_1 ON users_1.id = anon_1.id WHERE EXISTS (SELECT users_3.id "
    "FROM users AS users_3 WHERE users_3.id = users_1.id)", "" },
  { "union", b_union,
    "SELECT users.id, users.name FROM users WHERE users.age < ? UNION "
    "SELECT users.id, users.name FROM users WHERE users.age > ? ORDER BY name DESC LIMIT ?",
    "SELECT users.id, users.name FROM users WHERE users.age < $1 UNION "
    "SELECT users.id, users.name FROM users WHERE users.age > $2 ORDER BY name DESC LIMIT $3",
    "20, 60, 5" },
  { "union all, limited member", b_union_all_limited,
    "SELECT users.id, users.name FROM users WHERE users.age < ? UNION ALL "
    "SELECT * FROM (SELECT users.id, users.name FROM users WHERE users.age > ? "
    "ORDER BY users.age DESC LIMIT ?) AS anon_1",
    "SELECT users.id, users.name FROM users WHERE users.age < $1 UNION ALL "
    "SELECT * FROM (SELECT users.id, users.name FROM users WHERE users.age > $2 "
    "ORDER BY users.age DESC LIMIT $3) AS anon_1", "20, 60, 1" },
  { "name taken inside a nested select", b_name_taken_nested,
    "SELECT users_2.name FROM users JOIN users AS users_2 ON users_2.id = users.id "
    "WHERE EXISTS (SELECT * FROM addresses AS users_1 WHERE users_1.user_id = users_2.id)",
    "SELECT users_2.name FROM users JOIN users AS users_2 ON users_2.id = users.id "
    "WHERE EXISTS (SELECT * FROM addresses AS users_1 WHERE users_1.user_id = users_2.id)",
    "" },
  { "subquery name taken inside a nested select", b_anon_taken_nested,
    "SELECT anon_2.id FROM (SELECT users.id FROM users) AS anon_2 WHERE EXISTS "
    "(SELECT * FROM (SELECT addresses.user_id FROM addresses) AS anon_1 "
    "WHERE anon_1.user_id = anon_2.id)",
    "SELECT anon_2.id FROM (SELECT users.id FROM users) AS anon_2 WHERE EXISTS "
    "(SELECT * FROM (SELECT addresses.user_id FROM addresses) AS anon_1 "
    "WHERE anon_1.user_id = anon_2.id)", "" },
  { "quoted aliases and labels", b_quoted_names,
    "SELECT nodes.name AS \"userName\", \"Parent\".name AS \"select\" FROM nodes "
    "LEFT OUTER JOIN nodes AS \"Parent\" ON nodes.parent_id = \"Parent\".id "
    "LEFT OUTER JOIN nodes AS \"order\" ON \"Parent\".parent_id = \"order\".id "
    "WHERE \"order\".name = ? ORDER BY nodes.id",
    "SELECT nodes.name AS \"userName\", \"Parent\".name AS \"select\" FROM nodes "
    "LEFT OUTER JOIN nodes AS \"Parent\" ON nodes.parent_id = \"Parent\".id "
    "LEFT OUTER JOIN nodes AS \"order\" ON \"Parent\".parent_id = \"order\".id "
    "WHERE \"order\".name = $1 ORDER BY nodes.id", "'root'" },
  { "parameters in every clause", b_all_clauses,
    "SELECT users.name, (SELECT count(*) FROM addresses WHERE addresses.user_id = users.id "
    "AND addresses.email != ?) AS k, c.n FROM users LEFT OUTER JOIN (SELECT addresses.user_id, "
    "count(*) AS n FROM addresses WHERE addresses.email LIKE ? GROUP BY addresses.user_id "
    "ORDER BY addresses.user_id LIMIT ? OFFSET ?) AS c ON c.user_id = users.id "
    "WHERE users.age > ? AND EXISTS (SELECT addresses.id FROM addresses "
    "WHERE addresses.user_id = users.id LIMIT ?) GROUP BY users.id, users.name, c.n "
    "HAVING count(*) >= ? ORDER BY (SELECT max(addresses.id) FROM addresses "
    "WHERE addresses.user_id = users.id AND addresses.id < ?) DESC, users.name LIMIT ?",
    "SELECT users.name, (SELECT count(*) FROM addresses WHERE addresses.user_id = users.id "
    "AND addresses.email != $1) AS k, c.n FROM users LEFT OUTER JOIN (SELECT addresses.user_id, "
    "count(*) AS n FROM addresses WHERE addresses.email LIKE $2 GROUP BY addresses.user_id "
    "ORDER BY addresses.user_id LIMIT $3 OFFSET $4) AS c ON c.user_id = users.id "
    "WHERE users.age > $5 AND EXISTS (SELECT addresses.id FROM addresses "
    "WHERE addresses.user_id = users.id LIMIT $6) GROUP BY users.id, users.name, c.n "
    "HAVING count(*) >= $7 ORDER BY (SELECT max(addresses.id) FROM addresses "
    "WHERE addresses.user_id = users.id AND addresses.id < $8) DESC, users.name LIMIT $9",
    "'zzz', '%.org', 10, 1, 1, 1, 1, 100, 3" },
  { "text", b_text,
    "SELECT users.id FROM users WHERE (users.age % 2 = 0 OR users.age IS NULL) "
    "AND users.name = ?",
    "SELECT users.id FROM users WHERE (users.age % 2 = 0 OR users.age IS NULL) "
    "AND users.name = $1", "'ed'" },
};

static void
check_select (const char *name, const OrmaSelect *select,
              const OrmaDialect *dialect, const char *expected,
              const char *expected_params)
{
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GArray) scratch = scratch_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *rendered = NULL;

  sql = _orma_compile_select (dialect, select, params, scratch, &error);
  ck_assert_msg (sql != NULL, "%s (%s): %s", name, dialect->name,
                 error ? error->message : "");
  ck_assert_msg (strcmp (sql, expected) == 0,
                 "%s (%s):\n got [%s]\nwant [%s]", name, dialect->name,
                 sql, expected);
  rendered = render_params (params);
  ck_assert_msg (strcmp (rendered, expected_params) == 0,
                 "%s (%s): parameters [%s], expected [%s]", name,
                 dialect->name, rendered, expected_params);
}

START_TEST (test_select_cases)
{
  const SelectCase *tc = &select_cases[_i];
  OrmaSelect *select = tc->build ();
  OrmaSelect *copy;

  check_select (tc->name, select, &_orma_dialect_sqlite, tc->sqlite, tc->params);
  check_select (tc->name, select, &_orma_dialect_postgresql, tc->postgresql,
                tc->params);
  /* the same statement again, and a copy of it: the same text */
  check_select (tc->name, select, &_orma_dialect_sqlite, tc->sqlite, tc->params);
  copy = _orma_select_copy (select);
  _orma_select_free (select);
  check_select (tc->name, copy, &_orma_dialect_postgresql, tc->postgresql,
                tc->params);
  _orma_select_free (copy);
}
END_TEST

/* A select on the caller's stack, with borrowed members, a join to an
 * alias and LIMIT/OFFSET bound through the scratch array */
START_TEST (test_stack_select)
{
  g_autoptr (OrmaAlias) parent = orma_table_alias (nodes, NULL);
  g_autoptr (OrmaExpr) on = orma_expr_ref_sink (orma_eq (N ("parent_id"),
                                                         orma_alias_col (parent, "id")));
  g_autoptr (OrmaExpr) where = orma_expr_ref_sink (orma_eq (orma_alias_col (parent, "name"),
                                                            orma_str ("root")));
  OrmaJoin join = { ORMA_JOIN_LEFT, parent, on };
  OrmaSelect select;

  memset (&select, 0, sizeof select);
  select.from = nodes;
  select.joins = &join;
  select.n_joins = 1;
  select.where = where;
  select.limit = 2;
  select.offset = 4;
  check_select ("stack", &select, &_orma_dialect_sqlite,
                "SELECT nodes.id, nodes.parent_id, nodes.name FROM nodes "
                "LEFT OUTER JOIN nodes AS nodes_1 ON nodes.parent_id = nodes_1.id "
                "WHERE nodes_1.name = ? LIMIT ? OFFSET ?", "'root', 2, 4");
  check_select ("stack", &select, &_orma_dialect_postgresql,
                "SELECT nodes.id, nodes.parent_id, nodes.name FROM nodes "
                "LEFT OUTER JOIN nodes AS nodes_1 ON nodes.parent_id = nodes_1.id "
                "WHERE nodes_1.name = $1 LIMIT $2 OFFSET $3", "'root', 2, 4");
}
END_TEST

/* A select on the stack whose UNION members are on the stack too, each
 * with its own LIMIT and OFFSET: every bound value must stay where its
 * parameter points, however many the scratch array ends up holding. */
START_TEST (test_stack_union_limits)
{
  g_autoptr (OrmaExpr) id = orma_expr_ref_sink (U ("id"));
  g_autoptr (OrmaExpr) young = orma_expr_ref_sink (orma_lt (U ("age"), orma_int (20)));
  g_autoptr (OrmaExpr) old = orma_expr_ref_sink (orma_gt (U ("age"), orma_int (60)));
  OrmaExpr *columns[] = { id };
  OrmaSelect members[3];
  OrmaSelect *member_ptrs[3];
  OrmaSelect top;
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GArray) scratch = scratch_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *rendered = NULL;
  guint i;

  for (i = 0; i < 3; i++)
    {
      memset (&members[i], 0, sizeof members[i]);
      members[i].from = users;
      members[i].columns = columns;
      members[i].n_columns = 1;
      members[i].where = old;
      members[i].limit = i + 1;
      members[i].offset = i + 1;
      member_ptrs[i] = &members[i];
    }
  memset (&top, 0, sizeof top);
  top.from = users;
  top.columns = columns;
  top.n_columns = 1;
  top.where = young;
  top.unions = member_ptrs;
  top.n_unions = 3;
  top.limit = 10;
  top.offset = 7;

  sql = _orma_compile_select (&_orma_dialect_postgresql, &top, params, scratch,
                              &error);
  orma_assert_no_error (error);
  ck_assert_str_eq (sql,
                    "SELECT users.id FROM users WHERE users.age < $1 UNION "
                    "SELECT * FROM (SELECT users.id FROM users WHERE users.age > $2 "
                    "LIMIT $3 OFFSET $4) AS anon_1 UNION "
                    "SELECT * FROM (SELECT users.id FROM users WHERE users.age > $5 "
                    "LIMIT $6 OFFSET $7) AS anon_2 UNION "
                    "SELECT * FROM (SELECT users.id FROM users WHERE users.age > $8 "
                    "LIMIT $9 OFFSET $10) AS anon_3 LIMIT $11 OFFSET $12");
  /* the limits and offsets are values the scratch array keeps (in it,
   * or held by one of its values), not where it was before it grew */
  for (i = 0; i < params->len; i++)
    {
      const GValue *value = g_ptr_array_index (params, i);
      gboolean kept = FALSE;
      guint k;

      if (i == 0 || i == 1 || i == 4 || i == 7)
        continue;
      for (k = 0; k < scratch->len; k++)
        {
          GValue *held = &g_array_index (scratch, GValue, k);

          kept = kept || held == value ||
                 (G_VALUE_HOLDS (held, G_TYPE_VALUE) &&
                  g_value_get_boxed (held) == value);
        }
      ck_assert_msg (kept, "parameter %u is not kept by the scratch array",
                     i + 1);
    }
  rendered = render_params (params);
  ck_assert_str_eq (rendered, "20, 60, 1, 1, 60, 2, 2, 60, 3, 3, 10, 7");
}
END_TEST

/* A lone expression with a subquery and an alias compiles on its own,
 * numbering after the parameters already collected */
START_TEST (test_expr_with_subquery)
{
  g_autoptr (OrmaAlias) a = orma_table_alias (addresses, NULL);
  OrmaSelect *sub = sel_new_item (orma_alias_ref (a));
  g_autoptr (OrmaExpr) expr = NULL;
  g_autoptr (GString) sql = g_string_new ("x = $1 AND ");
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  GValue first = G_VALUE_INIT;

  sel_column (sub, orma_alias_col (a, "id"));
  sel_where (sub, orma_eq (orma_alias_col (a, "email"), orma_str ("e")));
  sel_limit (sub, 1, 0);
  expr = orma_expr_ref_sink (exists (sub));
  g_ptr_array_add (params, &first);
  ck_assert (_orma_compile_expr (&_orma_dialect_postgresql, expr, sql, params,
                                 &error));
  ck_assert_str_eq (sql->str, "x = $1 AND EXISTS (SELECT addresses_1.id FROM "
                    "addresses AS addresses_1 WHERE addresses_1.email = $2 LIMIT $3)");
  ck_assert_uint_eq (params->len, 3);
}
END_TEST

/* ------------------------------------------------------------ aliases */

START_TEST (test_alias_boxed)
{
  OrmaAlias *alias = orma_table_alias (users, "u");
  OrmaAlias *copy = g_boxed_copy (ORMA_TYPE_ALIAS, alias);

  ck_assert_ptr_eq (copy, alias);
  ck_assert_int_eq (alias->ref_count, 2);
  ck_assert (alias->is_alias);
  ck_assert_str_eq (alias->name, "u");
  g_boxed_free (ORMA_TYPE_ALIAS, copy);
  orma_alias_unref (alias);
}
END_TEST

START_TEST (test_alias_column_holds_alias)
{
  OrmaAlias *alias = orma_table_alias (users, NULL);
  OrmaExpr *col = orma_expr_ref_sink (orma_alias_col (alias, "name"));

  ck_assert_int_eq (col->kind, ORMA_EXPR_COLUMN);
  ck_assert_ptr_eq (col->from, alias);
  ck_assert_ptr_eq (col->table, users);
  ck_assert_uint_eq (col->column, 1);
  orma_alias_unref (alias);      /* the column keeps it alive */
  ck_assert_int_eq (col->from->ref_count, 1);
  orma_expr_unref (col);
}
END_TEST

/* Column names of a subquery: labels, column names, and none for an
 * unlabelled expression */
START_TEST (test_subquery_column_names)
{
  OrmaSelect *s = sel_new (users);
  OrmaAlias *sub;
  g_autoptr (OrmaExpr) unnamed = NULL;
  g_autoptr (OrmaExpr) by_label = NULL;

  sel_column (s, U ("id"));
  sel_column (s, orma_label (orma_max (U ("age")), "oldest"));
  sel_column (s, orma_count (NULL));
  sub = subquery (s, "sq");
  ck_assert_uint_eq (sub->column_names->len, 3);
  ck_assert_str_eq (g_ptr_array_index (sub->column_names, 0), "id");
  ck_assert_str_eq (g_ptr_array_index (sub->column_names, 1), "oldest");
  ck_assert_ptr_null (g_ptr_array_index (sub->column_names, 2));

  by_label = orma_expr_ref_sink (orma_alias_col (sub, "oldest"));
  ck_assert_ptr_eq (by_label->from, sub);
  ck_assert_uint_eq (by_label->column, 1);
  unnamed = orma_expr_ref_sink (_orma_alias_column (sub, 2));
  ck_assert_int_eq (unnamed->kind, ORMA_EXPR_ERROR);
  ck_assert_int_eq (unnamed->error_code, ORMA_ERROR_INVALID_QUERY);
  orma_alias_unref (sub);

  /* without a column list: the FROM table's columns */
  sub = subquery (sel_new (nodes), NULL);
  ck_assert_uint_eq (sub->column_names->len, 3);
  ck_assert_str_eq (g_ptr_array_index (sub->column_names, 1), "parent_id");
  orma_alias_unref (sub);
}
END_TEST

static void
assert_compile_error (OrmaExpr *expr, int code, const char *must_mention,
                      const char *and_mention)
{
  g_autoptr (OrmaExpr) owned = orma_expr_ref_sink (expr);
  guint d;

  for (d = 0; d < 2; d++)
    {
      const OrmaDialect *dialect = d == 0 ? &_orma_dialect_sqlite
                                          : &_orma_dialect_postgresql;
      g_autoptr (GString) sql = g_string_new (NULL);
      g_autoptr (GPtrArray) params = g_ptr_array_new ();
      g_autoptr (GError) error = NULL;

      ck_assert (!_orma_compile_expr (dialect, owned, sql, params, &error));
      orma_assert_error (error, code);
      if (must_mention != NULL)
        ck_assert_msg (strstr (error->message, must_mention) != NULL,
                       "[%s] does not mention %s", error->message, must_mention);
      if (and_mention != NULL)
        ck_assert_msg (strstr (error->message, and_mention) != NULL,
                       "[%s] does not mention %s", error->message, and_mention);
    }
}

START_TEST (test_alias_errors)
{
  g_autoptr (OrmaAlias) named = orma_table_alias (users, "u");
  g_autoptr (OrmaAlias) anon = orma_table_alias (nodes, NULL);
  g_autoptr (OrmaAlias) sub = subquery (counts_select (), "counts");

  assert_compile_error (orma_eq (orma_alias_col (named, "nope"), orma_int (1)),
                        ORMA_ERROR_UNKNOWN_PROPERTY, "u", "nope");
  assert_compile_error (orma_alias_col (anon, "title"),
                        ORMA_ERROR_UNKNOWN_PROPERTY, "nodes", "title");
  assert_compile_error (orma_alias_col (sub, "email"),
                        ORMA_ERROR_UNKNOWN_PROPERTY, "counts", "email");
  assert_compile_error (orma_alias_col (NULL, "id"),
                        ORMA_ERROR_INVALID_QUERY, NULL, NULL);
  assert_compile_error (orma_alias_col (named, NULL),
                        ORMA_ERROR_INVALID_QUERY, NULL, NULL);
  assert_compile_error (orma_label (U ("id"), NULL),
                        ORMA_ERROR_INVALID_QUERY, NULL, NULL);
  assert_compile_error (orma_label (NULL, "x"),
                        ORMA_ERROR_INVALID_QUERY, NULL, NULL);
}
END_TEST

static void
assert_select_error (OrmaSelect *select, int code)
{
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GArray) scratch = scratch_new ();
  g_autoptr (GError) error = NULL;
  char *sql;

  sql = _orma_compile_select (&_orma_dialect_postgresql, select, params,
                              scratch, &error);
  ck_assert_ptr_null (sql);
  orma_assert_error (error, code);
  _orma_select_free (select);
}

START_TEST (test_select_errors)
{
  OrmaSelect *s;
  OrmaSelect *sub;

  /* a join without ON */
  s = sel_new (users);
  sel_join (s, ORMA_JOIN_INNER, orma_table_alias (users, NULL), orma_int (1));
  g_clear_pointer (&s->joins[0].on, orma_expr_unref);
  assert_select_error (s, ORMA_ERROR_INVALID_QUERY);

  /* every column of a subquery with an unnamed one */
  sub = sel_new (users);
  sel_column (sub, orma_count (NULL));
  s = sel_new_item (subquery (sub, NULL));
  assert_select_error (s, ORMA_ERROR_INVALID_QUERY);

  /* an error inside an EXISTS reaches the caller */
  sub = sel_new (addresses);
  sel_where (sub, orma_eq (A ("nope"), orma_int (1)));
  s = sel_new (users);
  sel_where (s, exists (sub));
  assert_select_error (s, ORMA_ERROR_INVALID_QUERY);

  /* an unknown column of a FROM subquery, in the outer select list */
  s = sel_new_item (subquery (counts_select (), NULL));
  sel_column (s, orma_alias_col (s->from_item, "total"));
  assert_select_error (s, ORMA_ERROR_UNKNOWN_PROPERTY);

  /* joins without any FROM */
  s = sel_new (NULL);
  sel_column (s, orma_int (1));
  sel_join (s, ORMA_JOIN_INNER, orma_table_alias (users, NULL), orma_bool (TRUE));
  assert_select_error (s, ORMA_ERROR_INVALID_QUERY);
}
END_TEST

/* ------------------------------------------------------------ text */

typedef struct {
  const char *text;
  const char *sqlite;
  const char *postgresql;
  const char *params;
} TextCase;

static const TextCase text_cases[] = {
  { "SELECT * FROM users WHERE name = :name",
    "SELECT * FROM users WHERE name = ?",
    "SELECT * FROM users WHERE name = $1", "'ed'" },
  { "SELECT * FROM users WHERE name = :name OR fullname = :name AND age > :age",
    "SELECT * FROM users WHERE name = ? OR fullname = ? AND age > ?",
    "SELECT * FROM users WHERE name = $1 OR fullname = $2 AND age > $3",
    "'ed', 'ed', 42" },
  { "SELECT ':name', \":name\", 'it'':s :age' FROM t WHERE x = :age",
    "SELECT ':name', \":name\", 'it'':s :age' FROM t WHERE x = ?",
    "SELECT ':name', \":name\", 'it'':s :age' FROM t WHERE x = $1", "42" },
  { "SELECT :age::text, x::int -- :name\n, /* :name */ :name_2",
    "SELECT ?::text, x::int -- :name\n, /* :name */ ?",
    "SELECT $1::text, x::int -- :name\n, /* :name */ $2", "42, 'ann'" },
  { "SELECT a[1:2], :nothing FROM t", "SELECT a[1:2], ? FROM t",
    "SELECT a[1:2], $1 FROM t", "NULL" },
  { "SELECT 1", "SELECT 1", "SELECT 1", "" },
  { "SELECT 'unterminated :name", "SELECT 'unterminated :name",
    "SELECT 'unterminated :name", "" },
};

static void
expr_unref_nullable (gpointer expr)
{
  if (expr != NULL)
    orma_expr_unref (expr);
}

static GHashTable *
text_values (void)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              expr_unref_nullable);
  OrmaExpr *name = orma_expr_ref_sink (orma_str ("ed"));
  OrmaExpr *name_2 = orma_expr_ref_sink (orma_str ("ann"));
  OrmaExpr *age = orma_expr_ref_sink (orma_int (42));

  g_hash_table_insert (values, "name", name);
  g_hash_table_insert (values, "name_2", name_2);
  g_hash_table_insert (values, "age", age);
  g_hash_table_insert (values, "nothing", NULL);
  return values;
}

/* the table maps names to GValue*: point into the expressions' values */
static GHashTable *
value_table (GHashTable *exprs)
{
  GHashTable *values = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, expr;

  g_hash_table_iter_init (&iter, exprs);
  while (g_hash_table_iter_next (&iter, &key, &expr))
    g_hash_table_insert (values, key,
                         expr != NULL ? &((OrmaExpr *) expr)->value : NULL);
  return values;
}

START_TEST (test_text_cases)
{
  const TextCase *tc = &text_cases[_i];
  g_autoptr (GHashTable) exprs = text_values ();
  g_autoptr (GHashTable) values = value_table (exprs);
  guint d;

  for (d = 0; d < 2; d++)
    {
      const OrmaDialect *dialect = d == 0 ? &_orma_dialect_sqlite
                                          : &_orma_dialect_postgresql;
      g_autoptr (GPtrArray) params = g_ptr_array_new ();
      g_autoptr (GError) error = NULL;
      g_autofree char *sql = NULL;
      g_autofree char *rendered = NULL;

      sql = _orma_compile_text (dialect, tc->text, values, params, &error);
      orma_assert_no_error (error);
      ck_assert_str_eq (sql, d == 0 ? tc->sqlite : tc->postgresql);
      rendered = render_params (params);
      ck_assert_str_eq (rendered, tc->params);
    }
}
END_TEST

START_TEST (test_text_errors)
{
  g_autoptr (GHashTable) exprs = text_values ();
  g_autoptr (GHashTable) values = value_table (exprs);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) no_table_error = NULL;
  GValue first = G_VALUE_INIT;
  char *sql;

  g_ptr_array_add (params, &first);
  sql = _orma_compile_text (&_orma_dialect_postgresql,
                            "SELECT :name, :missing_one", values, params,
                            &error);
  ck_assert_ptr_null (sql);
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  ck_assert (strstr (error->message, "missing_one") != NULL);
  /* nothing is left bound by a failed call */
  ck_assert_uint_eq (params->len, 1);

  sql = _orma_compile_text (&_orma_dialect_sqlite, "SELECT :x", NULL, params,
                            &no_table_error);
  ck_assert_ptr_null (sql);
  orma_assert_error (no_table_error, ORMA_ERROR_INVALID_QUERY);
}
END_TEST

/* PostgreSQL's own string forms: E'' strings with backslash escapes,
 * dollar-quoted strings (with and without a tag, not to be confused
 * with a $ inside an identifier), nested block comments, and ":=" of
 * named function arguments */
typedef struct {
  const char *text;
  const char *postgresql;
  const char *params;
} PgTextCase;

static const PgTextCase pg_text_cases[] = {
  { "SELECT E'it\\'s :name', :age", "SELECT E'it\\'s :name', $1", "42" },
  { "SELECT e'\\\\', :age, E'\\\\\\' :name'", "SELECT e'\\\\', $1, E'\\\\\\' :name'", "42" },
  { "SELECT 'a\\', :age", "SELECT 'a\\', $1", "42" },
  { "SELECT $$ it's :name $$, :age", "SELECT $$ it's :name $$, $1", "42" },
  { "SELECT $fn$ :name $x$ $ $fn$ || :age", "SELECT $fn$ :name $x$ $ $fn$ || $1", "42" },
  { "SELECT a$b$c, :age, b$$ FROM t", "SELECT a$b$c, $1, b$$ FROM t", "42" },
  { "SELECT /* outer /* inner */ :name */ :age", "SELECT /* outer /* inner */ :name */ $1", "42" },
  { "SELECT f(a := :age, b => :name)", "SELECT f(a := $1, b => $2)", "42, 'ed'" },
  { "SELECT :age::text, ':'::text, :name_2", "SELECT $1::text, ':'::text, $2", "42, 'ann'" },
  { "SELECT 1 :", "SELECT 1 :", "" },
  { "SELECT :name_2", "SELECT $1", "'ann'" },
};

START_TEST (test_text_postgresql)
{
  const PgTextCase *tc = &pg_text_cases[_i];
  g_autoptr (GHashTable) exprs = text_values ();
  g_autoptr (GHashTable) values = value_table (exprs);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *rendered = NULL;

  sql = _orma_compile_text (&_orma_dialect_postgresql, tc->text, values,
                            params, &error);
  orma_assert_no_error (error);
  ck_assert_str_eq (sql, tc->postgresql);
  rendered = render_params (params);
  ck_assert_str_eq (rendered, tc->params);
}
END_TEST

/* SQLite knows none of those forms: a backslash is an ordinary
 * character and "$" starts one of its own parameter names */
START_TEST (test_text_sqlite_strings)
{
  g_autoptr (GHashTable) exprs = text_values ();
  g_autoptr (GHashTable) values = value_table (exprs);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;

  sql = _orma_compile_text (&_orma_dialect_sqlite,
                            "SELECT 'a\\', :age, E'b\\', :name /* x /* y */ :name_2",
                            values, params, &error);
  orma_assert_no_error (error);
  ck_assert_str_eq (sql, "SELECT 'a\\', ?, E'b\\', ? /* x /* y */ ?");
  ck_assert_uint_eq (params->len, 3);
}
END_TEST

/* Numbering continues after the parameters already collected */
START_TEST (test_text_numbering_continues)
{
  g_autoptr (GHashTable) exprs = text_values ();
  g_autoptr (GHashTable) values = value_table (exprs);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;
  GValue first = G_VALUE_INIT;

  g_ptr_array_add (params, &first);
  sql = _orma_compile_text (&_orma_dialect_postgresql, "x = :age", values,
                            params, &error);
  orma_assert_no_error (error);
  ck_assert_str_eq (sql, "x = $2");
  ck_assert_uint_eq (params->len, 2);
}
END_TEST

/* ------------------------------------------------------------ database */

static OrmaEngine *engine;
static OrmaMetadata *metadata;

static void
exec_sql (OrmaConnection *conn, const char *sql)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (orma_connection_execute (conn, sql, NULL, 0, NULL, &error),
                 "%s: %s", sql, error ? error->message : "");
}

static void
db_setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaConnection) conn = NULL;

  tables_setup ();
  engine = orma_test_engine_new ();
  metadata = orma_metadata_new ();
  ck_assert (orma_metadata_add_table (metadata, users, &error));
  ck_assert (orma_metadata_add_table (metadata, addresses, &error));
  ck_assert (orma_metadata_add_table (metadata, nodes, &error));
  ck_assert (orma_metadata_create_all (metadata, engine, &error));
  orma_assert_no_error (error);

  conn = orma_engine_connect (engine, &error);
  orma_assert_no_error (error);
  exec_sql (conn, "INSERT INTO users (id, name, age) VALUES "
                  "(1, 'ed', 35), (2, 'wendy', 17), (3, 'mary', 70), (4, 'fred', 40)");
  exec_sql (conn, "INSERT INTO addresses (id, user_id, email) VALUES "
                  "(1, 1, 'ed@x.org'), (2, 1, 'ed@y.org'), (3, 2, 'wendy@x.org'), "
                  "(4, 4, 'fred@y.org')");
  exec_sql (conn, "INSERT INTO nodes (id, parent_id, name) VALUES "
                  "(1, NULL, 'root'), (2, 1, 'child'), (3, 2, 'grandchild'), "
                  "(4, 1, 'child2'), (5, 4, 'grandchild2')");
}

static void
db_teardown (void)
{
  g_clear_object (&engine);
  g_clear_pointer (&metadata, orma_metadata_unref);
  tables_teardown ();
}

/* Runs @select (taken) and renders its rows as "a,b;c,d" */
static char *
run_select (OrmaSelect *select)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaConnection) conn = orma_engine_connect (engine, &error);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GArray) scratch = scratch_new ();
  g_autoptr (OrmaRows) rows = NULL;
  g_autofree char *sql = NULL;
  GString *out = g_string_new (NULL);
  OrmaCursor *cursor;

  orma_assert_no_error (error);
  sql = _orma_compile_select (_orma_connection_get_dialect (conn), select,
                              params, scratch, &error);
  orma_assert_no_error (error);
  cursor = _orma_connection_query (conn, sql,
                                   (const GValue *const *) params->pdata,
                                   params->len, FALSE, NULL, &error);
  ck_assert_msg (cursor != NULL, "%s: %s", sql, error ? error->message : "");
  rows = _orma_rows_new (conn, cursor);
  while (orma_rows_next (rows, &error))
    {
      guint i;

      if (out->len > 0)
        g_string_append_c (out, ';');
      for (i = 0; i < orma_rows_get_n_columns (rows); i++)
        {
          g_autofree char *text = NULL;

          if (i > 0)
            g_string_append_c (out, ',');
          if (orma_rows_is_null (rows, i))
            {
              g_string_append (out, "NULL");
              continue;
            }
          text = orma_rows_dup_string (rows, i);
          g_string_append (out, text);
        }
    }
  orma_assert_no_error (error);
  _orma_select_free (select);
  return g_string_free (out, FALSE);
}

/* Grandchildren of "root" through two aliases: parent and grandparent */
START_TEST (test_db_self_join)
{
  OrmaAlias *parent = orma_table_alias (nodes, NULL);
  OrmaAlias *grandparent = orma_table_alias (nodes, "gp");
  OrmaSelect *s = sel_new (nodes);
  g_autofree char *rows = NULL;

  sel_column (s, N ("name"));
  sel_column (s, orma_alias_col (parent, "name"));
  sel_join (s, ORMA_JOIN_INNER, orma_alias_ref (parent),
            orma_eq (N ("parent_id"), orma_alias_col (parent, "id")));
  sel_join (s, ORMA_JOIN_INNER, orma_alias_ref (grandparent),
            orma_eq (orma_alias_col (parent, "parent-id"),
                     orma_alias_col (grandparent, "id")));
  sel_where (s, orma_and (orma_eq (orma_alias_col (grandparent, "name"), orma_str ("root")),
                          orma_like (orma_alias_col (parent, "name"), orma_str ("child%")),
                          NULL));
  sel_order_by (s, N ("id"));
  orma_alias_unref (parent);
  orma_alias_unref (grandparent);
  rows = run_select (s);
  ck_assert_str_eq (rows, "grandchild,child;grandchild2,child2");
}
END_TEST

START_TEST (test_db_exists)
{
  OrmaSelect *sub = sel_new (addresses);
  OrmaSelect *s = sel_new (users);
  g_autofree char *rows = NULL;

  sel_column (sub, A ("id"));
  sel_where (sub, orma_and (orma_eq (A ("user_id"), U ("id")),
                            orma_like (A ("email"), orma_str ("%@x.org")), NULL));
  sel_column (s, U ("name"));
  sel_where (s, exists (sub));
  sel_order_by (s, U ("id"));
  rows = run_select (s);
  ck_assert_str_eq (rows, "ed;wendy");
}
END_TEST

START_TEST (test_db_union)
{
  OrmaSelect *s = young_or_old (FALSE);
  OrmaSelect *member = young_or_old (TRUE);
  OrmaSelect *limited = young_or_old (TRUE);
  g_autofree char *rows = NULL;

  sel_union (s, member, FALSE);
  sel_union (s, limited, FALSE);   /* mary again: UNION drops her */
  sel_order_by (limited, orma_desc (U ("age")));
  sel_limit (limited, 1, 0);
  sel_order_by (s, orma_desc (U ("name")));
  rows = run_select (s);
  ck_assert_str_eq (rows, "2,wendy;3,mary");
}
END_TEST

START_TEST (test_db_group_by)
{
  OrmaSelect *s = sel_new (users);
  g_autofree char *rows = NULL;

  sel_column (s, orma_label (U ("name"), "username"));
  sel_column (s, orma_label (orma_count (A ("id")), "n"));
  sel_join (s, ORMA_JOIN_LEFT, _orma_alias_new_table (addresses, NULL, FALSE, 0),
            orma_eq (A ("user_id"), U ("id")));
  sel_group_by (s, U ("name"));
  sel_having (s, orma_lt (orma_count (A ("id")), orma_int (2)));
  sel_order_by (s, orma_label (U ("name"), "username"));
  rows = run_select (s);
  ck_assert_str_eq (rows, "fred,1;mary,0;wendy,1");
}
END_TEST

/* The users with addresses, from a grouped and paged subquery, joined
 * back to users and filtered with a scalar subquery and IN */
START_TEST (test_db_subquery_from)
{
  OrmaSelect *inner = counts_select ();
  OrmaAlias *counts;
  OrmaSelect *ids = sel_new (addresses);
  OrmaSelect *s;
  g_autofree char *rows = NULL;

  sel_order_by (inner, A ("user_id"));
  sel_limit (inner, 2, 1);          /* skips ed: wendy, fred */
  counts = subquery (inner, NULL);
  s = sel_new_item (orma_alias_ref (counts));
  sel_column (s, U ("name"));
  sel_column (s, orma_alias_col (counts, "n"));
  sel_join (s, ORMA_JOIN_INNER, _orma_alias_new_table (users, NULL, FALSE, 0),
            orma_eq (U ("id"), orma_alias_col (counts, "user_id")));
  sel_column (ids, A ("user_id"));
  sel_where (ids, orma_like (A ("email"), orma_str ("%@y.org")));
  sel_where (s, in_select (U ("id"), ids));
  sel_order_by (s, U ("name"));
  orma_alias_unref (counts);
  rows = run_select (s);
  ck_assert_str_eq (rows, "fred,1");
}
END_TEST

START_TEST (test_db_scalar)
{
  OrmaSelect *sub = sel_new (addresses);
  OrmaSelect *s = sel_new (users);
  g_autofree char *rows = NULL;

  sel_column (sub, orma_count (NULL));
  sel_where (sub, orma_eq (A ("user_id"), U ("id")));
  sel_column (s, U ("name"));
  sel_column (s, orma_label (scalar (sub), "n"));
  sel_where (s, orma_gt (U ("age"), orma_int (30)));
  sel_order_by (s, U ("id"));
  rows = run_select (s);
  ck_assert_str_eq (rows, "ed,2;mary,0;fred,1");
}
END_TEST

/* Parameters in every clause, with LIMIT/OFFSET in nested selects */
START_TEST (test_db_all_clauses)
{
  g_autofree char *rows = run_select (b_all_clauses ());

  ck_assert_str_eq (rows, "fred,1,1;wendy,1,1;ed,2,NULL");
}
END_TEST

/* The EXISTS correlates with the outer alias, not with its own */
START_TEST (test_db_name_taken_nested)
{
  OrmaSelect *s = b_name_taken_nested ();
  g_autofree char *rows = NULL;

  sel_order_by (s, U ("id"));
  rows = run_select (s);
  ck_assert_str_eq (rows, "ed;wendy;fred");
}
END_TEST

START_TEST (test_db_quoted_names)
{
  g_autofree char *rows = run_select (b_quoted_names ());

  ck_assert_str_eq (rows, "grandchild,child;grandchild2,child2");
}
END_TEST

/* ORDER BY a mixed-case label, LIMIT and OFFSET over a UNION whose
 * member has its own ORDER BY and LIMIT */
START_TEST (test_db_union_limit)
{
  OrmaSelect *s = sel_new (users);
  OrmaSelect *old = sel_new (users);
  OrmaSelect *oldest = sel_new (users);
  g_autofree char *rows = NULL;

  sel_column (s, orma_label (U ("name"), "userName"));
  sel_column (s, U ("age"));
  sel_where (s, orma_lt (U ("age"), orma_int (20)));
  sel_column (old, U ("name"));
  sel_column (old, U ("age"));
  sel_where (old, orma_gt (U ("age"), orma_int (60)));
  sel_column (oldest, U ("name"));
  sel_column (oldest, U ("age"));
  sel_where (oldest, orma_gt (U ("age"), orma_int (30)));
  sel_order_by (oldest, U ("age"));
  sel_limit (oldest, 2, 0);
  sel_union (s, old, FALSE);
  sel_union (s, oldest, FALSE);
  sel_order_by (s, orma_desc (orma_label (U ("name"), "userName")));
  sel_limit (s, 2, 1);
  rows = run_select (s);
  ck_assert_str_eq (rows, "mary,70;fred,40");
}
END_TEST

/* ------------------------------------------------------------ suite */

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("compiler-select");
  TCase *tc;

  tc = tcase_create ("select");
  tcase_add_checked_fixture (tc, tables_setup, tables_teardown);
  tcase_add_loop_test (tc, test_select_cases, 0, G_N_ELEMENTS (select_cases));
  tcase_add_test (tc, test_stack_select);
  tcase_add_test (tc, test_stack_union_limits);
  tcase_add_test (tc, test_expr_with_subquery);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("aliases");
  tcase_add_checked_fixture (tc, tables_setup, tables_teardown);
  tcase_add_test (tc, test_alias_boxed);
  tcase_add_test (tc, test_alias_column_holds_alias);
  tcase_add_test (tc, test_subquery_column_names);
  tcase_add_test (tc, test_alias_errors);
  tcase_add_test (tc, test_select_errors);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("text");
  tcase_add_loop_test (tc, test_text_cases, 0, G_N_ELEMENTS (text_cases));
  tcase_add_test (tc, test_text_errors);
  tcase_add_test (tc, test_text_numbering_continues);
  tcase_add_loop_test (tc, test_text_postgresql, 0, G_N_ELEMENTS (pg_text_cases));
  tcase_add_test (tc, test_text_sqlite_strings);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("database");
  tcase_add_checked_fixture (tc, db_setup, db_teardown);
  tcase_add_test (tc, test_db_self_join);
  tcase_add_test (tc, test_db_exists);
  tcase_add_test (tc, test_db_union);
  tcase_add_test (tc, test_db_group_by);
  tcase_add_test (tc, test_db_subquery_from);
  tcase_add_test (tc, test_db_scalar);
  tcase_add_test (tc, test_db_all_clauses);
  tcase_add_test (tc, test_db_name_taken_nested);
  tcase_add_test (tc, test_db_quoted_names);
  tcase_add_test (tc, test_db_union_limit);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return orma_test_run (make_suite ());
}
