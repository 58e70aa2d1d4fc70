/* test-query-relations.c: conditions along relationships (any, has,
 * contains, with_parent, comparing a many-to-one), the query of a
 * relationship (dynamic), EXISTS and scalar subqueries, subqueries as
 * FROM items, UNION, and textual SQL, asserting the statements and the
 * rows found.
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
 *   3 wendy@example.com (wendy), 4 mary@work.org (mary),
 *   5 lost@example.com (no user)
 * posts: 1 "glib tips" (ed; c, glib), 2 "sql tricks" (ed; sql),
 *   3 "gtk news" (wendy; glib, gtk)
 * keywords: 1 c, 2 glib, 3 sql, 4 gtk */
static const char *const seed_sql[] = {
  "INSERT INTO users (name, fullname) VALUES ('ed', 'Ed Jones')",
  "INSERT INTO users (name, fullname) VALUES ('wendy', 'Wendy Williams')",
  "INSERT INTO users (name, fullname) VALUES ('mary', 'Mary Contrary')",
  "INSERT INTO users (name, fullname) VALUES ('fred', NULL)",
  "INSERT INTO addresses (email, user_id) VALUES ('ed@example.com', 1)",
  "INSERT INTO addresses (email, user_id) VALUES ('ed@work.org', 1)",
  "INSERT INTO addresses (email, user_id) VALUES ('wendy@example.com', 2)",
  "INSERT INTO addresses (email, user_id) VALUES ('mary@work.org', 3)",
  "INSERT INTO addresses (email, user_id) VALUES ('lost@example.com', NULL)",
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

static gpointer
get (OrmaSession *session,
     GType        type,
     gint64       id)
{
  g_autoptr (GError) error = NULL;
  gpointer entity = orma_session_get (session, type, id, &error);

  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (entity);
  return entity;
}

#define USERS "SELECT users.id, users.name, users.fullname FROM users"
#define ADDRESSES "SELECT addresses.id, addresses.email, addresses.user_id FROM addresses"
#define POSTS "SELECT posts.id, posts.title, posts.user_id FROM posts"
#define KEYWORDS "SELECT keywords.id, keywords.keyword FROM keywords"

/* ------------------------------------------------------------ any, has */

START_TEST (test_any)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autofree char *found = NULL;

  orma_query_filter (query, orma_any (REL_TYPE_USER, "addresses",
                                      orma_like (orma_col (REL_TYPE_ADDRESS, "email"),
                                                 orma_str ("%@example.com"))));
  orma_query_order_by (query, orma_col (REL_TYPE_USER, "id"));
  found = orma_test_run_all (query, "name", FALSE);
  ck_assert_str_eq (found, "ed,wendy");
  orma_test_assert_log (engine,
                        USERS " WHERE EXISTS (SELECT 1 FROM addresses WHERE users.id = "
                        "addresses.user_id AND addresses.email LIKE ?) ORDER BY users.id",
                        NULL);
  orma_test_assert_params (engine, 0, "('%@example.com')");
}
END_TEST

START_TEST (test_any_without_criterion)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autofree char *found = NULL;

  /* users without any address */
  orma_query_filter (query, orma_not (orma_any (REL_TYPE_USER, "addresses", NULL)));
  found = orma_test_run_all (query, "name", FALSE);
  ck_assert_str_eq (found, "fred");
  orma_test_assert_log (engine,
                        USERS " WHERE NOT (EXISTS (SELECT 1 FROM addresses WHERE users.id = "
                        "addresses.user_id))",
                        NULL);
}
END_TEST

START_TEST (test_has)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autofree char *found = NULL;

  orma_query_filter (query, orma_has (REL_TYPE_ADDRESS, "user",
                                      orma_eq (orma_col (REL_TYPE_USER, "name"),
                                               orma_str ("ed"))));
  orma_query_order_by (query, orma_col (REL_TYPE_ADDRESS, "id"));
  found = orma_test_run_all (query, "email", FALSE);
  ck_assert_str_eq (found, "ed@example.com,ed@work.org");
  orma_test_assert_log (engine,
                        ADDRESSES " WHERE EXISTS (SELECT 1 FROM users WHERE users.id = "
                        "addresses.user_id AND users.name = ?) ORDER BY addresses.id",
                        NULL);
  orma_test_assert_params (engine, 0, "('ed')");
}
END_TEST

/* A post whose keywords include one, named: any() through the secondary
 * table. */
