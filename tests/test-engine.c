/* test-engine.c: the Core connection layer: URLs, the pool, echo,
 * transactions and savepoints, textual SQL, error mapping, the statement
 * cache and typed values, on every backend.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"
#include "orma-connection-private.h"
#include "orma-url-private.h"
#include "orma-value-private.h"

/* ------------------------------------------------------------- helpers */

/* Like orma_assert_error(), spelled so that the expected code cannot
 * collide with the GError member name. */
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

/* A string GValue; NULL makes the NULL-string form of SQL NULL. */
static void
set_str (GValue     *value,
         const char *text)
{
  g_value_init (value, G_TYPE_STRING);
  g_value_set_string (value, text);
}

static void
set_int64 (GValue *value,
           gint64  v)
{
  g_value_init (value, G_TYPE_INT64);
  g_value_set_int64 (value, v);
}

static void
clear_values (GValue *values,
              guint   n)
{
  for (guint i = 0; i < n; i++)
    if (G_IS_VALUE (&values[i]))
      g_value_unset (&values[i]);
}

static void
insert_item (OrmaConnection *conn,
             gint64          id,
             const char     *name)
{
  GValue params[2] = { G_VALUE_INIT, G_VALUE_INIT };
  g_autoptr (GError) error = NULL;
  gint64 affected = -1;

  set_int64 (&params[0], id);
  set_str (&params[1], name);
  orma_connection_execute (conn, "INSERT INTO items (id, name) VALUES (?, ?)",
                           params, 2, &affected, &error);
  clear_values (params, 2);
  orma_assert_no_error (error);
  ck_assert_int_eq (affected, 1);
}

static void
create_items (OrmaConnection *conn)
{
  exec_ok (conn, "CREATE TABLE items (id BIGINT PRIMARY KEY, "
                 "name TEXT UNIQUE, note TEXT)");
}

/* The ids of items, in order, as "1,3". */
static char *
item_ids (OrmaConnection *conn)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaRows) rows = orma_connection_query (conn, "SELECT id FROM items ORDER BY id",
                                                     NULL, 0, &error);
  g_autoptr (GString) out = g_string_new ("");

  orma_assert_no_error (error);
  while (orma_rows_next (rows, &error))
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, out->len ? "," : "",
                            orma_rows_get_int64 (rows, 0));
  orma_assert_no_error (error);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ----------------------------------------------------------------- URLs */

typedef struct {
  const char *url;
  int         code;       /* -1: parses */
  OrmaBackend backend;
  gboolean    memory;
  const char *path;
  const char *conninfo;
} UrlCase;

static const UrlCase url_cases[] = {
  { "sqlite:///rel.db", -1, ORMA_BACKEND_SQLITE, FALSE, "rel.db", NULL },
  { "sqlite:////abs/path.db", -1, ORMA_BACKEND_SQLITE, FALSE, "/abs/path.db", NULL },
  { "sqlite:///:memory:", -1, ORMA_BACKEND_SQLITE, TRUE, ":memory:", NULL },
  { "sqlite://", -1, ORMA_BACKEND_SQLITE, TRUE, ":memory:", NULL },
  { "sqlite:///dir%20x/a.db", -1, ORMA_BACKEND_SQLITE, FALSE, "dir x/a.db", NULL },
  { "postgresql://u:pw@localhost:5432/db?sslmode=disable", -1, ORMA_BACKEND_POSTGRESQL,
    FALSE, NULL, "postgresql://u:pw@localhost:5432/db?sslmode=disable" },
  { "postgres://localhost/db", -1, ORMA_BACKEND_POSTGRESQL, FALSE, NULL,
    "postgresql://localhost/db" },
  { "postgresql:///db?host=/run/postgresql", -1, ORMA_BACKEND_POSTGRESQL, FALSE, NULL,
    "postgresql:///db?host=/run/postgresql" },
  { "postgresql://%2Frun%2Fpostgresql/db", -1, ORMA_BACKEND_POSTGRESQL, FALSE, NULL,
    "postgresql://%2Frun%2Fpostgresql/db" },
  { "postgresql://h1:5432,h2:5433/db", -1, ORMA_BACKEND_POSTGRESQL, FALSE, NULL,
    "postgresql://h1:5432,h2:5433/db" },
  { "mysql://localhost/db", ORMA_ERROR_INVALID_URL, 0, FALSE, NULL, NULL },
  { "sqlite:/x.db", ORMA_ERROR_INVALID_URL, 0, FALSE, NULL, NULL },
  { "sqlite://host/x.db", ORMA_ERROR_INVALID_URL, 0, FALSE, NULL, NULL },
  { "x.db", ORMA_ERROR_INVALID_URL, 0, FALSE, NULL, NULL },
  { "://x", ORMA_ERROR_INVALID_URL, 0, FALSE, NULL, NULL },
  { "", ORMA_ERROR_INVALID_URL, 0, FALSE, NULL, NULL },
  { "postgresql://host:port/db", ORMA_ERROR_INVALID_URL, 0, FALSE, NULL, NULL },
  { "sqlite:///a b.db", ORMA_ERROR_INVALID_URL, 0, FALSE, NULL, NULL },
};

