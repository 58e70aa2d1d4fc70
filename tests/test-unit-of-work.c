/* test-unit-of-work.c: the flush of related objects, witnessed by the
 * echo log: the order of the statements (parents first, children
 * deleted first), the foreign keys copied from generated keys, the
 * cascades (save-update, delete, delete-orphan), the children of a
 * deleted parent set to NULL, many-to-many secondary rows, and the rows
 * afterwards.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "fixtures.h"
#include "rel-models.h"

/* An INSERT whose key the database generates: PostgreSQL reads it back
 * with RETURNING, SQLite from the row id. */
#define INS(sql) (orma_test_is_postgresql () ? sql " RETURNING id" : sql)

#define INSERT_USER      INS ("INSERT INTO users (name, fullname) VALUES (?, ?)")
#define INSERT_ADDRESS   INS ("INSERT INTO addresses (email, user_id) VALUES (?, ?)")
#define INSERT_CUSTOMER  INS ("INSERT INTO customers (name) VALUES (?)")
#define INSERT_ORDER     INS ("INSERT INTO orders (item, customer_id) VALUES (?, ?)")
#define INSERT_POST      INS ("INSERT INTO posts (title, user_id) VALUES (?, ?)")
#define INSERT_KEYWORD   INS ("INSERT INTO keywords (keyword) VALUES (?)")
#define INSERT_CITY      INS ("INSERT INTO cities (country, region_code, name) VALUES (?, ?, ?)")

#define SELECT_ADDRESSES_OF_USER \
  "SELECT addresses.id, addresses.email, addresses.user_id FROM addresses " \
  "WHERE addresses.user_id = ? ORDER BY addresses.id"
#define SELECT_POSTS_OF_USER \
  "SELECT posts.id, posts.title, posts.user_id FROM posts WHERE posts.user_id = ?"
#define SELECT_ORDERS_OF_CUSTOMER \
  "SELECT orders.id, orders.item, orders.customer_id FROM orders " \
  "WHERE orders.customer_id = ? ORDER BY orders.id"

/* ------------------------------------------------------------ helpers */

static OrmaCollection *
collection (gpointer    owner,
            const char *name)
{
  g_autoptr (GError) error = NULL;
  OrmaCollection *result = orma_entity_get_collection (owner, name, &error);

  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (result);
  return result;
}

static void
append (gpointer    owner,
        const char *name,
        gpointer    member)
{
  g_autoptr (OrmaCollection) members = collection (owner, name);
  g_autoptr (GError) error = NULL;

  ck_assert (orma_collection_append (members, member, &error));
  orma_assert_no_error (error);
}

static void
remove_member (gpointer    owner,
               const char *name,
               gpointer    member)
{
  g_autoptr (OrmaCollection) members = collection (owner, name);
  g_autoptr (GError) error = NULL;

  ck_assert (orma_collection_remove (members, member, &error));
  orma_assert_no_error (error);
}

static void
flush_ok (OrmaSession *session)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (orma_session_flush (session, &error), "flush failed: %s",
                 error ? error->message : "");
}

static void
commit_ok (OrmaSession *session)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (orma_session_commit (session, &error), "commit failed: %s",
                 error ? error->message : "");
}

static guint
batch_rows (OrmaEngine *engine,
            guint       statement)
{
  return g_array_index (orma_test_log_rows (engine), guint, statement);
}

static const char *
params (OrmaEngine *engine,
        guint       statement)
{
  return g_ptr_array_index (orma_test_log_params (engine), statement);
}

static gint64
count (OrmaEngine *engine,
       const char *table,
       const char *where)
{
  return orma_test_count_rows (engine, table, where);
}

/* A where clause with an id in it (for orma_test_count_rows). */
static char *
where_id (const char *column,
          gint64      id)
{
  return g_strdup_printf ("%s = %" G_GINT64_FORMAT, column, id);
}

static gint64
get_int (gpointer    entity,
         const char *property)
{
  gint64 value = 0;

  if (orma_entity_is_null (entity, property))
    return -1;
  g_object_get (entity, property, &value, NULL);
  return value;
}

/* A user "ed" with addresses "ed@a" and "ed@b", committed; returns the
 * user's id. */
