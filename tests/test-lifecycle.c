/* test-lifecycle.c: the session layer in corner cases: objects moved between
 * sessions, primary key changes undone by a rollback, objects whose last
 * reference goes at an awkward moment, and the identity map's integer
 * table.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fixtures.h"
#include "test-models.h"

#include "orma-session-private.h"
#include "orma-identity-map-private.h"

/* Runs one statement on a connection of its own (autocommit). */
static void
exec_sql (OrmaEngine *engine,
          const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaConnection) conn = orma_engine_connect (engine, &error);
  g_autofree char *text = orma_test_sql (sql);

  orma_assert_no_error (error);
  ck_assert (orma_connection_execute (conn, text, NULL, 0, NULL, &error));
  orma_assert_no_error (error);
}

static char *
fullname_in_db (OrmaEngine *engine,
                gint64      id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaConnection) conn = orma_engine_connect (engine, &error);
  const char *sql = "SELECT fullname FROM users WHERE id = ?";   /* ? on every backend */
  g_auto (GValue) param = G_VALUE_INIT;
  g_autoptr (OrmaRows) rows = NULL;
  g_auto (GValue) value = G_VALUE_INIT;

  g_value_init (&param, G_TYPE_INT64);
  g_value_set_int64 (&param, id);
  rows = orma_connection_query (conn, sql, &param, 1, &error);
  orma_assert_no_error (error);
  ck_assert (orma_rows_next (rows, &error));
  if (orma_rows_is_null (rows, 0))
    return NULL;
  g_value_init (&value, G_TYPE_STRING);
  ck_assert (orma_rows_get_value (rows, 0, &value, &error));
  return g_value_dup_string (&value);
}

/* A detached object changed and changed back, then added to a session:
 * the next change must still be written. */
START_TEST (test_readd_detached_change_lost)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) first = orma_session_new (engine);
  g_autoptr (OrmaSession) second = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = NULL;
  g_autofree char *stored = NULL;
  gint64 ids[1];

  orma_test_seed_users (engine, "name", NULL, 1, ids);
  orma_session_set_expire_on_commit (first, FALSE);
  user = orma_session_get (first, TEST_TYPE_USER, ids[0], &error);
  orma_assert_no_error (error);
  orma_session_close (first);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (user)), ORMA_STATE_DETACHED);

  /* changed while detached, then set back */
  g_object_set (user, "fullname", "temporary", NULL);
  g_object_set (user, "fullname", NULL, NULL);

  orma_session_add (second, ORMA_ENTITY (user));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (user)), ORMA_STATE_PERSISTENT);
  g_object_set (user, "fullname", "Ed Jones", NULL);
  ck_assert (orma_session_is_dirty (second));
  ck_assert (orma_session_commit (second, &error));
  orma_assert_no_error (error);

  stored = fullname_in_db (engine, ids[0]);
  ck_assert_ptr_nonnull (stored);
  ck_assert_str_eq (stored, "Ed Jones");
}
END_TEST

/* A flushed primary key change undone by a rollback: the object goes back
 * to its old identity; the identity map keeps one object per row. */
START_TEST (test_rollback_pk_change)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = NULL;
  g_autoptr (TestUser) again = NULL;
  gint64 ids[1];

  orma_test_seed_users (engine, "name", NULL, 1, ids);
  user = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  orma_assert_no_error (error);
  g_object_set (user, "id", (gint64) 1000, NULL);
  ck_assert (orma_session_flush (session, &error));
  orma_assert_no_error (error);
  ck_assert (orma_session_rollback (session, &error));
  orma_assert_no_error (error);

  /* the row still has its old key: it is the same object */
  again = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (again);
  ck_assert_ptr_eq (again, user);
  ck_assert_int_eq (test_user_get_id (user), ids[0]);
}
END_TEST

/* The same within a savepoint. */
START_TEST (test_rollback_nested_pk_change)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = NULL;
  g_autoptr (TestUser) again = NULL;
  gint64 ids[1];

  orma_test_seed_users (engine, "name", NULL, 1, ids);
  user = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  orma_assert_no_error (error);
  ck_assert (orma_session_begin_nested (session, &error));
  g_object_set (user, "id", (gint64) 1000, NULL);
  ck_assert (orma_session_flush (session, &error));
  orma_assert_no_error (error);
  ck_assert (orma_session_rollback_nested (session, &error));
  orma_assert_no_error (error);

  again = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (again, user);
  ck_assert_int_eq (test_user_get_id (user), ids[0]);
}
END_TEST