START_TEST (test_url_parse)
{
  const UrlCase *c = &url_cases[_i];
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaUrl) url = _orma_url_parse (c->url, &error);

  if (c->code >= 0)
    {
      ck_assert_msg (url == NULL, "%s should not parse", c->url);
      expect_error (error, c->code);
      /* the message quotes the URL */
      ck_assert_msg (strstr (error->message, c->url) != NULL, "%s", error->message);
      return;
    }

  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (url);
  ck_assert_str_eq (url->url, c->url);
  ck_assert_int_eq (url->backend, c->backend);
  ck_assert_int_eq (url->memory, c->memory);
  ck_assert_pstr_eq (url->path, c->path);
  ck_assert_pstr_eq (url->conninfo, c->conninfo);
}
END_TEST

START_TEST (test_engine_new_errors)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaEngine) engine = NULL;

  engine = orma_engine_new ("oracle://scott@tiger/db", &error);
  ck_assert_ptr_null (engine);
  expect_error (error, ORMA_ERROR_INVALID_URL);
  g_clear_error (&error);

  engine = orma_engine_new ("sqlite:////nonexistent-dir/x/y.db", &error);
  ck_assert_ptr_null (engine);
  expect_error (error, ORMA_ERROR_CONNECTION);
  g_clear_error (&error);

  /* nothing listens on port 1: refused at once */
  engine = orma_engine_new ("postgresql://127.0.0.1:1/db?connect_timeout=2", &error);
  ck_assert_ptr_null (engine);
  expect_error (error, ORMA_ERROR_CONNECTION);
}
END_TEST

START_TEST (test_engine_basics)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();

  ck_assert_str_eq (orma_engine_get_backend_name (engine), orma_test_backend ());
  ck_assert_ptr_nonnull (orma_engine_get_url (engine));
}
END_TEST

/* ---------------------------------------------------------------- pool */

/* Each SQLite in-memory connection is its own database: the engine must
 * hand out one connection only, and keep it across checkouts. */
START_TEST (test_memory_single_connection)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaEngine) engine = orma_engine_new ("sqlite:///:memory:", &error);
  g_autoptr (OrmaConnection) first = NULL;
  g_autoptr (OrmaConnection) second = NULL;
  g_autofree char *ids = NULL;

  orma_assert_no_error (error);
  first = connect_or_fail (engine);
  create_items (first);
  insert_item (first, 1, "one");

  second = connect_or_fail (engine);
  ids = item_ids (second);
  ck_assert_str_eq (ids, "1");

  g_clear_object (&first);
  g_clear_object (&second);
  orma_engine_dispose_pool (engine);

  first = connect_or_fail (engine);
  g_clear_pointer (&ids, g_free);
  ids = item_ids (first);
  ck_assert_str_eq (ids, "1");
}
END_TEST

/* A connection given back goes to the pool and is handed out again:
 * its session state (a temporary table) is still there. */
START_TEST (test_pool_reuse)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (OrmaConnection) other = NULL;
  g_autoptr (GError) error = NULL;

  exec_ok (conn, "CREATE TEMPORARY TABLE scratch (x INTEGER)");
  g_clear_object (&conn);

  conn = connect_or_fail (engine);
  exec_ok (conn, "INSERT INTO scratch (x) VALUES (1)");

  /* a second connection at the same time is another one */
  other = connect_or_fail (engine);
  orma_connection_execute (other, "INSERT INTO scratch (x) VALUES (1)", NULL, 0,
                           NULL, &error);
  expect_error (error, ORMA_ERROR_SQL);
  g_clear_error (&error);

  /* disposing of the pool closes the idle ones only */
  g_clear_object (&other);
  orma_engine_dispose_pool (engine);
  exec_ok (conn, "INSERT INTO scratch (x) VALUES (2)");
  g_clear_object (&conn);
  orma_engine_dispose_pool (engine);

  conn = connect_or_fail (engine);
  orma_connection_execute (conn, "INSERT INTO scratch (x) VALUES (3)", NULL, 0,
                           NULL, &error);
  expect_error (error, ORMA_ERROR_SQL);
}
END_TEST

/* ---------------------------------------------------------------- echo */

typedef struct {
  GPtrArray *sql;
  GPtrArray *params;
  GArray    *rows;
} EchoLog;

static void
echo_log_free (gpointer data)
{
  EchoLog *log = data;

  g_ptr_array_unref (log->sql);
  g_ptr_array_unref (log->params);
  g_array_unref (log->rows);
  g_free (log);
}

static EchoLog *
echo_log_new (void)
{
  EchoLog *log = g_new0 (EchoLog, 1);

  log->sql = g_ptr_array_new_with_free_func (g_free);
  log->params = g_ptr_array_new_with_free_func (g_free);
  log->rows = g_array_new (FALSE, FALSE, sizeof (guint));
  return log;
}

