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

/* The DDL Orma's registry emits for the mapped classes (bench-models.h);
 * every run creates every table, as create_all does on the Orma side. */
static const char *const create_tables[] = {
  "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, "
  "fullname TEXT, password TEXT)",
  "CREATE TABLE parents (id INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL)",
  "CREATE TABLE children (id INTEGER NOT NULL PRIMARY KEY, parent_id BIGINT NOT NULL, "
  "name TEXT NOT NULL, FOREIGN KEY (parent_id) REFERENCES parents (id))",
  "CREATE INDEX ix_children_parent_id ON children (parent_id)",
  "CREATE TABLE posts (id INTEGER NOT NULL PRIMARY KEY, title TEXT NOT NULL)",
  "CREATE TABLE tags (id INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
  "CREATE TABLE post_tags (post_id BIGINT NOT NULL, tag_id BIGINT NOT NULL, "
  "PRIMARY KEY (post_id, tag_id), FOREIGN KEY (post_id) REFERENCES posts (id), "
  "FOREIGN KEY (tag_id) REFERENCES tags (id))",
};

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

/* A new database with empty tables. */
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
  for (guint i = 0; i < G_N_ELEMENTS (create_tables); i++)
    exec_sql (db, create_tables[i]);
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

/* ------------------------------------------------------ relationships */

/* Steps an INSERT already bound and returns the generated key. */
static gint64
step_insert (sqlite3      *db,
             sqlite3_stmt *stmt,
             const char   *what)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    die_db (db, what);
  sqlite3_reset (stmt);
  return sqlite3_last_insert_rowid (db);
}

/* What Orma's flush does for parents with their children: the parents'
 * INSERTs, then the children's with each parent's generated key; one
 * transaction. The keys of both come back, as they do into the
 * objects. */
static void
insert_parents_children (sqlite3 *db,
                         guint    n_parents,
                         gint64  *parent_ids,
                         gint64  *child_ids)
{
  sqlite3_stmt *stmt;
  char name[BENCH_NAME_SIZE];

  exec_sql (db, "BEGIN");
  stmt = prepare (db, "INSERT INTO parents (name) VALUES (?)");
  for (guint p = 0; p < n_parents; p++)
    {
      bench_parent_name (p, name);
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      parent_ids[p] = step_insert (db, stmt, "insert parent");
    }
  sqlite3_finalize (stmt);

  stmt = prepare (db, "INSERT INTO children (parent_id, name) VALUES (?, ?)");
  for (guint c = 0; c < n_parents * BENCH_CHILDREN_PER_PARENT; c++)
    {
      bench_child_name (c, name);
      sqlite3_bind_int64 (stmt, 1, parent_ids[c / BENCH_CHILDREN_PER_PARENT]);
      sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
      child_ids[c] = step_insert (db, stmt, "insert child");
    }
  sqlite3_finalize (stmt);
  exec_sql (db, "COMMIT");
}

/* Every parent row into a RawParent (with no children yet). */
static RawParents *
load_parents (sqlite3 *db,
              guint    n_parents)
{
  RawParents *parents = bench_raw_parents_new (n_parents);
  sqlite3_stmt *stmt = prepare (db, "SELECT id, name FROM parents");
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    bench_raw_parents_add (parents, sqlite3_column_int64 (stmt, 0), column_strdup (stmt, 1));
  if (rc != SQLITE_DONE)
    die_db (db, "select parents");
  sqlite3_finalize (stmt);
  if (parents->parents->len != n_parents)
    bench_die ("sqlite3: loaded %u parents, expected %u", parents->parents->len, n_parents);
  return parents;
}

/* Binds the keys of @ids[first..] to the places of a chunk statement;
 * the last chunk repeats its last key in the places left (IN does not
 * mind), so one prepared statement serves every chunk. */
static void
bind_chunk (sqlite3_stmt *stmt,
            const gint64 *ids,
            guint         n_ids,
            guint         first)
{
  for (guint i = 0; i < BENCH_SELECTIN_CHUNK; i++)
    sqlite3_bind_int64 (stmt, (int) i + 1, ids[MIN (first + i, n_ids - 1)]);
}

