/* test-loading.c: loading relationships: lazy on first access, joined,
 * selectin, dynamic, raise, noload, query options and contains_eager,
 * with the exact statements on each backend.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fixtures.h"
#include "rel-models.h"

#include <string.h>

static OrmaEngine *engine;
static OrmaSession *session;

#define ADDRESS_COLUMNS "addresses.id, addresses.email, addresses.user_id"
#define USER_COLUMNS "users.id, users.name, users.fullname"
#define NODE_COLUMNS "nodes.id, nodes.parent_id, nodes.name"
#define KEYWORD_COLUMNS "keywords.id, keywords.keyword"
#define POST_COLUMNS "posts.id, posts.title, posts.user_id"

static void
exec_sql (const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaConnection) connection = orma_engine_connect (engine, &error);

  orma_assert_no_error (error);
  orma_connection_execute (connection, sql, NULL, 0, NULL, &error);
  ck_assert_msg (error == NULL, "%s: %s", sql, error ? error->message : "");
}

/* users 1 ed, 2 wendy, 3 mary; ed has two addresses, wendy one;
 * posts and keywords; a four-level tree of nodes. */
static void
seed (void)
{
  exec_sql ("INSERT INTO users (id, name, fullname) VALUES "
            "(1, 'ed', 'Ed Jones'), (2, 'wendy', 'Wendy Williams'), (3, 'mary', NULL)");
  exec_sql ("INSERT INTO addresses (id, email, user_id) VALUES "
            "(1, 'ed@example.com', 1), (2, 'ed@work.example', 1), (3, 'wendy@example.com', 2)");
  exec_sql ("INSERT INTO posts (id, title, user_id) VALUES "
            "(1, 'first', 1), (2, 'second', 1), (3, 'third', 2)");
  exec_sql ("INSERT INTO keywords (id, keyword) VALUES (1, 'c'), (2, 'glib'), (3, 'sql')");
  exec_sql ("INSERT INTO post_keywords (post_id, keyword_id) VALUES "
            "(1, 1), (1, 2), (2, 3), (3, 1), (3, 3)");
  exec_sql ("INSERT INTO nodes (id, parent_id, name) VALUES "
            "(1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 2, 'a2'), "
            "(6, 3, 'b1'), (7, 4, 'a1x')");
  /* explicit keys leave PostgreSQL's identity sequences behind */
  if (orma_test_is_postgresql ())
    {
      const char *tables[] = { "users", "addresses", "posts", "keywords", "nodes" };

      for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
        {
          g_autofree char *sql = g_strdup_printf ("ALTER TABLE %s ALTER COLUMN id RESTART WITH 100",
                                                  tables[i]);
          exec_sql (sql);
        }
    }
}

static void
setup (void)
{
  engine = rel_models_engine_new ();
  seed ();
  session = orma_session_new (engine);
  orma_test_log_attach (engine);
  orma_test_log_clear (engine);
}

static void
teardown (void)
{
  g_clear_object (&session);
  g_clear_object (&engine);
}

static gpointer
get (GType type, gint64 id)
{
  g_autoptr (GError) error = NULL;
  gpointer entity = orma_session_get (session, type, id, &error);

  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (entity);
  return entity;
}

static OrmaCollection *
collection (gpointer entity, const char *name)
{
  g_autoptr (GError) error = NULL;
  OrmaCollection *result = orma_entity_get_collection (entity, name, &error);

  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (result);
  return result;
}

static gpointer
related (gpointer entity, const char *name)
{
  g_autoptr (GError) error = NULL;
  gpointer result = orma_entity_get_related (entity, name, &error);

  orma_assert_no_error (error);
  return result;
}

static char *
string_of (gpointer entity, const char *property)
{
  char *value = NULL;

  g_object_get (entity, property, &value, NULL);
  return value;
}

/* The members' @property values joined by ",". */
static char *
names_of (OrmaCollection *members, const char *property)
{
  GString *out = g_string_new (NULL);
  GListModel *model = G_LIST_MODEL (members);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (model, i);
      g_autofree char *value = string_of (item, property);

      g_string_append_printf (out, "%s%s", i > 0 ? "," : "", value);
    }
  return g_string_free (out, FALSE);
}

static void
assert_names (OrmaCollection *members, const char *property, const char *expected)
{
  g_autofree char *names = names_of (members, property);

  ck_assert_str_eq (names, expected);
}

static GPtrArray *
all (OrmaQuery *query)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *results = orma_query_all (query, &error);

  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (results);
  return results;
}

/* ------------------------------------------------------------------ */
/* lazy                                                                */

