/* bench-models.h: the mapped classes the benchmark measures.
 *
 * One table of four columns, the shape of the reference numbers in
 * DESIGN.md: users (id generated, name NOT NULL, fullname, password).
 *
 * The relationship workloads use two more pairs:
 *
 *   parents (id, name NOT NULL)
 *     "children": BenchChild, back-populates "parent"
 *   children (id, parent_id NOT NULL -> parents.id, indexed; name NOT NULL)
 *     "parent": BenchParent, back-populates "children"
 *
 *   posts (id, title NOT NULL)
 *     "tags": BenchTag, secondary "post_tags", back-populates "posts"
 *   tags (id, name NOT NULL UNIQUE)
 *     "posts": BenchPost, secondary "post_tags", back-populates "tags"
 *   post_tags (post_id -> posts.id, tag_id -> tags.id, primary key both),
 *     a table without a class
 *
 * It also declares what the files of the Orma side share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <orma/orma.h>

#include "bench.h"

G_BEGIN_DECLS

#define BENCH_TYPE_USER (bench_user_get_type ())
G_DECLARE_FINAL_TYPE (BenchUser, bench_user, BENCH, USER, OrmaEntity)

#define BENCH_TYPE_PARENT (bench_parent_get_type ())
G_DECLARE_FINAL_TYPE (BenchParent, bench_parent, BENCH, PARENT, OrmaEntity)
#define BENCH_TYPE_CHILD (bench_child_get_type ())
G_DECLARE_FINAL_TYPE (BenchChild, bench_child, BENCH, CHILD, OrmaEntity)

#define BENCH_TYPE_POST (bench_post_get_type ())
G_DECLARE_FINAL_TYPE (BenchPost, bench_post, BENCH, POST, OrmaEntity)
#define BENCH_TYPE_TAG (bench_tag_get_type ())
G_DECLARE_FINAL_TYPE (BenchTag, bench_tag, BENCH, TAG, OrmaEntity)

/* Initializes the classes, adds the post_tags table and configures the
 * default registry. A class whose mapping is invalid is left out (and
 * reported in @error); the others are usable, so the workloads of the
 * users table do not depend on the relationship classes. */
gboolean bench_models_ensure (GError **error);

/* What the Orma side's files share. */

/* Dies with @error's message unless @ok. */
void     bench_orma_check    (gboolean           ok,
                              const char        *what,
                              GError            *error);
/* bench-orma-rel.c: runs a relationship workload on @engine, whose
 * tables are empty, and returns the time of the measured part. */
gint64   bench_orma_rel_run  (OrmaEngine        *engine,
                              const BenchTarget *target,
                              BenchWorkload      workload);

G_END_DECLS
