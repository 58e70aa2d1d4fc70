/* test-session.c: object states, the identity map (strong and weak
 * holding), get, expiry and refresh, rollback and savepoints, and the
 * errors of a misused session.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fixtures.h"
#include "test-models.h"

#define INSERT_USER test_user_insert_sql ()

START_TEST (test_states)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = test_user_new ("ed", NULL);

  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (user)), ORMA_STATE_TRANSIENT);
  orma_session_add (session, ORMA_ENTITY (user));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (user)), ORMA_STATE_PENDING);
  ck_assert (orma_session_contains (session, ORMA_ENTITY (user)));
  ck_assert (orma_entity_get_session (ORMA_ENTITY (user)) == session);
  ck_assert (orma_session_flush (session, &error));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (user)), ORMA_STATE_PERSISTENT);
  ck_assert (orma_session_delete (session, ORMA_ENTITY (user), &error));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (user)), ORMA_STATE_PERSISTENT);
  ck_assert (orma_session_flush (session, &error));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (user)), ORMA_STATE_DELETED);
  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (user)), ORMA_STATE_DETACHED);
  ck_assert (orma_entity_get_session (ORMA_ENTITY (user)) == NULL);
}
END_TEST

START_TEST (test_expunge_and_close)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) pending = test_user_new ("pending", NULL);
  g_autoptr (TestUser) stored = test_user_new ("stored", NULL);

  orma_session_add (session, ORMA_ENTITY (stored));
  ck_assert (orma_session_commit (session, &error));
  orma_session_add (session, ORMA_ENTITY (pending));
  orma_session_expunge (session, ORMA_ENTITY (pending));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (pending)), ORMA_STATE_TRANSIENT);
  ck_assert (orma_session_commit (session, &error));
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 1);

  orma_session_close (session);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (stored)), ORMA_STATE_DETACHED);
  ck_assert (!orma_session_flush (session, &error));
  orma_assert_error (error, ORMA_ERROR_SESSION_CLOSED);
  g_clear_error (&error);
  ck_assert (orma_session_get (session, TEST_TYPE_USER, 1, &error) == NULL);
  orma_assert_error (error, ORMA_ERROR_SESSION_CLOSED);
}
END_TEST

START_TEST (test_get_uses_identity_map)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = test_user_new ("ed", NULL);
  g_autoptr (TestUser) again = NULL;

  orma_session_add (session, ORMA_ENTITY (user));
  ck_assert (orma_session_flush (session, &error));
  orma_test_log_attach (engine);
  again = orma_session_get (session, TEST_TYPE_USER, test_user_get_id (user), &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (again, user);
  orma_test_assert_no_sql (engine);            /* no SQL */
}
END_TEST

START_TEST (test_get_loads_and_misses)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = NULL;
  g_autoptr (TestUser) again = NULL;
  g_autofree char *name = NULL;
  gint64 ids[2];

  orma_test_seed_users (engine, "name", NULL, 2, ids);
  orma_test_log_attach (engine);
  user = orma_session_get (session, TEST_TYPE_USER, ids[1], &error);
  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (user);
  g_object_get (user, "name", &name, NULL);
  ck_assert_str_eq (name, "name1");
  orma_test_assert_log (engine, "BEGIN",
                        "SELECT users.id, users.name, users.fullname, users.password "
                        "FROM users WHERE users.id = ?", NULL);
  again = orma_session_get (session, TEST_TYPE_USER, ids[1], &error);
  ck_assert_ptr_eq (again, user);
  orma_test_assert_log (engine, "BEGIN",
                        "SELECT users.id, users.name, users.fullname, users.password "
                        "FROM users WHERE users.id = ?", NULL);

  ck_assert (orma_session_get (session, TEST_TYPE_USER, 999999, &error) == NULL);
  orma_assert_no_error (error);
}
END_TEST

