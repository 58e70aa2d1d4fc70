/* test-sql-edges.c: regression tests for the SQL core (connection,
 * pool, drivers, value conversions, dialect), each written against a
 * defect found by reading the code. Tests marked "regression (passes)"
 * guard behaviour that is correct today.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "fixtures.h"
#include "test-models.h"
#include "orma-connection-private.h"
#include "orma-dialect-private.h"
#include "orma-value-private.h"

/* ------------------------------------------------------------- helpers */

#define expect_error(err, wanted) \
  ck_assert_msg ((err) != NULL && (err)->domain == ORMA_ERROR && (err)->code == (int) (wanted), \
                 "expected ORMA_ERROR %d, got %s (%d)", (int) (wanted), \
                 (err) ? (err)->message : "no error", (err) ? (err)->code : -1)

static OrmaConnection *
connect_or_fail (OrmaEngine *engine)
{
  g_autoptr (GError) error = NULL;
  OrmaConnection *conn = orma_engine_connect (engine, &error);

  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (conn);
  return conn;
}

static void
exec_ok (OrmaConnection *conn,
         const char     *sql)
{
  g_autoptr (GError) error = NULL;

  orma_connection_execute (conn, sql, NULL, 0, NULL, &error);
  orma_assert_no_error (error);
}

/* The single value of a one-row, one-column textual query. */
static gint64
query_int (OrmaConnection *conn,
           const char     *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaRows) rows = orma_connection_query (conn, sql, NULL, 0, &error);

  orma_assert_no_error (error);
  ck_assert (orma_rows_next (rows, &error));
  orma_assert_no_error (error);
  return orma_rows_get_int64 (rows, 0);
}

/* Reads column 0 of "SELECT <expr>" into a GValue of type @type. */
static gboolean
read_first_as (OrmaConnection *conn,
               const char     *sql,
               GValue         *value,
               GError        **error)
{
  g_autoptr (OrmaRows) rows = orma_connection_query (conn, sql, NULL, 0, error);

  if (rows == NULL)
    return FALSE;
  if (!orma_rows_next (rows, error))
    return FALSE;
  return orma_rows_get_value (rows, 0, value, error);
}

/* ------------------------------------------------------- transactions */

/* A statement fails inside a transaction and the caller goes on to
 * commit. On PostgreSQL the transaction is aborted and the server answers
 * COMMIT with "ROLLBACK" (not an error): commit must not report success
 * for work that was thrown away. */
START_TEST (test_commit_after_failed_statement)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (GError) error = NULL;
  gboolean committed;

  exec_ok (conn, "CREATE TABLE cf (id INTEGER PRIMARY KEY)");
  ck_assert (orma_connection_begin (conn, &error));
  exec_ok (conn, "INSERT INTO cf (id) VALUES (1)");
  ck_assert (!orma_connection_execute (conn, "INSERT INTO cf (id) VALUES (1)",
                                       NULL, 0, NULL, &error));
  expect_error (error, ORMA_ERROR_CONSTRAINT);
  g_clear_error (&error);

  committed = orma_connection_commit (conn, &error);
  if (committed)
    ck_assert_msg (orma_test_count_rows (engine, "cf", NULL) == 1,
                   "commit reported success but the row inserted before the "
                   "failed statement is not in the database");
  else
    ck_assert_ptr_nonnull (error);
}
END_TEST

/* A transaction opened with textual SQL must not follow the connection
 * back into the pool: the next checkout would run inside it. */
START_TEST (test_textual_begin_not_returned_to_pool)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaEngine) other = NULL;
  OrmaConnection *conn;

  conn = connect_or_fail (engine);
  exec_ok (conn, "CREATE TABLE tb (id INTEGER PRIMARY KEY)");
  exec_ok (conn, "BEGIN");
  exec_ok (conn, "INSERT INTO tb (id) VALUES (1)");
  g_object_unref (conn);          /* back to the pool, never committed */

  conn = connect_or_fail (engine);
  exec_ok (conn, "INSERT INTO tb (id) VALUES (2)");   /* autocommit */
  g_object_unref (conn);

  other = orma_test_engine_same_database (engine);
  ck_assert_msg (orma_test_count_rows (other, "tb", "id = 2") == 1,
                 "an autocommit INSERT on a pooled connection was not "
                 "committed: the connection came back inside the previous "
                 "user's transaction");
}
END_TEST