static gint64
seed_user_with_addresses (OrmaEngine *engine)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelUser) user = rel_user_new ("ed");
  g_autoptr (RelAddress) a = rel_address_new ("ed@a");
  g_autoptr (RelAddress) b = rel_address_new ("ed@b");

  append (user, "addresses", a);
  append (user, "addresses", b);
  orma_session_add (session, ORMA_ENTITY (user));
  commit_ok (session);
  return rel_get_id (user);
}

static gpointer
get_by_id (OrmaSession *session,
           GType        type,
           gint64       id)
{
  g_autoptr (GError) error = NULL;
  gpointer found = orma_session_get (session, type, id, &error);

  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (found);
  return found;
}

/* ------------------------------------------------------------ users and addresses */

/* One add brings the addresses along; the user's generated key is in
 * the addresses' batch. */
START_TEST (test_add_user_with_addresses)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelUser) user = rel_user_new ("ed");
  g_autoptr (RelAddress) a = rel_address_new ("ed@a");
  g_autoptr (RelAddress) b = rel_address_new ("ed@b");
  g_autofree char *where = NULL;
  g_autoptr (RelUser) owner = NULL;
  g_autoptr (GError) error = NULL;

  append (user, "addresses", a);
  append (user, "addresses", b);
  orma_session_add (session, ORMA_ENTITY (user));
  ck_assert (orma_session_contains (session, ORMA_ENTITY (a)));
  ck_assert (orma_session_contains (session, ORMA_ENTITY (b)));

  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine, "BEGIN", INSERT_USER, INSERT_ADDRESS, NULL);
  ck_assert_uint_eq (batch_rows (engine, 2), 2);
  ck_assert_int_gt (rel_get_id (user), 0);
  ck_assert_int_eq (get_int (a, "user-id"), rel_get_id (user));
  ck_assert_int_eq (get_int (b, "user-id"), rel_get_id (user));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (a)), ORMA_STATE_PERSISTENT);

  commit_ok (session);
  where = where_id ("user_id", rel_get_id (user));
  ck_assert_int_eq (count (engine, "addresses", where), 2);
  ck_assert_int_eq (count (engine, "users", NULL), 1);

  /* The many-to-one still answers after the flush weakened it. */
  owner = orma_entity_get_related (ORMA_ENTITY (a), "user", &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (owner, user);
}
END_TEST

/* Appending to a persistent user's collection: an INSERT with the key,
 * and nothing for the user. */
START_TEST (test_append_to_persistent_user)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  gint64 id = seed_user_with_addresses (engine);
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelUser) user = get_by_id (session, REL_TYPE_USER, id);
  g_autoptr (RelAddress) c = rel_address_new ("ed@c");
  g_autofree char *where = where_id ("user_id", id);

  append (user, "addresses", c);
  ck_assert (orma_session_contains (session, ORMA_ENTITY (c)));
  orma_test_log_attach (engine);
  commit_ok (session);
  orma_test_assert_log (engine, INSERT_ADDRESS, "COMMIT", NULL);
  ck_assert_int_eq (count (engine, "addresses", where), 3);
}
END_TEST

/* Deleting a user without a delete cascade: the addresses, loaded for
 * the purpose, lose their key (in SQL and in memory). */
START_TEST (test_delete_user_nullifies_addresses)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  gint64 id = seed_user_with_addresses (engine);
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelUser) user = get_by_id (session, REL_TYPE_USER, id);
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaCollection) addresses = NULL;

  orma_test_log_attach (engine);
  ck_assert (orma_session_delete (session, ORMA_ENTITY (user), &error));
  flush_ok (session);
  orma_test_assert_log (engine,
                        SELECT_ADDRESSES_OF_USER,
                        SELECT_POSTS_OF_USER,
                        "UPDATE addresses SET user_id = ? WHERE id = ?",
                        "DELETE FROM users WHERE id = ?",
                        NULL);
  ck_assert_uint_eq (batch_rows (engine, 2), 2);
  ck_assert_str_eq (params (engine, 2), "(NULL, 1)");

  addresses = collection (user, "addresses");
  ck_assert_uint_eq (orma_collection_get_size (addresses), 2);
  ck_assert_int_eq (get_int (orma_collection_get (addresses, 0), "user-id"), -1);
  commit_ok (session);
  ck_assert_int_eq (count (engine, "addresses", "user_id IS NULL"), 2);
  ck_assert_int_eq (count (engine, "users", NULL), 0);
}
END_TEST