START_TEST (test_get_by_key)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (OrmaSession) other = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestTag) tag = g_object_new (TEST_TYPE_TAG, "name", "gnome", "description", "GNOME", NULL);
  g_autoptr (TestPair) pair = g_object_new (TEST_TYPE_PAIR, "a", (gint64) 1, "b", (gint64) 2,
                                            "label", "one-two", NULL);
  g_autoptr (TestTag) tag2 = NULL;
  g_autoptr (TestPair) pair2 = NULL;
  g_autofree char *description = NULL, *label = NULL;
  GValue key[2] = { G_VALUE_INIT, G_VALUE_INIT };

  orma_session_add (session, ORMA_ENTITY (tag));
  orma_session_add (session, ORMA_ENTITY (pair));
  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);

  g_value_init (&key[0], G_TYPE_STRING);
  g_value_set_string (&key[0], "gnome");
  tag2 = orma_session_get_by_key (other, TEST_TYPE_TAG, key, 1, &error);
  orma_assert_no_error (error);
  g_object_get (tag2, "description", &description, NULL);
  ck_assert_str_eq (description, "GNOME");
  g_value_unset (&key[0]);

  g_value_init (&key[0], G_TYPE_INT64);
  g_value_set_int64 (&key[0], 1);
  g_value_init (&key[1], G_TYPE_INT);     /* converted to the column type */
  g_value_set_int (&key[1], 2);
  pair2 = orma_session_get_by_key (other, TEST_TYPE_PAIR, key, 2, &error);
  orma_assert_no_error (error);
  g_object_get (pair2, "label", &label, NULL);
  ck_assert_str_eq (label, "one-two");
  ck_assert_ptr_eq (orma_session_get_by_key (other, TEST_TYPE_PAIR, key, 2, &error), pair2);
  g_object_unref (pair2);

  ck_assert (orma_session_get_by_key (other, TEST_TYPE_PAIR, key, 1, &error) == NULL);
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  g_clear_error (&error);
  ck_assert (orma_session_get (other, TEST_TYPE_TAG, 1, &error) == NULL);
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  g_value_unset (&key[0]);
  g_value_unset (&key[1]);
}
END_TEST

/* The identity map holds clean objects weakly: dropping the last
 * reference frees the object and the next get loads it again. */
START_TEST (test_clean_objects_released)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  TestUser *user;
  gpointer weak;
  gint64 ids[1];

  orma_test_seed_users (engine, "name", NULL, 1, ids);
  user = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  weak = user;
  g_object_add_weak_pointer (G_OBJECT (user), &weak);
  g_object_unref (user);
  ck_assert_ptr_null (weak);

  orma_test_log_attach (engine);
  user = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  ck_assert_ptr_nonnull (user);
  ck_assert_uint_eq (orma_test_log_statements (engine)->len, 1);   /* loaded again */
  g_object_unref (user);
}
END_TEST

/* Changed, new and deleted objects are held strongly until the flush
 * that writes them. */
START_TEST (test_dirty_objects_held)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  TestUser *user, *fresh;
  gpointer weak, weak_fresh;
  gint64 ids[2];

  orma_test_seed_users (engine, "name", NULL, 2, ids);
  user = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  g_object_set (user, "fullname", "Changed", NULL);
  weak = user;
  g_object_add_weak_pointer (G_OBJECT (user), &weak);
  g_object_unref (user);
  ck_assert_ptr_nonnull (weak);                   /* the session keeps it */

  fresh = test_user_new ("fresh", NULL);
  orma_session_add (session, ORMA_ENTITY (fresh));
  weak_fresh = fresh;
  g_object_add_weak_pointer (G_OBJECT (fresh), &weak_fresh);
  g_object_unref (fresh);
  ck_assert_ptr_nonnull (weak_fresh);

  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  ck_assert_ptr_null (weak);                      /* written, then released */
  ck_assert_ptr_null (weak_fresh);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", "fullname = 'Changed'"), 1);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", "name = 'fresh'"), 1);
}
END_TEST

START_TEST (test_expire_on_commit)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = test_user_new ("ed", NULL);
  g_autofree char *name = NULL;

  orma_session_add (session, ORMA_ENTITY (user));
  ck_assert (orma_session_commit (session, &error));
  orma_test_log_attach (engine);
  g_object_get (user, "name", &name, NULL);       /* reloads */
  ck_assert_str_eq (name, "ed");
  ck_assert_uint_eq (orma_test_log_statements (engine)->len, 2);   /* BEGIN, SELECT */
  g_clear_pointer (&name, g_free);
  g_object_get (user, "name", &name, NULL);       /* loaded now */
  ck_assert_uint_eq (orma_test_log_statements (engine)->len, 2);

  orma_session_set_expire_on_commit (session, FALSE);
  ck_assert (orma_session_commit (session, &error));
  orma_test_log_clear (engine);
  g_clear_pointer (&name, g_free);
  g_object_get (user, "name", &name, NULL);
  orma_test_assert_no_sql (engine);
}
END_TEST

/* get() answers from memory only while the object is fresh: after
 * expire() or a commit it checks the row again. */
START_TEST (test_get_after_expiry)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = NULL;
  TestUser *again;
  gint64 ids[1];

  orma_test_seed_users (engine, "name", NULL, 1, ids);
  user = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  orma_test_log_attach (engine);

  orma_session_expire (session, ORMA_ENTITY (user));
  again = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  ck_assert_ptr_eq (again, user);
  g_object_unref (again);
  ck_assert_uint_eq (orma_test_log_statements (engine)->len, 1);    /* reloaded */

  again = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  g_object_unref (again);
  ck_assert_uint_eq (orma_test_log_statements (engine)->len, 1);    /* fresh now */

  ck_assert (orma_session_commit (session, &error));
  orma_test_log_clear (engine);
  again = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  ck_assert_ptr_eq (again, user);
  g_object_unref (again);
  ck_assert_uint_eq (orma_test_log_statements (engine)->len, 2);    /* BEGIN, SELECT */
}
END_TEST

