/* test-flush.c: the unit of work, witnessed by the echo log: which
 * statements a flush emits, how it batches them, and how a failed flush
 * leaves the database and every object as they were.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fixtures.h"
#include "test-models.h"
#include "orma-connection-private.h"

#define INSERT_USER test_user_insert_sql ()
#define INSERT_USER_WITH_ID "INSERT INTO users (id, name, fullname, password) VALUES (?, ?, ?, ?)"

START_TEST (test_insert_is_one_batch)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) a = test_user_new ("ed", "Ed Jones");
  g_autoptr (TestUser) b = test_user_new ("wendy", "Wendy Williams");
  g_autoptr (TestUser) c = test_user_new ("mary", "Mary Contrary");
  GArray *rows;

  orma_test_log_attach (engine);
  orma_session_add (session, ORMA_ENTITY (a));
  orma_session_add (session, ORMA_ENTITY (b));
  orma_session_add (session, ORMA_ENTITY (c));
  orma_test_assert_no_sql (engine);           /* add emits nothing */

  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  orma_test_assert_log (engine, "BEGIN", INSERT_USER, "COMMIT", NULL);
  rows = orma_test_log_rows (engine);
  ck_assert_uint_eq (g_array_index (rows, guint, 1), 3);

  ck_assert_int_gt (test_user_get_id (a), 0);
  ck_assert_int_gt (test_user_get_id (b), test_user_get_id (a));
  ck_assert_int_gt (test_user_get_id (c), test_user_get_id (b));
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 3);
}
END_TEST

START_TEST (test_insert_column_sets_split_batches)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) a = test_user_new ("a", NULL);
  g_autoptr (TestUser) b = test_user_new ("b", NULL);
  g_autoptr (TestUser) c = test_user_new ("c", NULL);
  g_autoptr (TestUser) d = test_user_new ("d", NULL);

  g_object_set (b, "id", (gint64) 100, NULL);
  g_object_set (c, "id", (gint64) 101, NULL);
  orma_session_add (session, ORMA_ENTITY (a));
  orma_session_add (session, ORMA_ENTITY (b));
  orma_session_add (session, ORMA_ENTITY (c));
  orma_session_add (session, ORMA_ENTITY (d));
  orma_test_log_attach (engine);
  ck_assert (orma_session_flush (session, &error));
  orma_assert_no_error (error);
  orma_test_assert_log (engine, "BEGIN", INSERT_USER, INSERT_USER_WITH_ID, INSERT_USER, NULL);
  ck_assert_uint_eq (g_array_index (orma_test_log_rows (engine), guint, 2), 2);
  ck_assert_int_eq (test_user_get_id (b), 100);
  ck_assert_int_eq (test_user_get_id (c), 101);
  ck_assert_int_gt (test_user_get_id (d), 0);
}
END_TEST

/* Loads the users named in order, in a fresh session, after inserting
 * them with another one. */
static GPtrArray *
seed_users (OrmaEngine  *engine,
            OrmaSession *session,
            guint        n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  GPtrArray *users;

  orma_test_seed_users (engine, "user", "Full Name", n, NULL);
  query = orma_session_query (session, TEST_TYPE_USER);
  orma_query_order_by (query, orma_col (TEST_TYPE_USER, "id"));
  users = orma_query_all (query, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (users->len, n);
  return users;
}

START_TEST (test_update_only_changed_columns)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GPtrArray) users = seed_users (engine, session, 1);
  g_autoptr (GError) error = NULL;
  TestUser *user = g_ptr_array_index (users, 0);
  GPtrArray *params;

  orma_test_log_attach (engine);
  g_object_set (user, "fullname", "Edward Jones", NULL);
  ck_assert (orma_session_flush (session, &error));
  orma_assert_no_error (error);
  orma_test_assert_log (engine, "UPDATE users SET fullname = ? WHERE id = ?", NULL);
  params = orma_test_log_params (engine);
  ck_assert_str_eq (g_ptr_array_index (params, 0), "('Edward Jones', 1)");
}
END_TEST