START_TEST (test_lazy_collection)
{
  g_autoptr (RelUser) ed = get (REL_TYPE_USER, 1);
  g_autoptr (OrmaCollection) addresses = NULL;
  g_autoptr (OrmaCollection) again = NULL;
  g_autoptr (RelUser) owner = NULL;

  orma_test_log_clear (engine);
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (ed), "addresses"));
  addresses = collection (ed, "addresses");
  orma_test_assert_log (engine,
                        "SELECT " ADDRESS_COLUMNS " FROM addresses "
                        "WHERE addresses.user_id = ? ORDER BY addresses.id",
                        NULL);
  assert_names (addresses, "email", "ed@example.com,ed@work.example");
  ck_assert (orma_entity_is_loaded (ORMA_ENTITY (ed), "addresses"));

  /* loaded: no SQL the second time, nor for the members' parent */
  orma_test_log_clear (engine);
  again = collection (ed, "addresses");
  ck_assert_ptr_eq (again, addresses);
  ck_assert_uint_eq (orma_collection_get_size (again), 2);
  owner = related (orma_collection_get (addresses, 1), "user");
  ck_assert_ptr_eq (owner, ed);
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_lazy_empty_collection)
{
  g_autoptr (RelUser) mary = get (REL_TYPE_USER, 3);
  g_autoptr (OrmaCollection) addresses = NULL;

  orma_test_log_clear (engine);
  addresses = collection (mary, "addresses");
  ck_assert_uint_eq (orma_collection_get_size (addresses), 0);
  orma_test_assert_log (engine,
                        "SELECT " ADDRESS_COLUMNS " FROM addresses "
                        "WHERE addresses.user_id = ? ORDER BY addresses.id",
                        NULL);
  orma_test_log_clear (engine);
  ck_assert_uint_eq (orma_collection_get_size (addresses), 0);
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_many_to_one_identity_map)
{
  g_autoptr (RelUser) ed = get (REL_TYPE_USER, 1);
  g_autoptr (RelAddress) address = get (REL_TYPE_ADDRESS, 2);
  g_autoptr (RelUser) user = NULL;

  /* the target is in the identity map: no SQL */
  orma_test_log_clear (engine);
  user = related (address, "user");
  ck_assert_ptr_eq (user, ed);
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_many_to_one_lazy_select)
{
  g_autoptr (RelAddress) address = get (REL_TYPE_ADDRESS, 3);
  g_autoptr (RelUser) user = NULL;
  g_autoptr (RelUser) again = NULL;
  g_autofree char *name = NULL;

  orma_test_log_clear (engine);
  user = related (address, "user");
  orma_test_assert_log (engine,
                        "SELECT " USER_COLUMNS " FROM users WHERE users.id = ?", NULL);
  ck_assert_ptr_nonnull (user);
  name = string_of (user, "name");
  ck_assert_str_eq (name, "wendy");

  /* while the application holds it, no SQL the second time */
  orma_test_log_clear (engine);
  again = related (address, "user");
  ck_assert_ptr_eq (again, user);
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_lazy_reload_after_commit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelUser) ed = get (REL_TYPE_USER, 1);
  g_autoptr (OrmaCollection) addresses = collection (ed, "addresses");

  ck_assert_uint_eq (orma_collection_get_size (addresses), 2);
  orma_session_commit (session, &error);
  orma_assert_no_error (error);

  /* another connection adds a row; the expired collection sees it. Its
   * key is the owner's primary key, which an expired object still
   * knows: the owner's row is not read again for it. */
  exec_sql ("INSERT INTO addresses (id, email, user_id) VALUES (4, 'ed@home.example', 1)");
  orma_test_log_clear (engine);
  ck_assert_uint_eq (orma_collection_get_size (addresses), 3);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " ADDRESS_COLUMNS " FROM addresses "
                        "WHERE addresses.user_id = ? ORDER BY addresses.id",
                        NULL);
  assert_names (addresses, "email", "ed@example.com,ed@work.example,ed@home.example");

  orma_test_log_clear (engine);
  ck_assert_uint_eq (orma_collection_get_size (addresses), 3);
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_pending_collection_no_sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelUser) jack = rel_user_new ("jack");
  g_autoptr (RelAddress) address = rel_address_new ("jack@example.com");
  g_autoptr (OrmaCollection) addresses = NULL;

  orma_session_add (session, ORMA_ENTITY (jack));
  addresses = collection (jack, "addresses");
  ck_assert_uint_eq (orma_collection_get_size (addresses), 0);
  orma_collection_append (addresses, address, &error);
  orma_assert_no_error (error);
  orma_test_assert_no_sql (engine);

  /* flushed, the collection is what the application put there */
  orma_session_flush (session, &error);
  orma_assert_no_error (error);
  orma_test_log_clear (engine);
  ck_assert_uint_eq (orma_collection_get_size (addresses), 1);
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_unsaved_collection_expires)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelUser) jack = rel_user_new ("jack");
  g_autoptr (RelAddress) address = rel_address_new ("jack@example.com");
  g_autoptr (OrmaCollection) addresses = collection (jack, "addresses");
  g_autofree char *name = NULL;
  gint64 id;

  orma_collection_append (addresses, address, &error);
  orma_assert_no_error (error);
  orma_session_add (session, ORMA_ENTITY (jack));
  orma_session_flush (session, &error);
  orma_assert_no_error (error);
  id = rel_get_id (jack);
  orma_session_commit (session, &error);
  orma_assert_no_error (error);

  /* the object's row is read again first; its collection still expired */
  {
    g_autofree char *sql = g_strdup_printf ("INSERT INTO addresses (id, email, user_id) "
                                            "VALUES (5000, 'jack@work.example', %" G_GINT64_FORMAT ")",
                                            id);
    exec_sql (sql);
  }
  name = string_of (jack, "name");
  ck_assert_str_eq (name, "jack");
  orma_test_log_clear (engine);
  assert_names (addresses, "email", "jack@example.com,jack@work.example");
  orma_test_assert_log (engine,
                        "SELECT " ADDRESS_COLUMNS " FROM addresses "
                        "WHERE addresses.user_id = ? ORDER BY addresses.id",
                        NULL);
}
END_TEST

START_TEST (test_many_to_one_after_commit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelUser) ed = get (REL_TYPE_USER, 1);
  g_autoptr (RelUser) wendy = get (REL_TYPE_USER, 2);
  g_autoptr (RelAddress) address = get (REL_TYPE_ADDRESS, 2);
  g_autoptr (RelUser) user = related (address, "user");

  ck_assert_ptr_eq (user, ed);
  g_clear_object (&user);
  orma_session_commit (session, &error);
  orma_assert_no_error (error);

  /* moved by another connection: the address's row tells, and the new
   * owner is in the identity map */
  exec_sql ("UPDATE addresses SET user_id = 2 WHERE id = 2");
  orma_test_log_clear (engine);
  user = related (address, "user");
  ck_assert_ptr_eq (user, wendy);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " ADDRESS_COLUMNS " FROM addresses WHERE addresses.id = ?",
                        NULL);
}
END_TEST

START_TEST (test_expire_one_object)
{
  g_autoptr (RelUser) ed = get (REL_TYPE_USER, 1);
  g_autoptr (OrmaCollection) addresses = collection (ed, "addresses");

  ck_assert_uint_eq (orma_collection_get_size (addresses), 2);
  orma_session_expire (session, ORMA_ENTITY (ed));
  orma_test_log_clear (engine);
  ck_assert_uint_eq (orma_collection_get_size (addresses), 2);
  orma_test_assert_log (engine,
                        "SELECT " USER_COLUMNS " FROM users WHERE users.id = ?",
                        "SELECT " ADDRESS_COLUMNS " FROM addresses "
                        "WHERE addresses.user_id = ? ORDER BY addresses.id",
                        NULL);
  orma_test_log_clear (engine);
  ck_assert_uint_eq (orma_collection_get_size (addresses), 2);
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_detached_unloaded)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelUser) ed = get (REL_TYPE_USER, 1);
  g_autoptr (OrmaCollection) addresses = NULL;

  orma_session_expunge (session, ORMA_ENTITY (ed));
  addresses = orma_entity_get_collection (ORMA_ENTITY (ed), "addresses", &error);
  orma_assert_error (error, ORMA_ERROR_DETACHED);
  ck_assert_ptr_null (addresses);
}
END_TEST

/* ------------------------------------------------------------------ */
/* eager                                                               */

static OrmaQuery *
users_by_id (void)
{
  OrmaQuery *query = orma_session_query (session, REL_TYPE_USER);

  orma_query_order_by (query, orma_col (REL_TYPE_USER, "id"));
  return query;
}

