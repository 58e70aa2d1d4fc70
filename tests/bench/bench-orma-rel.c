/* bench-orma-rel.c: the Orma side of the relationship workloads.
 *
 * Written the way an application uses relationships: objects linked
 * through their collections, the session brings the related objects
 * along, loader options choose how a query loads a relationship. The
 * measured part of each workload is one out-of-line function whose name
 * the hand-written programs do not use, for callgrind --toggle-collect:
 * insert_with_children, load_with_children, insert_with_tags,
 * load_with_tags, delete_all_children. Checking the result afterwards,
 * with SQL of its own, is not timed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <orma/orma.h>

#include "bench.h"
#include "bench-models.h"

/* ---------------------------------------------------------------- helpers */

static BenchParent *
new_parent (guint index)
{
  char name[BENCH_NAME_SIZE];

  bench_parent_name (index, name);
  return g_object_new (BENCH_TYPE_PARENT, "name", name, NULL);
}

static BenchChild *
new_child (guint index)
{
  char name[BENCH_NAME_SIZE];

  bench_child_name (index, name);
  return g_object_new (BENCH_TYPE_CHILD, "name", name, NULL);
}

static BenchPost *
new_post (guint index)
{
  char title[BENCH_NAME_SIZE];

  bench_post_title (index, title);
  return g_object_new (BENCH_TYPE_POST, "title", title, NULL);
}

static BenchTag *
new_tag (guint index)
{
  char name[BENCH_NAME_SIZE];

  bench_tag_name (index, name);
  return g_object_new (BENCH_TYPE_TAG, "name", name, NULL);
}

/* The collection @name of @entity (transfer full). */
static OrmaCollection *
get_collection (gpointer    entity,
                const char *name)
{
  GError *error = NULL;
  OrmaCollection *collection = orma_entity_get_collection (ORMA_ENTITY (entity), name, &error);

  if (G_UNLIKELY (collection == NULL))
    bench_orma_check (FALSE, name, error);
  return collection;
}

static void
append (OrmaCollection *collection,
        gpointer        entity)
{
  GError *error = NULL;

  if (G_UNLIKELY (!orma_collection_append (collection, entity, &error)))
    bench_orma_check (FALSE, "append", error);
}

static gint64
get_id (gpointer entity)
{
  gint64 id = 0;

  g_object_get (entity, "id", &id, NULL);
  return id;
}

/* Untimed checks: the rows of @table (matching @where, nullable). */
static gint64
count_rows (OrmaEngine *engine,
            const char *table,
            const char *where)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaConnection) conn = orma_engine_connect (engine, &error);
  g_autoptr (OrmaRows) rows = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s%s%s", table,
                                          where != NULL ? " WHERE " : "",
                                          where != NULL ? where : "");

  bench_orma_check (conn != NULL, "connect", error);
  rows = orma_connection_query (conn, sql, NULL, 0, &error);
  bench_orma_check (rows != NULL, sql, error);
  bench_orma_check (orma_rows_next (rows, &error), sql, error);
  return orma_rows_get_int64 (rows, 0);
}

static void
expect_rows (OrmaEngine *engine,
             const char *table,
             const char *where,
             gint64      expected)
{
  gint64 count = count_rows (engine, table, where);

  if (count != expected)
    bench_die ("orma: %s%s%s has %" G_GINT64_FORMAT " rows, expected %" G_GINT64_FORMAT,
               table, where != NULL ? " where " : "", where != NULL ? where : "",
               count, expected);
}

/* ------------------------------------------------------- parents/children */

/* The parents with their children, as an application builds them: each
 * child appended to its parent's collection, each parent added to the
 * session (which brings the children along), one commit. The
 * application keeps its parents in @parents. */
static G_GNUC_NO_INLINE void
insert_with_children (OrmaSession *session,
                      guint        n_parents,
                      GPtrArray   *parents)
{
  g_autoptr (GError) error = NULL;

  for (guint p = 0; p < n_parents; p++)
    {
      BenchParent *parent = new_parent (p);
      g_autoptr (OrmaCollection) children = get_collection (parent, "children");

      for (guint k = 0; k < BENCH_CHILDREN_PER_PARENT; k++)
        {
          BenchChild *child = new_child (p * BENCH_CHILDREN_PER_PARENT + k);

          append (children, child);
          g_object_unref (child);
        }
      orma_session_add (session, ORMA_ENTITY (parent));
      g_ptr_array_add (parents, parent);
    }
  bench_orma_check (orma_session_commit (session, &error), "commit", error);
}

/* Untimed setup of the workloads that read children: the rows written
 * column by column, without the relationship, so that the setup does
 * not depend on what is measured. */