/* A rollback forgets unflushed relationship changes: the collection
 * reads what the database holds, the new address is transient again. */
START_TEST (test_rollback_resets_relationships)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  gint64 id = seed_user_with_addresses (engine);
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelUser) user = get_by_id (session, REL_TYPE_USER, id);
  g_autoptr (RelAddress) c = rel_address_new ("ed@c");
  g_autoptr (OrmaCollection) addresses = NULL;
  g_autoptr (GError) error = NULL;

  append (user, "addresses", c);
  ck_assert (orma_session_is_dirty (session));
  ck_assert (orma_session_rollback (session, &error));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (c)), ORMA_STATE_TRANSIENT);
  ck_assert (!orma_session_is_dirty (session));
  orma_test_log_attach (engine);
  addresses = collection (user, "addresses");
  ck_assert_uint_eq (orma_collection_get_size (addresses), 2);
  ck_assert (!orma_collection_contains (addresses, c));
  commit_ok (session);
  ck_assert_int_eq (count (engine, "addresses", NULL), 2);
}
END_TEST

/* ------------------------------------------------------------ customers and orders */

/* A customer "c" with orders "o1", "o2", "o3", committed. */
static gint64
seed_customer (OrmaEngine *engine)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelCustomer) customer = g_object_new (REL_TYPE_CUSTOMER, "name", "c", NULL);
  const char *items[] = { "o1", "o2", "o3" };

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr (RelOrder) order = g_object_new (REL_TYPE_ORDER, "item", items[i], NULL);
      append (customer, "orders", order);
    }
  orma_session_add (session, ORMA_ENTITY (customer));
  commit_ok (session);
  return rel_get_id (customer);
}

/* "all, delete-orphan": an order removed from the collection is
 * deleted; deleting the customer deletes the rest, children first. */
START_TEST (test_delete_orphan_and_cascade)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  gint64 id = seed_customer (engine);
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelCustomer) customer = get_by_id (session, REL_TYPE_CUSTOMER, id);
  g_autoptr (OrmaCollection) orders = collection (customer, "orders");
  g_autoptr (RelOrder) first = g_object_ref (orma_collection_get (orders, 0));
  g_autoptr (GError) error = NULL;

  remove_member (customer, "orders", first);
  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine, "DELETE FROM orders WHERE id = ?", NULL);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (first)), ORMA_STATE_DELETED);

  orma_test_log_clear (engine);
  ck_assert (orma_session_delete (session, ORMA_ENTITY (customer), &error));
  flush_ok (session);
  /* a second flush of the transaction runs in a savepoint of its own */
  orma_test_assert_log (engine,
                        "SAVEPOINT orma_flush",
                        "DELETE FROM orders WHERE id = ?",
                        "DELETE FROM customers WHERE id = ?",
                        "RELEASE SAVEPOINT orma_flush",
                        NULL);
  ck_assert_uint_eq (batch_rows (engine, 1), 2);
  commit_ok (session);
  ck_assert_int_eq (count (engine, "orders", NULL), 0);
  ck_assert_int_eq (count (engine, "customers", NULL), 0);
}
END_TEST

/* Deleting a customer whose orders are not loaded loads them first. */
START_TEST (test_delete_cascade_loads)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  gint64 id = seed_customer (engine);
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelCustomer) customer = get_by_id (session, REL_TYPE_CUSTOMER, id);
  g_autoptr (GError) error = NULL;

  orma_test_log_attach (engine);
  ck_assert (orma_session_delete (session, ORMA_ENTITY (customer), &error));
  flush_ok (session);
  orma_test_assert_log (engine,
                        SELECT_ORDERS_OF_CUSTOMER,
                        "DELETE FROM orders WHERE id = ?",
                        "DELETE FROM customers WHERE id = ?",
                        NULL);
  ck_assert_uint_eq (batch_rows (engine, 1), 3);
  commit_ok (session);
  ck_assert_int_eq (count (engine, "orders", NULL), 0);
}
END_TEST

