/* fixtures.c: the backend under test, a fresh database per test, and the
 * echo log that tests read as the witness of the SQL a unit of work sent.
 *
 * The backend comes from the environment that tests/run-test.sh sets up:
 * ORMA_TEST_BACKEND ("sqlite", the default, or "postgresql") and, for
 * PostgreSQL, ORMA_TEST_PG_URL naming a throwaway cluster.
 *
 * Fresh databases: on SQLite, a new file in a new temporary directory per
 * engine; the directories are removed when the process that made them
 * exits (Check runs each test in a forked child, which inherits the
 * parent's list but must not remove the parent's directories). On
 * PostgreSQL there is one test database per cluster; "fresh" means its
 * public schema is dropped and made anew.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* for program_invocation_short_name, the name the banner shows */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "fixtures.h"
#include "test-models.h"
#include "orma-value-private.h"

#define LOG_DATA_KEY "orma-test-log"

/* ------------------------------------------------------------- backend */

/* Called outside a running test too (from main), where Check's assertions
 * cannot be used: a bad environment ends the program with a message. */
static void G_GNUC_NORETURN G_GNUC_PRINTF (1, 2)
fatal (const char *format,
       ...)
{
  va_list args;

  va_start (args, format);
  fputs ("*** orma test fixture: ", stderr);
  vfprintf (stderr, format, args);
  fputs (" ***\n", stderr);
  va_end (args);
  exit (EXIT_FAILURE);
}

const char *
orma_test_backend (void)
{
  const char *backend = g_getenv ("ORMA_TEST_BACKEND");

  if (backend == NULL || *backend == '\0' || g_str_equal (backend, "sqlite"))
    return "sqlite";
  if (g_str_equal (backend, "postgresql") || g_str_equal (backend, "postgres"))
    return "postgresql";
  fatal ("ORMA_TEST_BACKEND=%s: expected \"sqlite\" or \"postgresql\"", backend);
}

gboolean
orma_test_is_postgresql (void)
{
  return g_str_equal (orma_test_backend (), "postgresql");
}

static const char *
pg_url (void)
{
  const char *url = g_getenv ("ORMA_TEST_PG_URL");

  return (url != NULL && *url != '\0') ? url : NULL;
}

/* -------------------------------------------- temporary SQLite databases */

typedef struct {
  pid_t owner;   /* the process that made the directory */
  char *path;
} TempDir;

static GMutex temp_dirs_lock;
static GArray *temp_dirs;   /* of TempDir */
/* Made by orma_test_run() before Check forks, removed by it afterwards:
 * it holds the directories of every test, including those of tests that
 * failed or crashed, whose processes end without running atexit. */
static char *run_dir;