START_TEST (test_change_back_issues_nothing)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GPtrArray) users = seed_users (engine, session, 1);
  g_autoptr (GError) error = NULL;
  TestUser *user = g_ptr_array_index (users, 0);

  orma_test_log_attach (engine);
  g_object_set (user, "fullname", "Someone Else", NULL);
  g_object_set (user, "fullname", "Full Name", NULL);
  ck_assert (!orma_entity_is_modified (ORMA_ENTITY (user)));
  ck_assert (orma_session_flush (session, &error));
  orma_assert_no_error (error);
  orma_test_assert_no_sql (engine);
}
END_TEST

START_TEST (test_updates_grouped_by_columns)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GPtrArray) users = seed_users (engine, session, 4);
  g_autoptr (GError) error = NULL;
  GArray *rows;

  orma_test_log_attach (engine);
  g_object_set (g_ptr_array_index (users, 0), "fullname", "A", NULL);
  g_object_set (g_ptr_array_index (users, 1), "fullname", "B", NULL);
  g_object_set (g_ptr_array_index (users, 2), "fullname", "C", NULL);
  g_object_set (g_ptr_array_index (users, 3), "password", "secret", NULL);
  ck_assert (orma_session_flush (session, &error));
  orma_assert_no_error (error);
  orma_test_assert_log (engine,
                        "UPDATE users SET fullname = ? WHERE id = ?",
                        "UPDATE users SET password = ? WHERE id = ?",
                        NULL);
  rows = orma_test_log_rows (engine);
  ck_assert_uint_eq (g_array_index (rows, guint, 0), 3);
  ck_assert_uint_eq (g_array_index (rows, guint, 1), 1);
}
END_TEST

START_TEST (test_delete_batch)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GPtrArray) users = seed_users (engine, session, 3);
  g_autoptr (GError) error = NULL;

  ck_assert (orma_session_delete (session, g_ptr_array_index (users, 0), &error));
  ck_assert (orma_session_delete (session, g_ptr_array_index (users, 2), &error));
  orma_test_log_attach (engine);
  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  orma_test_assert_log (engine, "DELETE FROM users WHERE id = ?", "COMMIT", NULL);
  ck_assert_uint_eq (g_array_index (orma_test_log_rows (engine), guint, 0), 2);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 1);
  ck_assert_int_eq (orma_entity_get_state (g_ptr_array_index (users, 0)), ORMA_STATE_DETACHED);
  ck_assert_int_eq (orma_entity_get_state (g_ptr_array_index (users, 1)), ORMA_STATE_PERSISTENT);
}
END_TEST

START_TEST (test_failed_flush_keeps_objects_pending)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) a = test_user_new ("ed", NULL);
  g_autoptr (TestUser) b = test_user_new ("wendy", NULL);
  g_autoptr (TestUser) c = test_user_new ("ed", NULL);        /* UNIQUE violation */

  orma_session_add (session, ORMA_ENTITY (a));
  orma_session_add (session, ORMA_ENTITY (b));
  orma_session_add (session, ORMA_ENTITY (c));
  ck_assert (!orma_session_commit (session, &error));
  orma_assert_error (error, ORMA_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* Nothing written, no stale generated keys, everything still pending. */
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 0);
  ck_assert (orma_entity_is_null (ORMA_ENTITY (a), "id"));
  ck_assert (orma_entity_is_null (ORMA_ENTITY (b), "id"));
  ck_assert (orma_entity_is_null (ORMA_ENTITY (c), "id"));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (a)), ORMA_STATE_PENDING);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (c)), ORMA_STATE_PENDING);

  /* Fixing the cause and committing again succeeds. */
  g_object_set (c, "name", "edward", NULL);
  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 3);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (c)), ORMA_STATE_PERSISTENT);
}
END_TEST

