/* test-query-join.c: joins along relationships and with an explicit ON,
 * chained joins, aliases for self-joins and for joining a table twice,
 * several entities and columns per row, GROUP BY and HAVING, counting a
 * join, and the eager loading a query runs with its rows (each owner
 * once, in the order it first appears).
 *
 * The data is written with plain SQL before each test, so that these
 * tests depend on the queries alone; the ids follow the order of the
 * INSERTs on both backends.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "fixtures.h"
#include "rel-models.h"

static OrmaEngine *engine;

/* users: 1 ed, 2 wendy, 3 mary, 4 fred
 * addresses: 1 ed@example.com (ed), 2 ed@work.org (ed),
 *   3 wendy@example.com (wendy), 4 mary@work.org (mary)
 * posts: 1 "glib tips" (ed; c, glib), 2 "sql tricks" (ed; sql),
 *   3 "gtk news" (wendy; glib, gtk)
 * keywords: 1 c, 2 glib, 3 sql, 4 gtk
 * nodes: 1 root; 2 child1 and 3 child2 under root; 4 grandchild1 under
 *   child1, 5 grandchild2 under child2; 6 other (a second root),
 *   7 child1 under other, 8 grandchild3 under that child1 */
static const char *const seed_sql[] = {
  "INSERT INTO users (name, fullname) VALUES ('ed', 'Ed Jones')",
  "INSERT INTO users (name, fullname) VALUES ('wendy', 'Wendy Williams')",
  "INSERT INTO users (name, fullname) VALUES ('mary', 'Mary Contrary')",
  "INSERT INTO users (name, fullname) VALUES ('fred', NULL)",
  "INSERT INTO addresses (email, user_id) VALUES ('ed@example.com', 1)",
  "INSERT INTO addresses (email, user_id) VALUES ('ed@work.org', 1)",
  "INSERT INTO addresses (email, user_id) VALUES ('wendy@example.com', 2)",
  "INSERT INTO addresses (email, user_id) VALUES ('mary@work.org', 3)",
  "INSERT INTO posts (title, user_id) VALUES ('glib tips', 1)",
  "INSERT INTO posts (title, user_id) VALUES ('sql tricks', 1)",
  "INSERT INTO posts (title, user_id) VALUES ('gtk news', 2)",
  "INSERT INTO keywords (keyword) VALUES ('c')",
  "INSERT INTO keywords (keyword) VALUES ('glib')",
  "INSERT INTO keywords (keyword) VALUES ('sql')",
  "INSERT INTO keywords (keyword) VALUES ('gtk')",
  "INSERT INTO post_keywords (post_id, keyword_id) VALUES (1, 1)",
  "INSERT INTO post_keywords (post_id, keyword_id) VALUES (1, 2)",
  "INSERT INTO post_keywords (post_id, keyword_id) VALUES (2, 3)",
  "INSERT INTO post_keywords (post_id, keyword_id) VALUES (3, 2)",
  "INSERT INTO post_keywords (post_id, keyword_id) VALUES (3, 4)",
  "INSERT INTO nodes (parent_id, name) VALUES (NULL, 'root')",
  "INSERT INTO nodes (parent_id, name) VALUES (1, 'child1')",
  "INSERT INTO nodes (parent_id, name) VALUES (1, 'child2')",
  "INSERT INTO nodes (parent_id, name) VALUES (2, 'grandchild1')",
  "INSERT INTO nodes (parent_id, name) VALUES (3, 'grandchild2')",
  "INSERT INTO nodes (parent_id, name) VALUES (NULL, 'other')",
  "INSERT INTO nodes (parent_id, name) VALUES (6, 'child1')",
  "INSERT INTO nodes (parent_id, name) VALUES (7, 'grandchild3')",
};

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaConnection) connection = NULL;

  engine = rel_models_engine_new ();
  connection = orma_engine_connect (engine, &error);
  orma_assert_no_error (error);
  ck_assert (orma_connection_begin (connection, &error));
  for (guint i = 0; i < G_N_ELEMENTS (seed_sql); i++)
    if (!orma_connection_execute (connection, seed_sql[i], NULL, 0, NULL, &error))
      ck_abort_msg ("%s: %s", seed_sql[i], error->message);
  ck_assert (orma_connection_commit (connection, &error));
}

