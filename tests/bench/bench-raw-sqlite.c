/* bench-raw-sqlite.c: the hand-written sqlite3 program Orma is judged
 * against.
 *
 * What a competent C programmer writes for each workload: statements
 * prepared once and stepped for every row, one transaction, values bound
 * straight from where they already are. The connection is opened the way
 * Orma's SQLite driver opens its own (same open flags, busy timeout and
 * foreign_keys pragma) so that neither side gets a cheaper database.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "bench.h"

/* Orma's driver uses the same timeout; it changes nothing unless another
 * connection holds a lock, but the settings are kept equal anyway. */
#define BUSY_TIMEOUT_MS 5000

/* The DDL Orma's registry emits for the mapped class. */
#define CREATE_USERS \
  "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, " \
  "fullname TEXT, password TEXT)"

/* The row as an application keeps it in memory: the equivalent of an
 * object. */
static G_GNUC_NORETURN void
die_db (sqlite3    *db,
        const char *what)
{
  bench_die ("sqlite3: %s: %s", what, sqlite3_errmsg (db));
}

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    die_db (db, sql);
}

static sqlite3_stmt *
prepare (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    die_db (db, sql);
  return stmt;
}

/* A new database with an empty users table. */
static sqlite3 *
open_db (const BenchTarget *target)
{
  gboolean memory = target->backend == BENCH_BACKEND_SQLITE_MEMORY;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  sqlite3 *db = NULL;

  /* Orma opens its in-memory database with the full mutex (it is shared
   * between threads); do the same so both pay for the same locking. */
  if (memory)
    flags |= SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2 (memory ? ":memory:" : target->location, &db, flags, NULL) != SQLITE_OK)
    die_db (db, "open");

  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  exec_sql (db, "PRAGMA foreign_keys = ON");
  exec_sql (db, CREATE_USERS);
  return db;
}

/* ------------------------------------------------------------ the work */

/* The generated key comes back through sqlite3_last_insert_rowid(): it
 * measured faster than INSERT ... RETURNING id (which Orma uses), and
 * the raw side is meant to be the fastest honest program. */
static void
insert_rows (sqlite3 *db,
             guint    n_rows,
             gint64  *ids)
{
  sqlite3_stmt *stmt;

  exec_sql (db, "BEGIN");
  stmt = prepare (db, "INSERT INTO users (name, fullname, password) VALUES (?, ?, ?)");
  for (guint i = 0; i < n_rows; i++)
    {
      BenchRowText row;

      bench_row_text (i, &row);
      /* SQLITE_STATIC: the buffers outlive the step. */
      sqlite3_bind_text (stmt, 1, row.name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, row.fullname, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, row.password, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        die_db (db, "insert");
      ids[i] = sqlite3_last_insert_rowid (db);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  exec_sql (db, "COMMIT");
}

static char *
column_strdup (sqlite3_stmt *stmt,
               int           column)
{
  /* NULL stays NULL */
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Every row into a malloc'ed struct: the fair equivalent of objects. */
static GPtrArray *
load_users (sqlite3 *db,
            guint    n_rows)
{
  GPtrArray *users = g_ptr_array_sized_new (n_rows);
  sqlite3_stmt *stmt = prepare (db, "SELECT id, name, fullname, password FROM users");
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RawUser *user = g_new (RawUser, 1);

      user->id = sqlite3_column_int64 (stmt, 0);
      user->name = column_strdup (stmt, 1);
      user->fullname = column_strdup (stmt, 2);
      user->password = column_strdup (stmt, 3);
      g_ptr_array_add (users, user);
    }
  if (rc != SQLITE_DONE)
    die_db (db, "select");
  sqlite3_finalize (stmt);
  if (users->len != n_rows)
    bench_die ("sqlite3: loaded %u rows, expected %u", users->len, n_rows);
  return users;
}

/* Changes the struct as the application would, then writes the change. */
static void
update_users (sqlite3   *db,
              GPtrArray *users)
{
  sqlite3_stmt *stmt = prepare (db, "UPDATE users SET fullname = ? WHERE id = ?");
  char fullname[BENCH_FULLNAME_SIZE];

  for (guint i = 0; i < users->len; i++)
    {
      RawUser *user = g_ptr_array_index (users, i);

      bench_updated_fullname (i, fullname, sizeof fullname);
      g_free (user->fullname);
      user->fullname = g_strdup (fullname);
      sqlite3_bind_text (stmt, 1, user->fullname, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, user->id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        die_db (db, "update");
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
}

/* ------------------------------------------------------------ workloads */

static gint64
run_insert (sqlite3 *db,
            guint    n_rows)
{
  g_autofree gint64 *ids = g_new (gint64, n_rows);
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  insert_rows (db, n_rows, ids);
  elapsed = g_get_monotonic_time () - start;

  /* A fresh table numbers its rows from 1. */
  if (ids[n_rows - 1] != (gint64) n_rows)
    bench_die ("raw: the last generated key is %" G_GINT64_FORMAT, ids[n_rows - 1]);
  return elapsed;
}

/* Untimed setup of the workloads that read. */
static void
fill_table (sqlite3 *db,
            guint    n_rows)
{
  g_autofree gint64 *ids = g_new (gint64, n_rows);

  insert_rows (db, n_rows, ids);
}

/* Loading includes releasing the structs, as on the Orma side. */
static gint64
run_load (sqlite3 *db,
          guint    n_rows)
{
  gint64 start = g_get_monotonic_time ();

  bench_raw_users_free (load_users (db, n_rows));
  return g_get_monotonic_time () - start;
}

/* One transaction around the read and the writes, as a session has. */
static gint64
run_update (sqlite3 *db,
            guint    n_rows)
{
  gint64 start = g_get_monotonic_time ();
  GPtrArray *users;
  gint64 elapsed;

  exec_sql (db, "BEGIN");
  users = load_users (db, n_rows);
  update_users (db, users);
  exec_sql (db, "COMMIT");
  elapsed = g_get_monotonic_time () - start;

  bench_raw_users_free (users);
  return elapsed;
}

static gint64
run_get (sqlite3 *db,
         guint    n_rows)
{
  GPtrArray *users = load_users (db, n_rows);
  gint64 elapsed = bench_raw_time_lookups (users, n_rows);

  bench_raw_users_free (users);
  return elapsed;
}

gint64
bench_raw_sqlite_run (const BenchTarget *target,
                      BenchWorkload      workload)
{
  sqlite3 *db = open_db (target);
  gint64 elapsed;

  if (workload != BENCH_WORKLOAD_INSERT)
    fill_table (db, target->n_rows);

  switch (workload)
    {
    case BENCH_WORKLOAD_INSERT:
      elapsed = run_insert (db, target->n_rows);
      break;
    case BENCH_WORKLOAD_LOAD:
      elapsed = run_load (db, target->n_rows);
      break;
    case BENCH_WORKLOAD_UPDATE:
      elapsed = run_update (db, target->n_rows);
      break;
    case BENCH_WORKLOAD_GET:
      elapsed = run_get (db, target->n_rows);
      break;
    default:
      g_assert_not_reached ();
    }

  sqlite3_close (db);
  return elapsed;
}