/* An object expired by a commit, then expunged and added to another
 * session, still holds the values of the old transaction: it must reload
 * them, not pass them off as fresh. */
START_TEST (test_readd_expired_detached_stale)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) first = orma_session_new (engine);
  g_autoptr (OrmaSession) second = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = NULL;
  g_autoptr (TestUser) again = NULL;
  g_autofree char *fullname = NULL;
  gint64 ids[1];

  orma_test_seed_users (engine, "name", NULL, 1, ids);
  user = orma_session_get (first, TEST_TYPE_USER, ids[0], &error);
  orma_assert_no_error (error);
  ck_assert (orma_session_commit (first, &error));    /* expires user */
  orma_session_expunge (first, ORMA_ENTITY (user));

  exec_sql (engine, "UPDATE users SET fullname = 'changed elsewhere'");

  orma_session_add (second, ORMA_ENTITY (user));
  again = orma_session_get (second, TEST_TYPE_USER, ids[0], &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (again, user);
  g_object_get (user, "fullname", &fullname, NULL);
  ck_assert_ptr_nonnull (fullname);
  ck_assert_str_eq (fullname, "changed elsewhere");
}
END_TEST

/* An object INSERTed by a flush, expunged, then the transaction rolled
 * back: its row never existed, so it is transient again (and without the
 * generated key), not detached with the key of a row that is gone. */
START_TEST (test_rollback_inserted_then_expunged)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (OrmaSession) other = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = test_user_new ("ed", NULL);

  orma_session_add (session, ORMA_ENTITY (user));
  ck_assert (orma_session_flush (session, &error));
  orma_session_expunge (session, ORMA_ENTITY (user));
  ck_assert (orma_session_rollback (session, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 0);

  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (user)), ORMA_STATE_TRANSIENT);
  ck_assert (orma_entity_is_null (ORMA_ENTITY (user), "id"));

  /* adding it again must INSERT it */
  orma_session_add (other, ORMA_ENTITY (user));
  ck_assert (orma_session_commit (other, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 1);
}
END_TEST

/* A key the application chose is not a generated key: a rollback that
 * makes the object transient again keeps it. */
START_TEST (test_rollback_keeps_explicit_key)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = g_object_new (TEST_TYPE_USER, "id", (gint64) 42,
                                            "name", "ed", NULL);

  orma_session_add (session, ORMA_ENTITY (user));
  ck_assert (orma_session_flush (session, &error));
  orma_assert_no_error (error);
  ck_assert (orma_session_rollback (session, &error));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (user)), ORMA_STATE_TRANSIENT);
  ck_assert (!orma_entity_is_null (ORMA_ENTITY (user), "id"));
  ck_assert_int_eq (test_user_get_id (user), 42);
}
END_TEST

/* get() reloads an expired object that is also dirty; the dirty set held
 * the last reference. (Run under valgrind to see the invalid accesses.) */
START_TEST (test_get_refresh_drops_last_ref)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  TestUser *user, *again;
  gint64 ids[1];
  char *sql;

  orma_test_seed_users (engine, "name", NULL, 1, ids);
  user = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  orma_assert_no_error (error);
  ck_assert (orma_session_commit (session, &error));      /* expires it */

  /* the row goes away: the reload before the change fails, the change is
   * kept and the object is dirty while still expired */
  sql = g_strdup_printf ("DELETE FROM users WHERE id = %" G_GINT64_FORMAT, ids[0]);
  exec_sql (engine, sql);
  g_free (sql);
  g_object_set (user, "fullname", "changed", NULL);
  ck_assert (orma_session_is_dirty (session));
  /* the UPDATE matches nothing: the flush fails and the transaction ends */
  ck_assert (!orma_session_flush (session, &error));
  orma_assert_error (error, ORMA_ERROR_STALE_DATA);
  g_clear_error (&error);

  /* the row comes back; the application lets go of the object */
  sql = g_strdup_printf ("INSERT INTO users (id, name) VALUES (%" G_GINT64_FORMAT ", 'back')", ids[0]);
  exec_sql (engine, sql);
  g_free (sql);
  g_object_unref (user);

  again = orma_session_get (session, TEST_TYPE_USER, ids[0], &error);
  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (again);
  ck_assert_int_eq (test_user_get_id (again), ids[0]);
  ck_assert (orma_entity_get_session (ORMA_ENTITY (again)) == session);
  g_object_unref (again);
}
END_TEST