static void
remove_dir_recursively (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
          !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_dir_recursively (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

static void
remove_temp_dirs (void)
{
  pid_t self = getpid ();

  g_mutex_lock (&temp_dirs_lock);
  for (guint i = 0; temp_dirs != NULL && i < temp_dirs->len; i++)
    {
      TempDir *d = &g_array_index (temp_dirs, TempDir, i);

      if (d->owner == self)
        remove_dir_recursively (d->path);
      g_free (d->path);
    }
  g_clear_pointer (&temp_dirs, g_array_unref);
  g_mutex_unlock (&temp_dirs_lock);
}

/* A new empty directory under @base, or under the system's temporary
 * directory when @base is unset. */
static char *
make_dir_under (const char *base,
                const char *template,
                GError    **error)
{
  g_autofree char *path = NULL;

  if (base == NULL || *base == '\0')
    return g_dir_make_tmp (template, error);

  if (g_mkdir_with_parents (base, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: %s", base, g_strerror (saved_errno));
      return NULL;
    }
  path = g_build_filename (base, template, NULL);
  if (g_mkdtemp (path) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: %s", path, g_strerror (saved_errno));
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* A new empty directory for one database, removed when the process that
 * made it exits: inside the run directory while orma_test_run() runs,
 * else under ORMA_TEST_TMPDIR (tests/tmp in the build tree during make
 * check) or the system's temporary directory. */
static char *
make_temp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *path;

  path = make_dir_under (run_dir != NULL ? run_dir : g_getenv ("ORMA_TEST_TMPDIR"),
                         "sqlite-XXXXXX", &error);
  ck_assert_msg (path != NULL, "cannot make a temporary directory: %s",
                 error ? error->message : "");

  g_mutex_lock (&temp_dirs_lock);
  if (temp_dirs == NULL)
    {
      /* The array is made once per process image; a forked child inherits
       * both the array and the registration. */
      temp_dirs = g_array_new (FALSE, FALSE, sizeof (TempDir));
      atexit (remove_temp_dirs);
    }
  g_array_append_vals (temp_dirs, &(TempDir) { getpid (), g_strdup (path) }, 1);
  g_mutex_unlock (&temp_dirs_lock);

  return path;
}

/* ------------------------------------------------------------- engines */

static void
exec_or_abort (OrmaConnection *conn,
               const char     *sql)
{
  g_autoptr (GError) error = NULL;

  if (!orma_connection_execute (conn, sql, NULL, 0, NULL, &error))
    ck_abort_msg ("%s: %s", sql, error->message);
}

static OrmaEngine *
new_pg_engine (void)
{
  const char *url = pg_url ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaEngine) engine = NULL;
  g_autoptr (OrmaConnection) conn = NULL;

  if (url == NULL)
    ck_abort_msg ("ORMA_TEST_BACKEND=postgresql but ORMA_TEST_PG_URL is not set: "
                  "run the test through tests/run-test.sh (make check), which "
                  "starts a PostgreSQL cluster and sets it");

  engine = orma_engine_new (url, &error);
  ck_assert_msg (engine != NULL, "cannot make an engine for %s: %s", url,
                 error ? error->message : "");
  conn = orma_engine_connect (engine, &error);
  ck_assert_msg (conn != NULL, "cannot connect to %s: %s", url,
                 error ? error->message : "");

  /* The NOTICEs of DROP ... CASCADE would clutter the test output; a
   * leftover connection of an earlier test holding a lock must fail the
   * test, not hang it. */
  exec_or_abort (conn, "SET client_min_messages = warning");
  exec_or_abort (conn, "SET lock_timeout = '10s'");
  exec_or_abort (conn, "DROP SCHEMA IF EXISTS public CASCADE");
  exec_or_abort (conn, "CREATE SCHEMA public");

  /* Close that connection so that the settings above reach no test. */
  g_clear_object (&conn);
  orma_engine_dispose_pool (engine);

  return g_steal_pointer (&engine);
}

static OrmaEngine *
new_sqlite_engine (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *file = g_build_filename (dir, "test.db", NULL);
  /* sqlite:/// followed by an absolute path: four slashes */
  g_autofree char *url = g_strconcat ("sqlite:///", file, NULL);
  g_autoptr (GError) error = NULL;
  OrmaEngine *engine;

  engine = orma_engine_new (url, &error);
  ck_assert_msg (engine != NULL, "cannot make an engine for %s: %s", url,
                 error ? error->message : "");
  return engine;
}

OrmaEngine *
orma_test_engine_new (void)
{
  if (orma_test_is_postgresql ())
    return new_pg_engine ();
  return new_sqlite_engine ();
}

OrmaEngine *
orma_test_engine_new_with_tables (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaEngine) engine = NULL;

  test_models_ensure ();
  engine = orma_test_engine_new ();
  if (!orma_registry_create_all (orma_registry_get_default (), engine, &error))
    ck_abort_msg ("create_all failed on %s: %s", orma_test_backend (), error->message);
  return g_steal_pointer (&engine);
}

OrmaEngine *
orma_test_engine_same_database (OrmaEngine *engine)
{
  g_autoptr (GError) error = NULL;
  OrmaEngine *other;

  ck_assert_ptr_nonnull (engine);
  other = orma_engine_new (orma_engine_get_url (engine), &error);
  ck_assert_msg (other != NULL, "cannot make a second engine for %s: %s",
                 orma_engine_get_url (engine), error ? error->message : "");
  return other;
}

/* ------------------------------------------------------------ results */

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The property @property of each object, joined with commas, in the
 * order given, or sorted when @sorted. */
char *
orma_test_join_property (GPtrArray  *objects,
              const char *property,
              gboolean    sorted)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  ck_assert_ptr_nonnull (objects);
  for (guint i = 0; i < objects->len; i++)
    {
      char *text = NULL;

      g_object_get (g_ptr_array_index (objects, i), property, &text, NULL);
      g_ptr_array_add (texts, text != NULL ? text : g_strdup ("(null)"));
    }
  if (sorted)
    g_ptr_array_sort (texts, compare_strings);
  g_ptr_array_add (texts, NULL);
  return g_strjoinv (",", (char **) texts->pdata);
}

/* Runs @query with orma_query_all() and returns the property of what it
 * found, joined as orma_test_join_property() does. */
char *
orma_test_run_all (OrmaQuery  *query,
         const char *property,
         gboolean    sorted)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = orma_query_all (query, &error);

  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (results);
  return orma_test_join_property (results, property, sorted);
}