START_TEST (test_any_many_to_many)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_POST);
  g_autofree char *found = NULL;

  orma_query_filter (query, orma_any (REL_TYPE_POST, "keywords",
                                      orma_eq (orma_col (REL_TYPE_KEYWORD, "keyword"),
                                               orma_str ("glib"))));
  orma_query_order_by (query, orma_col (REL_TYPE_POST, "id"));
  found = orma_test_run_all (query, "title", FALSE);
  ck_assert_str_eq (found, "glib tips,gtk news");
  orma_test_assert_log (engine,
                        POSTS " WHERE EXISTS (SELECT 1 FROM post_keywords, keywords WHERE "
                        "posts.id = post_keywords.post_id AND keywords.id = "
                        "post_keywords.keyword_id AND keywords.keyword = ?) ORDER BY posts.id",
                        NULL);
  orma_test_assert_params (engine, 0, "('glib')");
}
END_TEST

START_TEST (test_any_has_wrong_kind)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) any = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autoptr (OrmaQuery) has = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;

  orma_query_filter (any, orma_any (REL_TYPE_ADDRESS, "user", NULL));
  found = orma_query_all (any, &error);
  ck_assert_ptr_null (found);
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  ck_assert_ptr_nonnull (strstr (error->message, "orma_has"));
  g_clear_error (&error);

  orma_query_filter (has, orma_has (REL_TYPE_USER, "addresses", NULL));
  found = orma_query_all (has, &error);
  ck_assert_ptr_null (found);
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  orma_test_assert_no_sql (engine);
}
END_TEST

/* ------------------------------------------------------------ contains */

START_TEST (test_contains_many_to_many)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_POST);
  g_autoptr (RelKeyword) glib = get (session, REL_TYPE_KEYWORD, 2);
  g_autofree char *found = NULL;

  orma_test_log_clear (engine);
  orma_query_filter (query, orma_contains (REL_TYPE_POST, "keywords", glib));
  orma_query_order_by (query, orma_col (REL_TYPE_POST, "id"));
  found = orma_test_run_all (query, "title", FALSE);
  ck_assert_str_eq (found, "glib tips,gtk news");
  orma_test_assert_log (engine,
                        POSTS " WHERE EXISTS (SELECT 1 FROM post_keywords WHERE posts.id = "
                        "post_keywords.post_id AND post_keywords.keyword_id = ?) "
                        "ORDER BY posts.id",
                        NULL);
  orma_test_assert_params (engine, 0, "(2)");
}
END_TEST

START_TEST (test_contains_one_to_many)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaQuery) none = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (RelAddress) wendys = get (session, REL_TYPE_ADDRESS, 3);
  g_autoptr (RelAddress) lost = get (session, REL_TYPE_ADDRESS, 5);
  g_autofree char *found = NULL;
  g_autofree char *nobody = NULL;

  orma_test_log_clear (engine);
  orma_query_filter (query, orma_contains (REL_TYPE_USER, "addresses", wendys));
  found = orma_test_run_all (query, "name", FALSE);
  ck_assert_str_eq (found, "wendy");
  /* an address without a user is in nobody's collection */
  orma_query_filter (none, orma_contains (REL_TYPE_USER, "addresses", lost));
  nobody = orma_test_run_all (none, "name", FALSE);
  ck_assert_str_eq (nobody, "");
  orma_test_assert_log (engine,
                        USERS " WHERE users.id = ?",
                        USERS " WHERE 1 = 0",
                        NULL);
  orma_test_assert_params (engine, 0, "(2)");
}
END_TEST

/* ------------------------------------------------- with_parent, related_eq */

START_TEST (test_with_parent)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (RelUser) ed = get (session, REL_TYPE_USER, 1);
  g_autoptr (RelPost) glib_tips = get (session, REL_TYPE_POST, 1);
  g_autoptr (RelAddress) marys = get (session, REL_TYPE_ADDRESS, 4);
  g_autoptr (OrmaQuery) addresses = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autoptr (OrmaQuery) keywords = orma_session_query (session, REL_TYPE_KEYWORD);
  g_autoptr (OrmaQuery) users = orma_session_query (session, REL_TYPE_USER);
  g_autofree char *found_addresses = NULL;
  g_autofree char *found_keywords = NULL;
  g_autofree char *found_users = NULL;

  orma_test_log_clear (engine);
  /* one-to-many */
  orma_query_filter (addresses, orma_with_parent (ed, "addresses"));
  orma_query_order_by (addresses, orma_col (REL_TYPE_ADDRESS, "id"));
  found_addresses = orma_test_run_all (addresses, "email", FALSE);
  ck_assert_str_eq (found_addresses, "ed@example.com,ed@work.org");
  /* many-to-many */
  orma_query_filter (keywords, orma_with_parent (glib_tips, "keywords"));
  orma_query_order_by (keywords, orma_col (REL_TYPE_KEYWORD, "id"));
  found_keywords = orma_test_run_all (keywords, "keyword", FALSE);
  ck_assert_str_eq (found_keywords, "c,glib");
  /* many-to-one */
  orma_query_filter (users, orma_with_parent (marys, "user"));
  found_users = orma_test_run_all (users, "name", FALSE);
  ck_assert_str_eq (found_users, "mary");

  orma_test_assert_log (engine,
                        ADDRESSES " WHERE addresses.user_id = ? ORDER BY addresses.id",
                        KEYWORDS " WHERE EXISTS (SELECT 1 FROM post_keywords WHERE keywords.id = "
                        "post_keywords.keyword_id AND post_keywords.post_id = ?) "
                        "ORDER BY keywords.id",
                        USERS " WHERE users.id = ?",
                        NULL);
  orma_test_assert_params (engine, 0, "(1)");
  orma_test_assert_params (engine, 1, "(1)");
  orma_test_assert_params (engine, 2, "(3)");
}
END_TEST