static void
teardown (void)
{
  g_clear_object (&engine);
}

/* A session whose transaction has begun, with the log cleared: what
 * follows is only the statements of the test. */
static OrmaSession *
session_new (void)
{
  OrmaSession *session = orma_session_new (engine);
  g_autoptr (OrmaQuery) warm = orma_session_query (session, REL_TYPE_KEYWORD);
  g_autoptr (GError) error = NULL;
  gint64 count = 0;

  ck_assert (orma_query_count (warm, &count, &error));
  orma_test_log_attach (engine);
  orma_test_log_clear (engine);
  return session;
}

#define USERS "SELECT users.id, users.name, users.fullname FROM users"
#define NODES "SELECT nodes.id, nodes.parent_id, nodes.name FROM nodes"
#define USER_COL(name) orma_col (REL_TYPE_USER, name)
#define ADDRESS_COL(name) orma_col (REL_TYPE_ADDRESS, name)

/* ------------------------------------------------------------ joins */

START_TEST (test_join)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autofree char *found = NULL;

  orma_query_join (query, "addresses", NULL);
  orma_query_filter (query, orma_like (ADDRESS_COL ("email"), orma_str ("%@work.org")));
  orma_query_order_by (query, USER_COL ("id"));
  found = orma_test_run_all (query, "name", FALSE);
  ck_assert_str_eq (found, "ed,mary");
  orma_test_assert_log (engine,
                        USERS " JOIN addresses ON users.id = addresses.user_id "
                        "WHERE addresses.email LIKE ? ORDER BY users.id",
                        NULL);
  orma_test_assert_params (engine, 0, "('%@work.org')");
}
END_TEST

/* From the many side: the referenced column still comes first. */
START_TEST (test_join_many_to_one)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autofree char *found = NULL;

  orma_query_join (query, "user", NULL);
  orma_query_filter (query, orma_eq (USER_COL ("name"), orma_str ("ed")));
  orma_query_order_by (query, ADDRESS_COL ("id"));
  found = orma_test_run_all (query, "email", FALSE);
  ck_assert_str_eq (found, "ed@example.com,ed@work.org");
  orma_test_assert_log (engine,
                        "SELECT addresses.id, addresses.email, addresses.user_id FROM addresses "
                        "JOIN users ON users.id = addresses.user_id WHERE users.name = ? "
                        "ORDER BY addresses.id",
                        NULL);
}
END_TEST

START_TEST (test_outerjoin)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autofree char *found = NULL;

  orma_query_outerjoin (query, "addresses", NULL);
  orma_query_filter (query, orma_is_null (ADDRESS_COL ("id")));
  found = orma_test_run_all (query, "name", FALSE);
  ck_assert_str_eq (found, "fred");
  orma_test_assert_log (engine,
                        USERS " LEFT OUTER JOIN addresses ON users.id = addresses.user_id "
                        "WHERE addresses.id IS NULL",
                        NULL);
}
END_TEST