static void
record_echo (const char          *sql,
             const GValue *const *params,
             guint                n_params,
             guint                n_rows,
             gpointer             user_data)
{
  EchoLog *log = user_data;
  g_autoptr (GString) shown = g_string_new ("");

  for (guint i = 0; i < n_params; i++)
    {
      g_autofree char *one = _orma_value_to_echo (params[i]);
      g_string_append_printf (shown, "%s%s", i ? ", " : "", one);
    }
  g_ptr_array_add (log->sql, g_strdup (sql));
  g_ptr_array_add (log->params, g_string_free (g_steal_pointer (&shown), FALSE));
  g_array_append_val (log->rows, n_rows);
}

START_TEST (test_echo_func)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  EchoLog *log = echo_log_new ();
  g_autofree char *insert = orma_test_sql ("INSERT INTO items (id, name) VALUES (?, ?)");
  GValue values[6] = { G_VALUE_INIT };
  const GValue *params[6];
  g_autoptr (GError) error = NULL;
  gint64 affected[3] = { 0 };

  create_items (conn);
  ck_assert (!orma_engine_get_echo (engine));

  orma_engine_set_echo_func (engine, record_echo, log, echo_log_free);
  ck_assert (orma_engine_get_echo (engine));

  insert_item (conn, 1, "ed");
  ck_assert_uint_eq (log->sql->len, 1);
  ck_assert_str_eq (g_ptr_array_index (log->sql, 0), insert);
  ck_assert_str_eq (g_ptr_array_index (log->params, 0), "1, 'ed'");
  ck_assert_uint_eq (g_array_index (log->rows, guint, 0), 1);

  /* a batch is echoed once, with its row count and its first row */
  for (guint i = 0; i < 3; i++)
    {
      set_int64 (&values[2 * i], 10 + i);
      set_str (&values[2 * i + 1], i == 0 ? "O'Brien" : (i == 1 ? "x1" : "x2"));
    }
  for (guint i = 0; i < 6; i++)
    params[i] = &values[i];
  _orma_connection_execute_many (conn, insert, params, 2, 3, NULL, NULL, affected, &error);
  orma_assert_no_error (error);
  clear_values (values, 6);
  ck_assert_uint_eq (log->sql->len, 2);
  ck_assert_uint_eq (g_array_index (log->rows, guint, 1), 3);
  ck_assert_str_eq (g_ptr_array_index (log->params, 1), "10, 'O''Brien'");
  ck_assert_int_eq (affected[0], 1);
  ck_assert_int_eq (affected[2], 1);

  /* transaction control is echoed too */
  orma_connection_begin (conn, &error);
  orma_assert_no_error (error);
  orma_connection_rollback (conn, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (log->sql->len, 4);
  ck_assert_str_eq (g_ptr_array_index (log->sql, 2), "BEGIN");
  ck_assert_str_eq (g_ptr_array_index (log->sql, 3), "ROLLBACK");

  /* off: nothing more */
  orma_engine_set_echo (engine, FALSE);
  insert_item (conn, 2, "wendy");
  ck_assert_uint_eq (log->sql->len, 4);
}
END_TEST

/* The default echo goes to stderr, "orma: " before each line. */
START_TEST (test_echo_stderr)
{
  g_autoptr (OrmaEngine) engine = NULL;
  g_autoptr (OrmaConnection) conn = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *insert = orma_test_sql ("INSERT INTO items (id, name) VALUES (?, ?)");
  g_autofree char *expected = NULL;
  GValue values[4] = { G_VALUE_INIT };
  const GValue *params[4];
  g_autoptr (GError) error = NULL;
  int saved, fd;

  /* ORMA_ECHO=1 turns echo on when the engine is made */
  g_setenv ("ORMA_ECHO", "1", TRUE);
  engine = orma_engine_new ("sqlite://", &error);
  g_unsetenv ("ORMA_ECHO");
  orma_assert_no_error (error);
  ck_assert (orma_engine_get_echo (engine));
  g_clear_object (&engine);

  engine = orma_test_engine_new ();
  ck_assert (!orma_engine_get_echo (engine));
  conn = connect_or_fail (engine);
  create_items (conn);
  orma_engine_set_echo (engine, TRUE);

  fd = g_file_open_tmp ("orma-echo-XXXXXX", &path, &error);
  orma_assert_no_error (error);
  fflush (stderr);
  saved = dup (STDERR_FILENO);
  dup2 (fd, STDERR_FILENO);

  set_int64 (&values[0], 1);
  set_str (&values[1], "ed");
  set_int64 (&values[2], 2);
  set_str (&values[3], "Ed Jones");
  for (guint i = 0; i < 4; i++)
    params[i] = &values[i];
  _orma_connection_execute_many (conn, insert, params, 2, 2, NULL, NULL, NULL, &error);
  _orma_connection_execute_many (conn, insert, params + 2, 2, 1, NULL, NULL, NULL, NULL);
  clear_values (values, 4);

  fflush (stderr);
  dup2 (saved, STDERR_FILENO);
  close (saved);
  close (fd);
  orma_assert_no_error (error);

  g_file_get_contents (path, &text, NULL, &error);
  g_unlink (path);
  orma_assert_no_error (error);
  expected = g_strdup_printf ("orma: %s\n"
                              "orma: [2 rows] (1, 'ed') ...\n"
                              "orma: %s\n"
                              "orma: (2, 'Ed Jones')\n", insert, insert);
  /* the second statement failed (duplicate id 2), but it was echoed
   * before it ran */
  ck_assert_str_eq (text, expected);
}
END_TEST