static void
assert_addresses_loaded (GPtrArray *users)
{
  g_autoptr (OrmaCollection) ed = NULL;
  g_autoptr (OrmaCollection) wendy = NULL;
  g_autoptr (OrmaCollection) mary = NULL;

  ck_assert_uint_eq (users->len, 3);
  for (guint i = 0; i < users->len; i++)
    ck_assert (orma_entity_is_loaded (g_ptr_array_index (users, i), "addresses"));
  orma_test_log_clear (engine);
  ed = collection (g_ptr_array_index (users, 0), "addresses");
  wendy = collection (g_ptr_array_index (users, 1), "addresses");
  mary = collection (g_ptr_array_index (users, 2), "addresses");
  assert_names (ed, "email", "ed@example.com,ed@work.example");
  assert_names (wendy, "email", "wendy@example.com");
  assert_names (mary, "email", "");
  orma_test_assert_no_sql (engine);
}

START_TEST (test_joined_collection)
{
  g_autoptr (OrmaQuery) query = users_by_id ();
  g_autoptr (GPtrArray) users = NULL;

  orma_query_load (query, "addresses", ORMA_LOAD_JOINED);
  users = all (query);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " USER_COLUMNS ", addresses_1.id, addresses_1.email, "
                        "addresses_1.user_id FROM users LEFT OUTER JOIN addresses AS addresses_1 "
                        "ON users.id = addresses_1.user_id ORDER BY users.id, addresses_1.id",
                        NULL);
  assert_addresses_loaded (users);
}
END_TEST

START_TEST (test_joined_limit_wraps)
{
  g_autoptr (OrmaQuery) query = users_by_id ();
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (OrmaCollection) ed = NULL;

  orma_query_load (query, "addresses", ORMA_LOAD_JOINED);
  orma_query_limit (query, 2);
  users = all (query);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT anon_1.id, anon_1.name, anon_1.fullname, addresses_1.id, "
                        "addresses_1.email, addresses_1.user_id FROM (SELECT " USER_COLUMNS
                        " FROM users ORDER BY users.id LIMIT ?) AS anon_1 "
                        "LEFT OUTER JOIN addresses AS addresses_1 ON anon_1.id = addresses_1.user_id "
                        "ORDER BY anon_1.id, addresses_1.id",
                        NULL);
  /* the limit counts users, not rows: ed's two addresses take one */
  ck_assert_uint_eq (users->len, 2);
  ck_assert_int_eq (rel_get_id (g_ptr_array_index (users, 0)), 1);
  ck_assert_int_eq (rel_get_id (g_ptr_array_index (users, 1)), 2);
  orma_test_log_clear (engine);
  ed = collection (g_ptr_array_index (users, 0), "addresses");
  ck_assert_uint_eq (orma_collection_get_size (ed), 2);
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_joined_many_to_one)
{
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autoptr (GPtrArray) addresses = NULL;
  g_autoptr (RelUser) first = NULL;
  g_autoptr (RelUser) third = NULL;
  g_autofree char *name = NULL;

  orma_query_order_by (query, orma_col (REL_TYPE_ADDRESS, "id"));
  orma_query_load (query, "user", ORMA_LOAD_JOINED);
  addresses = all (query);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " ADDRESS_COLUMNS ", users_1.id, users_1.name, users_1.fullname "
                        "FROM addresses LEFT OUTER JOIN users AS users_1 "
                        "ON users_1.id = addresses.user_id ORDER BY addresses.id",
                        NULL);
  ck_assert_uint_eq (addresses->len, 3);
  orma_test_log_clear (engine);
  first = related (g_ptr_array_index (addresses, 0), "user");
  third = related (g_ptr_array_index (addresses, 2), "user");
  ck_assert_ptr_nonnull (first);
  name = string_of (third, "name");
  ck_assert_str_eq (name, "wendy");
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_selectin_collection)
{
  g_autoptr (OrmaQuery) query = users_by_id ();
  g_autoptr (GPtrArray) users = NULL;

  orma_query_load (query, "addresses", ORMA_LOAD_SELECTIN);
  users = all (query);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " USER_COLUMNS " FROM users ORDER BY users.id",
                        "SELECT " ADDRESS_COLUMNS " FROM addresses "
                        "WHERE addresses.user_id IN (?, ?, ?) ORDER BY addresses.id",
                        NULL);
  assert_addresses_loaded (users);
}
END_TEST

/* "addresses.user_id IN (?, ..., ?)" with @n placeholders */
static char *
addresses_in (guint n)
{
  GString *sql = g_string_new ("SELECT " ADDRESS_COLUMNS " FROM addresses WHERE addresses.user_id IN (");

  for (guint i = 0; i < n; i++)
    g_string_append (sql, i > 0 ? ", ?" : "?");
  g_string_append (sql, ") ORDER BY addresses.id");
  return g_string_free (sql, FALSE);
}

START_TEST (test_selectin_chunks)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autofree char *chunk = addresses_in (500);
  g_autofree char *rest = addresses_in (1203 - 1000);
  GPtrArray *log;

  {
    g_autoptr (OrmaSession) writer = orma_session_new (engine);

    for (guint i = 0; i < 1200; i++)
      {
        g_autofree char *name = g_strdup_printf ("user%u", i);
        g_autoptr (RelUser) user = rel_user_new (name);

        orma_session_add (writer, ORMA_ENTITY (user));
      }
    orma_session_commit (writer, &error);
    orma_assert_no_error (error);
  }
  exec_sql ("INSERT INTO addresses (id, email, user_id) "
            "SELECT id + 1000, name, id FROM users WHERE name LIKE 'user1%'");
  orma_test_log_clear (engine);

  query = users_by_id ();
  orma_query_load (query, "addresses", ORMA_LOAD_SELECTIN);
  users = all (query);
  ck_assert_uint_eq (users->len, 1203);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " USER_COLUMNS " FROM users ORDER BY users.id",
                        chunk, chunk, rest,
                        NULL);

  /* every user's addresses are there, in the right collection */
  orma_test_log_clear (engine);
  for (guint i = 0; i < users->len; i++)
    {
      RelUser *user = g_ptr_array_index (users, i);
      g_autoptr (OrmaCollection) addresses = collection (user, "addresses");
      g_autofree char *name = string_of (user, "name");
      guint expected = g_str_has_prefix (name, "user1") ? 1 : i == 0 ? 2 : i == 1 ? 1 : 0;

      ck_assert_uint_eq (orma_collection_get_size (addresses), expected);
    }
  log = orma_test_log_statements (engine);
  ck_assert_uint_eq (log->len, 0);
}
END_TEST