/* users -> posts -> keywords, by chaining and by a dotted path. */
START_TEST (test_chained_joins)
{
  static const char *expected_sql =
    "SELECT DISTINCT users.id, users.name, users.fullname FROM users "
    "JOIN posts ON users.id = posts.user_id "
    "JOIN post_keywords ON posts.id = post_keywords.post_id "
    "JOIN keywords ON keywords.id = post_keywords.keyword_id "
    "WHERE keywords.keyword IN (?, ?) ORDER BY users.id";
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) chained = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaQuery) dotted = orma_session_query (session, REL_TYPE_USER);
  OrmaQuery *queries[] = { chained, dotted };

  orma_query_join (chained, "posts", NULL);
  orma_query_join (chained, "keywords", NULL);
  orma_query_join (dotted, "posts.keywords", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *found = NULL;

      /* ed's first post has both: DISTINCT gives him once */
      orma_query_filter (queries[i], orma_in (orma_col (REL_TYPE_KEYWORD, "keyword"),
                                              orma_str ("c"), orma_str ("glib"), NULL));
      orma_query_distinct (queries[i]);
      orma_query_order_by (queries[i], USER_COL ("id"));
      found = orma_test_run_all (queries[i], "name", FALSE);
      ck_assert_str_eq (found, "ed,wendy");
    }
  orma_test_assert_log (engine, expected_sql, expected_sql, NULL);
}
END_TEST

START_TEST (test_join_on)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaAlias) a = orma_aliased (REL_TYPE_ADDRESS, "a");
  g_autofree char *found = NULL;

  orma_query_join_on (query, a,
                      orma_and (orma_eq (orma_alias_col (a, "user_id"), USER_COL ("id")),
                                orma_like (orma_alias_col (a, "email"),
                                           orma_str ("%@example.com")),
                                NULL));
  orma_query_order_by (query, USER_COL ("id"));
  found = orma_test_run_all (query, "name", FALSE);
  ck_assert_str_eq (found, "ed,wendy");
  orma_test_assert_log (engine,
                        USERS " JOIN addresses AS a ON a.user_id = users.id "
                        "AND a.email LIKE ? ORDER BY users.id",
                        NULL);
}
END_TEST

/* The adjacency list: nodes whose parent is named child1 and whose
 * grandparent is named root, through two aliases of nodes. */
START_TEST (test_self_join)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_NODE);
  g_autoptr (OrmaAlias) parent = orma_aliased (REL_TYPE_NODE, "parent");
  g_autoptr (OrmaAlias) grandparent = orma_aliased (REL_TYPE_NODE, "grandparent");
  g_autofree char *found = NULL;

  orma_query_join (query, "parent", parent);
  orma_query_join (query, "parent.parent", grandparent);
  orma_query_filter (query, orma_eq (orma_alias_col (parent, "name"), orma_str ("child1")));
  orma_query_filter (query, orma_eq (orma_alias_col (grandparent, "name"), orma_str ("root")));
  found = orma_test_run_all (query, "name", FALSE);
  ck_assert_str_eq (found, "grandchild1");
  orma_test_assert_log (engine,
                        NODES " JOIN nodes AS parent ON parent.id = nodes.parent_id "
                        "JOIN nodes AS grandparent ON grandparent.id = parent.parent_id "
                        "WHERE parent.name = ? AND grandparent.name = ?",
                        NULL);
  orma_test_assert_params (engine, 0, "('child1', 'root')");
}
END_TEST

/* Without an alias, the second nodes is named by the compiler. */
START_TEST (test_self_join_anonymous)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_NODE);
  g_autoptr (GError) error = NULL;
  gint64 count = 0;

  orma_query_join (query, "children", NULL);
  ck_assert (orma_query_count (query, &count, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (count, 6);
  orma_test_assert_log (engine,
                        "SELECT count(*) FROM nodes JOIN nodes AS nodes_1 "
                        "ON nodes.id = nodes_1.parent_id",
                        NULL);
}
END_TEST

/* Users with an address at example.com and another at work.org. */
START_TEST (test_join_twice)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaAlias) a1 = orma_aliased (REL_TYPE_ADDRESS, "a1");
  g_autoptr (OrmaAlias) a2 = orma_aliased (REL_TYPE_ADDRESS, "a2");
  g_autofree char *found = NULL;

  orma_query_join (query, "addresses", a1);
  orma_query_join (query, "addresses", a2);
  orma_query_filter (query, orma_like (orma_alias_col (a1, "email"), orma_str ("%@example.com")));
  orma_query_filter (query, orma_like (orma_alias_col (a2, "email"), orma_str ("%@work.org")));
  found = orma_test_run_all (query, "name", FALSE);
  ck_assert_str_eq (found, "ed");
  orma_test_assert_log (engine,
                        USERS " JOIN addresses AS a1 ON users.id = a1.user_id "
                        "JOIN addresses AS a2 ON users.id = a2.user_id "
                        "WHERE a1.email LIKE ? AND a2.email LIKE ?",
                        NULL);
}
END_TEST

