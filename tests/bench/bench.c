/* bench.c: Orma against the hand-written program, workload by workload.
 *
 * For each backend and workload the benchmark runs the Orma side and the
 * raw side (the same work written directly against sqlite3 or libpq)
 * alternately, each on a fresh database, and prints the medians:
 *
 *   BENCH <backend> <workload> rows=<n> orma_ms=<x> raw_ms=<y> ratio=<x/y>
 *
 * Lines starting with "#" carry the rest (each run's time, the time of
 * one lookup, skipped backends) and are for people, not for scripts.
 *
 *   orma-bench [--rows N] [--runs N] [--backend B|all] [--workload W|all]
 *              [--echo]
 *
 * --echo prints Orma's statements: with a small --rows it shows what a
 * workload makes Orma do; its times mean nothing.
 *
 * The workloads of one table (users) handle N rows: insert, load, update,
 * get by key. Those of relationships handle N children or N/10 posts:
 *
 *   children             insert N/10 parents with 10 children each,
 *                        appended to the parents' collections
 *   selectin, joined     load the N/10 parents with their N children
 *                        (selectin: a second SELECT with IN over the
 *                        parents' keys; joined: one LEFT OUTER JOIN)
 *                        and visit every child
 *   many-to-many-insert  insert N/10 posts with 3 tags each (a pool of
 *                        100 tags) through the collections
 *   many-to-many-load    load the posts with their tags (selectin)
 *   delete               load the N children and delete every one
 *
 * The rows= field of a BENCH line is N for every workload.
 *
 * PostgreSQL is measured when ORMA_BENCH_PG_URL names a server the
 * benchmark may drop and create the table "users" in.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bench.h"

#define DEFAULT_ROWS 100000
#define DEFAULT_RUNS 5
/* Fewer runs make the median a mere sample. */
#define MIN_RUNS 3

static const char *const backend_names[BENCH_N_BACKENDS] = {
  "sqlite-memory", "sqlite-file", "postgresql",
};

static const char *const workload_names[BENCH_N_WORKLOADS] = {
  "insert", "load", "update", "get",
  "children", "selectin", "joined", "many-to-many-insert", "many-to-many-load", "delete",
};

typedef struct
{
  guint     n_rows;
  guint     n_runs;
  gboolean  echo;
  gboolean  backends[BENCH_N_BACKENDS];
  gboolean  workloads[BENCH_N_WORKLOADS];
  char     *pg_url;
  char     *tmp_dir;   /* for the SQLite files */
} BenchOptions;

/* ---------------------------------------------------------------- shared */

void
bench_die (const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  fputs ("orma-bench: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  exit (EXIT_FAILURE);
}

void
bench_row_text (guint         index,
                BenchRowText *row)
{
  g_snprintf (row->name, sizeof row->name, "user%u", index);
  g_snprintf (row->fullname, sizeof row->fullname, "User Number %u", index);
  g_snprintf (row->password, sizeof row->password, "secret-%08x", index * 2654435761u);
}

void
bench_updated_fullname (guint  index,
                        char  *buffer,
                        gsize  size)
{
  g_snprintf (buffer, size, "Renamed User %u", index);
}

guint
bench_n_parents (const BenchTarget *target)
{
  return MAX (1, target->n_rows / BENCH_CHILDREN_PER_PARENT);
}

guint
bench_post_tag (guint post,
                guint slot)
{
  /* Consecutive posts walk the pool, so every tag is shared by many
   * posts; the 3 slots of one post are 3 different tags. */
  return (post * BENCH_TAGS_PER_POST + slot) % BENCH_N_TAGS;
}

void
bench_parent_name (guint  index,
                   char  *buffer)
{
  g_snprintf (buffer, BENCH_NAME_SIZE, "parent %u", index);
}

void
bench_child_name (guint  index,
                  char  *buffer)
{
  g_snprintf (buffer, BENCH_NAME_SIZE, "child %u", index);
}

void
bench_post_title (guint  index,
                  char  *buffer)
{
  g_snprintf (buffer, BENCH_NAME_SIZE, "Post number %u", index);
}

void
bench_tag_name (guint  index,
                char  *buffer)
{
  g_snprintf (buffer, BENCH_NAME_SIZE, "tag%u", index);
}

gint64 *
bench_lookup_order (guint n_rows)
{
  gint64 *ids = g_new (gint64, n_rows);
  /* A fixed seed: both sides, and every run, look up the same sequence. */
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240601);

  for (guint i = 0; i < n_rows; i++)
    ids[i] = (gint64) i + 1;
  /* Fisher-Yates */
  for (guint i = n_rows; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, (gint32) i);
      gint64 tmp = ids[i - 1];

      ids[i - 1] = ids[j];
      ids[j] = tmp;
    }
  return ids;
}