START_TEST (test_related_eq)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (RelUser) wendy = get (session, REL_TYPE_USER, 2);
  g_autoptr (OrmaQuery) of_wendy = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autoptr (OrmaQuery) of_nobody = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autofree char *found = NULL;
  g_autofree char *orphans = NULL;

  orma_test_log_clear (engine);
  orma_query_filter (of_wendy, orma_related_eq (REL_TYPE_ADDRESS, "user", wendy));
  found = orma_test_run_all (of_wendy, "email", FALSE);
  ck_assert_str_eq (found, "wendy@example.com");
  orma_query_filter (of_nobody, orma_related_eq (REL_TYPE_ADDRESS, "user", NULL));
  orphans = orma_test_run_all (of_nobody, "email", FALSE);
  ck_assert_str_eq (orphans, "lost@example.com");
  orma_test_assert_log (engine,
                        ADDRESSES " WHERE addresses.user_id = ?",
                        ADDRESSES " WHERE addresses.user_id IS NULL",
                        NULL);
  orma_test_assert_params (engine, 0, "(2)");
}
END_TEST

START_TEST (test_related_eq_errors)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (RelUser) pending = rel_user_new ("newcomer");
  g_autoptr (RelPost) post = get (session, REL_TYPE_POST, 1);
  g_autoptr (OrmaQuery) keyless = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autoptr (OrmaQuery) collection = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaQuery) wrong_class = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;

  orma_test_log_clear (engine);
  /* an object without a key (not in any session: no flush gives it one) */
  orma_query_filter (keyless, orma_related_eq (REL_TYPE_ADDRESS, "user", pending));
  found = orma_query_all (keyless, &error);
  orma_assert_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);
  /* a collection is not compared to an object */
  orma_query_filter (collection, orma_related_eq (REL_TYPE_USER, "addresses", NULL));
  found = orma_query_all (collection, &error);
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  g_clear_error (&error);
  /* an object of another class */
  orma_query_filter (wrong_class, orma_related_eq (REL_TYPE_ADDRESS, "user", post));
  found = orma_query_all (wrong_class, &error);
  orma_assert_error (error, ORMA_ERROR_TYPE_MISMATCH);
  ck_assert_ptr_null (found);
  orma_test_assert_no_sql (engine);
}
END_TEST

/* ------------------------------------------------------------ dynamic */

/* The query of ed's posts, filtered further; it sees a post added to the
 * session but not flushed yet. */
START_TEST (test_query_related)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (RelUser) ed = get (session, REL_TYPE_USER, 1);
  g_autoptr (RelPost) pending = g_object_new (REL_TYPE_POST, "title", "more sql",
                                              "user-id", (gint64) 1, NULL);
  g_autoptr (OrmaQuery) posts = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *found = NULL;

  posts = orma_entity_query_related (ORMA_ENTITY (ed), "posts", &error);
  orma_assert_no_error (error);
  orma_query_filter (posts, orma_like (orma_col (REL_TYPE_POST, "title"), orma_str ("%sql%")));
  orma_query_order_by (posts, orma_col (REL_TYPE_POST, "id"));
  orma_session_add (session, ORMA_ENTITY (pending));
  orma_test_log_clear (engine);

  found = orma_test_run_all (posts, "title", FALSE);
  ck_assert_str_eq (found, "sql tricks,more sql");
  orma_test_assert_log (engine,
                        orma_test_is_postgresql ()
                          ? "INSERT INTO posts (title, user_id) VALUES (?, ?) RETURNING id"
                          : "INSERT INTO posts (title, user_id) VALUES (?, ?)",
                        POSTS " WHERE posts.user_id = ? AND posts.title LIKE ? "
                        "ORDER BY posts.id",
                        NULL);
  orma_test_assert_params (engine, 1, "(1, '%sql%')");
}
END_TEST