static void
fill_parents_children (OrmaEngine *engine,
                       guint       n_parents)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GPtrArray) parents = g_ptr_array_new_full (n_parents, g_object_unref);
  g_autoptr (GError) error = NULL;

  for (guint p = 0; p < n_parents; p++)
    {
      BenchParent *parent = new_parent (p);

      orma_session_add (session, ORMA_ENTITY (parent));
      g_ptr_array_add (parents, parent);
    }
  /* A flush, not a commit: the keys are read without reloading expired
   * parents. */
  bench_orma_check (orma_session_flush (session, &error), "flush parents", error);

  for (guint c = 0; c < n_parents * BENCH_CHILDREN_PER_PARENT; c++)
    {
      g_autoptr (BenchChild) child = new_child (c);

      g_object_set (child, "parent-id",
                    get_id (g_ptr_array_index (parents, c / BENCH_CHILDREN_PER_PARENT)), NULL);
      orma_session_add (session, ORMA_ENTITY (child));
    }
  bench_orma_check (orma_session_commit (session, &error), "commit", error);
}

/* Loads the parents with their children (@strategy), visits every
 * child through its parent's collection and releases everything, as
 * the raw side does with its structs. */
static G_GNUC_NO_INLINE void
load_with_children (OrmaEngine       *engine,
                    guint             n_parents,
                    OrmaLoadStrategy  strategy)
{
  OrmaSession *session = orma_session_new (engine);
  OrmaQuery *query = orma_session_query (session, BENCH_TYPE_PARENT);
  g_autoptr (GError) error = NULL;
  GPtrArray *parents;
  guint seen = 0;

  orma_query_load (query, "children", strategy);
  parents = orma_query_all (query, &error);
  bench_orma_check (parents != NULL, "query parents", error);
  if (parents->len != n_parents)
    bench_die ("orma: loaded %u parents, expected %u", parents->len, n_parents);

  for (guint i = 0; i < parents->len; i++)
    {
      g_autoptr (OrmaCollection) children = get_collection (g_ptr_array_index (parents, i),
                                                             "children");
      guint n;

      /* A collection left unloaded would be loaded here, one query per
       * parent: that is not the workload. */
      if (G_UNLIKELY (!orma_collection_is_loaded (children)))
        bench_die ("orma: the eager load left a collection unloaded");
      n = orma_collection_get_size (children);
      for (guint j = 0; j < n; j++)
        {
          if (G_UNLIKELY (orma_collection_get (children, j) == NULL))
            bench_die ("orma: a NULL child");
          seen++;
        }
    }
  if (seen != n_parents * BENCH_CHILDREN_PER_PARENT)
    bench_die ("orma: visited %u children, expected %u",
               seen, n_parents * BENCH_CHILDREN_PER_PARENT);

  g_ptr_array_unref (parents);
  g_object_unref (query);
  g_object_unref (session);
}

/* Loads every child and deletes each through the session; one commit.
 * Returns the objects so that releasing them stays out of the timing,
 * as on the raw side. */
static G_GNUC_NO_INLINE GPtrArray *
delete_all_children (OrmaSession *session,
                     guint        n_children)
{
  g_autoptr (OrmaQuery) query = orma_session_query (session, BENCH_TYPE_CHILD);
  g_autoptr (GError) error = NULL;
  GPtrArray *children = orma_query_all (query, &error);

  bench_orma_check (children != NULL, "query children", error);
  if (children->len != n_children)
    bench_die ("orma: loaded %u children, expected %u", children->len, n_children);
  for (guint i = 0; i < children->len; i++)
    bench_orma_check (orma_session_delete (session, g_ptr_array_index (children, i), &error),
                      "delete", error);
  bench_orma_check (orma_session_commit (session, &error), "commit", error);
  return children;
}

/* ------------------------------------------------------------ posts/tags */

/* Posts with their tags: the tags shared from a pool (added to the
 * session first), appended to each post's collection; one commit.
 * The application keeps its objects in @keep. */
static G_GNUC_NO_INLINE void
insert_with_tags (OrmaSession *session,
                  guint        n_posts,
                  GPtrArray   *keep)
{
  BenchTag *tags[BENCH_N_TAGS];
  g_autoptr (GError) error = NULL;

  /* The whole pool is added, used or not, as the raw side inserts it. */
  for (guint t = 0; t < BENCH_N_TAGS; t++)
    {
      tags[t] = new_tag (t);
      orma_session_add (session, ORMA_ENTITY (tags[t]));
      g_ptr_array_add (keep, tags[t]);
    }
  for (guint p = 0; p < n_posts; p++)
    {
      BenchPost *post = new_post (p);
      g_autoptr (OrmaCollection) post_tags = get_collection (post, "tags");

      for (guint slot = 0; slot < BENCH_TAGS_PER_POST; slot++)
        append (post_tags, tags[bench_post_tag (p, slot)]);
      orma_session_add (session, ORMA_ENTITY (post));
      g_ptr_array_add (keep, post);
    }
  bench_orma_check (orma_session_commit (session, &error), "commit", error);
}