START_TEST (test_selectin_many_to_many)
{
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_POST);
  g_autoptr (GPtrArray) posts = NULL;
  const char *expected[] = { "c,glib", "sql", "c,sql" };

  orma_query_order_by (query, orma_col (REL_TYPE_POST, "id"));
  orma_query_load (query, "keywords", ORMA_LOAD_SELECTIN);
  posts = all (query);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " POST_COLUMNS " FROM posts ORDER BY posts.id",
                        "SELECT " KEYWORD_COLUMNS ", post_keywords.post_id FROM keywords "
                        "JOIN post_keywords ON keywords.id = post_keywords.keyword_id "
                        "WHERE post_keywords.post_id IN (?, ?, ?) ORDER BY keywords.id",
                        NULL);
  ck_assert_uint_eq (posts->len, 3);
  orma_test_log_clear (engine);
  for (guint i = 0; i < posts->len; i++)
    {
      g_autoptr (OrmaCollection) keywords = collection (g_ptr_array_index (posts, i), "keywords");

      assert_names (keywords, "keyword", expected[i]);
    }
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_lazy_many_to_many)
{
  g_autoptr (RelPost) post = get (REL_TYPE_POST, 3);
  g_autoptr (OrmaCollection) keywords = NULL;

  orma_test_log_clear (engine);
  keywords = collection (post, "keywords");
  orma_test_assert_log (engine,
                        "SELECT " KEYWORD_COLUMNS ", post_keywords.post_id FROM keywords "
                        "JOIN post_keywords ON keywords.id = post_keywords.keyword_id "
                        "WHERE post_keywords.post_id = ? ORDER BY keywords.id",
                        NULL);
  assert_names (keywords, "keyword", "c,sql");
}
END_TEST

static OrmaQuery *
root_nodes (void)
{
  OrmaQuery *query = orma_session_query (session, REL_TYPE_NODE);

  orma_query_filter (query, orma_is_null (orma_col (REL_TYPE_NODE, "parent_id")));
  return query;
}

/* root -> a, b; a -> a1, a2; b -> b1, each loaded without SQL */
static RelNode *
assert_two_levels (GPtrArray *roots)
{
  g_autoptr (OrmaCollection) children = NULL;
  g_autoptr (OrmaCollection) of_a = NULL;
  g_autoptr (OrmaCollection) of_b = NULL;
  RelNode *a1;

  ck_assert_uint_eq (roots->len, 1);
  orma_test_log_clear (engine);
  children = collection (g_ptr_array_index (roots, 0), "children");
  assert_names (children, "name", "a,b");
  of_a = collection (orma_collection_get (children, 0), "children");
  of_b = collection (orma_collection_get (children, 1), "children");
  assert_names (of_a, "name", "a1,a2");
  assert_names (of_b, "name", "b1");
  orma_test_assert_no_sql (engine);
  a1 = orma_collection_get (of_a, 0);
  return g_object_ref (a1);
}

START_TEST (test_nested_selectin_path)
{
  g_autoptr (OrmaQuery) query = root_nodes ();
  g_autoptr (GPtrArray) roots = NULL;
  g_autoptr (RelNode) a1 = NULL;

  orma_query_load (query, "children.children", ORMA_LOAD_SELECTIN);
  roots = all (query);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " NODE_COLUMNS " FROM nodes WHERE nodes.parent_id IS NULL",
                        "SELECT " NODE_COLUMNS " FROM nodes WHERE nodes.parent_id = ? "
                        "ORDER BY nodes.id",
                        "SELECT " NODE_COLUMNS " FROM nodes WHERE nodes.parent_id IN (?, ?) "
                        "ORDER BY nodes.id",
                        NULL);
  a1 = assert_two_levels (roots);
  /* the third level was not asked for */
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (a1), "children"));
}
END_TEST

START_TEST (test_join_depth)
{
  g_autoptr (OrmaQuery) query = root_nodes ();
  g_autoptr (GPtrArray) roots = NULL;
  g_autoptr (RelNode) a1 = NULL;

  /* join-depth 2: the query's nodes, their children and grandchildren */
  orma_query_load (query, "children", ORMA_LOAD_JOINED);
  roots = all (query);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " NODE_COLUMNS ", nodes_1.id, nodes_1.parent_id, nodes_1.name, "
                        "nodes_2.id, nodes_2.parent_id, nodes_2.name FROM nodes "
                        "LEFT OUTER JOIN nodes AS nodes_1 ON nodes.id = nodes_1.parent_id "
                        "LEFT OUTER JOIN nodes AS nodes_2 ON nodes_1.id = nodes_2.parent_id "
                        "WHERE nodes.parent_id IS NULL ORDER BY nodes_1.id, nodes_2.id",
                        NULL);
  a1 = assert_two_levels (roots);
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (a1), "children"));
}
END_TEST

START_TEST (test_raise)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaQuery) query = users_by_id ();
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (OrmaCollection) addresses = NULL;

  orma_query_load (query, "addresses", ORMA_LOAD_RAISE);
  users = all (query);
  orma_test_log_clear (engine);
  addresses = orma_entity_get_collection (g_ptr_array_index (users, 0), "addresses", &error);
  orma_assert_error (error, ORMA_ERROR_INVALID_STATE);
  ck_assert_ptr_null (addresses);
  ck_assert_ptr_nonnull (strstr (error->message, "RelUser.addresses"));
  ck_assert_ptr_nonnull (strstr (error->message, "raise"));
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_noload)
{
  g_autoptr (OrmaQuery) query = users_by_id ();
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (OrmaCollection) addresses = NULL;

  orma_query_load (query, "addresses", ORMA_LOAD_NOLOAD);
  users = all (query);
  orma_test_log_clear (engine);
  addresses = collection (g_ptr_array_index (users, 0), "addresses");
  ck_assert_uint_eq (orma_collection_get_size (addresses), 0);
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_options_per_query)
{
  g_autoptr (OrmaQuery) eager = users_by_id ();
  g_autoptr (OrmaQuery) plain = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (OrmaSession) other = orma_session_new (engine);
  g_autoptr (OrmaCollection) addresses = NULL;

  /* the option changes this query only ... */
  orma_query_load (eager, "addresses", ORMA_LOAD_SELECTIN);
  users = all (eager);
  g_clear_pointer (&users, g_ptr_array_unref);

  /* ... another query loads as the mapping says: lazily */
  plain = orma_session_query (other, REL_TYPE_USER);
  orma_query_order_by (plain, orma_col (REL_TYPE_USER, "id"));
  orma_test_log_clear (engine);
  {
    g_autoptr (GError) error = NULL;

    users = orma_query_all (plain, &error);
    orma_assert_no_error (error);
  }
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " USER_COLUMNS " FROM users ORDER BY users.id",
                        NULL);
  ck_assert (!orma_entity_is_loaded (g_ptr_array_index (users, 0), "addresses"));
  addresses = collection (g_ptr_array_index (users, 0), "addresses");
  ck_assert_uint_eq (orma_collection_get_size (addresses), 2);
}
END_TEST