/* ------------------------------------------------------ affected rows */


/* A DDL statement changes no rows; SQLite's change counter still holds
 * the previous DML statement's count. */
START_TEST (test_affected_rows_ddl)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (GError) error = NULL;
  gint64 affected = -1;

  exec_ok (conn, "CREATE TABLE ad (id INTEGER PRIMARY KEY)");
  orma_connection_execute (conn, "INSERT INTO ad (id) VALUES (1), (2), (3)",
                           NULL, 0, &affected, &error);
  orma_assert_no_error (error);
  ck_assert_int_eq (affected, 3);

  affected = -1;
  orma_connection_execute (conn, "CREATE TABLE ad2 (x INTEGER)", NULL, 0,
                           &affected, &error);
  orma_assert_no_error (error);
  ck_assert_msg (affected == 0, "CREATE TABLE reported %" G_GINT64_FORMAT
                 " affected rows", affected);
}
END_TEST

/* ---------------------------------------------------------- conversions */

/* 2^53 + 1 has no double: the conversion must fail, not round. */
START_TEST (test_convert_int64_to_double_exact)
{
  g_auto (GValue) src = G_VALUE_INIT;
  g_auto (GValue) dest = G_VALUE_INIT;
  g_autoptr (GError) error = NULL;
  gint64 big = (G_GINT64_CONSTANT (1) << 53) + 1;

  g_value_init (&src, G_TYPE_INT64);
  g_value_set_int64 (&src, big);
  g_value_init (&dest, G_TYPE_DOUBLE);
  if (_orma_value_convert (&src, &dest, &error))
    ck_abort_msg ("%" G_GINT64_FORMAT " converted to the double %.17g",
                  big, g_value_get_double (&dest));
  expect_error (error, ORMA_ERROR_TYPE_MISMATCH);
}
END_TEST

/* The same through a cursor, on either backend. */
START_TEST (test_read_bigint_into_double)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_auto (GValue) value = G_VALUE_INIT;
  g_autoptr (GError) error = NULL;

  g_value_init (&value, G_TYPE_DOUBLE);
  if (read_first_as (conn, "SELECT CAST(9007199254740993 AS BIGINT)", &value, &error))
    ck_abort_msg ("bigint 9007199254740993 read as the double %.17g",
                  g_value_get_double (&value));
  expect_error (error, ORMA_ERROR_TYPE_MISMATCH);
}
END_TEST

/* A valid GDateTime whose UTC form falls outside GDateTime's range
 * (year 1 at +01:00) must be refused (as the PostgreSQL driver does),
 * not stored as NULL. */
START_TEST (test_datetime_out_of_utc_range_not_null)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (3600);
  g_autoptr (GDateTime) dt = g_date_time_new (tz, 1, 1, 1, 0, 30, 0);
  g_autoptr (GError) error = NULL;
  gboolean ok;
  GValue param = G_VALUE_INIT;

  ck_assert_ptr_nonnull (dt);
  exec_ok (conn, orma_test_is_postgresql ()
                 ? "CREATE TABLE dtn (d TIMESTAMP WITH TIME ZONE)"
                 : "CREATE TABLE dtn (d TIMESTAMP)");
  g_value_init (&param, G_TYPE_DATE_TIME);
  g_value_set_boxed (&param, dt);
  ok = orma_connection_execute (conn, "INSERT INTO dtn (d) VALUES (?)",
                                &param, 1, NULL, &error);
  g_value_unset (&param);
  if (!ok)
    {
      expect_error (error, ORMA_ERROR_TYPE_MISMATCH);
      return;
    }
  ck_assert_msg (query_int (conn, "SELECT count(*) FROM dtn WHERE d IS NULL") == 0,
                 "a non-NULL date-time parameter was stored as SQL NULL");
}
END_TEST