/* ---------------------------------------------------------------- options */

/* Parses "all" or one name of @names into @selected. */
static gboolean
select_names (const char         *value,
              const char *const  *names,
              guint               n_names,
              gboolean           *selected)
{
  gboolean all = value == NULL || strcmp (value, "all") == 0;
  gboolean found = all;

  for (guint i = 0; i < n_names; i++)
    {
      selected[i] = all || strcmp (value, names[i]) == 0;
      found |= selected[i];
    }
  return found;
}

static void
parse_options (int           argc,
               char        **argv,
               BenchOptions *options)
{
  gint rows = DEFAULT_ROWS, runs = DEFAULT_RUNS;
  g_autofree char *backend = NULL;
  g_autofree char *workload = NULL;
  gboolean echo = FALSE;
  GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT, &rows, "Rows per workload (default 100000)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs per side (default 5, at least 3)", "N" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend,
      "sqlite-memory, sqlite-file, postgresql or all (default)", "B" },
    { "workload", 0, 0, G_OPTION_ARG_STRING, &workload,
      "insert, load, update, get, children, selectin, joined, many-to-many-insert, "
      "many-to-many-load, delete or all (default)", "W" },
    { "echo", 0, 0, G_OPTION_ARG_NONE, &echo,
      "Print Orma's statements (to see what it does; the times mean nothing)", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- Orma against hand-written sqlite3/libpq");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    bench_die ("%s", error->message);
  if (rows < 1)
    bench_die ("--rows must be at least 1");
  if (runs < MIN_RUNS)
    bench_die ("--runs must be at least %d", MIN_RUNS);
  if (!select_names (backend, backend_names, BENCH_N_BACKENDS, options->backends))
    bench_die ("unknown backend \"%s\"", backend);
  if (!select_names (workload, workload_names, BENCH_N_WORKLOADS, options->workloads))
    bench_die ("unknown workload \"%s\"", workload);

  options->n_rows = rows;
  options->n_runs = runs;
  options->echo = echo;
}

/* ------------------------------------------------------------------ runs */

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static double
median_ms (const gint64 *us,
           guint         n)
{
  g_autofree gint64 *sorted = g_memdup2 (us, n * sizeof *us);

  qsort (sorted, n, sizeof *sorted, compare_gint64);
  if (n % 2 == 1)
    return sorted[n / 2] / 1000.0;
  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2000.0;
}

static gint64
raw_run (const BenchTarget *target,
         BenchWorkload      workload)
{
  if (target->backend == BENCH_BACKEND_POSTGRESQL)
    return bench_raw_pg_run (target, workload);
  return bench_raw_sqlite_run (target, workload);
}

/* A SQLite file does not outlive its run: the next run starts from an
 * empty database, and the disk does not fill up. */