/* Replacing the collection: the orders left out are orphans. */
START_TEST (test_replace_collection_deletes_orphans)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  gint64 id = seed_customer (engine);
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelCustomer) customer = get_by_id (session, REL_TYPE_CUSTOMER, id);
  g_autoptr (OrmaCollection) orders = collection (customer, "orders");
  g_autoptr (RelOrder) fresh = g_object_new (REL_TYPE_ORDER, "item", "o4", NULL);
  g_autoptr (GError) error = NULL;
  OrmaEntity *keep[2];
  g_autofree char *where = where_id ("customer_id", id);

  keep[0] = orma_collection_get (orders, 1);
  keep[1] = ORMA_ENTITY (fresh);
  ck_assert (orma_collection_replace (orders, keep, 2, &error));
  orma_assert_no_error (error);
  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine,
                        INSERT_ORDER,
                        "DELETE FROM orders WHERE id = ?",
                        NULL);
  ck_assert_uint_eq (batch_rows (engine, 1), 2);
  commit_ok (session);
  ck_assert_int_eq (count (engine, "orders", where), 2);
  ck_assert_int_eq (count (engine, "orders", "item = 'o2'"), 1);
  ck_assert_int_eq (count (engine, "orders", "item = 'o4'"), 1);
}
END_TEST

/* A pending order with no customer: the NOT NULL key fails the INSERT;
 * the session and the database stay as they were, and once the order
 * has a customer the same flush works. A pending order removed from
 * the collection is expunged, never INSERTed. */
START_TEST (test_pending_orphan_fails_cleanly)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  gint64 id = seed_customer (engine);
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelCustomer) customer = get_by_id (session, REL_TYPE_CUSTOMER, id);
  g_autoptr (RelOrder) lost = g_object_new (REL_TYPE_ORDER, "item", "lost", NULL);
  g_autoptr (RelOrder) dropped = g_object_new (REL_TYPE_ORDER, "item", "dropped", NULL);
  g_autoptr (RelCustomer) other = g_object_new (REL_TYPE_CUSTOMER, "name", "other", NULL);
  g_autoptr (GError) error = NULL;

  append (customer, "orders", dropped);
  remove_member (customer, "orders", dropped);
  orma_session_add (session, ORMA_ENTITY (other));
  orma_session_add (session, ORMA_ENTITY (lost));
  ck_assert (!orma_session_flush (session, &error));
  orma_assert_error (error, ORMA_ERROR_CONSTRAINT);
  g_clear_error (&error);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (lost)), ORMA_STATE_PENDING);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (other)), ORMA_STATE_PENDING);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (dropped)), ORMA_STATE_TRANSIENT);
  ck_assert (orma_entity_is_null (ORMA_ENTITY (other), "id"));
  ck_assert (orma_entity_is_null (ORMA_ENTITY (lost), "customer-id"));
  ck_assert_int_eq (count (engine, "customers", NULL), 1);

  append (other, "orders", lost);
  orma_test_log_attach (engine);
  flush_ok (session);
  /* the failure rolled the transaction back: a new one begins */
  orma_test_assert_log (engine, "BEGIN", INSERT_CUSTOMER, INSERT_ORDER, NULL);
  ck_assert_int_eq (get_int (lost, "customer-id"), rel_get_id (other));
  commit_ok (session);
  ck_assert_int_eq (count (engine, "orders", NULL), 4);
  ck_assert_int_eq (count (engine, "orders", "item = 'dropped'"), 0);
}
END_TEST

/* ------------------------------------------------------------ moving a child */

/* The child of a deleted user moves to a new one in the same flush: it
 * gets the new user's generated key with one UPDATE, before the DELETE
 * of its old parent. */
START_TEST (test_move_child_from_deleted_parent)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  gint64 id = seed_user_with_addresses (engine);
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelUser) old_user = get_by_id (session, REL_TYPE_USER, id);
  g_autoptr (OrmaCollection) addresses = collection (old_user, "addresses");
  g_autoptr (RelAddress) moved = g_object_ref (orma_collection_get (addresses, 0));
  g_autoptr (RelAddress) stays = g_object_ref (orma_collection_get (addresses, 1));
  g_autoptr (RelUser) new_user = rel_user_new ("jack");
  g_autoptr (GError) error = NULL;
  g_autoptr (RelUser) owner = NULL;

  orma_session_add (session, ORMA_ENTITY (new_user));
  append (new_user, "addresses", moved);
  ck_assert (orma_session_delete (session, ORMA_ENTITY (old_user), &error));
  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine,
                        SELECT_POSTS_OF_USER,
                        INSERT_USER,
                        "UPDATE addresses SET user_id = ? WHERE id = ?",
                        "DELETE FROM users WHERE id = ?",
                        NULL);
  /* one UPDATE for both: the moved one's new key, the other's NULL */
  ck_assert_uint_eq (batch_rows (engine, 2), 2);
  ck_assert_int_eq (get_int (moved, "user-id"), rel_get_id (new_user));
  ck_assert_int_eq (get_int (stays, "user-id"), -1);
  owner = orma_entity_get_related (ORMA_ENTITY (moved), "user", &error);
  ck_assert_ptr_eq (owner, new_user);
  commit_ok (session);
  {
    g_autofree char *where = where_id ("user_id", rel_get_id (new_user));
    ck_assert_int_eq (count (engine, "addresses", where), 1);
    ck_assert_int_eq (count (engine, "addresses", "user_id IS NULL"), 1);
  }
}
END_TEST