START_TEST (test_failed_flush_after_earlier_work_uses_savepoint)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) first = test_user_new ("first", NULL);
  g_autoptr (TestUser) second = test_user_new ("second", NULL);
  g_autoptr (TestUser) broken = g_object_new (TEST_TYPE_USER, NULL);   /* name NOT NULL */

  orma_session_add (session, ORMA_ENTITY (first));
  ck_assert (orma_session_flush (session, &error));

  orma_session_add (session, ORMA_ENTITY (second));
  orma_session_add (session, ORMA_ENTITY (broken));
  orma_test_log_attach (engine);
  ck_assert (!orma_session_flush (session, &error));
  orma_assert_error (error, ORMA_ERROR_CONSTRAINT);
  g_clear_error (&error);
  orma_test_assert_log (engine,
                        "SAVEPOINT orma_flush",
                        INSERT_USER,
                        "ROLLBACK TO SAVEPOINT orma_flush",
                        "RELEASE SAVEPOINT orma_flush",
                        NULL);
  /* The earlier flush's row survives; this flush left no trace. */
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (first)), ORMA_STATE_PERSISTENT);
  ck_assert (orma_entity_is_null (ORMA_ENTITY (second), "id"));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (second)), ORMA_STATE_PENDING);

  g_object_set (broken, "name", "fixed", NULL);
  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 3);
}
END_TEST

START_TEST (test_failed_flush_keeps_deletions)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GPtrArray) users = seed_users (engine, session, 2);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) duplicate = test_user_new ("user1", NULL);
  TestUser *doomed = g_ptr_array_index (users, 0);

  ck_assert (orma_session_delete (session, ORMA_ENTITY (doomed), &error));
  orma_session_add (session, ORMA_ENTITY (duplicate));
  ck_assert (!orma_session_commit (session, &error));
  orma_assert_error (error, ORMA_ERROR_CONSTRAINT);
  g_clear_error (&error);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 2);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (doomed)), ORMA_STATE_PERSISTENT);

  g_object_set (duplicate, "name", "user9", NULL);
  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", "name = 'user0'"), 0);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 2);
}
END_TEST

START_TEST (test_failed_batch_resets_generated_keys)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  TestUser *users[4];

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("u%u", i == 3 ? 0 : i);
      users[i] = test_user_new (name, NULL);
      orma_session_add (session, ORMA_ENTITY (users[i]));
    }
  ck_assert (!orma_session_flush (session, &error));
  orma_assert_error (error, ORMA_ERROR_CONSTRAINT);
  for (guint i = 0; i < 4; i++)
    {
      ck_assert (orma_entity_is_null (ORMA_ENTITY (users[i]), "id"));
      ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (users[i])), ORMA_STATE_PENDING);
      g_object_unref (users[i]);
    }
}
END_TEST

START_TEST (test_version_counter)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestDoc) doc = g_object_new (TEST_TYPE_DOC, "title", "draft", NULL);
  gint64 version = 0;

  orma_session_set_expire_on_commit (session, FALSE);
  orma_session_add (session, ORMA_ENTITY (doc));
  ck_assert (orma_session_commit (session, &error));
  g_object_get (doc, "version", &version, NULL);
  ck_assert_int_eq (version, 1);

  orma_test_log_attach (engine);
  g_object_set (doc, "title", "final", NULL);
  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  orma_test_assert_log (engine, "BEGIN",
                        "UPDATE docs SET title = ?, version = ? WHERE id = ? AND version = ?",
                        "COMMIT", NULL);
  ck_assert_str_eq (g_ptr_array_index (orma_test_log_params (engine), 1), "('final', 2, 1, 1)");
  g_object_get (doc, "version", &version, NULL);
  ck_assert_int_eq (version, 2);
}
END_TEST

/* Two sessions on two engines: one commits a change, the other's stale
 * UPDATE must fail rather than overwrite it. */