void
orma_test_assert_params (OrmaEngine *engine,
                         guint       statement,
                         const char *expected)
{
  GPtrArray *params = orma_test_log_params (engine);

  ck_assert_uint_gt (params->len, statement);
  ck_assert_str_eq (g_ptr_array_index (params, statement), expected);
}

/* ------------------------------------------------------------ echo log */

/* Shared by the engine's object data (for the getters) and its echo
 * function (for recording), so that neither outlives the other's use. A
 * mutex because statements may run in GTask worker threads. */
typedef struct {
  GMutex     lock;
  GPtrArray *statements;  /* char * */
  GArray    *rows;        /* guint */
  GPtrArray *params;      /* char * */
} TestLog;

static void
test_log_clear_data (gpointer data)
{
  TestLog *log = data;

  g_ptr_array_unref (log->statements);
  g_array_unref (log->rows);
  g_ptr_array_unref (log->params);
  g_mutex_clear (&log->lock);
}

static void
test_log_release (gpointer data)
{
  g_rc_box_release_full (data, test_log_clear_data);
}

/* Set while the fixture itself runs SQL (orma_test_count_rows) so that its
 * statements do not show up among those the test asserts. Per thread:
 * the fixture's SQL runs synchronously in the test's thread. */
static GPrivate log_paused;

/* "('ed', 1, NULL)": the first row's parameters, each as the echo log
 * shows it. */
static char *
render_params (const GValue *const *params,
               guint                n_params)
{
  GString *out = g_string_new ("(");

  for (guint i = 0; i < n_params; i++)
    {
      const GValue *value = params != NULL ? params[i] : NULL;
      g_autofree char *text = _orma_value_to_echo (value);

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, text);
    }
  g_string_append_c (out, ')');
  return g_string_free (out, FALSE);
}

static void
record_statement (const char          *sql,
                  const GValue *const *params,
                  guint                n_params,
                  guint                n_rows,
                  gpointer             user_data)
{
  TestLog *log = user_data;

  if (g_private_get (&log_paused) != NULL)
    return;

  g_mutex_lock (&log->lock);
  g_ptr_array_add (log->statements, g_strdup (sql));
  g_array_append_val (log->rows, n_rows);
  g_ptr_array_add (log->params, render_params (params, n_params));
  g_mutex_unlock (&log->lock);
}

static TestLog *
get_log (OrmaEngine *engine,
         const char *caller)
{
  TestLog *log;

  ck_assert_ptr_nonnull (engine);
  log = g_object_get_data (G_OBJECT (engine), LOG_DATA_KEY);
  ck_assert_msg (log != NULL, "%s: no echo log on this engine; call orma_test_log_attach() first",
                 caller);
  return log;
}

void
orma_test_log_attach (OrmaEngine *engine)
{
  TestLog *log;

  ck_assert_ptr_nonnull (engine);
  if (g_object_get_data (G_OBJECT (engine), LOG_DATA_KEY) != NULL)
    {
      /* Attaching again starts over, like a clear. */
      orma_test_log_clear (engine);
      return;
    }

  log = g_rc_box_new0 (TestLog);
  g_mutex_init (&log->lock);
  log->statements = g_ptr_array_new_with_free_func (g_free);
  log->rows = g_array_new (FALSE, FALSE, sizeof (guint));
  log->params = g_ptr_array_new_with_free_func (g_free);

  g_object_set_data_full (G_OBJECT (engine), LOG_DATA_KEY, log, test_log_release);
  orma_engine_set_echo_func (engine, record_statement, g_rc_box_acquire (log),
                             test_log_release);
  orma_engine_set_echo (engine, TRUE);
}