/* A pending owner gets its key from the autoflush of the query. */
START_TEST (test_query_related_pending_owner)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (RelUser) newcomer = rel_user_new ("newcomer");
  g_autoptr (OrmaQuery) addresses = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *found = NULL;

  orma_session_add (session, ORMA_ENTITY (newcomer));
  addresses = orma_entity_query_related (ORMA_ENTITY (newcomer), "addresses", &error);
  orma_assert_no_error (error);
  found = orma_test_run_all (addresses, "email", FALSE);
  ck_assert_str_eq (found, "");
  ck_assert_int_eq (rel_get_id (newcomer), 5);
  /* the relationship's order-by orders the query */
  orma_test_assert_log (engine,
                        orma_test_is_postgresql ()
                          ? "INSERT INTO users (name, fullname) VALUES (?, ?) RETURNING id"
                          : "INSERT INTO users (name, fullname) VALUES (?, ?)",
                        ADDRESSES " WHERE addresses.user_id = ? ORDER BY addresses.id",
                        NULL);
  orma_test_assert_params (engine, 1, "(5)");
}
END_TEST

/* The "posts" property of a dynamic relationship is such a query. */
START_TEST (test_dynamic_property)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (RelUser) wendy = get (session, REL_TYPE_USER, 2);
  g_autoptr (GObject) value = NULL;
  g_autofree char *found = NULL;

  orma_test_log_clear (engine);
  g_object_get (wendy, "posts", &value, NULL);
  ck_assert_msg (ORMA_IS_QUERY (value), "the property of a dynamic relationship is not a query");
  orma_test_assert_no_sql (engine);
  orma_query_filter (ORMA_QUERY (value),
                     orma_like (orma_col (REL_TYPE_POST, "title"), orma_str ("gtk%")));
  found = orma_test_run_all (ORMA_QUERY (value), "title", FALSE);
  ck_assert_str_eq (found, "gtk news");
  orma_test_assert_log (engine,
                        POSTS " WHERE posts.user_id = ? AND posts.title LIKE ?",
                        NULL);
  orma_test_assert_params (engine, 0, "(2, 'gtk%')");
}
END_TEST

START_TEST (test_relationship_errors)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (RelUser) ed = get (session, REL_TYPE_USER, 1);
  g_autoptr (RelUser) transient = rel_user_new ("nobody");
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaQuery) related = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;

  orma_test_log_clear (engine);
  orma_query_filter (query, orma_any (REL_TYPE_USER, "friends", NULL));
  found = orma_query_all (query, &error);
  ck_assert_ptr_null (found);
  orma_assert_error (error, ORMA_ERROR_UNKNOWN_PROPERTY);
  ck_assert_ptr_nonnull (strstr (error->message, "friends"));
  g_clear_error (&error);

  related = orma_entity_query_related (ORMA_ENTITY (ed), "friends", &error);
  ck_assert_ptr_null (related);
  orma_assert_error (error, ORMA_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);

  related = orma_entity_query_related (ORMA_ENTITY (transient), "addresses", &error);
  ck_assert_ptr_null (related);
  orma_assert_error (error, ORMA_ERROR_DETACHED);
  orma_test_assert_no_sql (engine);
}
END_TEST

/* ------------------------------------------------------------ subqueries */

START_TEST (test_exists_subquery)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) inner = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autofree char *found = NULL;

  orma_query_filter (inner, orma_eq (orma_col (REL_TYPE_ADDRESS, "user_id"),
                                     orma_col (REL_TYPE_USER, "id")));
  orma_query_filter (inner, orma_like (orma_col (REL_TYPE_ADDRESS, "email"),
                                       orma_str ("%@work.org")));
  orma_query_filter (query, orma_query_exists (inner));
  orma_query_order_by (query, orma_col (REL_TYPE_USER, "id"));
  found = orma_test_run_all (query, "name", FALSE);
  ck_assert_str_eq (found, "ed,mary");
  orma_test_assert_log (engine,
                        USERS " WHERE EXISTS (SELECT 1 FROM addresses WHERE addresses.user_id = "
                        "users.id AND addresses.email LIKE ?) ORDER BY users.id",
                        NULL);
}
END_TEST