static G_GNUC_NO_INLINE void
load_with_tags (OrmaEngine *engine,
                guint       n_posts)
{
  OrmaSession *session = orma_session_new (engine);
  OrmaQuery *query = orma_session_query (session, BENCH_TYPE_POST);
  g_autoptr (GError) error = NULL;
  GPtrArray *posts;
  guint seen = 0;

  orma_query_load (query, "tags", ORMA_LOAD_SELECTIN);
  posts = orma_query_all (query, &error);
  bench_orma_check (posts != NULL, "query posts", error);
  if (posts->len != n_posts)
    bench_die ("orma: loaded %u posts, expected %u", posts->len, n_posts);

  for (guint i = 0; i < posts->len; i++)
    {
      g_autoptr (OrmaCollection) tags = get_collection (g_ptr_array_index (posts, i), "tags");
      guint n;

      if (G_UNLIKELY (!orma_collection_is_loaded (tags)))
        bench_die ("orma: the selectin load left a collection unloaded");
      n = orma_collection_get_size (tags);
      for (guint j = 0; j < n; j++)
        {
          if (G_UNLIKELY (orma_collection_get (tags, j) == NULL))
            bench_die ("orma: a NULL tag");
          seen++;
        }
    }
  if (seen != n_posts * BENCH_TAGS_PER_POST)
    bench_die ("orma: visited %u tags of posts, expected %u", seen, n_posts * BENCH_TAGS_PER_POST);

  g_ptr_array_unref (posts);
  g_object_unref (query);
  g_object_unref (session);
}

/* ------------------------------------------------------------- workloads */

static gint64
run_children (OrmaEngine *engine,
              guint       n_parents)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GPtrArray) parents = g_ptr_array_new_full (n_parents, g_object_unref);
  guint n_children = n_parents * BENCH_CHILDREN_PER_PARENT;
  gint64 start, elapsed;

  start = g_get_monotonic_time ();
  insert_with_children (session, n_parents, parents);
  elapsed = g_get_monotonic_time () - start;

  /* Every child row points at its parent's row. */
  expect_rows (engine, "parents", NULL, n_parents);
  expect_rows (engine, "children", "parent_id IN (SELECT id FROM parents)", n_children);
  return elapsed;
}

static gint64
run_load (OrmaEngine       *engine,
          guint             n_parents,
          OrmaLoadStrategy  strategy)
{
  gint64 start;

  fill_parents_children (engine, n_parents);
  start = g_get_monotonic_time ();
  load_with_children (engine, n_parents, strategy);
  return g_get_monotonic_time () - start;
}

static gint64
run_m2m_insert (OrmaEngine *engine,
                guint       n_posts)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GPtrArray) keep = g_ptr_array_new_full (n_posts + BENCH_N_TAGS, g_object_unref);
  gint64 start, elapsed;

  start = g_get_monotonic_time ();
  insert_with_tags (session, n_posts, keep);
  elapsed = g_get_monotonic_time () - start;

  expect_rows (engine, "tags", NULL, BENCH_N_TAGS);
  expect_rows (engine, "posts", NULL, n_posts);
  expect_rows (engine, "post_tags", NULL, (gint64) n_posts * BENCH_TAGS_PER_POST);
  return elapsed;
}

static gint64
run_m2m_load (OrmaEngine *engine,
              guint       n_posts)
{
  gint64 start;

  /* The setup is the insert workload, untimed. */
  {
    g_autoptr (OrmaSession) session = orma_session_new (engine);
    g_autoptr (GPtrArray) keep = g_ptr_array_new_full (n_posts + BENCH_N_TAGS, g_object_unref);

    insert_with_tags (session, n_posts, keep);
  }
  start = g_get_monotonic_time ();
  load_with_tags (engine, n_posts);
  return g_get_monotonic_time () - start;
}

static gint64
run_delete (OrmaEngine *engine,
            guint       n_parents)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GPtrArray) children = NULL;
  gint64 start, elapsed;

  fill_parents_children (engine, n_parents);
  start = g_get_monotonic_time ();
  children = delete_all_children (session, n_parents * BENCH_CHILDREN_PER_PARENT);
  elapsed = g_get_monotonic_time () - start;

  expect_rows (engine, "children", NULL, 0);
  return elapsed;
}

gint64
bench_orma_rel_run (OrmaEngine        *engine,
                    const BenchTarget *target,
                    BenchWorkload      workload)
{
  guint n_parents = bench_n_parents (target);

  switch (workload)
    {
    case BENCH_WORKLOAD_CHILDREN:
      return run_children (engine, n_parents);
    case BENCH_WORKLOAD_SELECTIN:
      return run_load (engine, n_parents, ORMA_LOAD_SELECTIN);
    case BENCH_WORKLOAD_JOINED:
      return run_load (engine, n_parents, ORMA_LOAD_JOINED);
    case BENCH_WORKLOAD_M2M_INSERT:
      return run_m2m_insert (engine, n_parents);
    case BENCH_WORKLOAD_M2M_LOAD:
      return run_m2m_load (engine, n_parents);
    case BENCH_WORKLOAD_DELETE:
      return run_delete (engine, n_parents);
    default:
      g_assert_not_reached ();
    }
}