static void
remove_sqlite_files (const char *path)
{
  static const char *const suffixes[] = { "", "-journal", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
}

/* One run of one side: prepares the target, runs, cleans up. */
static gint64
run_side (const BenchOptions *options,
          BenchBackend        backend,
          BenchWorkload       workload,
          gboolean            orma,
          guint               run)
{
  g_autofree char *path = NULL;
  BenchTarget target = { backend, NULL, options->n_rows, options->echo };
  gint64 us;

  if (backend == BENCH_BACKEND_SQLITE_FILE)
    {
      g_autofree char *name = g_strdup_printf ("%s-%s-%u.db", orma ? "orma" : "raw",
                                               workload_names[workload], run);
      path = g_build_filename (options->tmp_dir, name, NULL);
      remove_sqlite_files (path);
      target.location = path;
    }
  else if (backend == BENCH_BACKEND_POSTGRESQL)
    target.location = options->pg_url;

  us = orma ? bench_orma_run (&target, workload) : raw_run (&target, workload);

  if (path != NULL)
    remove_sqlite_files (path);
  return us;
}

static void
print_runs (const char   *side,
            const gint64 *us,
            guint         n)
{
  g_print (" %s", side);
  for (guint i = 0; i < n; i++)
    g_print (" %.1f", us[i] / 1000.0);
}

static void
bench_one (const BenchOptions *options,
           BenchBackend        backend,
           BenchWorkload       workload)
{
  g_autofree gint64 *orma_us = g_new (gint64, options->n_runs);
  g_autofree gint64 *raw_us = g_new (gint64, options->n_runs);
  double orma_ms, raw_ms;

  /* Alternating spreads slow phases of the machine over both sides. */
  for (guint run = 0; run < options->n_runs; run++)
    {
      orma_us[run] = run_side (options, backend, workload, TRUE, run);
      raw_us[run] = run_side (options, backend, workload, FALSE, run);
    }

  orma_ms = median_ms (orma_us, options->n_runs);
  raw_ms = median_ms (raw_us, options->n_runs);

  g_print ("# %s %s runs (ms):", backend_names[backend], workload_names[workload]);
  print_runs ("orma", orma_us, options->n_runs);
  print_runs ("| raw", raw_us, options->n_runs);
  g_print ("\n");
  if (workload == BENCH_WORKLOAD_GET)
    g_print ("# %s get: %.1f ns per orma_session_get, %.1f ns per GHashTable lookup\n",
             backend_names[backend], orma_ms * 1e6 / options->n_rows,
             raw_ms * 1e6 / options->n_rows);
  g_print ("BENCH %s %s rows=%u orma_ms=%.1f raw_ms=%.1f ratio=%.2f\n",
           backend_names[backend], workload_names[workload], options->n_rows,
           orma_ms, raw_ms, raw_ms > 0 ? orma_ms / raw_ms : 0.0);
  /* Progress is visible even when the output goes to a pipe. */
  fflush (stdout);
}

static void
bench_backend (const BenchOptions *options,
               BenchBackend        backend)
{
  for (guint w = 0; w < BENCH_N_WORKLOADS; w++)
    if (options->workloads[w])
      bench_one (options, backend, w);
}

int
main (int    argc,
      char **argv)
{
  BenchOptions options = { 0 };
  const char *pg_url = g_getenv ("ORMA_BENCH_PG_URL");
  g_autoptr (GError) error = NULL;

  /* Echo would measure the terminal, not Orma. */
  g_unsetenv ("ORMA_ECHO");
  parse_options (argc, argv, &options);

  options.tmp_dir = g_dir_make_tmp ("orma-bench-XXXXXX", &error);
  if (options.tmp_dir == NULL)
    bench_die ("cannot make a temporary directory: %s", error->message);
  if (pg_url != NULL && *pg_url != '\0')
    options.pg_url = g_strdup (pg_url);

  g_print ("# orma-bench: rows=%u runs=%u, medians; ratio = orma_ms / raw_ms\n",
           options.n_rows, options.n_runs);
  g_print ("# relationships: %u parents x %u children; %u posts x %u tags (pool of %u)\n",
           MAX (1, options.n_rows / BENCH_CHILDREN_PER_PARENT), BENCH_CHILDREN_PER_PARENT,
           MAX (1, options.n_rows / BENCH_CHILDREN_PER_PARENT), BENCH_TAGS_PER_POST, BENCH_N_TAGS);

  for (guint b = 0; b < BENCH_N_BACKENDS; b++)
    {
      if (!options.backends[b])
        continue;
      if (b == BENCH_BACKEND_POSTGRESQL && options.pg_url == NULL)
        {
          g_print ("# postgresql: skipped (no server)\n");
          g_printerr ("orma-bench: *** postgresql: skipped (no server): ORMA_BENCH_PG_URL is not set ***\n");
          continue;
        }
      bench_backend (&options, b);
    }

  g_rmdir (options.tmp_dir);
  g_free (options.tmp_dir);
  g_free (options.pg_url);
  return EXIT_SUCCESS;
}