START_TEST (test_join_then_count_and_first)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (RelUser) first = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  gint64 count = 0;

  orma_query_join (query, "addresses", NULL);
  orma_query_filter (query, orma_like (ADDRESS_COL ("email"), orma_str ("%@example.com")));
  orma_query_order_by (query, orma_desc (USER_COL ("id")));
  ck_assert (orma_query_count (query, &count, &error));
  ck_assert_int_eq (count, 2);
  first = orma_query_first (query, &error);
  orma_assert_no_error (error);
  g_object_get (first, "name", &name, NULL);
  ck_assert_str_eq (name, "wendy");
  orma_test_assert_log (engine,
                        "SELECT count(*) FROM users JOIN addresses ON users.id = addresses.user_id "
                        "WHERE addresses.email LIKE ?",
                        USERS " JOIN addresses ON users.id = addresses.user_id "
                        "WHERE addresses.email LIKE ? ORDER BY users.id DESC LIMIT ?",
                        NULL);
  orma_test_assert_params (engine, 1, "('%@example.com', 1)");
}
END_TEST

START_TEST (test_join_errors)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) unknown = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaQuery) wrong_alias = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaAlias) posts = orma_aliased (REL_TYPE_POST, "p");
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;
  gint64 count = 0;

  /* the query stays usable for chaining; the run reports the mistake */
  orma_query_join (unknown, "friends", NULL);
  orma_query_filter (unknown, orma_eq (USER_COL ("name"), orma_str ("ed")));
  found = orma_query_all (unknown, &error);
  ck_assert_ptr_null (found);
  orma_assert_error (error, ORMA_ERROR_UNKNOWN_PROPERTY);
  ck_assert_ptr_nonnull (strstr (error->message, "friends"));
  g_clear_error (&error);
  ck_assert (!orma_query_count (unknown, &count, &error));
  orma_assert_error (error, ORMA_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);

  orma_query_join (wrong_alias, "addresses", posts);
  found = orma_query_all (wrong_alias, &error);
  ck_assert_ptr_null (found);
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  orma_test_assert_no_sql (engine);
}
END_TEST

/* ------------------------------------------------------------ rows */

/* (user, address) pairs with a labelled column; an outer join gives
 * fred a NULL address. */