/* 8 is no combination of TestPerms (mask 7); SQLite refuses it. */
START_TEST (test_read_flags_outside_mask)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_auto (GValue) value = G_VALUE_INIT;
  g_autoptr (GError) error = NULL;

  g_value_init (&value, TEST_TYPE_PERMS);
  if (read_first_as (conn, "SELECT 8", &value, &error))
    ck_abort_msg ("8 read as TestPerms 0x%x", g_value_get_flags (&value));
  expect_error (error, ORMA_ERROR_TYPE_MISMATCH);
}
END_TEST

/* 2 is neither 0 nor 1; SQLite refuses it as a boolean. */
START_TEST (test_read_two_as_boolean)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_auto (GValue) value = G_VALUE_INIT;
  g_autoptr (GError) error = NULL;

  g_value_init (&value, G_TYPE_BOOLEAN);
  if (read_first_as (conn, "SELECT 2", &value, &error))
    ck_abort_msg ("2 read as the boolean %d", g_value_get_boolean (&value));
  expect_error (error, ORMA_ERROR_TYPE_MISMATCH);
}
END_TEST

/* ------------------------------------------------------ PostgreSQL params */



/* ------------------------------------------------------ statement cache */

/* A cached statement outlives the table it was prepared for: SQLite
 * re-prepares by itself; PostgreSQL fails the first use with "cached plan
 * must not change result type", after which the statement is prepared
 * anew, rather than failing on every later use. */
START_TEST (test_cached_statement_after_table_recreated)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaRows) rows = NULL;

  exec_ok (conn, "CREATE TABLE cp (a INTEGER)");
  rows = orma_connection_query (conn, "SELECT * FROM cp", NULL, 0, &error);
  orma_assert_no_error (error);
  g_clear_object (&rows);

  exec_ok (conn, "DROP TABLE cp");
  exec_ok (conn, "CREATE TABLE cp (a INTEGER, b INTEGER)");
  rows = orma_connection_query (conn, "SELECT * FROM cp", NULL, 0, &error);
  if (rows == NULL && orma_test_is_postgresql ())
    {
      g_clear_error (&error);
      rows = orma_connection_query (conn, "SELECT * FROM cp", NULL, 0, &error);
    }
  orma_assert_no_error (error);
  ck_assert_uint_eq (orma_rows_get_n_columns (rows), 2);
}
END_TEST

/* --------------------------------------------------------------- batches */

/* Regression (passes): a constraint error in the middle of a large
 * batch inside a transaction: nothing after it runs (no affected count),
 * ROLLBACK works and the connection and its cached statement serve
 * again. */