/* -------------------------------------------------------- transactions */

START_TEST (test_commit_rollback)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (GError) error = NULL;

  create_items (conn);

  ck_assert (orma_connection_begin (conn, &error));
  ck_assert (orma_connection_in_transaction (conn));
  insert_item (conn, 1, "one");
  /* not visible to another connection before the commit */
  ck_assert_int_eq (orma_test_count_rows (engine, "items", NULL), 0);
  ck_assert (orma_connection_commit (conn, &error));
  ck_assert (!orma_connection_in_transaction (conn));
  ck_assert_int_eq (orma_test_count_rows (engine, "items", NULL), 1);

  ck_assert (orma_connection_begin (conn, &error));
  insert_item (conn, 2, "two");
  ck_assert (orma_connection_rollback (conn, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_test_count_rows (engine, "items", NULL), 1);

  /* a connection dropped inside a transaction is rolled back before it
   * goes back to the pool */
  ck_assert (orma_connection_begin (conn, &error));
  insert_item (conn, 3, "three");
  g_clear_object (&conn);
  ck_assert_int_eq (orma_test_count_rows (engine, "items", NULL), 1);
}
END_TEST

START_TEST (test_savepoints)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (GError) error = NULL;
  g_autofree char *ids = NULL;

  create_items (conn);
  ck_assert (orma_connection_begin (conn, &error));
  insert_item (conn, 1, "one");
  ck_assert (orma_connection_savepoint (conn, "sp1", &error));
  insert_item (conn, 2, "two");
  ck_assert (orma_connection_savepoint (conn, "sp2", &error));
  insert_item (conn, 3, "three");
  ck_assert (orma_connection_rollback_to_savepoint (conn, "sp1", &error));
  orma_assert_no_error (error);

  /* sp2 went with the rollback; sp1 is still there */
  ck_assert (!orma_connection_release_savepoint (conn, "sp2", &error));
  expect_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);

  insert_item (conn, 4, "four");
  ck_assert (orma_connection_release_savepoint (conn, "sp1", &error));
  ck_assert (orma_connection_commit (conn, &error));
  orma_assert_no_error (error);

  ids = item_ids (conn);
  ck_assert_str_eq (ids, "1,4");
}
END_TEST

START_TEST (test_invalid_state)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (GError) error = NULL;

  ck_assert (!orma_connection_commit (conn, &error));
  expect_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);

  ck_assert (!orma_connection_rollback (conn, &error));
  expect_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);

  ck_assert (!orma_connection_savepoint (conn, "sp", &error));
  expect_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);

  ck_assert (orma_connection_begin (conn, &error));
  ck_assert (!orma_connection_begin (conn, &error));
  expect_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);
  ck_assert (orma_connection_in_transaction (conn));

  ck_assert (!orma_connection_savepoint (conn, "x; DROP TABLE items", &error));
  expect_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);

  ck_assert (!orma_connection_savepoint (conn, "", &error));
  expect_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);

  ck_assert (!orma_connection_rollback_to_savepoint (conn, "never", &error));
  expect_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);

  ck_assert (orma_connection_rollback (conn, &error));
  orma_assert_no_error (error);
}
END_TEST

/* --------------------------------------------------------- textual SQL */

