/* bench-orma.c: the Orma side of each workload.
 *
 * Written the way an application uses Orma: public API only, a mapped
 * class, a session per unit of work. Each run opens a new engine, so
 * every run starts from an empty database and from empty caches.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <orma/orma.h>

#include "bench.h"
#include "bench-models.h"

void
bench_orma_check (gboolean     ok,
                  const char  *what,
                  GError      *error)
{
  if (!ok)
    bench_die ("orma: %s: %s", what, error != NULL ? error->message : "failed");
}

static char *
engine_url (const BenchTarget *target)
{
  switch (target->backend)
    {
    case BENCH_BACKEND_SQLITE_MEMORY:
      return g_strdup ("sqlite:///:memory:");
    case BENCH_BACKEND_SQLITE_FILE:
      /* sqlite:/// followed by an absolute path: four slashes */
      return g_strconcat ("sqlite:///", target->location, NULL);
    case BENCH_BACKEND_POSTGRESQL:
    default:
      return g_strdup (target->location);
    }
}

/* A new engine on empty tables. The users workloads run even when the
 * relationship classes are not (yet) accepted by the registry. */
static OrmaEngine *
open_engine (const BenchTarget *target,
             gboolean           relationships)
{
  OrmaRegistry *registry = orma_registry_get_default ();
  g_autofree char *url = engine_url (target);
  g_autoptr (GError) error = NULL;
  OrmaEngine *engine;

  if (!bench_models_ensure (&error) && relationships)
    bench_orma_check (FALSE, "configure", error);
  g_clear_error (&error);
  engine = orma_engine_new (url, &error);
  bench_orma_check (engine != NULL, url, error);
  orma_engine_set_echo (engine, target->echo);

  /* A server keeps the table of the previous run; a new SQLite database
   * has none, and dropping nothing costs nothing. */
  bench_orma_check (orma_registry_drop_all (registry, engine, &error), "drop_all", error);
  bench_orma_check (orma_registry_create_all (registry, engine, &error), "create_all", error);
  return engine;
}

static BenchUser *
new_user (guint index)
{
  BenchRowText row;

  bench_row_text (index, &row);
  return g_object_new (BENCH_TYPE_USER,
                       "name", row.name,
                       "fullname", row.fullname,
                       "password", row.password,
                       NULL);
}

/* Adds n_rows new users and commits; the caller keeps the objects in
 * @keep, or lets the session drop them after the commit. */
static void
add_users (OrmaSession *session,
           guint        n_rows,
           GPtrArray   *keep)
{
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < n_rows; i++)
    {
      BenchUser *user = new_user (i);

      orma_session_add (session, ORMA_ENTITY (user));
      if (keep != NULL)
        g_ptr_array_add (keep, user);
      else
        g_object_unref (user);
    }
  bench_orma_check (orma_session_commit (session, &error), "commit", error);
}

/* Untimed setup of the workloads that read: the table filled by Orma. */
static void
fill_table (OrmaEngine *engine,
            guint       n_rows)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);

  add_users (session, n_rows, NULL);
}

static GPtrArray *
load_all (OrmaSession *session,
          guint        n_rows)
{
  g_autoptr (OrmaQuery) query = orma_session_query (session, BENCH_TYPE_USER);
  g_autoptr (GError) error = NULL;
  GPtrArray *users = orma_query_all (query, &error);

  bench_orma_check (users != NULL, "query all", error);
  if (users->len != n_rows)
    bench_die ("orma: loaded %u rows, expected %u", users->len, n_rows);
  return users;
}

/* ------------------------------------------------------------ workloads */

/* The measured part of each workload is one function, kept out of line
 * so that a profiler (callgrind --toggle-collect=update_all, ...) can
 * look at exactly what is timed. */

/* The application holds its objects, as the raw side holds its keys;
 * releasing them is not part of the insert. */
static G_GNUC_NO_INLINE void
insert_all (OrmaSession *session,
            guint        n_rows,
            GPtrArray   *users)
{
  add_users (session, n_rows, users);
}