static gint64 *
parent_keys (RawParents *parents)
{
  gint64 *ids = g_new (gint64, parents->parents->len);

  for (guint i = 0; i < parents->parents->len; i++)
    ids[i] = ((RawParent *) g_ptr_array_index (parents->parents, i))->id;
  return ids;
}

/* selectin: the parents, then their children in chunks of parents (IN
 * over their keys), each child put under its parent. */
static RawParents *
load_selectin (sqlite3 *db,
               guint    n_parents)
{
  RawParents *parents = load_parents (db, n_parents);
  g_autofree gint64 *ids = parent_keys (parents);
  g_autofree char *sql = bench_raw_in_list_sql ("SELECT id, parent_id, name FROM children "
                                                "WHERE parent_id", BENCH_SELECTIN_CHUNK, FALSE);
  sqlite3_stmt *stmt = prepare (db, sql);

  for (guint first = 0; first < n_parents; first += BENCH_SELECTIN_CHUNK)
    {
      int rc;

      bind_chunk (stmt, ids, n_parents, first);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        bench_raw_parents_add_child (parents, sqlite3_column_int64 (stmt, 0),
                                     sqlite3_column_int64 (stmt, 1), column_strdup (stmt, 2));
      if (rc != SQLITE_DONE)
        die_db (db, "select children");
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  return parents;
}

/* joined: one LEFT OUTER JOIN; a parent's row comes once per child, so
 * the parent is made the first time its key is seen. */
static RawParents *
load_joined (sqlite3 *db,
             guint    n_parents)
{
  RawParents *parents = bench_raw_parents_new (n_parents);
  sqlite3_stmt *stmt = prepare (db,
                                "SELECT parents.id, parents.name, children_1.id, "
                                "children_1.parent_id, children_1.name FROM parents "
                                "LEFT OUTER JOIN children AS children_1 "
                                "ON parents.id = children_1.parent_id");
  RawParent *last = NULL;
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      /* A parent's rows usually come together: the hash table is only
       * asked when the parent changes. */
      if (last == NULL || last->id != id)
        {
          last = bench_raw_parents_lookup (parents, id);
          if (last == NULL)
            last = bench_raw_parents_add (parents, id, column_strdup (stmt, 1));
        }
      if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
        bench_raw_parents_add_child (parents, sqlite3_column_int64 (stmt, 2),
                                     sqlite3_column_int64 (stmt, 3), column_strdup (stmt, 4));
    }
  if (rc != SQLITE_DONE)
    die_db (db, "select joined");
  sqlite3_finalize (stmt);
  if (parents->parents->len != n_parents)
    bench_die ("sqlite3: loaded %u parents, expected %u", parents->parents->len, n_parents);
  return parents;
}

/* What Orma's flush does for posts with tags: the tags' and the posts'
 * INSERTs, then the secondary rows; one transaction. */
static void
insert_posts_tags (sqlite3 *db,
                   guint    n_posts,
                   gint64  *post_ids)
{
  gint64 tag_ids[BENCH_N_TAGS];
  sqlite3_stmt *stmt;
  char text[BENCH_NAME_SIZE];

  exec_sql (db, "BEGIN");
  stmt = prepare (db, "INSERT INTO tags (name) VALUES (?)");
  for (guint t = 0; t < BENCH_N_TAGS; t++)
    {
      bench_tag_name (t, text);
      sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
      tag_ids[t] = step_insert (db, stmt, "insert tag");
    }
  sqlite3_finalize (stmt);

  stmt = prepare (db, "INSERT INTO posts (title) VALUES (?)");
  for (guint p = 0; p < n_posts; p++)
    {
      bench_post_title (p, text);
      sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
      post_ids[p] = step_insert (db, stmt, "insert post");
    }
  sqlite3_finalize (stmt);

  stmt = prepare (db, "INSERT INTO post_tags (post_id, tag_id) VALUES (?, ?)");
  for (guint p = 0; p < n_posts; p++)
    for (guint slot = 0; slot < BENCH_TAGS_PER_POST; slot++)
      {
        sqlite3_bind_int64 (stmt, 1, post_ids[p]);
        sqlite3_bind_int64 (stmt, 2, tag_ids[bench_post_tag (p, slot)]);
        step_insert (db, stmt, "insert post_tags");
      }
  sqlite3_finalize (stmt);
  exec_sql (db, "COMMIT");
}