START_TEST (test_textual_params)
{
  static const char *const hostile = "'); DROP TABLE items; --";
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (OrmaRows) rows = NULL;
  g_autoptr (GError) error = NULL;
  GValue params[3] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };
  g_autofree char *name = NULL;

  create_items (conn);

  /* a hostile string, an unset GValue and a NULL string */
  set_int64 (&params[0], 1);
  set_str (&params[1], hostile);
  orma_connection_execute (conn, "INSERT INTO items (id, name, note) VALUES (?, ?, ?)",
                           params, 3, NULL, &error);
  orma_assert_no_error (error);
  clear_values (params, 3);

  set_int64 (&params[0], 2);
  set_str (&params[1], "two");
  set_str (&params[2], NULL);
  orma_connection_execute (conn, "INSERT INTO items (id, name, note) VALUES (?, ?, ?)",
                           params, 3, NULL, &error);
  orma_assert_no_error (error);
  clear_values (params, 3);

  /* a ? inside a literal is not a placeholder */
  set_str (&params[0], hostile);
  rows = orma_connection_query (conn,
                                "SELECT id, name, note, 'a?b' AS lit FROM items "
                                "WHERE name = ? OR note IS NULL ORDER BY id",
                                params, 1, &error);
  clear_values (params, 1);
  orma_assert_no_error (error);
  ck_assert_uint_eq (orma_rows_get_n_columns (rows), 4);
  ck_assert_str_eq (orma_rows_get_column_name (rows, 3), "lit");

  ck_assert (orma_rows_next (rows, &error));
  ck_assert_int_eq (orma_rows_get_int64 (rows, 0), 1);
  name = orma_rows_dup_string (rows, 1);
  ck_assert_str_eq (name, hostile);
  ck_assert (orma_rows_is_null (rows, 2));
  ck_assert_ptr_null (orma_rows_dup_string (rows, 2));
  g_clear_pointer (&name, g_free);
  name = orma_rows_dup_string (rows, 3);
  ck_assert_str_eq (name, "a?b");

  ck_assert (orma_rows_next (rows, &error));
  ck_assert_int_eq (orma_rows_get_int64 (rows, 0), 2);
  ck_assert (orma_rows_is_null (rows, 2));
  ck_assert (!orma_rows_next (rows, &error));
  orma_assert_no_error (error);
  /* the end stays the end */
  ck_assert (!orma_rows_next (rows, &error));
  orma_assert_no_error (error);

  ck_assert_int_eq (orma_test_count_rows (engine, "items", NULL), 2);

  /* parameter count mismatch */
  ck_assert (!orma_connection_execute (conn, "SELECT ? + ?", params, 1, NULL, &error));
  expect_error (error, ORMA_ERROR_INVALID_QUERY);
}
END_TEST

START_TEST (test_affected_rows)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (GError) error = NULL;
  gint64 affected = -1;

  create_items (conn);
  insert_item (conn, 1, "a");
  insert_item (conn, 2, "b");
  insert_item (conn, 3, "c");
  orma_connection_execute (conn, "UPDATE items SET note = 'n' WHERE id >= 2",
                           NULL, 0, &affected, &error);
  orma_assert_no_error (error);
  ck_assert_int_eq (affected, 2);
  orma_connection_execute (conn, "DELETE FROM items WHERE id = 42",
                           NULL, 0, &affected, &error);
  orma_assert_no_error (error);
  ck_assert_int_eq (affected, 0);
}
END_TEST

/* --------------------------------------------------------------- errors */

START_TEST (test_constraint_error)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (GError) error = NULL;
  GValue params[2] = { G_VALUE_INIT, G_VALUE_INIT };
  const char *backend_text = orma_test_is_postgresql ()
                             ? "duplicate key value violates unique constraint"
                             : "UNIQUE constraint failed";

  create_items (conn);
  insert_item (conn, 1, "ed");

  set_int64 (&params[0], 2);
  set_str (&params[1], "ed");
  ck_assert (!orma_connection_execute (conn, "INSERT INTO items (id, name) VALUES (?, ?)",
                                       params, 2, NULL, &error));
  clear_values (params, 2);
  expect_error (error, ORMA_ERROR_CONSTRAINT);
  ck_assert_msg (strstr (error->message, backend_text) != NULL, "%s", error->message);
  g_clear_error (&error);

  /* the connection is still usable, and the statement cache too */
  insert_item (conn, 2, "wendy");
  ck_assert_int_eq (orma_test_count_rows (engine, "items", NULL), 2);

  /* NOT NULL */
  exec_ok (conn, "CREATE TABLE strict_t (v TEXT NOT NULL)");
  ck_assert (!orma_connection_execute (conn, "INSERT INTO strict_t (v) VALUES (?)",
                                       params, 1, NULL, &error));
  expect_error (error, ORMA_ERROR_CONSTRAINT);
}
END_TEST

START_TEST (test_sql_error)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (OrmaRows) rows = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert (!orma_connection_execute (conn, "SELEC 1", NULL, 0, NULL, &error));
  expect_error (error, ORMA_ERROR_SQL);
  ck_assert_msg (strstr (error->message, "SELEC") != NULL, "%s", error->message);
  g_clear_error (&error);

  rows = orma_connection_query (conn, "SELECT * FROM no_such_table", NULL, 0, &error);
  ck_assert_ptr_null (rows);
  expect_error (error, ORMA_ERROR_SQL);
  ck_assert_msg (strstr (error->message, "no_such_table") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* internal exec path */
  ck_assert (!_orma_connection_exec (conn, "CREATE TABLEX t (x INT)", &error));
  expect_error (error, ORMA_ERROR_SQL);
}
END_TEST

/* ------------------------------------------------------ statement cache */

START_TEST (test_statement_cache)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  guint before;

  create_items (conn);
  before = _orma_connection_get_n_prepared (conn);
  insert_item (conn, 1, "one");
  ck_assert_uint_eq (_orma_connection_get_n_prepared (conn), before + 1);
  insert_item (conn, 2, "two");
  insert_item (conn, 3, "three");
  ck_assert_uint_eq (_orma_connection_get_n_prepared (conn), before + 1);
}
END_TEST

/* A query run again while a cursor still reads the first execution of
 * the same SQL gets a statement of its own. */