START_TEST (test_batch_error_mid_batch_then_usable)
{
  enum { N = 3000, BAD = 700 };
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autofree char *insert = orma_test_sql ("INSERT INTO be (id, v) VALUES (?, ?)");
  g_autoptr (GError) error = NULL;
  g_autofree GValue *values = g_new0 (GValue, 2 * N);
  g_autofree const GValue **params = g_new (const GValue *, 2 * N);
  g_autofree gint64 *affected = g_new (gint64, N);

  exec_ok (conn, "CREATE TABLE be (id INTEGER PRIMARY KEY, v TEXT)");
  for (guint i = 0; i < N; i++)
    {
      g_value_init (&values[2 * i], G_TYPE_INT64);
      /* row BAD repeats the key of row 0 */
      g_value_set_int64 (&values[2 * i], i == BAD ? 1 : i + 1);
      g_value_init (&values[2 * i + 1], G_TYPE_STRING);
      g_value_set_string (&values[2 * i + 1], "some text to fill the socket buffers");
      params[2 * i] = &values[2 * i];
      params[2 * i + 1] = &values[2 * i + 1];
      affected[i] = -1;
    }

  ck_assert (orma_connection_begin (conn, &error));
  ck_assert (!_orma_connection_execute_many (conn, insert, params, 2, N,
                                             NULL, NULL, affected, &error));
  expect_error (error, ORMA_ERROR_CONSTRAINT);
  g_clear_error (&error);
  for (guint i = BAD; i < N; i++)
    ck_assert_msg (affected[i] == -1, "row %u ran after the failing row %u", i, BAD);
  ck_assert (orma_connection_rollback (conn, &error));
  orma_assert_no_error (error);

  /* the same statement again, now without the duplicate */
  g_value_set_int64 (&values[2 * BAD], BAD + 1);
  ck_assert (orma_connection_begin (conn, &error));
  ck_assert (_orma_connection_execute_many (conn, insert, params, 2, N,
                                            NULL, NULL, affected, &error));
  orma_assert_no_error (error);
  ck_assert (orma_connection_commit (conn, &error));
  ck_assert_int_eq (query_int (conn, "SELECT count(*) FROM be"), N);

  for (guint i = 0; i < 2 * N; i++)
    g_value_unset (&values[i]);
}
END_TEST

/* Regression (passes): a stream abandoned half way leaves the
 * connection idle: queries, transactions and the pool work after it. */
START_TEST (test_abandoned_stream_leaves_connection_idle)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (GError) error = NULL;
  OrmaConnection *conn = connect_or_fail (engine);
  OrmaCursor *cursor;

  exec_ok (conn, "CREATE TABLE st (id INTEGER PRIMARY KEY)");
  for (int i = 1; i <= 50; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO st (id) VALUES (%d)", i);
      exec_ok (conn, sql);
    }

  cursor = _orma_connection_query (conn, "SELECT id FROM st ORDER BY id", NULL, 0,
                                   TRUE, NULL, &error);
  orma_assert_no_error (error);
  ck_assert (_orma_cursor_next (cursor, &error));
  ck_assert (_orma_cursor_next (cursor, &error));
  _orma_cursor_free (cursor);

  ck_assert (orma_connection_begin (conn, &error));
  ck_assert_int_eq (query_int (conn, "SELECT count(*) FROM st"), 50);
  ck_assert (orma_connection_commit (conn, &error));
  orma_assert_no_error (error);
  g_object_unref (conn);

  conn = connect_or_fail (engine);
  ck_assert_int_eq (query_int (conn, "SELECT max(id) FROM st"), 50);
  g_object_unref (conn);
}
END_TEST

/* ------------------------------------------------------------- dialect */

static gboolean
is_bare (const OrmaDialect *dialect,
         const char        *word)
{
  g_autoptr (GString) out = g_string_new (NULL);

  _orma_dialect_append_identifier (dialect, out, word);
  return g_str_equal (out->str, word);
}

/* Every word the backend reserves must be quoted where it names a table
 * or a column. */
START_TEST (test_reserved_words_are_quoted)
{
  g_autoptr (GString) unquoted = g_string_new (NULL);

  if (orma_test_is_postgresql ())
    {
      g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
      g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
      g_autoptr (GError) error = NULL;
      g_autoptr (OrmaRows) rows =
        orma_connection_query (conn, "SELECT word FROM pg_get_keywords () "
                               "WHERE catcode IN ('R', 'T') ORDER BY word",
                               NULL, 0, &error);

      orma_assert_no_error (error);
      while (orma_rows_next (rows, &error))
        {
          g_autofree char *word = orma_rows_dup_string (rows, 0);

          if (is_bare (&_orma_dialect_postgresql, word))
            g_string_append_printf (unquoted, " %s", word);
        }
      orma_assert_no_error (error);
    }
  else
    {
      sqlite3 *db = NULL;

      ck_assert_int_eq (sqlite3_open (":memory:", &db), SQLITE_OK);
      for (int i = 0; i < sqlite3_keyword_count (); i++)
        {
          const char *name = NULL;
          int len = 0;
          g_autofree char *word = NULL;
          g_autoptr (GString) sql = g_string_new ("CREATE TABLE kw (");
          sqlite3_stmt *stmt = NULL;

          sqlite3_keyword_name (i, &name, &len);
          word = g_ascii_strdown (name, len);
          _orma_dialect_append_identifier (&_orma_dialect_sqlite, sql, word);
          g_string_append (sql, " INTEGER)");
          if (sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL) != SQLITE_OK)
            g_string_append_printf (unquoted, " %s", word);
          sqlite3_finalize (stmt);
        }
      sqlite3_close (db);
    }

  ck_assert_msg (unquoted->len == 0, "reserved words left unquoted:%s", unquoted->str);
}
END_TEST