/* Users with their number of addresses, a scalar subquery column. */
START_TEST (test_scalar_subquery_column)
{
  static const struct { const char *name; gint64 n; } expected[] = {
    { "ed", 2 }, { "wendy", 1 }, { "mary", 1 }, { "fred", 0 },
  };
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) counter = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;

  orma_query_columns_only (counter);
  orma_query_add_column (counter, orma_count (NULL));
  orma_query_filter (counter, orma_eq (orma_col (REL_TYPE_ADDRESS, "user_id"),
                                       orma_col (REL_TYPE_USER, "id")));
  orma_query_add_column (query, orma_label (orma_query_as_scalar (counter), "n_addresses"));
  orma_query_order_by (query, orma_col (REL_TYPE_USER, "id"));
  rows = orma_query_rows (query, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (rows->len, G_N_ELEMENTS (expected));
  for (guint i = 0; i < rows->len; i++)
    {
      OrmaResultRow *row = g_ptr_array_index (rows, i);
      g_autofree char *name = NULL;
      const GValue *n = orma_result_row_lookup (row, "n_addresses");

      ck_assert_uint_eq (orma_result_row_get_length (row), 2);
      g_object_get (orma_result_row_get_entity (row, 0), "name", &name, NULL);
      ck_assert_str_eq (name, expected[i].name);
      ck_assert_ptr_nonnull (n);
      ck_assert_int_eq (g_value_get_int64 (n), expected[i].n);
      ck_assert_ptr_eq (orma_result_row_get_value (row, 1), n);
    }
  orma_test_assert_log (engine,
                        "SELECT users.id, users.name, users.fullname, (SELECT count(*) FROM "
                        "addresses WHERE addresses.user_id = users.id) AS n_addresses "
                        "FROM users ORDER BY users.id",
                        NULL);
}
END_TEST

START_TEST (test_in_subquery)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) authors = orma_session_query (session, REL_TYPE_POST);
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autofree char *found = NULL;

  orma_query_columns_only (authors);
  orma_query_add_column (authors, orma_col (REL_TYPE_POST, "user_id"));
  orma_query_filter (query, orma_in_query (orma_col (REL_TYPE_USER, "id"), authors));
  orma_query_order_by (query, orma_col (REL_TYPE_USER, "id"));
  found = orma_test_run_all (query, "name", FALSE);
  ck_assert_str_eq (found, "ed,wendy");
  orma_test_assert_log (engine,
                        USERS " WHERE users.id IN (SELECT posts.user_id FROM posts) "
                        "ORDER BY users.id",
                        NULL);
}
END_TEST

START_TEST (test_subquery_as_from)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (RelUser) wendy = get (session, REL_TYPE_USER, 2);
  g_autoptr (OrmaQuery) inner = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaAlias) named_e = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *names = NULL;

  orma_test_log_clear (engine);
  orma_query_filter (inner, orma_like (orma_col (REL_TYPE_USER, "name"), orma_str ("%e%")));
  named_e = orma_query_subquery (inner, "named_e");
  query = orma_session_query_from (session, REL_TYPE_USER, named_e);
  orma_query_filter (query, orma_ne (orma_alias_col (named_e, "name"), orma_str ("ed")));
  orma_query_order_by (query, orma_alias_col (named_e, "id"));
  found = orma_query_all (query, &error);
  orma_assert_no_error (error);
  names = orma_test_join_property (found, "name", FALSE);
  ck_assert_str_eq (names, "wendy,fred");
  /* through the identity map */
  ck_assert_ptr_eq (g_ptr_array_index (found, 0), wendy);
  orma_test_assert_log (engine,
                        "SELECT named_e.id, named_e.name, named_e.fullname FROM (" USERS
                        " WHERE users.name LIKE ?) AS named_e WHERE named_e.name != ? "
                        "ORDER BY named_e.id",
                        NULL);
  orma_test_assert_params (engine, 0, "('%e%', 'ed')");
}
END_TEST

/* ------------------------------------------------------------ UNION */

static OrmaQuery *
named (OrmaSession *session,
       const char  *name)
{
  OrmaQuery *query = orma_session_query (session, REL_TYPE_USER);

  orma_query_filter (query, orma_eq (orma_col (REL_TYPE_USER, "name"), orma_str (name)));
  return query;
}

START_TEST (test_union)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) ed = named (session, "ed");
  g_autoptr (OrmaQuery) wendy = named (session, "wendy");
  g_autoptr (OrmaQuery) both = orma_query_union (ed, wendy);
  g_autoptr (GError) error = NULL;
  g_autofree char *found = NULL;
  gint64 count = 0;

  orma_query_order_by (both, orma_desc (orma_col (REL_TYPE_USER, "name")));
  found = orma_test_run_all (both, "name", FALSE);
  ck_assert_str_eq (found, "wendy,ed");
  ck_assert (orma_query_count (both, &count, &error));
  ck_assert_int_eq (count, 2);
  orma_test_assert_log (engine,
                        "SELECT anon_1.id, anon_1.name, anon_1.fullname FROM (" USERS
                        " WHERE users.name = ? UNION " USERS " WHERE users.name = ?) AS anon_1 "
                        "ORDER BY anon_1.name DESC",
                        "SELECT count(*) FROM (" USERS " WHERE users.name = ? UNION " USERS
                        " WHERE users.name = ?) AS anon_1",
                        NULL);
  orma_test_assert_params (engine, 0, "('ed', 'wendy')");
}
END_TEST