/* ------------------------------------------------------------ posts and keywords */

START_TEST (test_keywords_appended_to_post)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelPost) post = g_object_new (REL_TYPE_POST, "title", "hello", NULL);
  g_autoptr (RelKeyword) k1 = g_object_new (REL_TYPE_KEYWORD, "keyword", "c", NULL);
  g_autoptr (RelKeyword) k2 = g_object_new (REL_TYPE_KEYWORD, "keyword", "glib", NULL);
  g_autoptr (OrmaCollection) posts = NULL;

  orma_session_add (session, ORMA_ENTITY (post));
  append (post, "keywords", k1);
  append (post, "keywords", k2);
  /* the other side knows, without SQL */
  posts = collection (k1, "posts");
  ck_assert_uint_eq (orma_collection_get_size (posts), 1);

  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine, "BEGIN", INSERT_POST, INSERT_KEYWORD,
                        "INSERT INTO post_keywords (post_id, keyword_id) VALUES (?, ?)",
                        NULL);
  ck_assert_uint_eq (batch_rows (engine, 2), 2);
  ck_assert_uint_eq (batch_rows (engine, 3), 2);
  commit_ok (session);
  ck_assert_int_eq (count (engine, "post_keywords", NULL), 2);
}
END_TEST

/* A post "p" with keywords "a", "b", "c", committed; its id. */
static gint64
seed_post (OrmaEngine *engine)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelPost) post = g_object_new (REL_TYPE_POST, "title", "p", NULL);
  const char *words[] = { "a", "b", "c" };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      g_autoptr (RelKeyword) keyword = g_object_new (REL_TYPE_KEYWORD, "keyword", words[i], NULL);
      append (post, "keywords", keyword);
    }
  orma_session_add (session, ORMA_ENTITY (post));
  commit_ok (session);
  return rel_get_id (post);
}

START_TEST (test_remove_keyword_deletes_secondary_row)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  gint64 id = seed_post (engine);
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelPost) post = get_by_id (session, REL_TYPE_POST, id);
  g_autoptr (OrmaCollection) keywords = collection (post, "keywords");
  g_autoptr (RelKeyword) b = g_object_ref (orma_collection_get (keywords, 1));

  remove_member (post, "keywords", b);
  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine,
                        "DELETE FROM post_keywords WHERE post_id = ? AND keyword_id = ?",
                        NULL);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (b)), ORMA_STATE_PERSISTENT);
  commit_ok (session);
  ck_assert_int_eq (count (engine, "post_keywords", NULL), 2);
  ck_assert_int_eq (count (engine, "keywords", NULL), 3);
}
END_TEST

START_TEST (test_delete_post_deletes_secondary_rows)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  gint64 id = seed_post (engine);
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelPost) post = get_by_id (session, REL_TYPE_POST, id);
  g_autoptr (GError) error = NULL;

  orma_test_log_attach (engine);
  ck_assert (orma_session_delete (session, ORMA_ENTITY (post), &error));
  flush_ok (session);
  orma_test_assert_log (engine,
                        "DELETE FROM post_keywords WHERE post_id = ?",
                        "DELETE FROM posts WHERE id = ?",
                        NULL);
  commit_ok (session);
  ck_assert_int_eq (count (engine, "post_keywords", NULL), 0);
  ck_assert_int_eq (count (engine, "keywords", NULL), 3);
}
END_TEST

/* ------------------------------------------------------------ identity */

/* Deleting a user and adding a new object with its primary key is one
 * UPDATE of the columns that differ. */