/* The posts, then their tags through the secondary table in chunks of
 * posts (selectin). */
static RawPosts *
load_posts_tags (sqlite3 *db,
                 guint    n_posts)
{
  RawPosts *posts = bench_raw_posts_new (n_posts);
  g_autofree gint64 *ids = g_new (gint64, n_posts);
  g_autofree char *sql = bench_raw_in_list_sql ("SELECT post_tags.post_id, tags.id, tags.name "
                                                "FROM tags JOIN post_tags "
                                                "ON tags.id = post_tags.tag_id "
                                                "WHERE post_tags.post_id",
                                                BENCH_SELECTIN_CHUNK, FALSE);
  sqlite3_stmt *stmt = prepare (db, "SELECT id, title FROM posts");
  guint n = 0;
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (n == n_posts)
        bench_die ("sqlite3: more posts than %u", n_posts);
      ids[n++] = sqlite3_column_int64 (stmt, 0);
      bench_raw_posts_add (posts, ids[n - 1], column_strdup (stmt, 1));
    }
  if (rc != SQLITE_DONE)
    die_db (db, "select posts");
  sqlite3_finalize (stmt);
  if (n != n_posts)
    bench_die ("sqlite3: loaded %u posts, expected %u", n, n_posts);

  stmt = prepare (db, sql);
  for (guint first = 0; first < n_posts; first += BENCH_SELECTIN_CHUNK)
    {
      bind_chunk (stmt, ids, n_posts, first);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        bench_raw_posts_add_tag (posts, sqlite3_column_int64 (stmt, 0),
                                 sqlite3_column_int64 (stmt, 1),
                                 (const char *) sqlite3_column_text (stmt, 2));
      if (rc != SQLITE_DONE)
        die_db (db, "select tags");
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  return posts;
}

static GPtrArray *
load_children (sqlite3 *db,
               guint    n_children)
{
  GPtrArray *children = bench_raw_children_new (n_children);
  sqlite3_stmt *stmt = prepare (db, "SELECT id, parent_id, name FROM children");
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    bench_raw_children_add (children, sqlite3_column_int64 (stmt, 0),
                            sqlite3_column_int64 (stmt, 1), column_strdup (stmt, 2));
  if (rc != SQLITE_DONE)
    die_db (db, "select children");
  sqlite3_finalize (stmt);
  if (children->len != n_children)
    bench_die ("sqlite3: loaded %u children, expected %u", children->len, n_children);
  return children;
}

/* Orma's flush deletes rows of one table with one prepared
 * "DELETE FROM t WHERE id = ?" stepped once per row; so does this. */