START_TEST (test_rows_entities_and_columns)
{
  static const struct { const char *user; const char *email; } expected[] = {
    { "ed", "ed@example.com" }, { "ed", "ed@work.org" }, { "wendy", "wendy@example.com" },
    { "mary", "mary@work.org" }, { "fred", NULL },
  };
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaAlias) a = orma_aliased (REL_TYPE_ADDRESS, "a");
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;
  gpointer ed = NULL;

  orma_query_outerjoin (query, "addresses", a);
  orma_query_add_entity (query, a);
  orma_query_add_column (query, orma_label (orma_alias_col (a, "email"), "email"));
  orma_query_order_by (query, USER_COL ("id"));
  orma_query_order_by (query, orma_alias_col (a, "id"));
  rows = orma_query_rows (query, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (rows->len, G_N_ELEMENTS (expected));
  for (guint i = 0; i < rows->len; i++)
    {
      OrmaResultRow *row = g_ptr_array_index (rows, i);
      gpointer user = orma_result_row_get_entity (row, 0);
      gpointer address = orma_result_row_get_entity (row, 1);
      const GValue *email = orma_result_row_lookup (row, "email");
      g_autofree char *name = NULL;

      ck_assert_uint_eq (orma_result_row_get_length (row), 3);
      ck_assert (REL_IS_USER (user));
      g_object_get (user, "name", &name, NULL);
      ck_assert_str_eq (name, expected[i].user);
      ck_assert_ptr_null (orma_result_row_get_value (row, 0));
      if (expected[i].email == NULL)
        {
          ck_assert_ptr_null (address);
          ck_assert_ptr_null (email);
          continue;
        }
      ck_assert (REL_IS_ADDRESS (address));
      ck_assert_str_eq (g_value_get_string (email), expected[i].email);
      ck_assert_ptr_eq (orma_result_row_get_value (row, 2), email);
    }
  /* one object per identity */
  ed = orma_result_row_get_entity (g_ptr_array_index (rows, 0), 0);
  ck_assert_ptr_eq (orma_result_row_get_entity (g_ptr_array_index (rows, 1), 0), ed);
  orma_test_assert_log (engine,
                        "SELECT users.id, users.name, users.fullname, a.id, a.email, a.user_id, "
                        "a.email AS email FROM users LEFT OUTER JOIN addresses AS a "
                        "ON users.id = a.user_id ORDER BY users.id, a.id",
                        NULL);
}
END_TEST

/* An added entity that no join reaches goes to FROM. */
START_TEST (test_rows_entity_in_from)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaAlias) a = orma_aliased (REL_TYPE_ADDRESS, "a");
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;

  orma_query_add_entity (query, a);
  orma_query_filter (query, orma_eq (orma_alias_col (a, "user_id"), USER_COL ("id")));
  orma_query_filter (query, orma_eq (orma_alias_col (a, "email"), orma_str ("mary@work.org")));
  rows = orma_query_rows (query, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (rows->len, 1);
  ck_assert_int_eq (rel_get_id (orma_result_row_get_entity (g_ptr_array_index (rows, 0), 0)), 3);
  ck_assert_int_eq (rel_get_id (orma_result_row_get_entity (g_ptr_array_index (rows, 0), 1)), 4);
  orma_test_assert_log (engine,
                        "SELECT users.id, users.name, users.fullname, a.id, a.email, a.user_id "
                        "FROM users, addresses AS a WHERE a.user_id = users.id AND a.email = ?",
                        NULL);
}
END_TEST

START_TEST (test_group_by_having)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;
  OrmaResultRow *row;

  orma_query_columns_only (query);
  orma_query_add_column (query, USER_COL ("name"));
  orma_query_add_column (query, orma_label (orma_count (ADDRESS_COL ("id")), "n"));
  orma_query_join (query, "addresses", NULL);
  orma_query_group_by (query, USER_COL ("name"));
  orma_query_having (query, orma_gt (orma_count (ADDRESS_COL ("id")), orma_int (1)));
  rows = orma_query_rows (query, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (rows->len, 1);
  row = g_ptr_array_index (rows, 0);
  ck_assert_uint_eq (orma_result_row_get_length (row), 2);
  ck_assert_ptr_null (orma_result_row_get_entity (row, 0));
  ck_assert_str_eq (g_value_get_string (orma_result_row_lookup (row, "name")), "ed");
  ck_assert_int_eq (g_value_get_int64 (orma_result_row_lookup (row, "n")), 2);
  orma_test_assert_log (engine,
                        "SELECT users.name, count(addresses.id) AS n FROM users "
                        "JOIN addresses ON users.id = addresses.user_id "
                        "GROUP BY users.name HAVING count(addresses.id) > ?",
                        NULL);
}
END_TEST

