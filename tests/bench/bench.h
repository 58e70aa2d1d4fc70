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
  /* relationships (bench-orma-rel.c on the Orma side) */
  BENCH_WORKLOAD_CHILDREN,
  BENCH_WORKLOAD_SELECTIN,
  BENCH_WORKLOAD_JOINED,
  BENCH_WORKLOAD_M2M_INSERT,
  BENCH_WORKLOAD_M2M_LOAD,
  BENCH_WORKLOAD_DELETE,
  BENCH_N_WORKLOADS
} BenchWorkload;

#define BENCH_FIRST_REL_WORKLOAD BENCH_WORKLOAD_CHILDREN

/* Where one run happens. */
typedef struct
{
  BenchBackend  backend;
  /* SQLite file: the database file, absent before the run and removed by
   * the caller after it. PostgreSQL: the server URL. Memory: NULL. */
  const char   *location;
  guint         n_rows;
  /* Orma prints its statements (--echo): for seeing what a workload
   * does, never for timing it. */
  gboolean      echo;
} BenchTarget;

/* The sizes of the relationship workloads, from n_rows (100,000 by
 * default): n_rows / 10 parents with 10 children each; as many posts as
 * parents, each with 3 tags from a pool of 100. */
#define BENCH_CHILDREN_PER_PARENT 10
#define BENCH_TAGS_PER_POST       3
#define BENCH_N_TAGS              100
/* The IN list of one selectin chunk on the hand-written side: the size
 * Orma's selectin loader uses (see it with --echo). */
#define BENCH_SELECTIN_CHUNK      500

guint     bench_n_parents       (const BenchTarget *target);
/* The tag (0-based, < BENCH_N_TAGS) in slot @slot of post @post: the 3
 * tags of a post are distinct. */
guint     bench_post_tag        (guint          post,
                                 guint          slot);
/* Names and titles of the relationship rows, the same on every side. */
#define BENCH_NAME_SIZE 32
void      bench_parent_name     (guint          index,
                                 char          *buffer);
void      bench_child_name      (guint          index,
                                 char          *buffer);
void      bench_post_title      (guint          index,
                                 char          *buffer);
void      bench_tag_name        (guint          index,
                                 char          *buffer);

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

/* The relationship rows as the hand-written programs keep them
 * (bench-raw-rel.c): structs linked the way the objects are, a parent
 * owning its children and each child pointing back to its parent. */
typedef struct _RawParent RawParent;

typedef struct
{
  gint64     id;
  gint64     parent_id;
  char      *name;
  RawParent *parent;
} RawChild;

struct _RawParent
{
  gint64     id;
  char      *name;
  GPtrArray *children;   /* RawChild*, owned */
};

typedef struct
{
  gint64  id;
  char   *name;
} RawTag;

typedef struct
{
  gint64     id;
  char      *title;
  GPtrArray *tags;       /* RawTag*, borrowed from the RawTags */
} RawPost;

/* Loaded parents and, by key, the way an application finds the parent
 * of a child row (the equivalent of the identity map). */
typedef struct
{
  GPtrArray  *parents;   /* RawParent*, in the order loaded */
  GHashTable *by_id;     /* &id -> RawParent* */
} RawParents;

RawParents *bench_raw_parents_new      (guint          n_parents);
/* Takes @name. */
RawParent  *bench_raw_parents_add      (RawParents    *parents,
                                        gint64         id,
                                        char          *name);
RawParent  *bench_raw_parents_lookup   (RawParents    *parents,
                                        gint64         id);
/* A child row: appended to its parent's children (takes @name). */
void        bench_raw_parents_add_child(RawParents    *parents,
                                        gint64         id,
                                        gint64         parent_id,
                                        char          *name);
/* Visits every child of every parent, as the Orma side iterates every
 * collection; dies unless there are @n_children in all. */
void        bench_raw_parents_touch    (RawParents    *parents,
                                        guint          n_children);
void        bench_raw_parents_free     (RawParents    *parents);

/* Children loaded on their own (parent NULL): a GPtrArray that frees
 * them; add takes @name. */
GPtrArray  *bench_raw_children_new     (guint          n_children);
void        bench_raw_children_add     (GPtrArray     *children,
                                        gint64         id,
                                        gint64         parent_id,
                                        char          *name);

/* Loaded posts and the tags they share: one RawTag per tag row, however
 * many posts have it (the equivalent of the identity map). */
typedef struct
{
  GPtrArray  *posts;     /* RawPost*, in the order loaded */
  GHashTable *posts_by_id;
  GHashTable *tags_by_id;/* &id -> RawTag*, owned */
} RawPosts;

RawPosts   *bench_raw_posts_new        (guint          n_posts);
/* Takes @title. */
void        bench_raw_posts_add        (RawPosts      *posts,
                                        gint64         id,
                                        char          *title);
/* A row of the tags of a post: the tag is made the first time it is
 * seen (@name is only read then). */
void        bench_raw_posts_add_tag    (RawPosts      *posts,
                                        gint64         post_id,
                                        gint64         tag_id,
                                        const char    *name);
void        bench_raw_posts_touch      (RawPosts      *posts,
                                        guint          n_tags);
void        bench_raw_posts_free       (RawPosts      *posts);

/* "@prefix IN (?, ?, ...)" with @n_values places ("$1, $2, ..." when
 * @numbered): the statement of a selectin chunk. */
char       *bench_raw_in_list_sql      (const char    *prefix,
                                        guint          n_values,
                                        gboolean       numbered);

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