START_TEST (test_nested_query)
{
  static const char *const sql = "SELECT id, name FROM items ORDER BY id";
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (OrmaRows) outer = NULL;
  g_autoptr (GError) error = NULL;
  guint n_outer = 0;
  guint before;

  create_items (conn);
  insert_item (conn, 1, "one");
  insert_item (conn, 2, "two");
  insert_item (conn, 3, "three");
  before = _orma_connection_get_n_prepared (conn);

  outer = orma_connection_query (conn, sql, NULL, 0, &error);
  orma_assert_no_error (error);
  while (orma_rows_next (outer, &error))
    {
      g_autoptr (OrmaRows) inner = orma_connection_query (conn, sql, NULL, 0, &error);
      guint n_inner = 0;

      orma_assert_no_error (error);
      n_outer++;
      ck_assert_int_eq (orma_rows_get_int64 (outer, 0), n_outer);
      while (orma_rows_next (inner, &error))
        ck_assert_int_eq (orma_rows_get_int64 (inner, 0), ++n_inner);
      orma_assert_no_error (error);
      ck_assert_uint_eq (n_inner, 3);
      /* the outer cursor is unaffected by the inner one */
      ck_assert_int_eq (orma_rows_get_int64 (outer, 0), n_outer);
    }
  orma_assert_no_error (error);
  ck_assert_uint_eq (n_outer, 3);
  /* one cached statement plus one fresh one per nested execution */
  ck_assert_uint_eq (_orma_connection_get_n_prepared (conn), before + 4);

  /* everything given back: the cached statement serves again */
  g_clear_object (&outer);
  outer = orma_connection_query (conn, sql, NULL, 0, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (_orma_connection_get_n_prepared (conn), before + 4);
}
END_TEST

/* ------------------------------------------------------------- batches */

typedef struct {
  GArray *ids;
  GArray *row_indexes;
} Returned;

static gboolean
collect_returning (guint        row_index,
                   OrmaCursor  *cursor,
                   gpointer     user_data,
                   GError     **error)
{
  Returned *returned = user_data;
  g_auto (GValue) id = G_VALUE_INIT;

  g_value_init (&id, G_TYPE_INT64);
  if (!_orma_cursor_get (cursor, 0, &id, error))
    return FALSE;
  g_array_append_val (returned->ids, id.data[0].v_int64);
  g_array_append_val (returned->row_indexes, row_index);
  return TRUE;
}

START_TEST (test_execute_many_returning)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autofree char *insert = orma_test_sql ("INSERT INTO items (id, name) VALUES (?, ?) "
                                           "RETURNING id");
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) indexes = g_array_new (FALSE, FALSE, sizeof (guint));
  Returned returned = { ids, indexes };
  GValue values[6] = { G_VALUE_INIT };
  const GValue *params[6];
  gint64 affected[3] = { 0 };

  create_items (conn);
  for (guint i = 0; i < 3; i++)
    {
      set_int64 (&values[2 * i], 100 + i);
      set_str (&values[2 * i + 1], i == 1 ? NULL : (i == 0 ? "a" : "c"));
    }
  for (guint i = 0; i < 6; i++)
    params[i] = &values[i];

  ck_assert (_orma_connection_execute_many (conn, insert, params, 2, 3,
                                            collect_returning, &returned,
                                            affected, &error));
  orma_assert_no_error (error);
  ck_assert_uint_eq (ids->len, 3);
  for (guint i = 0; i < 3; i++)
    {
      ck_assert_int_eq (g_array_index (ids, gint64, i), 100 + i);
      ck_assert_uint_eq (g_array_index (indexes, guint, i), i);
      ck_assert_int_eq (affected[i], 1);
    }

  /* a failing row stops the batch with the backend's error */
  ck_assert (!_orma_connection_execute_many (conn, insert, params, 2, 3,
                                             NULL, NULL, NULL, &error));
  expect_error (error, ORMA_ERROR_CONSTRAINT);
  clear_values (values, 6);
}
END_TEST

/* ---------------------------------------------------------- typed values */

static void
insert_typed (OrmaConnection *conn,
              gint64          id,
              const GValue   *i,
              const GValue   *d,
              const GValue   *t,
              const GValue   *b)
{
  g_autofree char *sql = orma_test_sql ("INSERT INTO typed (id, i, d, t, b) "
                                        "VALUES (?, ?, ?, ?, ?)");
  g_auto (GValue) idv = G_VALUE_INIT;
  const GValue *params[5] = { &idv, i, d, t, b };
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaCursor) cursor = NULL;

  set_int64 (&idv, id);
  cursor = _orma_connection_query (conn, sql, params, 5, FALSE, NULL, &error);
  orma_assert_no_error (error);
}