START_TEST (test_scalar)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autoptr (OrmaQuery) none = orma_session_query (session, REL_TYPE_ADDRESS);
  g_auto (GValue) value = G_VALUE_INIT;
  g_auto (GValue) nothing = G_VALUE_INIT;
  g_autoptr (GError) error = NULL;

  orma_query_columns_only (query);
  orma_query_add_column (query, orma_max (ADDRESS_COL ("email")));
  orma_query_join (query, "user", NULL);
  orma_query_filter (query, orma_eq (USER_COL ("name"), orma_str ("ed")));
  ck_assert (orma_query_scalar (query, &value, &error));
  orma_assert_no_error (error);
  ck_assert_str_eq (g_value_get_string (&value), "ed@work.org");

  orma_query_columns_only (none);
  orma_query_add_column (none, ADDRESS_COL ("email"));
  orma_query_filter (none, orma_eq (ADDRESS_COL ("id"), orma_int (99)));
  ck_assert (!orma_query_scalar (none, &nothing, &error));
  orma_assert_error (error, ORMA_ERROR_NOT_FOUND);
  orma_test_assert_log (engine,
                        "SELECT max(addresses.email) FROM addresses JOIN users "
                        "ON users.id = addresses.user_id WHERE users.name = ?",
                        "SELECT addresses.email FROM addresses WHERE addresses.id = ?",
                        NULL);
}
END_TEST

/* ------------------------------------------------------------ eager */

/* A joined collection brings ed on two rows: he comes once, first. */
START_TEST (test_eager_joined_owner_once)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *names = NULL;
  OrmaCollection *addresses;

  orma_query_load (query, "addresses", ORMA_LOAD_JOINED);
  orma_query_order_by (query, USER_COL ("id"));
  found = orma_query_all (query, &error);
  orma_assert_no_error (error);
  names = orma_test_join_property (found, "name", FALSE);
  ck_assert_str_eq (names, "ed,wendy,mary,fred");
  ck_assert_uint_eq (orma_test_log_statements (engine)->len, 1);
  ck_assert_ptr_nonnull (strstr (g_ptr_array_index (orma_test_log_statements (engine), 0),
                                 "LEFT OUTER JOIN addresses"));

  orma_test_log_clear (engine);
  ck_assert (orma_entity_is_loaded (g_ptr_array_index (found, 0), "addresses"));
  addresses = orma_entity_get_collection (g_ptr_array_index (found, 0), "addresses", &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (addresses)), 2);
  g_object_unref (addresses);
  orma_test_assert_no_sql (engine);
}
END_TEST

/* The same in chunks: an owner's rows are not split between chunks. */
static gboolean
collect_chunk (GPtrArray *chunk,
               gpointer   user_data)
{
  GString *out = user_data;

  g_string_append_c (out, '[');
  for (guint i = 0; i < chunk->len; i++)
    {
      g_autofree char *name = NULL;
      g_autoptr (OrmaCollection) addresses = NULL;

      g_object_get (g_ptr_array_index (chunk, i), "name", &name, NULL);
      addresses = orma_entity_get_collection (g_ptr_array_index (chunk, i), "addresses", NULL);
      g_string_append_printf (out, "%s%s:%u", i > 0 ? "," : "", name,
                              addresses ? g_list_model_get_n_items (G_LIST_MODEL (addresses)) : 99);
    }
  g_string_append_c (out, ']');
  return TRUE;
}

START_TEST (test_eager_joined_chunks)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  orma_query_load (query, "addresses", ORMA_LOAD_JOINED);
  orma_query_order_by (query, USER_COL ("id"));
  ck_assert (orma_query_foreach_chunk (query, 1, collect_chunk, out, &error));
  orma_assert_no_error (error);
  ck_assert_str_eq (out->str, "[ed:2][wendy:1][mary:1][fred:0]");
  ck_assert_uint_eq (orma_test_log_statements (engine)->len, 1);
}
END_TEST