void
orma_test_log_clear (OrmaEngine *engine)
{
  TestLog *log = get_log (engine, G_STRFUNC);

  g_mutex_lock (&log->lock);
  g_ptr_array_set_size (log->statements, 0);
  g_array_set_size (log->rows, 0);
  g_ptr_array_set_size (log->params, 0);
  g_mutex_unlock (&log->lock);
}

GPtrArray *
orma_test_log_statements (OrmaEngine *engine)
{
  return get_log (engine, G_STRFUNC)->statements;
}

GArray *
orma_test_log_rows (OrmaEngine *engine)
{
  return get_log (engine, G_STRFUNC)->rows;
}

GPtrArray *
orma_test_log_params (OrmaEngine *engine)
{
  return get_log (engine, G_STRFUNC)->params;
}

/* Expected and actual statements in two columns, a '!' marking each row
 * that differs, so that a failing unit-of-work test shows at a glance
 * which statement went wrong. */
static char *
describe_mismatch (GPtrArray *expected,
                   GPtrArray *actual)
{
  GString *out = g_string_new (NULL);
  guint n = MAX (expected->len, actual->len);
  int width = (int) strlen ("expected");

  for (guint i = 0; i < expected->len; i++)
    width = MAX (width, (int) strlen (g_ptr_array_index (expected, i)));

  g_string_append_printf (out, "echo log on %s: %u statement(s) expected, %u executed\n",
                          orma_test_backend (), expected->len, actual->len);
  g_string_append_printf (out, "  %c %3s  %-*s | %s\n", ' ', "#", width, "expected", "actual");
  for (guint i = 0; i < n; i++)
    {
      const char *e = i < expected->len ? g_ptr_array_index (expected, i) : "";
      const char *a = i < actual->len ? g_ptr_array_index (actual, i) : "";
      gboolean same = i < expected->len && i < actual->len && g_str_equal (e, a);

      g_string_append_printf (out, "  %c %3u  %-*s | %s\n",
                              same ? ' ' : '!', i + 1, width, e, a);
    }
  return g_string_free (out, FALSE);
}

void
orma_test_assert_log (OrmaEngine *engine,
                      const char *first_sql,
                      ...)
{
  TestLog *log = get_log (engine, G_STRFUNC);
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) actual = g_ptr_array_new_with_free_func (g_free);
  gboolean equal;
  va_list args;

  va_start (args, first_sql);
  for (const char *sql = first_sql; sql != NULL; sql = va_arg (args, const char *))
    g_ptr_array_add (expected, orma_test_sql (sql));
  va_end (args);

  /* A copy, so that the comparison does not race a worker thread. */
  g_mutex_lock (&log->lock);
  for (guint i = 0; i < log->statements->len; i++)
    g_ptr_array_add (actual, g_strdup (g_ptr_array_index (log->statements, i)));
  g_mutex_unlock (&log->lock);

  equal = expected->len == actual->len;
  for (guint i = 0; equal && i < expected->len; i++)
    equal = g_str_equal (g_ptr_array_index (expected, i), g_ptr_array_index (actual, i));

  if (!equal)
    {
      /* Without fork (valgrind) a failed assertion jumps out of this
       * frame: nothing may be left only on the stack. The message stays
       * reachable until the next failure. */
      static char *message;

      g_free (message);
      message = describe_mismatch (expected, actual);
      g_clear_pointer (&expected, g_ptr_array_unref);
      g_clear_pointer (&actual, g_ptr_array_unref);
      ck_abort_msg ("%s", message);
    }
}