/* (Needs Check's fork mode: each test starts with no mapper configured.)
 * A session used with a class that nothing configured yet (its tables
 * already exist, as when an application opens an existing database):
 * add() and flush() must work as they do after a query or a get(). */
START_TEST (test_flush_unconfigured_mapper)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) ed = test_user_new ("ed", NULL);
  g_autoptr (TestUser) wendy = test_user_new ("wendy", NULL);
  g_autoptr (TestUser) found = NULL;

  exec_sql (engine, orma_test_is_postgresql ()
            ? "CREATE TABLE users (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
              "name TEXT NOT NULL UNIQUE, fullname TEXT, password TEXT)"
            : "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, "
              "name TEXT NOT NULL UNIQUE, fullname TEXT, password TEXT)");
  orma_session_add (session, ORMA_ENTITY (ed));
  orma_session_add (session, ORMA_ENTITY (wendy));
  ck_assert (orma_session_flush (session, &error));
  orma_assert_no_error (error);

  /* the generated keys came back */
  ck_assert (!orma_entity_is_null (ORMA_ENTITY (ed), "id"));
  ck_assert (!orma_entity_is_null (ORMA_ENTITY (wendy), "id"));
  found = orma_session_get (session, TEST_TYPE_USER, test_user_get_id (wendy), &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (found, wendy);
}
END_TEST

/* A reload that fails half way (a value that does not fit the property)
 * leaves the object expired: the next get() tries again and fails again,
 * instead of passing the half-loaded object off as fresh. */
START_TEST (test_failed_reload_marked_fresh)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new_with_tables ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (TestItem) item = g_object_new (TEST_TYPE_ITEM, "u", 1u, "s", "old", NULL);
  TestItem *again;
  gint64 id;

  orma_session_add (session, ORMA_ENTITY (item));
  ck_assert (orma_session_commit (session, &error));       /* expires it */
  orma_assert_no_error (error);
  g_object_get (item, "id", &id, NULL);
  ck_assert (orma_session_commit (session, &error));

  /* a value out of the uint property's range */
  exec_sql (engine, "UPDATE items SET u = -1");

  again = orma_session_get (session, TEST_TYPE_ITEM, id, &error);
  ck_assert_ptr_null (again);
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);

  again = orma_session_get (session, TEST_TYPE_ITEM, id, &error);
  ck_assert_msg (again == NULL && error != NULL,
                 "the second get() returned the half-loaded object as fresh");
}
END_TEST

/* PostgreSQL only (returns at once on SQLite).
 * The connection is lost in the middle of a transaction (PostgreSQL: the
 * server ends the backend). A flush then fails and the whole transaction
 * is abandoned: an object its earlier flush INSERTed becomes transient,
 * but it stays in the session's dirty set, and the next flush UPDATEs a
 * row that was never committed. */
START_TEST (test_lost_connection_abandon_leaves_transient_dirty)
{
  g_autoptr (OrmaEngine) engine = NULL;
  g_autoptr (OrmaEngine) killer = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TestUser) user = test_user_new ("ed", NULL);
  g_autoptr (TestUser) other = test_user_new ("wendy", NULL);

  if (!orma_test_is_postgresql ())
    return;
  engine = orma_test_engine_new_with_tables ();
  killer = orma_test_engine_same_database (engine);
  session = orma_session_new (engine);

  orma_session_add (session, ORMA_ENTITY (user));
  ck_assert (orma_session_flush (session, &error));        /* INSERT, root level */
  ck_assert (orma_session_begin_nested (session, &error));
  orma_assert_no_error (error);
  g_object_set (user, "fullname", "Ed Jones", NULL);        /* dirty */
  orma_session_add (session, ORMA_ENTITY (other));

  {
    g_autoptr (OrmaConnection) conn = orma_engine_connect (killer, &error);
    g_autoptr (OrmaRows) rows = NULL;

    orma_assert_no_error (error);
    rows = orma_connection_query (conn,
                                  "SELECT pg_terminate_backend (pid) FROM pg_stat_activity "
                                  "WHERE datname = current_database () AND pid <> pg_backend_pid ()",
                                  NULL, 0, &error);
    orma_assert_no_error (error);
    while (orma_rows_next (rows, &error))
      ;
    g_clear_error (&error);
  }
  orma_engine_dispose_pool (engine);

  ck_assert (!orma_session_flush (session, &error));
  g_clear_error (&error);
  ck_assert_int_eq (orma_test_count_rows (engine, "users", NULL), 0);

  /* The first transaction is gone with its row. Whatever state the object
   * is in now, the session must be consistent: a transient object is not
   * in the session's sets, and flushing again must not fail on it. */
  if (orma_entity_get_state (ORMA_ENTITY (user)) == ORMA_STATE_TRANSIENT)
    ck_assert (!orma_session_contains (session, ORMA_ENTITY (user)));
  ck_assert_msg (orma_session_flush (session, &error),
                 "flush after the lost transaction failed: %s", error ? error->message : "");
}
END_TEST