/* The first query's own LIMIT limits that query, not the union. */
START_TEST (test_union_limited_head)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) first = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaQuery) fred = named (session, "fred");
  g_autoptr (OrmaQuery) both = NULL;
  g_autofree char *found = NULL;

  orma_query_order_by (first, orma_col (REL_TYPE_USER, "name"));
  orma_query_limit (first, 1);
  both = orma_query_union (first, fred);
  orma_query_order_by (both, orma_col (REL_TYPE_USER, "name"));
  found = orma_test_run_all (both, "name", FALSE);
  ck_assert_str_eq (found, "ed,fred");
}
END_TEST

START_TEST (test_union_all)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) ed = named (session, "ed");
  g_autoptr (OrmaQuery) ed_again = named (session, "ed");
  g_autoptr (OrmaQuery) twice = orma_query_union_all (ed, ed_again);
  g_autoptr (OrmaQuery) once = orma_query_union (ed, ed_again);
  g_autoptr (GError) error = NULL;
  gint64 count_all = 0, count_distinct = 0;

  ck_assert (orma_query_count (twice, &count_all, &error));
  ck_assert (orma_query_count (once, &count_distinct, &error));
  ck_assert_int_eq (count_all, 2);
  ck_assert_int_eq (count_distinct, 1);
  orma_test_log_clear (engine);
  {
    g_autofree char *found = orma_test_run_all (twice, "name", FALSE);

    /* one object per row, the same object both times */
    ck_assert_str_eq (found, "ed,ed");
  }
  orma_test_assert_log (engine,
                        "SELECT anon_1.id, anon_1.name, anon_1.fullname FROM (" USERS
                        " WHERE users.name = ? UNION ALL " USERS
                        " WHERE users.name = ?) AS anon_1",
                        NULL);
}
END_TEST

/* ------------------------------------------------------------ textual SQL */

static void
bind_string (OrmaQuery  *query,
             const char *name,
             const char *value)
{
  g_auto (GValue) v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_STRING);
  g_value_set_string (&v, value);
  orma_query_bind (query, name, &v);
}

START_TEST (test_text)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (RelUser) ed = get (session, REL_TYPE_USER, 1);
  g_autoptr (OrmaQuery) query = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *names = NULL;
  g_autofree char *fullname = NULL;

  orma_test_log_clear (engine);
  /* the columns in another order than the mapping's */
  query = orma_session_query_text (session, REL_TYPE_USER,
                                   "SELECT fullname, name, id FROM users "
                                   "WHERE name = :first OR name = :second ORDER BY id");
  bind_string (query, "first", "ed");
  bind_string (query, "second", "mary");
  found = orma_query_all (query, &error);
  orma_assert_no_error (error);
  names = orma_test_join_property (found, "name", FALSE);
  ck_assert_str_eq (names, "ed,mary");
  ck_assert_ptr_eq (g_ptr_array_index (found, 0), ed);
  g_object_get (g_ptr_array_index (found, 1), "fullname", &fullname, NULL);
  ck_assert_str_eq (fullname, "Mary Contrary");
  ck_assert_int_eq (rel_get_id (g_ptr_array_index (found, 1)), 3);
  /* PostgreSQL runs it inside a savepoint: an error would abort the
   * whole transaction there */
  if (orma_test_is_postgresql ())
    {
      orma_test_assert_log (engine,
                            "SAVEPOINT orma_text",
                            "SELECT fullname, name, id FROM users WHERE name = ? OR name = ? "
                            "ORDER BY id",
                            "RELEASE SAVEPOINT orma_text",
                            NULL);
      orma_test_assert_params (engine, 1, "('ed', 'mary')");
    }
  else
    {
      orma_test_assert_log (engine,
                            "SELECT fullname, name, id FROM users WHERE name = ? OR name = ? "
                            "ORDER BY id",
                            NULL);
      orma_test_assert_params (engine, 0, "('ed', 'mary')");
    }
}
END_TEST

START_TEST (test_text_errors)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) unbound = orma_session_query_text (session, REL_TYPE_USER,
                                                           "SELECT * FROM users WHERE name = :name");
  g_autoptr (OrmaQuery) missing = orma_session_query_text (session, REL_TYPE_USER,
                                                           "SELECT id, name FROM users");
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;

  found = orma_query_all (unbound, &error);
  ck_assert_ptr_null (found);
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  ck_assert_ptr_nonnull (strstr (error->message, "name"));
  g_clear_error (&error);
  orma_test_assert_no_sql (engine);

  found = orma_query_all (missing, &error);
  ck_assert_ptr_null (found);
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  ck_assert_ptr_nonnull (strstr (error->message, "fullname"));
}
END_TEST