START_TEST (test_refresh_and_expire)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaEngine) other_engine = orma_test_engine_same_database (engine);
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (OrmaSession) other = orma_session_new (other_engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = NULL;
  g_autoptr (TestUser) theirs = NULL;
  g_autofree char *fullname = NULL;
  gint64 ids[1];

  orma_test_seed_users (engine, "name", NULL, 1, ids);
  user = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  g_object_set (user, "fullname", "unsaved", NULL);
  ck_assert (orma_session_refresh (session, ORMA_ENTITY (user), &error));
  orma_assert_no_error (error);
  g_object_get (user, "fullname", &fullname, NULL);
  ck_assert_ptr_null (fullname);                  /* the change is gone */
  ck_assert (!orma_session_is_dirty (session));
  ck_assert (orma_session_commit (session, &error));  /* ends the read transaction */

  theirs = orma_session_get (other, TEST_TYPE_USER, ids[0], &error);
  g_object_set (theirs, "fullname", "from elsewhere", NULL);
  ck_assert (orma_session_commit (other, &error));

  orma_session_expire (session, ORMA_ENTITY (user));
  g_object_get (user, "fullname", &fullname, NULL);
  ck_assert_str_eq (fullname, "from elsewhere");
}
END_TEST

START_TEST (test_rollback_restores_objects)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) flushed = test_user_new ("flushed", NULL);
  g_autoptr (TestUser) unflushed = test_user_new ("unflushed", NULL);
  g_autoptr (TestUser) kept = NULL, doomed = NULL;
  g_autofree char *fullname = NULL;
  gint64 ids[2];

  orma_test_seed_users (engine, "name", NULL, 2, ids);
  kept = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  doomed = orma_session_get (session, TEST_TYPE_USER, ids[1], &error);
  orma_session_add (session, ORMA_ENTITY (flushed));
  g_object_set (kept, "fullname", "changed", NULL);
  ck_assert (orma_session_delete (session, ORMA_ENTITY (doomed), &error));
  ck_assert (orma_session_flush (session, &error));
  orma_session_add (session, ORMA_ENTITY (unflushed));

  ck_assert (orma_session_rollback (session, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (flushed)), ORMA_STATE_TRANSIENT);
  ck_assert (orma_entity_is_null (ORMA_ENTITY (flushed), "id"));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (unflushed)), ORMA_STATE_TRANSIENT);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (doomed)), ORMA_STATE_PERSISTENT);
  g_object_get (kept, "fullname", &fullname, NULL);
  ck_assert_ptr_null (fullname);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 2);

  /* The objects can be used again. */
  orma_session_add (session, ORMA_ENTITY (flushed));
  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 3);
}
END_TEST

START_TEST (test_savepoints)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) outer = test_user_new ("outer", NULL);
  g_autoptr (TestUser) kept = test_user_new ("kept", NULL);
  g_autoptr (TestUser) undone = test_user_new ("undone", NULL);

  orma_session_add (session, ORMA_ENTITY (outer));
  orma_test_log_attach (engine);
  ck_assert (orma_session_begin_nested (session, &error));
  orma_assert_no_error (error);
  orma_session_add (session, ORMA_ENTITY (kept));
  ck_assert (orma_session_commit_nested (session, &error));

  ck_assert (orma_session_begin_nested (session, &error));
  orma_session_add (session, ORMA_ENTITY (undone));
  ck_assert (orma_session_flush (session, &error));
  ck_assert (orma_session_rollback_nested (session, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (undone)), ORMA_STATE_TRANSIENT);
  ck_assert (orma_entity_is_null (ORMA_ENTITY (undone), "id"));

  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  orma_test_assert_log (engine,
                        "BEGIN",
                        INSERT_USER,
                        "SAVEPOINT orma_sp_1",
                        INSERT_USER,
                        "RELEASE SAVEPOINT orma_sp_1",
                        "SAVEPOINT orma_sp_2",
                        INSERT_USER,
                        "ROLLBACK TO SAVEPOINT orma_sp_2",
                        "RELEASE SAVEPOINT orma_sp_2",
                        "COMMIT",
                        NULL);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 2);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", "name = 'undone'"), 0);

  ck_assert (!orma_session_commit_nested (session, &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_STATE);
}
END_TEST