/* contains_eager fills ed's addresses from the query's filtered join. */
START_TEST (test_contains_eager)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (RelUser) ed = NULL;
  g_autoptr (OrmaCollection) addresses = NULL;
  g_autoptr (GError) error = NULL;

  orma_query_join (query, "addresses", NULL);
  orma_query_filter (query, orma_like (ADDRESS_COL ("email"), orma_str ("%@work.org")));
  orma_query_filter (query, orma_eq (USER_COL ("name"), orma_str ("ed")));
  orma_query_contains_eager (query, "addresses", NULL);
  ed = orma_query_one (query, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (orma_test_log_statements (engine)->len, 1);
  ck_assert_str_eq (g_ptr_array_index (orma_test_log_statements (engine), 0),
                    orma_test_is_postgresql ()
                      ? "SELECT users.id, users.name, users.fullname, addresses.id, "
                        "addresses.email, addresses.user_id FROM users JOIN addresses ON "
                        "users.id = addresses.user_id WHERE addresses.email LIKE $1 AND "
                        "users.name = $2 LIMIT $3"
                      : "SELECT users.id, users.name, users.fullname, addresses.id, "
                        "addresses.email, addresses.user_id FROM users JOIN addresses ON "
                        "users.id = addresses.user_id WHERE addresses.email LIKE ? AND "
                        "users.name = ? LIMIT ?");
  orma_test_log_clear (engine);
  addresses = orma_entity_get_collection (ORMA_ENTITY (ed), "addresses", &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (addresses)), 1);
  orma_test_assert_no_sql (engine);
}
END_TEST

/* contains_eager from a join made to an alias. */
START_TEST (test_contains_eager_alias)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaAlias) a = orma_aliased (REL_TYPE_ADDRESS, "a");
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (OrmaCollection) addresses = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *names = NULL;

  orma_query_outerjoin (query, "addresses", a);
  orma_query_filter (query, orma_or (orma_like (orma_alias_col (a, "email"),
                                                orma_str ("%@example.com")),
                                     orma_is_null (orma_alias_col (a, "id")),
                                     NULL));
  orma_query_contains_eager (query, "addresses", a);
  orma_query_order_by (query, USER_COL ("id"));
  found = orma_query_all (query, &error);
  orma_assert_no_error (error);
  names = orma_test_join_property (found, "name", FALSE);
  ck_assert_str_eq (names, "ed,wendy,fred");
  orma_test_assert_log (engine,
                        "SELECT users.id, users.name, users.fullname, a.id, a.email, a.user_id "
                        "FROM users LEFT OUTER JOIN addresses AS a ON users.id = a.user_id "
                        "WHERE a.email LIKE ? OR a.id IS NULL ORDER BY users.id",
                        NULL);
  orma_test_log_clear (engine);
  /* ed's collection holds only what the query found; fred's is empty */
  addresses = orma_entity_get_collection (g_ptr_array_index (found, 0), "addresses", &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (addresses)), 1);
  g_clear_object (&addresses);
  addresses = orma_entity_get_collection (g_ptr_array_index (found, 2), "addresses", &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (addresses)), 0);
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_contains_eager_without_join)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;

  orma_query_contains_eager (query, "addresses", NULL);
  found = orma_query_all (query, &error);
  ck_assert_ptr_null (found);
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  ck_assert_ptr_nonnull (strstr (error->message, "addresses"));
  orma_test_assert_no_sql (engine);
}
END_TEST

/* selectin in chunks: one more SELECT per chunk, done before the chunk
 * is handed over. */