START_TEST (test_dynamic)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelUser) ed = get (REL_TYPE_USER, 1);
  g_autoptr (OrmaQuery) posts = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autofree char *title = NULL;

  orma_test_log_clear (engine);
  g_object_get (ed, "posts", &posts, NULL);
  ck_assert (ORMA_IS_QUERY (posts));
  orma_test_assert_no_sql (engine);

  orma_query_filter (posts, orma_like (orma_col (REL_TYPE_POST, "title"), orma_str ("s%")));
  found = orma_query_all (posts, &error);
  orma_assert_no_error (error);
  orma_test_assert_log (engine,
                        "SELECT " POST_COLUMNS " FROM posts "
                        "WHERE posts.user_id = ? AND posts.title LIKE ?",
                        NULL);
  ck_assert_uint_eq (found->len, 1);
  title = string_of (g_ptr_array_index (found, 0), "title");
  ck_assert_str_eq (title, "second");
}
END_TEST

START_TEST (test_contains_eager)
{
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (OrmaCollection) addresses = NULL;

  orma_query_join (query, "addresses", NULL);
  orma_query_filter (query, orma_like (orma_col (REL_TYPE_ADDRESS, "email"), orma_str ("%work%")));
  orma_query_contains_eager (query, "addresses", NULL);
  users = all (query);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " USER_COLUMNS ", " ADDRESS_COLUMNS " FROM users "
                        "JOIN addresses ON users.id = addresses.user_id "
                        "WHERE addresses.email LIKE ?",
                        NULL);
  ck_assert_uint_eq (users->len, 1);
  /* only the matching address is loaded */
  orma_test_log_clear (engine);
  addresses = collection (g_ptr_array_index (users, 0), "addresses");
  assert_names (addresses, "email", "ed@work.example");
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_composite_key)
{
  g_autoptr (GPtrArray) regions = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autoptr (OrmaCollection) cities = NULL;

  exec_sql ("INSERT INTO regions (country, code, name) VALUES "
            "('fr', 'idf', 'Ile-de-France'), ('fr', 'bre', 'Bretagne')");
  exec_sql ("INSERT INTO cities (id, country, region_code, name) VALUES "
            "(1, 'fr', 'idf', 'Paris'), (2, 'fr', 'bre', 'Rennes'), (3, 'fr', 'idf', 'Versailles')");
  orma_test_log_clear (engine);

  query = orma_session_query (session, REL_TYPE_REGION);
  orma_query_order_by (query, orma_col (REL_TYPE_REGION, "code"));
  orma_query_load (query, "cities", ORMA_LOAD_SELECTIN);
  regions = all (query);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT regions.country, regions.code, regions.name FROM regions "
                        "ORDER BY regions.code",
                        "SELECT cities.id, cities.country, cities.region_code, cities.name "
                        "FROM cities WHERE (cities.country = ? AND cities.region_code = ?) "
                        "OR (cities.country = ? AND cities.region_code = ?) ORDER BY cities.id",
                        NULL);
  orma_test_log_clear (engine);
  cities = collection (g_ptr_array_index (regions, 1), "cities");
  assert_names (cities, "name", "Paris,Versailles");
  orma_test_assert_no_sql (engine);
}
END_TEST

/* ------------------------------------------------------------------ */
/* eager: review cases                                                 */

/* A joined path below a joined path: each post once, each keyword once
 * per post though the author's two addresses repeat the rows, the same
 * keyword on two posts, the author's addresses once each. */
START_TEST (test_joined_nested_paths)
{
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_POST);
  g_autoptr (GPtrArray) posts = NULL;
  const char *keywords[] = { "c,glib", "sql", "c,sql" };

  orma_query_order_by (query, orma_col (REL_TYPE_POST, "id"));
  orma_query_load (query, "keywords", ORMA_LOAD_JOINED);
  orma_query_load (query, "author.addresses", ORMA_LOAD_JOINED);
  posts = all (query);
  ck_assert_uint_eq (posts->len, 3);
  orma_test_log_clear (engine);
  for (guint i = 0; i < posts->len; i++)
    {
      g_autoptr (OrmaCollection) found = collection (g_ptr_array_index (posts, i), "keywords");
      g_autoptr (RelUser) author = related (g_ptr_array_index (posts, i), "author");
      g_autoptr (OrmaCollection) addresses = collection (author, "addresses");

      assert_names (found, "keyword", keywords[i]);
      assert_names (addresses, "email", i < 2 ? "ed@example.com,ed@work.example"
                                              : "wendy@example.com");
    }
  orma_test_assert_no_sql (engine);
}
END_TEST

/* A collection loaded and changed but not flushed is not replaced by
 * the rows of a joined load; nor is an owner's changed column, nor a
 * many-to-one set by the application. */
START_TEST (test_joined_keeps_unflushed_changes)
{
  g_autoptr (RelUser) ed = get (REL_TYPE_USER, 1);
  g_autoptr (RelUser) wendy = get (REL_TYPE_USER, 2);
  g_autoptr (OrmaCollection) addresses = collection (ed, "addresses");
  g_autoptr (RelAddress) moved = get (REL_TYPE_ADDRESS, 3);
  g_autoptr (OrmaQuery) query = users_by_id ();
  g_autoptr (OrmaQuery) by_address = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (OrmaCollection) after = NULL;
  g_autoptr (RelUser) owner = NULL;
  g_autofree char *fullname = NULL;

  orma_session_set_autoflush (session, FALSE);
  ck_assert (orma_collection_remove (addresses, orma_collection_get (addresses, 0), NULL));
  g_object_set (wendy, "fullname", "changed", NULL);
  ck_assert (orma_entity_set_related (ORMA_ENTITY (moved), "user", ed, NULL));

  orma_query_load (query, "addresses", ORMA_LOAD_JOINED);
  users = all (query);
  ck_assert_uint_eq (users->len, 3);
  after = collection (ed, "addresses");
  assert_names (after, "email", "ed@work.example,wendy@example.com");
  fullname = string_of (wendy, "fullname");
  ck_assert_str_eq (fullname, "changed");

  by_address = orma_session_query (session, REL_TYPE_ADDRESS);
  orma_query_load (by_address, "user", ORMA_LOAD_JOINED);
  found = all (by_address);
  owner = related (moved, "user");
  ck_assert_ptr_eq (owner, ed);
}
END_TEST

/* LIMIT/OFFSET with a joined collection, ordered descending: the limit
 * counts owners and the order is kept outside the subquery. */