START_TEST (test_misuse_errors)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (OrmaSession) other = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) transient = test_user_new ("t", NULL);
  g_autoptr (TestUser) mine = test_user_new ("mine", NULL);

  ck_assert (!orma_session_delete (session, ORMA_ENTITY (transient), &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);

  orma_session_add (session, ORMA_ENTITY (mine));
  orma_session_add (other, ORMA_ENTITY (mine));     /* belongs to session */
  ck_assert (!orma_session_flush (other, &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);
  ck_assert (orma_session_flush (other, &error));   /* reported once */

  ck_assert (orma_session_get (session, G_TYPE_OBJECT, 1, &error) == NULL);
  orma_assert_error (error, ORMA_ERROR_INVALID_MAPPING);
}
END_TEST

/* Two objects for one row cannot be in one session. */
START_TEST (test_duplicate_identity)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) loaded = NULL;
  g_autoptr (TestUser) copy = test_user_new ("copy", NULL);
  gint64 ids[1];

  orma_test_seed_users (engine, "name", NULL, 1, ids);
  loaded = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  g_object_set (copy, "id", ids[0], NULL);
  orma_session_add (session, ORMA_ENTITY (copy));
  ck_assert (!orma_session_flush (session, &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_STATE);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 1);
}
END_TEST

/* Many objects come and go: every live one is still found by its key, and
 * every released one is loaded anew. */
/* The array's elements may have been released already. */
static void
unref_if_set (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

START_TEST (test_identity_map_churn)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autoptr (GPtrArray) users = NULL;
  const guint n = 3000;
  g_autofree gint64 *ids = g_new (gint64, n);

  orma_test_seed_users (engine, "name", NULL, n, ids);
  query = orma_session_query (session, TEST_TYPE_USER);
  users = orma_query_all (query, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (users->len, n);

  /* Release a scattered two thirds of them. */
  g_ptr_array_set_free_func (users, unref_if_set);
  for (guint i = 0; i < n; i++)
    if (i % 3 != 0)
      g_clear_object ((GObject **) &users->pdata[i]);

  orma_test_log_attach (engine);
  for (guint i = 0; i < n; i += 3)
    {
      g_autoptr (TestUser) found = orma_session_get (session, TEST_TYPE_USER,
                                                     test_user_get_id (users->pdata[i]), &error);
      ck_assert_ptr_eq (found, users->pdata[i]);
    }
  orma_test_assert_no_sql (engine);
  for (guint i = 1; i < n; i += 3)
    {
      g_autoptr (TestUser) found = orma_session_get (session, TEST_TYPE_USER, ids[i], &error);
      orma_assert_no_error (error);
      ck_assert_ptr_nonnull (found);
      ck_assert_int_eq (test_user_get_id (found), ids[i]);
    }
  ck_assert_uint_eq (orma_test_log_statements (engine)->len, n / 3);   /* one SELECT each */
}
END_TEST

static void
count_signal (gpointer session,
              gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

START_TEST (test_signals_and_notify)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = test_user_new ("ed", NULL);
  guint flushes = 0, commits = 0, notifies = 0;

  g_signal_connect (session, "after-flush", G_CALLBACK (count_signal), &flushes);
  g_signal_connect (session, "after-commit", G_CALLBACK (count_signal), &commits);
  g_signal_connect (user, "notify::fullname", G_CALLBACK (count_notify), &notifies);
  orma_session_set_expire_on_commit (session, FALSE);
  orma_session_add (session, ORMA_ENTITY (user));
  ck_assert (orma_session_commit (session, &error));
  g_object_set (user, "fullname", "Ed", NULL);
  g_object_set (user, "fullname", "Ed", NULL);    /* same value: no notify */
  ck_assert (orma_session_commit (session, &error));
  ck_assert_uint_eq (flushes, 2);
  ck_assert_uint_eq (commits, 2);
  ck_assert_uint_eq (notifies, 1);
}
END_TEST

static Suite *
session_suite (void)
{
  Suite *suite = suite_create ("session");
  TCase *tc = tcase_create ("session");

  tcase_add_test (tc, test_states);
  tcase_add_test (tc, test_expunge_and_close);
  tcase_add_test (tc, test_get_uses_identity_map);
  tcase_add_test (tc, test_get_loads_and_misses);
  tcase_add_test (tc, test_get_by_key);
  tcase_add_test (tc, test_clean_objects_released);
  tcase_add_test (tc, test_identity_map_churn);
  tcase_add_test (tc, test_dirty_objects_held);
  tcase_add_test (tc, test_expire_on_commit);
  tcase_add_test (tc, test_get_after_expiry);
  tcase_add_test (tc, test_refresh_and_expire);
  tcase_add_test (tc, test_rollback_restores_objects);
  tcase_add_test (tc, test_savepoints);
  tcase_add_test (tc, test_misuse_errors);
  tcase_add_test (tc, test_duplicate_identity);
  tcase_add_test (tc, test_signals_and_notify);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return orma_test_run (session_suite ());
}