START_TEST (test_optimistic_concurrency)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaEngine) other_engine = orma_test_engine_same_database (engine);
  g_autoptr (OrmaSession) s1 = orma_session_new (engine);
  g_autoptr (OrmaSession) s2 = orma_session_new (other_engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestDoc) doc = g_object_new (TEST_TYPE_DOC, "title", "v1", NULL);
  g_autoptr (TestDoc) theirs = NULL;
  g_autofree char *title = NULL;
  gint64 id = 0, version = 0;

  orma_session_set_expire_on_commit (s1, FALSE);
  orma_session_add (s1, ORMA_ENTITY (doc));
  ck_assert (orma_session_commit (s1, &error));
  g_object_get (doc, "id", &id, NULL);

  theirs = orma_session_get (s2, TEST_TYPE_DOC, id, &error);
  orma_assert_no_error (error);
  g_object_set (theirs, "title", "theirs", NULL);
  ck_assert (orma_session_commit (s2, &error));
  orma_assert_no_error (error);

  g_object_set (doc, "title", "mine", NULL);
  ck_assert (!orma_session_commit (s1, &error));
  orma_assert_error (error, ORMA_ERROR_STALE_DATA);
  g_clear_error (&error);

  /* The failed flush put the version back; the change is still pending. */
  g_object_get (doc, "version", &version, "title", &title, NULL);
  ck_assert_int_eq (version, 1);
  ck_assert_str_eq (title, "mine");
  ck_assert (orma_entity_is_modified (ORMA_ENTITY (doc)));
  ck_assert_int_eq (orma_test_count_rows (engine, "docs", "title = 'theirs' AND version = 2"), 1);

  /* A stale DELETE fails too. */
  ck_assert (orma_session_rollback (s1, &error));
  ck_assert (orma_session_delete (s1, ORMA_ENTITY (doc), &error));
  orma_assert_no_error (error);
}
END_TEST

START_TEST (test_stale_delete)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaEngine) other_engine = orma_test_engine_same_database (engine);
  g_autoptr (OrmaSession) s1 = orma_session_new (engine);
  g_autoptr (OrmaSession) s2 = orma_session_new (other_engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestDoc) doc = g_object_new (TEST_TYPE_DOC, "title", "v1", NULL);
  g_autoptr (TestDoc) theirs = NULL;
  gint64 id = 0;

  orma_session_set_expire_on_commit (s1, FALSE);
  orma_session_add (s1, ORMA_ENTITY (doc));
  ck_assert (orma_session_commit (s1, &error));
  g_object_get (doc, "id", &id, NULL);

  theirs = orma_session_get (s2, TEST_TYPE_DOC, id, &error);
  g_object_set (theirs, "title", "theirs", NULL);
  ck_assert (orma_session_commit (s2, &error));

  ck_assert (orma_session_delete (s1, ORMA_ENTITY (doc), &error));
  ck_assert (!orma_session_commit (s1, &error));
  orma_assert_error (error, ORMA_ERROR_STALE_DATA);
  ck_assert_int_eq (orma_test_count_rows (engine, "docs", NULL), 1);
}
END_TEST

/* A database that fills up (SQLite's max_page_count stands in for a full
 * disk) fails the flush with ORMA_ERROR_FULL and loses nothing. */
START_TEST (test_full_database)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaConnection) connection = NULL;
  g_autoptr (GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GError) error = NULL;
  g_autofree char *big = g_strnfill (4000, 'x');

  if (orma_test_is_postgresql ())
    return;   /* the PostgreSQL half covers a lost connection instead */

  /* The pool hands this connection to the session next. */
  connection = orma_engine_connect (engine, &error);
  ck_assert (orma_connection_execute (connection, "PRAGMA max_page_count = 12", NULL, 0, NULL, &error));
  g_clear_object (&connection);

  session = orma_session_new (engine);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("u%u", i);
      TestUser *user = test_user_new (name, big);
      g_ptr_array_add (users, user);
      orma_session_add (session, ORMA_ENTITY (user));
    }
  ck_assert (!orma_session_commit (session, &error));
  orma_assert_error (error, ORMA_ERROR_FULL);
  g_clear_error (&error);
  for (guint i = 0; i < users->len; i++)
    {
      ck_assert_int_eq (orma_entity_get_state (g_ptr_array_index (users, i)), ORMA_STATE_PENDING);
      ck_assert (orma_entity_is_null (g_ptr_array_index (users, i), "id"));
    }
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 0);
}
END_TEST