START_TEST (test_delete_and_add_same_key_is_update)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelCustomer) old = g_object_new (REL_TYPE_CUSTOMER, "name", "old", NULL);
  g_autoptr (RelCustomer) fresh = NULL;
  g_autoptr (RelCustomer) found = NULL;
  g_autoptr (GError) error = NULL;
  gint64 id;

  orma_session_add (session, ORMA_ENTITY (old));
  commit_ok (session);
  id = rel_get_id (old);
  fresh = g_object_new (REL_TYPE_CUSTOMER, "id", id, "name", "new", NULL);

  ck_assert (orma_session_delete (session, ORMA_ENTITY (old), &error));
  orma_session_add (session, ORMA_ENTITY (fresh));
  orma_test_log_attach (engine);
  flush_ok (session);
  /* the old one's orders are loaded for its delete cascade (it has none) */
  orma_test_assert_log (engine, SELECT_ORDERS_OF_CUSTOMER,
                        "UPDATE customers SET name = ? WHERE id = ?", NULL);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (old)), ORMA_STATE_DELETED);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (fresh)), ORMA_STATE_PERSISTENT);
  found = get_by_id (session, REL_TYPE_CUSTOMER, id);
  ck_assert_ptr_eq (found, fresh);
  commit_ok (session);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (old)), ORMA_STATE_DETACHED);
  ck_assert_int_eq (count (engine, "customers", "name = 'new'"), 1);
  ck_assert_int_eq (count (engine, "customers", NULL), 1);
}
END_TEST

/* ------------------------------------------------------------ composite keys */

START_TEST (test_composite_foreign_key_sync)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelRegion) region = g_object_new (REL_TYPE_REGION, "country", "fr",
                                               "code", "bzh", "name", "Bretagne", NULL);
  g_autoptr (RelCity) city = g_object_new (REL_TYPE_CITY, "name", "Rennes", NULL);
  g_autoptr (RelCity) other = g_object_new (REL_TYPE_CITY, "name", "Brest", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *country = NULL, *code = NULL;

  append (region, "cities", city);
  ck_assert (orma_entity_set_related (ORMA_ENTITY (other), "region", region, &error));
  orma_session_add (session, ORMA_ENTITY (region));
  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine, "BEGIN",
                        "INSERT INTO regions (country, code, name) VALUES (?, ?, ?)",
                        INSERT_CITY, NULL);
  ck_assert_uint_eq (batch_rows (engine, 2), 2);
  g_object_get (other, "country", &country, "region-code", &code, NULL);
  ck_assert_str_eq (country, "fr");
  ck_assert_str_eq (code, "bzh");
  commit_ok (session);
  ck_assert_int_eq (count (engine, "cities", "country = 'fr' AND region_code = 'bzh'"), 2);

  /* Moving a persistent city out: both columns NULL, one UPDATE. */
  remove_member (region, "cities", city);
  orma_test_log_clear (engine);
  flush_ok (session);
  orma_test_assert_log (engine,
                        "UPDATE cities SET country = ?, region_code = ? WHERE id = ?", NULL);
  commit_ok (session);
  ck_assert_int_eq (count (engine, "cities", "country IS NULL AND region_code IS NULL"), 1);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("unit-of-work");
  TCase *tc = tcase_create ("unit-of-work");

  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_add_user_with_addresses);
  tcase_add_test (tc, test_append_to_persistent_user);
  tcase_add_test (tc, test_delete_user_nullifies_addresses);
  tcase_add_test (tc, test_rollback_resets_relationships);
  tcase_add_test (tc, test_delete_orphan_and_cascade);
  tcase_add_test (tc, test_delete_cascade_loads);
  tcase_add_test (tc, test_replace_collection_deletes_orphans);
  tcase_add_test (tc, test_pending_orphan_fails_cleanly);
  tcase_add_test (tc, test_move_child_from_deleted_parent);
  tcase_add_test (tc, test_keywords_appended_to_post);
  tcase_add_test (tc, test_remove_keyword_deletes_secondary_row);
  tcase_add_test (tc, test_delete_post_deletes_secondary_rows);
  tcase_add_test (tc, test_delete_and_add_same_key_is_update);
  tcase_add_test (tc, test_composite_foreign_key_sync);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return orma_test_run (make_suite ());
}