static void
delete_children (sqlite3   *db,
                 GPtrArray *children)
{
  sqlite3_stmt *stmt = prepare (db, "DELETE FROM children WHERE id = ?");

  for (guint i = 0; i < children->len; i++)
    {
      sqlite3_bind_int64 (stmt, 1, ((RawChild *) g_ptr_array_index (children, i))->id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        die_db (db, "delete");
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
}

/* -------------------------------------------- relationship workloads */

static void
fill_parents_children (sqlite3 *db,
                       guint    n_parents)
{
  g_autofree gint64 *parent_ids = g_new (gint64, n_parents);
  g_autofree gint64 *child_ids = g_new (gint64, n_parents * BENCH_CHILDREN_PER_PARENT);

  insert_parents_children (db, n_parents, parent_ids, child_ids);
}

static void
fill_posts_tags (sqlite3 *db,
                 guint    n_posts)
{
  g_autofree gint64 *post_ids = g_new (gint64, n_posts);

  insert_posts_tags (db, n_posts, post_ids);
}

static gint64
run_children (sqlite3 *db,
              guint    n_parents)
{
  guint n_children = n_parents * BENCH_CHILDREN_PER_PARENT;
  g_autofree gint64 *parent_ids = g_new (gint64, n_parents);
  g_autofree gint64 *child_ids = g_new (gint64, n_children);
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  insert_parents_children (db, n_parents, parent_ids, child_ids);
  elapsed = g_get_monotonic_time () - start;

  if (child_ids[n_children - 1] != (gint64) n_children)
    bench_die ("raw: the last child key is %" G_GINT64_FORMAT, child_ids[n_children - 1]);
  return elapsed;
}

/* Loading includes visiting every child and releasing the structs, as
 * on the Orma side. */
static gint64
run_load_children (sqlite3  *db,
                   guint     n_parents,
                   gboolean  joined)
{
  gint64 start = g_get_monotonic_time ();
  RawParents *parents = joined ? load_joined (db, n_parents) : load_selectin (db, n_parents);

  bench_raw_parents_touch (parents, n_parents * BENCH_CHILDREN_PER_PARENT);
  bench_raw_parents_free (parents);
  return g_get_monotonic_time () - start;
}

static gint64
run_m2m_insert (sqlite3 *db,
                guint    n_posts)
{
  g_autofree gint64 *post_ids = g_new (gint64, n_posts);
  gint64 start = g_get_monotonic_time ();

  insert_posts_tags (db, n_posts, post_ids);
  return g_get_monotonic_time () - start;
}

static gint64
run_m2m_load (sqlite3 *db,
              guint    n_posts)
{
  gint64 start = g_get_monotonic_time ();
  RawPosts *posts = load_posts_tags (db, n_posts);

  bench_raw_posts_touch (posts, n_posts * BENCH_TAGS_PER_POST);
  bench_raw_posts_free (posts);
  return g_get_monotonic_time () - start;
}

/* One transaction around the read and the deletes, as a session has;
 * the structs are released afterwards, as the Orma side's objects. */
static gint64
run_delete (sqlite3 *db,
            guint    n_parents)
{
  gint64 start = g_get_monotonic_time ();
  GPtrArray *children;
  gint64 elapsed;

  exec_sql (db, "BEGIN");
  children = load_children (db, n_parents * BENCH_CHILDREN_PER_PARENT);
  delete_children (db, children);
  exec_sql (db, "COMMIT");
  elapsed = g_get_monotonic_time () - start;

  g_ptr_array_unref (children);
  return elapsed;
}

/* The relationship workloads: setup, then the timed part. */
static gint64
run_relationship (sqlite3           *db,
                  const BenchTarget *target,
                  BenchWorkload      workload)
{
  guint n_parents = bench_n_parents (target);

  switch (workload)
    {
    case BENCH_WORKLOAD_CHILDREN:
      return run_children (db, n_parents);
    case BENCH_WORKLOAD_SELECTIN:
    case BENCH_WORKLOAD_JOINED:
      fill_parents_children (db, n_parents);
      return run_load_children (db, n_parents, workload == BENCH_WORKLOAD_JOINED);
    case BENCH_WORKLOAD_M2M_INSERT:
      return run_m2m_insert (db, n_parents);
    case BENCH_WORKLOAD_M2M_LOAD:
      fill_posts_tags (db, n_parents);
      return run_m2m_load (db, n_parents);
    case BENCH_WORKLOAD_DELETE:
      fill_parents_children (db, n_parents);
      return run_delete (db, n_parents);
    default:
      g_assert_not_reached ();
    }
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

  if (workload >= BENCH_FIRST_REL_WORKLOAD)
    {
      elapsed = run_relationship (db, target, workload);
      sqlite3_close (db);
      return elapsed;
    }
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