/* ------------------------------------------------------------ review cases */

/* Parameters in the ON clause, the select list, an EXISTS, the WHERE
 * clause and LIMIT/OFFSET are bound in the order they appear ($n on
 * PostgreSQL). */
START_TEST (test_params_order)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaAlias) a = orma_aliased (REL_TYPE_ADDRESS, "a");
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;
  const GValue *value;

  orma_query_join_on (query, a,
                      orma_and (orma_eq (orma_alias_col (a, "user_id"), orma_col (REL_TYPE_USER, "id")),
                                orma_like (orma_alias_col (a, "email"), orma_str ("%example.com")), NULL));
  orma_query_add_column (query, orma_label (orma_eq (orma_alias_col (a, "id"), orma_int (3)),
                                            "third"));
  orma_query_filter (query, orma_any (REL_TYPE_USER, "posts",
                                      orma_like (orma_col (REL_TYPE_POST, "title"),
                                                 orma_str ("g%"))));
  orma_query_filter (query, orma_ne (orma_col (REL_TYPE_USER, "name"), orma_str ("nobody")));
  orma_query_order_by (query, orma_col (REL_TYPE_USER, "id"));
  orma_query_limit (query, 1);
  orma_query_offset (query, 1);
  rows = orma_query_rows (query, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (rows->len, 1);
  ck_assert_int_eq (rel_get_id (orma_result_row_get_entity (g_ptr_array_index (rows, 0), 0)), 2);
  value = orma_result_row_lookup (g_ptr_array_index (rows, 0), "third");
  ck_assert_ptr_nonnull (value);
  orma_test_assert_log (engine,
                        "SELECT users.id, users.name, users.fullname, a.id = ? AS third FROM users "
                        "JOIN addresses AS a ON a.user_id = users.id AND a.email LIKE ? "
                        "WHERE EXISTS (SELECT 1 FROM posts WHERE users.id = posts.user_id "
                        "AND posts.title LIKE ?) AND users.name != ? ORDER BY users.id "
                        "LIMIT ? OFFSET ?",
                        NULL);
  orma_test_assert_params (engine, 0, "(3, '%example.com', 'g%', 'nobody', 1, 1)");
}
END_TEST

/* count() with a join counts the joined rows; with a joined eager
 * option it ignores the option. */