/* REGRESSION (passes): the integer table against a model, with keys that
 * collide and probe runs that wrap around the end of the table. */
START_TEST (test_identity_map_int_table_model)
{
  OrmaMapper *mapper;
  OrmaIdentityMap *map = _orma_identity_map_new ();
  g_autoptr (GPtrArray) live = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) model = g_hash_table_new (g_int64_hash, g_int64_equal);
  GRand *rand = g_rand_new_with_seed (1234);
  const guint n_keys = 200;
  gint64 *keys = g_new (gint64, n_keys);
  OrmaEntity **objects = g_new0 (OrmaEntity *, n_keys);

  test_models_ensure ();
  mapper = _orma_session_mapper (TEST_TYPE_USER, NULL);
  for (guint i = 0; i < n_keys; i++)
    {
      keys[i] = i * 64 + (i % 7);     /* many land on one home slot */
      objects[i] = g_object_new (TEST_TYPE_USER, "id", keys[i], NULL);
      g_ptr_array_add (live, objects[i]);
    }

  for (guint round = 0; round < 20000; round++)
    {
      guint k = g_rand_int_range (rand, 0, n_keys);
      OrmaInstanceState *state = _orma_instance_state_ensure (objects[k]);

      if (state->in_map)
        {
          _orma_identity_map_remove (map, state);
          g_hash_table_remove (model, &keys[k]);
        }
      else
        {
          state->mapper = mapper;
          ck_assert (_orma_identity_compute (state));
          _orma_identity_map_insert (map, state);
          g_hash_table_insert (model, &keys[k], objects[k]);
        }
      if (round % 97 == 0)
        for (guint i = 0; i < n_keys; i++)
          ck_assert_ptr_eq (_orma_identity_map_lookup_int (map, mapper, keys[i]),
                            g_hash_table_lookup (model, &keys[i]));
    }
  ck_assert_uint_eq (_orma_identity_map_size (map), g_hash_table_size (model));
  for (guint i = 0; i < n_keys; i++)
    {
      OrmaInstanceState *state = _orma_instance_state_get (objects[i]);
      if (state != NULL && state->in_map)
        _orma_identity_map_remove (map, state);
    }
  _orma_identity_map_free (map);
  g_rand_free (rand);
  g_free (keys);
  g_free (objects);
}
END_TEST

static Suite *
lifecycle_suite (void)
{
  Suite *suite = suite_create ("lifecycle");
  TCase *tc = tcase_create ("lifecycle");

  tcase_add_test (tc, test_readd_detached_change_lost);
  tcase_add_test (tc, test_rollback_pk_change);
  tcase_add_test (tc, test_rollback_nested_pk_change);
  tcase_add_test (tc, test_readd_expired_detached_stale);
  tcase_add_test (tc, test_rollback_inserted_then_expunged);
  tcase_add_test (tc, test_rollback_keeps_explicit_key);
  tcase_add_test (tc, test_get_refresh_drops_last_ref);
  tcase_add_test (tc, test_flush_unconfigured_mapper);
  tcase_add_test (tc, test_failed_reload_marked_fresh);
  tcase_add_test (tc, test_lost_connection_abandon_leaves_transient_dirty);
  tcase_add_test (tc, test_identity_map_int_table_model);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return orma_test_run (lifecycle_suite ());
}
