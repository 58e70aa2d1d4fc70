/* bench.h: what the parts of the benchmark share.
 *
 * Each side (Orma, raw sqlite3, raw libpq) runs one workload at a time on
 * a fresh database and returns the time of the workload alone, in
 * microseconds; setup (creating the table, filling it for the workloads
 * that read) and teardown are never timed. Every failure is fatal: a
 * benchmark that carries on after an error measures nothing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  BENCH_BACKEND_SQLITE_MEMORY,
  BENCH_BACKEND_SQLITE_FILE,
  BENCH_BACKEND_POSTGRESQL,
  BENCH_N_BACKENDS
} BenchBackend;

typedef enum {
  BENCH_WORKLOAD_INSERT,
  BENCH_WORKLOAD_LOAD,
  BENCH_WORKLOAD_UPDATE,
  BENCH_WORKLOAD_GET,
  BENCH_N_WORKLOADS
} BenchWorkload;

/* Where one run happens. */
typedef struct
{
  BenchBackend  backend;
  /* SQLite file: the database file, absent before the run and removed by
   * the caller after it. PostgreSQL: the server URL. Memory: NULL. */
  const char   *location;
  guint         n_rows;
} BenchTarget;

/* The text of row @index (0-based), the same on every side. The buffers
 * are large enough for any guint index. */
typedef struct
{
  char name[32];
  char fullname[48];
  char password[48];
} BenchRowText;

void      bench_row_text        (guint          index,
                                 BenchRowText  *row);
/* The new fullname the update workload writes into the @index-th row
 * loaded (the same row on both sides: rows come back in key order). */
void      bench_updated_fullname(guint          index,
                                 char          *buffer,
                                 gsize          size);
#define BENCH_FULLNAME_SIZE 48

/* The order in which the get workload looks keys 1..@n_rows up: a fixed
 * shuffle, the same on both sides, so neither walks memory in order. */
gint64   *bench_lookup_order    (guint          n_rows);

/* The row as the hand-written programs keep it in memory: the
 * equivalent of an object. */
typedef struct
{
  gint64  id;
  char   *name;
  char   *fullname;
  char   *password;
} RawUser;

void      bench_raw_users_free  (GPtrArray     *users);
/* The raw get workload: times n_rows GHashTable lookups of the keys of
 * @users (keys 1..n_rows) and returns the microseconds. */
gint64    bench_raw_time_lookups(GPtrArray     *users,
                                 guint          n_rows);

G_GNUC_NORETURN G_GNUC_PRINTF (1, 2)
void      bench_die             (const char    *format,
                                 ...);

gint64    bench_orma_run        (const BenchTarget *target,
                                 BenchWorkload      workload);
gint64    bench_raw_sqlite_run  (const BenchTarget *target,
                                 BenchWorkload      workload);
gint64    bench_raw_pg_run      (const BenchTarget *target,
                                 BenchWorkload      workload);

G_END_DECLS