/* Loading includes releasing the objects, as on the raw side. */
static G_GNUC_NO_INLINE void
load_and_release (OrmaEngine *engine,
                  guint       n_rows)
{
  OrmaSession *session = orma_session_new (engine);

  g_ptr_array_unref (load_all (session, n_rows));
  g_object_unref (session);
}

/* Returns the objects so that releasing them stays out of the timing,
 * as on the raw side. */
static G_GNUC_NO_INLINE GPtrArray *
update_all (OrmaSession *session,
            guint        n_rows)
{
  GPtrArray *users = load_all (session, n_rows);
  g_autoptr (GError) error = NULL;
  char fullname[BENCH_FULLNAME_SIZE];

  for (guint i = 0; i < users->len; i++)
    {
      bench_updated_fullname (i, fullname, sizeof fullname);
      g_object_set (g_ptr_array_index (users, i), "fullname", fullname, NULL);
    }
  bench_orma_check (orma_session_commit (session, &error), "commit", error);
  return users;
}

static G_GNUC_NO_INLINE void
get_all (OrmaSession  *session,
         const gint64 *ids,
         guint         n_rows)
{
  GError *error = NULL;

  for (guint i = 0; i < n_rows; i++)
    {
      BenchUser *user = orma_session_get (session, BENCH_TYPE_USER, ids[i], &error);

      if (G_UNLIKELY (user == NULL))
        bench_orma_check (FALSE, "get", error);
      g_object_unref (user);
    }
}

static gint64
run_insert (OrmaEngine *engine,
            guint       n_rows)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GPtrArray) users = g_ptr_array_new_full (n_rows, g_object_unref);
  gint64 start, elapsed, last_id = 0;

  start = g_get_monotonic_time ();
  insert_all (session, n_rows, users);
  elapsed = g_get_monotonic_time () - start;

  g_object_get (g_ptr_array_index (users, n_rows - 1), "id", &last_id, NULL);
  if (last_id <= 0)
    bench_die ("orma: insert left no generated key");
  return elapsed;
}

static gint64
run_load (OrmaEngine *engine,
          guint       n_rows)
{
  gint64 start = g_get_monotonic_time ();

  load_and_release (engine, n_rows);
  return g_get_monotonic_time () - start;
}

static gint64
run_update (OrmaEngine *engine,
            guint       n_rows)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GPtrArray) users = NULL;
  gint64 start, elapsed;

  start = g_get_monotonic_time ();
  users = update_all (session, n_rows);
  elapsed = g_get_monotonic_time () - start;
  return elapsed;
}

static gint64
run_get (OrmaEngine *engine,
         guint       n_rows)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  /* Held for the whole loop: the identity map holds clean objects weakly. */
  g_autoptr (GPtrArray) users = load_all (session, n_rows);
  g_autofree gint64 *ids = bench_lookup_order (n_rows);
  gint64 start, elapsed;

  start = g_get_monotonic_time ();
  get_all (session, ids, n_rows);
  elapsed = g_get_monotonic_time () - start;
  return elapsed;
}

gint64
bench_orma_run (const BenchTarget *target,
                BenchWorkload      workload)
{
  gboolean relationships = workload >= BENCH_FIRST_REL_WORKLOAD;
  g_autoptr (OrmaEngine) engine = open_engine (target, relationships);

  if (relationships)
    return bench_orma_rel_run (engine, target, workload);
  if (workload != BENCH_WORKLOAD_INSERT)
    fill_table (engine, target->n_rows);

  switch (workload)
    {
    case BENCH_WORKLOAD_INSERT:
      return run_insert (engine, target->n_rows);
    case BENCH_WORKLOAD_LOAD:
      return run_load (engine, target->n_rows);
    case BENCH_WORKLOAD_UPDATE:
      return run_update (engine, target->n_rows);
    case BENCH_WORKLOAD_GET:
      return run_get (engine, target->n_rows);
    default:
      g_assert_not_reached ();
    }
}