char *
orma_test_sql (const char *sql)
{
  GString *out;
  guint n = 0;
  char quote = 0;

  g_return_val_if_fail (sql != NULL, NULL);

  if (!orma_test_is_postgresql ())
    return g_strdup (sql);

  /* ? becomes $1, $2, ... except inside '...' strings and "..." names;
   * a doubled quote inside them simply closes and reopens, which keeps
   * the state right. */
  out = g_string_sized_new (strlen (sql) + 8);
  for (const char *p = sql; *p; p++)
    {
      if (quote != 0)
        {
          if (*p == quote)
            quote = 0;
          g_string_append_c (out, *p);
        }
      else if (*p == '\'' || *p == '"')
        {
          quote = *p;
          g_string_append_c (out, *p);
        }
      else if (*p == '?')
        g_string_append_printf (out, "$%u", ++n);
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------ row counts */

gint64
orma_test_count_rows (OrmaEngine *engine,
                      const char *table,
                      const char *where_sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaConnection) conn = NULL;
  g_autoptr (OrmaRows) rows = NULL;
  g_autofree char *sql = NULL;
  gint64 count = -1;

  ck_assert_ptr_nonnull (engine);
  ck_assert_ptr_nonnull (table);

  if (where_sql != NULL && *where_sql != '\0')
    sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE %s", table, where_sql);
  else
    sql = g_strdup_printf ("SELECT count(*) FROM %s", table);

  g_private_set (&log_paused, GINT_TO_POINTER (1));

  conn = orma_engine_connect (engine, &error);
  if (conn != NULL)
    rows = orma_connection_query (conn, sql, NULL, 0, &error);
  if (rows != NULL && orma_rows_next (rows, &error))
    count = orma_rows_get_int64 (rows, 0);
  else if (rows != NULL && error == NULL)
    g_set_error (&error, ORMA_ERROR, ORMA_ERROR_NOT_FOUND, "no row returned");
  /* The cursor and the connection go back to the pool before the log
   * records again. */
  g_clear_object (&rows);
  g_clear_object (&conn);

  g_private_set (&log_paused, NULL);

  if (error != NULL)
    ck_abort_msg ("%s: %s", sql, error->message);
  return count;
}

/* -------------------------------------------------------------- running */

static const char *
program_name (void)
{
  const char *name = g_get_prgname ();

#ifdef __GLIBC__
  if (name == NULL)
    name = program_invocation_short_name;
#endif
  if (name == NULL)
    return "test";
  /* libtool runs uninstalled programs as .libs/lt-NAME */
  if (g_str_has_prefix (name, "lt-"))
    name += 3;
  return name;
}

int
orma_test_run (Suite *suite)
{
  const char *backend = orma_test_backend ();
  g_autoptr (GError) error = NULL;
  SRunner *runner;
  int failed;

  printf ("== %s on %s ==\n", program_name (), backend);
  if (g_str_equal (backend, "postgresql") && pg_url () == NULL)
    {
      printf ("\n"
              "*** ORMA_TEST_BACKEND=postgresql but ORMA_TEST_PG_URL is not set:\n"
              "*** every test will fail. Run the program through tests/run-test.sh\n"
              "*** (make check), which starts a PostgreSQL cluster and sets it.\n"
              "\n");
    }
  /* Check forks for each test: anything left in stdio's buffers would be
   * printed again by every child. */
  fflush (stdout);
  fflush (stderr);

  run_dir = make_dir_under (g_getenv ("ORMA_TEST_TMPDIR"), "run-XXXXXX", &error);
  if (run_dir == NULL)
    fatal ("cannot make a temporary directory: %s", error->message);

  runner = srunner_create (suite);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);

  remove_dir_recursively (run_dir);
  g_clear_pointer (&run_dir, g_free);

  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void
orma_test_seed_users (OrmaEngine *engine,
                      const char *prefix,
                      const char *fullname,
                      guint       n,
                      gint64     *ids)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GError) error = NULL;

  /* the keys are wanted after the commit, without reloading the rows */
  orma_session_set_expire_on_commit (session, FALSE);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s%u", prefix, i);
      g_ptr_array_add (users, test_user_new (name, fullname));
      orma_session_add (session, g_ptr_array_index (users, i));
    }
  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  for (guint i = 0; ids != NULL && i < n; i++)
    ids[i] = test_user_get_id (g_ptr_array_index (users, i));
}