START_TEST (test_joined_limit_offset_desc)
{
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (OrmaCollection) ed = NULL;
  g_autoptr (OrmaCollection) wendy = NULL;

  orma_query_order_by (query, orma_desc (orma_col (REL_TYPE_USER, "id")));
  orma_query_load (query, "addresses", ORMA_LOAD_JOINED);
  orma_query_limit (query, 2);
  orma_query_offset (query, 1);
  users = all (query);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT anon_1.id, anon_1.name, anon_1.fullname, addresses_1.id, "
                        "addresses_1.email, addresses_1.user_id FROM (SELECT " USER_COLUMNS
                        " FROM users ORDER BY users.id DESC LIMIT ? OFFSET ?) AS anon_1 "
                        "LEFT OUTER JOIN addresses AS addresses_1 ON anon_1.id = addresses_1.user_id "
                        "ORDER BY anon_1.id DESC, addresses_1.id",
                        NULL);
  ck_assert_uint_eq (users->len, 2);
  ck_assert_int_eq (rel_get_id (g_ptr_array_index (users, 0)), 2);
  ck_assert_int_eq (rel_get_id (g_ptr_array_index (users, 1)), 1);
  orma_test_log_clear (engine);
  wendy = collection (g_ptr_array_index (users, 0), "addresses");
  ed = collection (g_ptr_array_index (users, 1), "addresses");
  assert_names (wendy, "email", "wendy@example.com");
  assert_names (ed, "email", "ed@example.com,ed@work.example");
  orma_test_assert_no_sql (engine);
}
END_TEST

/* first() and one() with a joined collection: one owner with two
 * children is one result, its collection whole. */
START_TEST (test_joined_first_one)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaQuery) query = users_by_id ();
  g_autoptr (OrmaQuery) single = orma_session_query (session, REL_TYPE_USER);
  g_autoptr (RelUser) first = NULL;
  g_autoptr (RelUser) one = NULL;
  g_autoptr (OrmaCollection) addresses = NULL;

  orma_query_load (query, "addresses", ORMA_LOAD_JOINED);
  first = orma_query_first (query, &error);
  orma_assert_no_error (error);
  ck_assert_int_eq (rel_get_id (first), 1);
  orma_test_log_clear (engine);
  addresses = collection (first, "addresses");
  ck_assert_uint_eq (orma_collection_get_size (addresses), 2);
  orma_test_assert_no_sql (engine);
  g_clear_object (&first);
  g_clear_object (&addresses);

  orma_session_expire_all (session);
  orma_query_filter (single, orma_eq (orma_col (REL_TYPE_USER, "name"), orma_str ("ed")));
  orma_query_load (single, "addresses", ORMA_LOAD_JOINED);
  one = orma_query_one (single, &error);
  orma_assert_no_error (error);
  ck_assert_int_eq (rel_get_id (one), 1);
  orma_test_log_clear (engine);
  addresses = collection (one, "addresses");
  ck_assert_uint_eq (orma_collection_get_size (addresses), 2);
  orma_test_assert_no_sql (engine);
}
END_TEST

typedef struct {
  GPtrArray *seen;   /* RelUser*, referenced */
} Chunks;

static gboolean
keep_chunk (GPtrArray *entities, gpointer user_data)
{
  Chunks *chunks = user_data;

  for (guint i = 0; i < entities->len; i++)
    g_ptr_array_add (chunks->seen, g_object_ref (g_ptr_array_index (entities, i)));
  return TRUE;
}

/* Streaming in chunks with a joined collection when the rows of one
 * owner are not together (the statement is ordered by the collection
 * only): each owner comes once, with its whole collection. */
START_TEST (test_joined_chunks_owner_rows_apart)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_USER);
  Chunks chunks = { g_ptr_array_new_with_free_func (g_object_unref) };
  guint sizes[4] = { 0 };

  exec_sql ("INSERT INTO addresses (id, email, user_id) VALUES (4, 'ed@home.example', 1)");
  orma_test_log_clear (engine);
  orma_query_load (query, "addresses", ORMA_LOAD_JOINED);
  ck_assert (orma_query_foreach_chunk (query, 1, keep_chunk, &chunks, &error));
  orma_assert_no_error (error);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " USER_COLUMNS ", addresses_1.id, addresses_1.email, "
                        "addresses_1.user_id FROM users LEFT OUTER JOIN addresses AS addresses_1 "
                        "ON users.id = addresses_1.user_id ORDER BY users.id, addresses_1.id",
                        NULL);
  ck_assert_uint_eq (chunks.seen->len, 3);
  orma_test_log_clear (engine);
  for (guint i = 0; i < chunks.seen->len; i++)
    {
      RelUser *user = g_ptr_array_index (chunks.seen, i);
      g_autoptr (OrmaCollection) addresses = collection (user, "addresses");

      ck_assert_uint_eq (sizes[rel_get_id (user)], 0);
      sizes[rel_get_id (user)] = orma_collection_get_size (addresses) + 1;
    }
  orma_test_assert_no_sql (engine);
  ck_assert_uint_eq (sizes[1], 4);
  ck_assert_uint_eq (sizes[2], 2);
  ck_assert_uint_eq (sizes[3], 1);
  g_ptr_array_unref (chunks.seen);
}
END_TEST

/* A selectin load under a joined path: the joined objects' collections
 * in one more SELECT, each owner once. */
START_TEST (test_selectin_under_joined)
{
  g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_ADDRESS);
  g_autoptr (GPtrArray) addresses = NULL;
  g_autoptr (RelUser) ed = NULL;
  g_autoptr (OrmaCollection) of_ed = NULL;

  orma_query_order_by (query, orma_col (REL_TYPE_ADDRESS, "id"));
  orma_query_load (query, "user", ORMA_LOAD_JOINED);
  orma_query_load (query, "user.addresses", ORMA_LOAD_SELECTIN);
  addresses = all (query);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " ADDRESS_COLUMNS ", users_1.id, users_1.name, users_1.fullname "
                        "FROM addresses LEFT OUTER JOIN users AS users_1 "
                        "ON users_1.id = addresses.user_id ORDER BY addresses.id",
                        "SELECT " ADDRESS_COLUMNS " FROM addresses "
                        "WHERE addresses.user_id IN (?, ?) ORDER BY addresses.id",
                        NULL);
  orma_test_log_clear (engine);
  ed = related (g_ptr_array_index (addresses, 0), "user");
  of_ed = collection (ed, "addresses");
  assert_names (of_ed, "email", "ed@example.com,ed@work.example");
  ck_assert_ptr_eq (orma_collection_get (of_ed, 1), g_ptr_array_index (addresses, 1));
  orma_test_assert_no_sql (engine);
}
END_TEST

/* Owners that come twice (an inner join to their collection) are
 * loaded once by selectin, and an owner without rows gets an empty,
 * loaded collection. */