/* ---------------------------------------------------------------- echo */

typedef struct {
  gint in_func;
  gint destroyed;
  gint destroyed_while_in_use;
  gint used_after_destroy;
} EchoState;

static void
slow_echo (const char          *sql,
           const GValue *const *params,
           guint                n_params,
           guint                n_rows,
           gpointer             user_data)
{
  EchoState *state = user_data;

  g_atomic_int_set (&state->in_func, 1);
  g_usleep (300 * 1000);
  if (g_atomic_int_get (&state->destroyed))
    g_atomic_int_set (&state->used_after_destroy, 1);
  g_atomic_int_set (&state->in_func, 0);
}

static void
destroy_echo_state (gpointer data)
{
  EchoState *state = data;

  if (g_atomic_int_get (&state->in_func))
    g_atomic_int_set (&state->destroyed_while_in_use, 1);
  g_atomic_int_set (&state->destroyed, 1);
}

static gpointer
echo_thread (gpointer data)
{
  OrmaEngine *engine = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaConnection) conn = orma_engine_connect (engine, &error);

  if (conn != NULL)
    orma_connection_execute (conn, "SELECT 1", NULL, 0, NULL, &error);
  return NULL;
}

/* Engines are shared between threads: replacing the echo function must
 * not free its data while another thread is still inside it. */
START_TEST (test_echo_func_replaced_while_running)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  static EchoState state;
  GThread *thread;

  memset (&state, 0, sizeof state);
  orma_engine_set_echo_func (engine, slow_echo, &state, destroy_echo_state);
  thread = g_thread_new ("echo", echo_thread, engine);
  while (!g_atomic_int_get (&state.in_func))
    g_usleep (1000);
  orma_engine_set_echo_func (engine, NULL, NULL, NULL);
  g_thread_join (thread);
  orma_engine_set_echo (engine, FALSE);

  ck_assert_msg (!state.destroyed_while_in_use && !state.used_after_destroy,
                 "the echo data was destroyed while the echo function of "
                 "another thread was still using it");
}
END_TEST

static Suite *
sql_edges_suite (void)
{
  Suite *suite = suite_create ("sql-edges");
  TCase *tc;

  tc = tcase_create ("transactions");
  tcase_add_test (tc, test_commit_after_failed_statement);
  tcase_add_test (tc, test_textual_begin_not_returned_to_pool);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("affected");
  tcase_add_test (tc, test_affected_rows_ddl);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("values");
  tcase_add_test (tc, test_convert_int64_to_double_exact);
  tcase_add_test (tc, test_read_bigint_into_double);
  tcase_add_test (tc, test_datetime_out_of_utc_range_not_null);
  tcase_add_test (tc, test_read_flags_outside_mask);
  tcase_add_test (tc, test_read_two_as_boolean);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("cache-and-batches");
  tcase_add_test (tc, test_cached_statement_after_table_recreated);
  tcase_add_test (tc, test_batch_error_mid_batch_then_usable);
  tcase_add_test (tc, test_abandoned_stream_leaves_connection_idle);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("dialect-and-echo");
  tcase_add_test (tc, test_reserved_words_are_quoted);
  tcase_add_test (tc, test_echo_func_replaced_while_running);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return orma_test_run (sql_edges_suite ());
}