/* The server ends the session's connection: the flush fails with
 * ORMA_ERROR_CONNECTION, nothing is lost, and the next commit works on a
 * new connection. */
START_TEST (test_lost_connection)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (OrmaConnection) killer = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) before = test_user_new ("before", NULL);
  g_autoptr (TestUser) user = test_user_new ("ed", NULL);

  if (!orma_test_is_postgresql ())
    return;   /* the SQLite half covers a full database instead */

  orma_session_add (session, ORMA_ENTITY (before));
  ck_assert (orma_session_commit (session, &error));

  /* A read begins the session's transaction on its own connection. */
  g_clear_object (&before);
  before = orma_session_get (session, TEST_TYPE_USER, 1, &error);
  orma_assert_no_error (error);
  orma_session_add (session, ORMA_ENTITY (user));
  killer = orma_engine_connect (engine, &error);
  orma_assert_no_error (error);
  /* Every other backend of the test database is this session's one. */
  ck_assert (orma_connection_execute (killer,
               "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
               "WHERE datname = current_database() AND pid <> pg_backend_pid()",
               NULL, 0, NULL, &error));
  orma_assert_no_error (error);
  g_clear_object (&killer);

  ck_assert (!orma_session_commit (session, &error));
  orma_assert_error (error, ORMA_ERROR_CONNECTION);
  g_clear_error (&error);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (user)), ORMA_STATE_PENDING);
  ck_assert (orma_entity_is_null (ORMA_ENTITY (user), "id"));

  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 2);
}
END_TEST