START_TEST (test_selectin_duplicate_owners)
{
  g_autoptr (OrmaQuery) query = users_by_id ();
  g_autoptr (GPtrArray) users = NULL;

  orma_query_outerjoin (query, "addresses", NULL);
  orma_query_load (query, "addresses", ORMA_LOAD_SELECTIN);
  users = all (query);
  orma_test_assert_log (engine,
                        "BEGIN",
                        "SELECT " USER_COLUMNS " FROM users LEFT OUTER JOIN addresses "
                        "ON users.id = addresses.user_id ORDER BY users.id",
                        "SELECT " ADDRESS_COLUMNS " FROM addresses "
                        "WHERE addresses.user_id IN (?, ?, ?) ORDER BY addresses.id",
                        NULL);
  assert_addresses_loaded (users);
}
END_TEST

/* ------------------------------------------------------------------ */
/* lazy: review cases                                                  */

static void
count_warning (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  (void) domain; (void) level; (void) message;
  (*(guint *) data)++;
}

/* raise through the GObject property: a warning and NULL, no SQL. */
START_TEST (test_raise_property_warns)
{
  g_autoptr (OrmaQuery) query = users_by_id ();
  g_autoptr (GPtrArray) users = NULL;
  OrmaCollection *addresses = NULL;
  guint warnings = 0;
  guint handler;

  orma_query_load (query, "addresses", ORMA_LOAD_RAISE);
  users = all (query);
  orma_test_log_clear (engine);
  handler = g_log_set_handler ("orma", G_LOG_LEVEL_WARNING, count_warning, &warnings);
  g_object_get (g_ptr_array_index (users, 0), "addresses", &addresses, NULL);
  g_log_remove_handler ("orma", handler);
  ck_assert_ptr_null (addresses);
  ck_assert_uint_eq (warnings, 1);
  orma_test_assert_no_sql (engine);
}
END_TEST

/* noload, then an append: the new member is written with the owner's
 * key, and the rows the noload skipped are still there afterwards. */
START_TEST (test_noload_then_append)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaQuery) query = users_by_id ();
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (OrmaCollection) addresses = NULL;
  g_autoptr (RelAddress) added = rel_address_new ("ed@new.example");
  RelUser *ed;

  orma_query_load (query, "addresses", ORMA_LOAD_NOLOAD);
  users = all (query);
  ed = g_ptr_array_index (users, 0);
  addresses = collection (ed, "addresses");
  ck_assert (orma_collection_append (addresses, added, &error));
  orma_assert_no_error (error);
  orma_session_commit (session, &error);
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_test_count_rows (engine, "addresses", "user_id = 1"), 3);
  g_clear_object (&addresses);
  addresses = collection (ed, "addresses");
  assert_names (addresses, "email", "ed@example.com,ed@work.example,ed@new.example");
}
END_TEST

/* A detached object keeps what was loaded: no SQL, no error. */
START_TEST (test_detached_loaded)
{
  g_autoptr (RelUser) ed = get (REL_TYPE_USER, 1);
  g_autoptr (OrmaCollection) addresses = collection (ed, "addresses");
  g_autoptr (OrmaCollection) again = NULL;
  g_autoptr (RelUser) owner = NULL;

  orma_session_expunge (session, ORMA_ENTITY (ed));
  orma_test_log_clear (engine);
  again = collection (ed, "addresses");
  ck_assert_ptr_eq (again, addresses);
  assert_names (again, "email", "ed@example.com,ed@work.example");
  owner = related (orma_collection_get (again, 0), "user");
  ck_assert_ptr_eq (owner, ed);
  orma_test_assert_no_sql (engine);
}
END_TEST

/* A many-to-one expired by commit follows the new foreign key written
 * by another connection. */
START_TEST (test_many_to_one_expired_by_commit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RelAddress) address = get (REL_TYPE_ADDRESS, 1);
  g_autoptr (RelUser) first = related (address, "user");
  g_autoptr (RelUser) second = NULL;

  ck_assert_int_eq (rel_get_id (first), 1);
  orma_session_commit (session, &error);
  orma_assert_no_error (error);
  exec_sql ("UPDATE addresses SET user_id = 2 WHERE id = 1");
  second = related (address, "user");
  ck_assert_ptr_nonnull (second);
  ck_assert_int_eq (rel_get_id (second), 2);
}
END_TEST

/* A dynamic relationship's query made before its parent was deleted
 * still runs after the commit (and the parent's release): it finds
 * what the parent's key finds, nothing once the children were
 * unlinked. */