START_TEST (test_typed_values)
{
  static const char *const unicode = "Grüße, 世界 🎉";
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (OrmaConnection) conn = connect_or_fail (engine);
  g_autoptr (OrmaRows) rows = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) blob = NULL;
  g_autofree guint8 *data = g_malloc (1024 * 1024);
  GValue v[4] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };
  g_autofree char *ddl = NULL;

  ddl = g_strdup_printf ("CREATE TABLE typed (id BIGINT PRIMARY KEY, i BIGINT, "
                         "d DOUBLE PRECISION, t TEXT, b %s)",
                         orma_test_is_postgresql () ? "BYTEA" : "BLOB");
  exec_ok (conn, ddl);

  for (guint k = 0; k < 1024 * 1024; k++)
    data[k] = (guint8) (k * 7 + (k >> 11));
  blob = g_bytes_new_take (g_steal_pointer (&data), 1024 * 1024);

  set_int64 (&v[0], G_MININT64);
  g_value_init (&v[1], G_TYPE_DOUBLE);
  g_value_set_double (&v[1], -0.1);
  set_str (&v[2], unicode);
  g_value_init (&v[3], G_TYPE_BYTES);
  g_value_set_boxed (&v[3], blob);
  insert_typed (conn, 1, &v[0], &v[1], &v[2], &v[3]);
  clear_values (v, 4);

  set_int64 (&v[0], G_MAXINT64);
  g_value_init (&v[1], G_TYPE_DOUBLE);
  g_value_set_double (&v[1], 1e300);
  set_str (&v[2], "");
  g_value_init (&v[3], G_TYPE_BYTES);
  g_value_take_boxed (&v[3], g_bytes_new ("", 0));
  insert_typed (conn, 2, &v[0], &v[1], &v[2], &v[3]);
  clear_values (v, 4);

  /* all NULL: unset values */
  insert_typed (conn, 3, &v[0], &v[1], &v[2], &v[3]);

  rows = orma_connection_query (conn, "SELECT i, d, t, b FROM typed ORDER BY id",
                                NULL, 0, &error);
  orma_assert_no_error (error);

  /* row 1: typed reads */
  ck_assert (orma_rows_next (rows, &error));
  g_value_init (&v[0], G_TYPE_INT64);
  ck_assert (orma_rows_get_value (rows, 0, &v[0], &error));
  ck_assert_int_eq (g_value_get_int64 (&v[0]), G_MININT64);
  ck_assert (orma_rows_get_double (rows, 1) == -0.1);
  g_value_init (&v[2], G_TYPE_STRING);
  ck_assert (orma_rows_get_value (rows, 2, &v[2], &error));
  ck_assert_str_eq (g_value_get_string (&v[2]), unicode);
  g_value_init (&v[3], G_TYPE_BYTES);
  ck_assert (orma_rows_get_value (rows, 3, &v[3], &error));
  orma_assert_no_error (error);
  ck_assert (g_bytes_equal (g_value_get_boxed (&v[3]), blob));
  clear_values (v, 4);

  /* the int64 that does not fit an int */
  g_value_init (&v[0], G_TYPE_INT);
  ck_assert (!orma_rows_get_value (rows, 0, &v[0], &error));
  expect_error (error, ORMA_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  clear_values (v, 1);

  /* a text that is not a number */
  g_value_init (&v[0], G_TYPE_INT);
  ck_assert (!orma_rows_get_value (rows, 2, &v[0], &error));
  expect_error (error, ORMA_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  clear_values (v, 1);

  /* row 2: natural types, empty string is not NULL */
  ck_assert (orma_rows_next (rows, &error));
  for (guint c = 0; c < 4; c++)
    {
      ck_assert (!orma_rows_is_null (rows, c));
      ck_assert (orma_rows_get_value (rows, c, &v[c], &error));
      orma_assert_no_error (error);
    }
  ck_assert (G_VALUE_HOLDS_INT64 (&v[0]));
  ck_assert_int_eq (g_value_get_int64 (&v[0]), G_MAXINT64);
  ck_assert (G_VALUE_HOLDS_DOUBLE (&v[1]));
  ck_assert (g_value_get_double (&v[1]) == 1e300);
  ck_assert (G_VALUE_HOLDS_STRING (&v[2]));
  ck_assert_str_eq (g_value_get_string (&v[2]), "");
  ck_assert (G_VALUE_HOLDS (&v[3], G_TYPE_BYTES));
  ck_assert_uint_eq (g_bytes_get_size (g_value_get_boxed (&v[3])), 0);
  clear_values (v, 4);

  /* row 3: NULLs */
  ck_assert (orma_rows_next (rows, &error));
  for (guint c = 0; c < 4; c++)
    {
      ck_assert (orma_rows_is_null (rows, c));
      ck_assert (orma_rows_get_value (rows, c, &v[c], &error));
      ck_assert (_orma_value_is_null (&v[c]));
    }
  ck_assert_ptr_null (orma_rows_dup_string (rows, 2));
  clear_values (v, 4);

  ck_assert (!orma_rows_next (rows, &error));
  orma_assert_no_error (error);
}
END_TEST

/* -------------------------------------------------------------- values */

START_TEST (test_datetime_text)
{
  static const struct { const char *text; const char *utc; } cases[] = {
    { "2026-11-23 17:56:00.123456", "2026-11-23 17:56:00.123456" },
    { "2026-11-23 17:56:00.123456+00", "2026-11-23 17:56:00.123456" },
    { "2026-11-23T17:56:00Z", "2026-11-23 17:56:00.000000" },
    { "2026-11-23T19:56:00.5+02:00", "2026-11-23 17:56:00.500000" },
    { "2026-11-23 12:56:00-05", "2026-11-23 17:56:00.000000" },
    { "2026-11-23 17:56", "2026-11-23 17:56:00.000000" },
    { "2026-01-01 00:30:00+0100", "2025-12-31 23:30:00.000000" },
    { "2026-02-30 00:00:00", NULL },
    { "2026-11-23", NULL },
    { "yesterday", NULL },
    { "2026-11-23 17:56:00 +99", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GDateTime) dt = _orma_datetime_parse (cases[i].text);
      g_autofree char *text = dt ? _orma_datetime_format (dt) : NULL;

      ck_assert_msg (g_strcmp0 (text, cases[i].utc) == 0, "%s: got %s, expected %s",
                     cases[i].text, text, cases[i].utc);
    }
}
END_TEST

START_TEST (test_value_echo_and_equality)
{
  g_auto (GValue) a = G_VALUE_INIT;
  g_auto (GValue) b = G_VALUE_INIT;
  g_auto (GValue) dt = G_VALUE_INIT;
  g_auto (GValue) bytes = G_VALUE_INIT;
  g_auto (GValue) d = G_VALUE_INIT;
  g_auto (GValue) text = G_VALUE_INIT;
  g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL, *s5 = NULL, *s6 = NULL;

  g_value_init (&a, G_TYPE_INT);
  g_value_set_int (&a, 42);
  g_value_init (&b, G_TYPE_INT64);
  g_value_set_int64 (&b, 42);
  ck_assert (_orma_value_equal (&a, &b));
  ck_assert_uint_eq (_orma_value_hash (&a), _orma_value_hash (&b));
  ck_assert (_orma_value_equal (NULL, NULL));
  ck_assert (!_orma_value_equal (&a, NULL));

  g_value_init (&dt, G_TYPE_DATE_TIME);
  g_value_take_boxed (&dt, g_date_time_new_utc (2026, 11, 23, 17, 56, 0));
  g_value_init (&bytes, G_TYPE_BYTES);
  g_value_take_boxed (&bytes, g_bytes_new ("0123456789ab", 12));
  g_value_init (&d, G_TYPE_DOUBLE);
  g_value_set_double (&d, 1.5);
  g_value_init (&text, G_TYPE_STRING);
  g_value_set_string (&text, "it's");

  s1 = _orma_value_to_echo (&a);
  s2 = _orma_value_to_echo (&d);
  s3 = _orma_value_to_echo (&text);
  s4 = _orma_value_to_echo (NULL);
  s5 = _orma_value_to_echo (&bytes);
  s6 = _orma_value_to_echo (&dt);
  ck_assert_str_eq (s1, "42");
  ck_assert_str_eq (s2, "1.5");
  ck_assert_str_eq (s3, "'it''s'");
  ck_assert_str_eq (s4, "NULL");
  ck_assert_str_eq (s5, "<12 bytes>");
  ck_assert_str_eq (s6, "'2026-11-23 17:56:00.000000+00'");

  /* conversions: lossless only */
  g_value_unset (&a);
  g_value_init (&a, G_TYPE_INT);
  g_value_set_int64 (&b, G_MAXINT64);
  ck_assert (!_orma_value_convert (&b, &a, NULL));
  g_value_set_int64 (&b, -7);
  ck_assert (_orma_value_convert (&b, &a, NULL));
  ck_assert_int_eq (g_value_get_int (&a), -7);
}
END_TEST

static Suite *
engine_suite (void)
{
  Suite *suite = suite_create ("engine");
  TCase *tc;

  tc = tcase_create ("url");
  tcase_add_loop_test (tc, test_url_parse, 0, G_N_ELEMENTS (url_cases));
  tcase_add_test (tc, test_engine_new_errors);
  tcase_add_test (tc, test_engine_basics);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("pool");
  tcase_add_test (tc, test_memory_single_connection);
  tcase_add_test (tc, test_pool_reuse);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("echo");
  tcase_add_test (tc, test_echo_func);
  tcase_add_test (tc, test_echo_stderr);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("transactions");
  tcase_add_test (tc, test_commit_rollback);
  tcase_add_test (tc, test_savepoints);
  tcase_add_test (tc, test_invalid_state);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("sql");
  tcase_add_test (tc, test_textual_params);
  tcase_add_test (tc, test_affected_rows);
  tcase_add_test (tc, test_constraint_error);
  tcase_add_test (tc, test_sql_error);
  tcase_add_test (tc, test_statement_cache);
  tcase_add_test (tc, test_nested_query);
  tcase_add_test (tc, test_execute_many_returning);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("values");
  tcase_add_test (tc, test_typed_values);
  tcase_add_test (tc, test_datetime_text);
  tcase_add_test (tc, test_value_echo_and_equality);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return orma_test_run (engine_suite ());
}