/* The database as the fault test sees it, in one string. */
static char *
snapshot (OrmaEngine *engine)
{
  g_autoptr (OrmaConnection) connection = orma_engine_connect (engine, NULL);
  g_autoptr (GString) text = g_string_new (NULL);
  const char *queries[] = {
    "SELECT id, name, fullname FROM users ORDER BY id",
    "SELECT id, title, version FROM docs ORDER BY id",
  };

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autoptr (OrmaRows) rows = orma_connection_query (connection, queries[q], NULL, 0, NULL);

      while (orma_rows_next (rows, NULL))
        {
          for (guint c = 0; c < 3; c++)
            {
              g_autofree char *value = orma_rows_is_null (rows, c) ? g_strdup ("NULL")
                                                                   : orma_rows_dup_string (rows, c);
              g_string_append_printf (text, "%s|", value);
            }
          g_string_append_c (text, '\n');
        }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Fault injection: a unit of work of several statements fails at each
 * statement in turn. Every time, the database is exactly as before and
 * every object as it was; then the same work succeeds whole. */
START_TEST (test_fault_at_every_statement)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) seed = orma_session_new (engine);
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) u0 = test_user_new ("u0", "zero");
  g_autoptr (TestUser) u1 = test_user_new ("u1", "one");
  g_autoptr (TestDoc) d0 = g_object_new (TEST_TYPE_DOC, "title", "d0", NULL);
  g_autoptr (TestDoc) d1 = g_object_new (TEST_TYPE_DOC, "title", "d1", NULL);
  g_autoptr (TestUser) new_a = test_user_new ("new-a", NULL);
  g_autoptr (TestUser) new_b = test_user_new ("new-b", NULL);
  g_autoptr (TestDoc) new_doc = g_object_new (TEST_TYPE_DOC, "title", "new", NULL);
  g_autoptr (TestUser) mine0 = NULL, mine1 = NULL;
  g_autoptr (TestDoc) doc0 = NULL, doc1 = NULL;
  g_autofree char *before = NULL, *after = NULL;
  gint64 version = 0;
  guint n;

  orma_session_add (seed, ORMA_ENTITY (u0));
  orma_session_add (seed, ORMA_ENTITY (u1));
  orma_session_add (seed, ORMA_ENTITY (d0));
  orma_session_add (seed, ORMA_ENTITY (d1));
  ck_assert (orma_session_commit (seed, &error));
  orma_assert_no_error (error);

  mine0 = orma_session_get (session, TEST_TYPE_USER, 1, &error);
  mine1 = orma_session_get (session, TEST_TYPE_USER, 2, &error);
  doc0 = orma_session_get (session, TEST_TYPE_DOC, 1, &error);
  doc1 = orma_session_get (session, TEST_TYPE_DOC, 2, &error);
  orma_assert_no_error (error);
  orma_session_add (session, ORMA_ENTITY (new_a));
  orma_session_add (session, ORMA_ENTITY (new_b));
  orma_session_add (session, ORMA_ENTITY (new_doc));
  g_object_set (mine0, "fullname", "changed", NULL);
  g_object_set (doc0, "title", "changed", NULL);
  ck_assert (orma_session_delete (session, ORMA_ENTITY (mine1), &error));
  ck_assert (orma_session_delete (session, ORMA_ENTITY (doc1), &error));
  before = snapshot (engine);

  for (n = 1; ; n++)
    {
      _orma_engine_inject_fault (engine, n, ORMA_ERROR_IO);
      if (orma_session_commit (session, &error))
        break;
      orma_assert_error (error, ORMA_ERROR_IO);
      g_clear_error (&error);

      after = snapshot (engine);
      ck_assert_str_eq (after, before);
      g_clear_pointer (&after, g_free);
      ck_assert (orma_entity_is_null (ORMA_ENTITY (new_a), "id"));
      ck_assert (orma_entity_is_null (ORMA_ENTITY (new_doc), "id"));
      ck_assert (orma_entity_is_null (ORMA_ENTITY (new_doc), "version"));
      ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (new_b)), ORMA_STATE_PENDING);
      ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (mine1)), ORMA_STATE_PERSISTENT);
      ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (doc1)), ORMA_STATE_PERSISTENT);
      g_object_get (doc0, "version", &version, NULL);
      ck_assert_int_eq (version, 1);
      ck_assert (orma_entity_is_modified (ORMA_ENTITY (doc0)));
      ck_assert (orma_entity_is_modified (ORMA_ENTITY (mine0)));
      ck_assert (orma_session_is_dirty (session));
    }
  _orma_engine_inject_fault (engine, 0, 0);
  orma_assert_no_error (error);
  /* inserts of two tables, two updates and two deletes */
  ck_assert_uint_ge (n, 7);

  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 3);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", "fullname = 'changed'"), 1);
  ck_assert_int_eq (orma_test_count_rows (engine, "docs", "title = 'changed' AND version = 2"), 1);
  ck_assert_int_eq (orma_test_count_rows (engine, "docs", "title = 'd1'"), 0);
  ck_assert_int_eq (orma_test_count_rows (engine, "docs", "title = 'new' AND version = 1"), 1);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (mine1)), ORMA_STATE_DETACHED);
}
END_TEST

static Suite *
flush_suite (void)
{
  Suite *suite = suite_create ("flush");
  TCase *tc = tcase_create ("flush");

  tcase_add_test (tc, test_insert_is_one_batch);
  tcase_add_test (tc, test_insert_column_sets_split_batches);
  tcase_add_test (tc, test_update_only_changed_columns);
  tcase_add_test (tc, test_change_back_issues_nothing);
  tcase_add_test (tc, test_updates_grouped_by_columns);
  tcase_add_test (tc, test_delete_batch);
  tcase_add_test (tc, test_failed_flush_keeps_objects_pending);
  tcase_add_test (tc, test_failed_flush_after_earlier_work_uses_savepoint);
  tcase_add_test (tc, test_failed_flush_keeps_deletions);
  tcase_add_test (tc, test_failed_batch_resets_generated_keys);
  tcase_add_test (tc, test_version_counter);
  tcase_add_test (tc, test_optimistic_concurrency);
  tcase_add_test (tc, test_stale_delete);
  tcase_add_test (tc, test_full_database);
  tcase_add_test (tc, test_lost_connection);
  tcase_add_test (tc, test_fault_at_every_statement);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return orma_test_run (flush_suite ());
}