START_TEST (test_dynamic_parent_deleted)
{
  g_autoptr (GError) error = NULL;
  RelUser *ed = get (REL_TYPE_USER, 1);
  g_autoptr (OrmaQuery) posts = NULL;
  g_autoptr (GPtrArray) found = NULL;

  g_object_get (ed, "posts", &posts, NULL);
  ck_assert (ORMA_IS_QUERY (posts));
  orma_session_delete (session, ORMA_ENTITY (ed), &error);
  orma_assert_no_error (error);
  orma_session_commit (session, &error);
  orma_assert_no_error (error);
  g_object_unref (ed);
  ck_assert_int_eq (orma_test_count_rows (engine, "posts", "user_id IS NULL"), 2);
  orma_test_log_clear (engine);
  found = orma_query_all (posts, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (found);
  ck_assert_uint_eq (found->len, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* lifetimes                                                           */

/* The addresses with their users loaded by @strategy; the application
 * keeps only the addresses. A later load lets go of what the loader
 * kept: the users stay because the addresses hold them (their
 * collections of addresses are not loaded, so there is no cycle to
 * break), and reading them costs no SQL. */
static void
check_eager_users_survive (OrmaLoadStrategy strategy)
{
  static const char *const names[] = { "ed", "ed", "wendy" };
  g_autoptr (GPtrArray) addresses = NULL;

  {
    g_autoptr (OrmaQuery) query = orma_session_query (session, REL_TYPE_ADDRESS);

    orma_query_order_by (query, orma_col (REL_TYPE_ADDRESS, "id"));
    orma_query_load (query, "user", strategy);
    addresses = all (query);
  }
  ck_assert_uint_eq (addresses->len, 3);
  {
    g_autoptr (OrmaQuery) other = orma_session_query (session, REL_TYPE_NODE);
    g_autoptr (GPtrArray) nodes = NULL;

    orma_query_filter (other, orma_is_null (orma_col (REL_TYPE_NODE, "parent_id")));
    orma_query_load (other, "children", ORMA_LOAD_SELECTIN);
    nodes = all (other);
  }

  orma_test_log_clear (engine);
  for (guint i = 0; i < addresses->len; i++)
    {
      g_autoptr (RelUser) user = related (g_ptr_array_index (addresses, i), "user");
      g_autofree char *name = NULL;

      ck_assert_ptr_nonnull (user);
      name = string_of (user, "name");
      ck_assert_str_eq (name, names[i]);
    }
  orma_test_assert_no_sql (engine);
}

START_TEST (test_joined_many_to_one_survives)
{
  check_eager_users_survive (ORMA_LOAD_JOINED);
}
END_TEST

START_TEST (test_selectin_many_to_one_survives)
{
  check_eager_users_survive (ORMA_LOAD_SELECTIN);
}
END_TEST

static void
assert_freed (GWeakRef *ref)
{
  GObject *object = g_weak_ref_get (ref);

  ck_assert_msg (object == NULL, "a %s is still alive",
                 object ? G_OBJECT_TYPE_NAME (object) : "");
  g_weak_ref_clear (ref);
}

static void
commit (void)
{
  g_autoptr (GError) error = NULL;

  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
}

/* A new user with a new address, committed, then dropped: the pair is no
 * reference cycle, both are freed. */
START_TEST (test_new_pair_freed_after_commit)
{
  g_autoptr (GError) error = NULL;
  RelUser *jack = rel_user_new ("jack");
  RelAddress *address = rel_address_new ("jack@example.com");
  GWeakRef jack_ref, address_ref;
  OrmaCollection *addresses = collection (jack, "addresses");

  ck_assert (orma_collection_append (addresses, address, &error));
  g_object_unref (addresses);
  orma_session_add (session, ORMA_ENTITY (jack));
  commit ();
  g_weak_ref_init (&jack_ref, jack);
  g_weak_ref_init (&address_ref, address);
  g_object_unref (jack);
  g_object_unref (address);
  assert_freed (&jack_ref);
  assert_freed (&address_ref);
}
END_TEST

/* A new post with a new keyword, and a loaded post and keyword whose
 * collections hold each other: the commit lets go of the collections,
 * and dropping the objects frees them. */
START_TEST (test_many_to_many_freed_after_commit)
{
  g_autoptr (GError) error = NULL;
  RelPost *post = g_object_new (REL_TYPE_POST, "title", "new", NULL);
  RelKeyword *keyword = g_object_new (REL_TYPE_KEYWORD, "keyword", "gtk", NULL);
  RelPost *first = get (REL_TYPE_POST, 1);
  RelKeyword *c = NULL;
  OrmaCollection *keywords;
  GWeakRef refs[4];

  keywords = collection (post, "keywords");
  ck_assert (orma_collection_append (keywords, keyword, &error));
  g_object_unref (keywords);
  orma_session_add (session, ORMA_ENTITY (post));

  keywords = collection (first, "keywords");
  c = g_object_ref (orma_collection_get (keywords, 0));
  g_object_unref (keywords);
  keywords = collection (c, "posts");
  ck_assert (orma_collection_contains (keywords, first));
  g_object_unref (keywords);

  commit ();
  g_weak_ref_init (&refs[0], post);
  g_weak_ref_init (&refs[1], keyword);
  g_weak_ref_init (&refs[2], first);
  g_weak_ref_init (&refs[3], c);
  g_object_unref (post);
  g_object_unref (keyword);
  g_object_unref (first);
  g_object_unref (c);
  for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
    assert_freed (&refs[i]);
}
END_TEST

/* Closing the session lets go of many-to-many collections too; what no
 * cycle needs stays loaded in the detached objects. */
START_TEST (test_many_to_many_freed_after_close)
{
  RelPost *first = get (REL_TYPE_POST, 1);
  RelKeyword *c = NULL;
  g_autoptr (RelUser) author = related (first, "author");
  OrmaCollection *keywords = collection (first, "keywords");
  GWeakRef refs[2];

  c = g_object_ref (orma_collection_get (keywords, 0));
  g_object_unref (keywords);
  keywords = collection (c, "posts");
  ck_assert (orma_collection_contains (keywords, first));
  g_object_unref (keywords);

  orma_session_close (session);
  ck_assert (orma_entity_is_loaded (ORMA_ENTITY (first), "author"));
  g_weak_ref_init (&refs[0], first);
  g_weak_ref_init (&refs[1], c);
  g_object_unref (first);
  g_object_unref (c);
  for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
    assert_freed (&refs[i]);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("loading");
  TCase *tc = tcase_create ("lazy");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_lazy_collection);
  tcase_add_test (tc, test_lazy_empty_collection);
  tcase_add_test (tc, test_many_to_one_identity_map);
  tcase_add_test (tc, test_many_to_one_lazy_select);
  tcase_add_test (tc, test_lazy_reload_after_commit);
  tcase_add_test (tc, test_pending_collection_no_sql);
  tcase_add_test (tc, test_detached_unloaded);
  tcase_add_test (tc, test_expire_one_object);
  tcase_add_test (tc, test_unsaved_collection_expires);
  tcase_add_test (tc, test_many_to_one_after_commit);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("eager");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_joined_collection);
  tcase_add_test (tc, test_joined_limit_wraps);
  tcase_add_test (tc, test_joined_many_to_one);
  tcase_add_test (tc, test_selectin_collection);
  tcase_add_test (tc, test_selectin_chunks);
  tcase_add_test (tc, test_selectin_many_to_many);
  tcase_add_test (tc, test_lazy_many_to_many);
  tcase_add_test (tc, test_nested_selectin_path);
  tcase_add_test (tc, test_join_depth);
  tcase_add_test (tc, test_raise);
  tcase_add_test (tc, test_noload);
  tcase_add_test (tc, test_options_per_query);
  tcase_add_test (tc, test_dynamic);
  tcase_add_test (tc, test_contains_eager);
  tcase_add_test (tc, test_composite_key);
  tcase_add_test (tc, test_joined_nested_paths);
  tcase_add_test (tc, test_joined_keeps_unflushed_changes);
  tcase_add_test (tc, test_joined_limit_offset_desc);
  tcase_add_test (tc, test_joined_first_one);
  tcase_add_test (tc, test_joined_chunks_owner_rows_apart);
  tcase_add_test (tc, test_selectin_under_joined);
  tcase_add_test (tc, test_selectin_duplicate_owners);
  tcase_add_test (tc, test_raise_property_warns);
  tcase_add_test (tc, test_noload_then_append);
  tcase_add_test (tc, test_detached_loaded);
  tcase_add_test (tc, test_many_to_one_expired_by_commit);
  tcase_add_test (tc, test_dynamic_parent_deleted);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("lifetimes");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_joined_many_to_one_survives);
  tcase_add_test (tc, test_selectin_many_to_one_survives);
  tcase_add_test (tc, test_new_pair_freed_after_commit);
  tcase_add_test (tc, test_many_to_many_freed_after_commit);
  tcase_add_test (tc, test_many_to_many_freed_after_close);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  rel_models_ensure ();
  return orma_test_run (make_suite ());
}