START_TEST (test_count_with_joins)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (OrmaQuery) eager = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (GError) error = NULL;
  gint64 count = 0;

  orma_query_join (query, "addresses", NULL);
  ck_assert (orma_query_count (query, &count, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (count, 4);
  orma_query_load (eager, "addresses", ORMA_LOAD_JOINED);
  orma_query_limit (eager, 2);
  ck_assert (orma_query_count (eager, &count, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (count, 2);
  orma_test_assert_log (engine,
                        "SELECT count(*) FROM users JOIN addresses ON users.id = addresses.user_id",
                        "SELECT count(*) FROM (" USERS " LIMIT ?) AS anon_1",
                        NULL);
}
END_TEST

/* A UNION ordered, limited and offset; then with a joined collection,
 * which wraps it once more. */
START_TEST (test_union_order_limit)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) ed = named (session, "ed");
  g_autoptr (OrmaQuery) wendy = named (session, "wendy");
  g_autoptr (OrmaQuery) mary = named (session, "mary");
  g_autoptr (OrmaQuery) two = orma_query_union (ed, wendy);
  g_autoptr (OrmaQuery) three = orma_query_union (two, mary);
  g_autoptr (OrmaQuery) eager = orma_query_union (ed, wendy);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (OrmaCollection) addresses = NULL;
  g_autofree char *names = NULL;

  orma_query_order_by (three, orma_desc (orma_col (REL_TYPE_USER, "name")));
  orma_query_limit (three, 2);
  orma_query_offset (three, 1);
  names = orma_test_run_all (three, "name", FALSE);
  ck_assert_str_eq (names, "mary,ed");

  orma_query_order_by (eager, orma_col (REL_TYPE_USER, "name"));
  orma_query_load (eager, "addresses", ORMA_LOAD_JOINED);
  orma_query_limit (eager, 1);
  orma_test_log_clear (engine);
  found = orma_query_all (eager, &error);
  orma_assert_no_error (error);
  orma_test_assert_log (engine,
                        "SELECT anon_1.id, anon_1.name, anon_1.fullname, addresses_1.id, "
                        "addresses_1.email, addresses_1.user_id FROM (SELECT anon_2.id, "
                        "anon_2.name, anon_2.fullname FROM (" USERS " WHERE users.name = ? "
                        "UNION " USERS " WHERE users.name = ?) AS anon_2 ORDER BY anon_2.name "
                        "LIMIT ?) AS anon_1 LEFT OUTER JOIN addresses AS addresses_1 "
                        "ON anon_1.id = addresses_1.user_id ORDER BY anon_1.name, addresses_1.id",
                        NULL);
  ck_assert_uint_eq (found->len, 1);
  g_clear_pointer (&names, g_free);
  names = orma_test_join_property (found, "name", FALSE);
  ck_assert_str_eq (names, "ed");
  orma_test_log_clear (engine);
  addresses = orma_entity_get_collection (g_ptr_array_index (found, 0), "addresses", &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (orma_collection_get_size (addresses), 2);
  orma_test_assert_no_sql (engine);
}
END_TEST

/* A textual statement the database refuses is an error; the session
 * goes on working. */
START_TEST (test_text_error_session_usable)
{
  g_autoptr (OrmaSession) session = session_new ();
  g_autoptr (OrmaQuery) bad = orma_session_query_text (session, REL_TYPE_USER,
                                                       "SELECT id, name, fullname FROM nosuch");
  g_autoptr (OrmaQuery) good = named (session, "ed");
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RelUser) jack = rel_user_new ("jack");
  gint64 count = 0;

  found = orma_query_all (bad, &error);
  ck_assert_ptr_null (found);
  ck_assert (error != NULL);
  g_clear_error (&error);
  ck_assert (!orma_query_count (bad, &count, &error));
  g_clear_error (&error);

  found = orma_query_all (good, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (found->len, 1);
  orma_session_add (session, ORMA_ENTITY (jack));
  orma_session_commit (session, &error);
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", "name = 'jack'"), 1);
}
END_TEST

/* A result row holds its objects: they outlive the query, the result
 * array and the session. */
START_TEST (test_result_row_lifetime)
{
  g_autoptr (OrmaResultRow) row = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *email = NULL;
  RelAddress *address;

  {
    g_autoptr (OrmaSession) session = session_new ();
    g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
    g_autoptr (OrmaAlias) a = orma_aliased (REL_TYPE_ADDRESS, "a");
    g_autoptr (GPtrArray) rows = NULL;

    orma_query_join_on (query, a, orma_eq (orma_alias_col (a, "user_id"),
                                           orma_col (REL_TYPE_USER, "id")));
    orma_query_add_entity (query, a);
    orma_query_order_by (query, orma_alias_col (a, "id"));
    rows = orma_query_rows (query, &error);
    orma_assert_no_error (error);
    ck_assert_uint_eq (rows->len, 4);
    row = orma_result_row_ref (g_ptr_array_index (rows, 1));
  }
  address = orma_result_row_get_entity (row, 1);
  ck_assert (REL_IS_ADDRESS (address));
  g_object_get (address, "email", &email, NULL);
  ck_assert_str_eq (email, "ed@work.org");
  ck_assert_int_eq (rel_get_id (orma_result_row_get_entity (row, 0)), 1);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("query-relations");
  TCase *tc;

  tc = tcase_create ("any-has");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_any);
  tcase_add_test (tc, test_any_without_criterion);
  tcase_add_test (tc, test_has);
  tcase_add_test (tc, test_any_many_to_many);
  tcase_add_test (tc, test_any_has_wrong_kind);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("objects");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_contains_many_to_many);
  tcase_add_test (tc, test_contains_one_to_many);
  tcase_add_test (tc, test_with_parent);
  tcase_add_test (tc, test_related_eq);
  tcase_add_test (tc, test_related_eq_errors);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("dynamic");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_query_related);
  tcase_add_test (tc, test_query_related_pending_owner);
  tcase_add_test (tc, test_dynamic_property);
  tcase_add_test (tc, test_relationship_errors);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("subqueries");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_exists_subquery);
  tcase_add_test (tc, test_scalar_subquery_column);
  tcase_add_test (tc, test_in_subquery);
  tcase_add_test (tc, test_subquery_as_from);
  tcase_add_test (tc, test_union);
  tcase_add_test (tc, test_union_all);
  tcase_add_test (tc, test_union_limited_head);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("text");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_text);
  tcase_add_test (tc, test_text_errors);
  tcase_add_test (tc, test_text_error_session_usable);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("review");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_params_order);
  tcase_add_test (tc, test_count_with_joins);
  tcase_add_test (tc, test_union_order_limit);
  tcase_add_test (tc, test_result_row_lifetime);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return orma_test_run (make_suite ());
}