START_TEST (test_eager_selectin_chunks)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  orma_query_load (query, "addresses", ORMA_LOAD_SELECTIN);
  orma_query_order_by (query, USER_COL ("id"));
  ck_assert (orma_query_foreach_chunk (query, 2, collect_chunk, out, &error));
  orma_assert_no_error (error);
  ck_assert_str_eq (out->str, "[ed:2,wendy:1][mary:1,fred:0]");
  orma_test_assert_log (engine,
                        USERS " ORDER BY users.id",
                        "SELECT addresses.id, addresses.email, addresses.user_id FROM addresses "
                        "WHERE addresses.user_id IN (?, ?) ORDER BY addresses.id",
                        "SELECT addresses.id, addresses.email, addresses.user_id FROM addresses "
                        "WHERE addresses.user_id IN (?, ?) ORDER BY addresses.id",
                        NULL);
  orma_test_assert_params (engine, 1, "(1, 2)");
  orma_test_assert_params (engine, 2, "(3, 4)");
}
END_TEST

/* Result rows with an added entity and a joined collection under a
 * limit: the limited select becomes a subquery whose columns share
 * names (users.id, a.id); the rows still read each entity's own. */
START_TEST (test_rows_entity_joined_limit)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaAlias) a = orma_aliased (REL_TYPE_ADDRESS, "a");
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaCollection) addresses = NULL;
  OrmaResultRow *row;

  orma_query_join (query, "addresses", a);
  orma_query_add_entity (query, a);
  orma_query_filter (query, orma_like (orma_alias_col (a, "email"), orma_str ("%work%")));
  orma_query_order_by (query, USER_COL ("id"));
  orma_query_load (query, "addresses", ORMA_LOAD_JOINED);
  orma_query_limit (query, 1);
  rows = orma_query_rows (query, &error);
  orma_assert_no_error (error);
  orma_test_assert_log (engine,
                        "SELECT anon_1.id, anon_1.name, anon_1.fullname, anon_1.id_4, "
                        "anon_1.email, anon_1.user_id, addresses_1.id, addresses_1.email, "
                        "addresses_1.user_id FROM (SELECT users.id, users.name, users.fullname, "
                        "a.id AS id_4, a.email, a.user_id FROM users JOIN addresses AS a "
                        "ON users.id = a.user_id WHERE a.email LIKE ? ORDER BY users.id "
                        "LIMIT ?) AS anon_1 LEFT OUTER JOIN addresses AS addresses_1 "
                        "ON anon_1.id = addresses_1.user_id ORDER BY anon_1.id, addresses_1.id",
                        NULL);
  ck_assert_uint_ge (rows->len, 1);
  row = g_ptr_array_index (rows, 0);
  ck_assert_int_eq (rel_get_id (orma_result_row_get_entity (row, 0)), 1);
  ck_assert_int_eq (rel_get_id (orma_result_row_get_entity (row, 1)), 2);
  addresses = orma_entity_get_collection (orma_result_row_get_entity (row, 0), "addresses",
                                          &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (orma_collection_get_size (addresses), 2);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("query-join");
  TCase *tc;

  tc = tcase_create ("joins");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_join);
  tcase_add_test (tc, test_join_many_to_one);
  tcase_add_test (tc, test_outerjoin);
  tcase_add_test (tc, test_chained_joins);
  tcase_add_test (tc, test_join_on);
  tcase_add_test (tc, test_self_join);
  tcase_add_test (tc, test_self_join_anonymous);
  tcase_add_test (tc, test_join_twice);
  tcase_add_test (tc, test_join_then_count_and_first);
  tcase_add_test (tc, test_join_errors);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("rows");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_rows_entities_and_columns);
  tcase_add_test (tc, test_rows_entity_in_from);
  tcase_add_test (tc, test_group_by_having);
  tcase_add_test (tc, test_scalar);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("eager");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_eager_joined_owner_once);
  tcase_add_test (tc, test_eager_joined_chunks);
  tcase_add_test (tc, test_contains_eager);
  tcase_add_test (tc, test_contains_eager_alias);
  tcase_add_test (tc, test_contains_eager_without_join);
  tcase_add_test (tc, test_eager_selectin_chunks);
  tcase_add_test (tc, test_rows_entity_joined_limit);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return orma_test_run (make_suite ());
}
