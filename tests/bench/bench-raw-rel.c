/* bench-raw-rel.c: what the hand-written programs share once rows of
 * related tables are in memory: structs linked the way Orma links its
 * objects, the lookups by key that put a child row under its parent
 * (Orma's identity map does that work), visiting every child, freeing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "bench.h"

/* ------------------------------------------------------ parents/children */

static void
raw_child_free (gpointer data)
{
  RawChild *child = data;

  g_free (child->name);
  g_free (child);
}

static void
raw_parent_free (gpointer data)
{
  RawParent *parent = data;

  g_ptr_array_unref (parent->children);
  g_free (parent->name);
  g_free (parent);
}

RawParents *
bench_raw_parents_new (guint n_parents)
{
  RawParents *parents = g_new (RawParents, 1);

  parents->parents = g_ptr_array_new_full (n_parents, raw_parent_free);
  parents->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  return parents;
}

RawParent *
bench_raw_parents_add (RawParents *parents,
                       gint64      id,
                       char       *name)
{
  RawParent *parent = g_new (RawParent, 1);

  parent->id = id;
  parent->name = name;
  parent->children = g_ptr_array_new_with_free_func (raw_child_free);
  g_ptr_array_add (parents->parents, parent);
  g_hash_table_insert (parents->by_id, &parent->id, parent);
  return parent;
}

RawParent *
bench_raw_parents_lookup (RawParents *parents,
                          gint64      id)
{
  return g_hash_table_lookup (parents->by_id, &id);
}

void
bench_raw_parents_add_child (RawParents *parents,
                             gint64      id,
                             gint64      parent_id,
                             char       *name)
{
  RawParent *parent = bench_raw_parents_lookup (parents, parent_id);
  RawChild *child;

  if (G_UNLIKELY (parent == NULL))
    bench_die ("raw: child %" G_GINT64_FORMAT " of unknown parent %" G_GINT64_FORMAT,
               id, parent_id);
  child = g_new (RawChild, 1);
  child->id = id;
  child->parent_id = parent_id;
  child->name = name;
  child->parent = parent;
  g_ptr_array_add (parent->children, child);
}

void
bench_raw_parents_touch (RawParents *parents,
                         guint       n_children)
{
  guint seen = 0;

  for (guint i = 0; i < parents->parents->len; i++)
    {
      RawParent *parent = g_ptr_array_index (parents->parents, i);

      for (guint j = 0; j < parent->children->len; j++)
        {
          RawChild *child = g_ptr_array_index (parent->children, j);

          /* The Orma side reads each member; read something of each
           * child here too. */
          if (G_UNLIKELY (child->parent != parent))
            bench_die ("raw: child %" G_GINT64_FORMAT " under the wrong parent", child->id);
          seen++;
        }
    }
  if (seen != n_children)
    bench_die ("raw: visited %u children, expected %u", seen, n_children);
}

void
bench_raw_parents_free (RawParents *parents)
{
  g_hash_table_unref (parents->by_id);
  g_ptr_array_unref (parents->parents);
  g_free (parents);
}

/* Children loaded without their parents (the delete workload). */
GPtrArray *
bench_raw_children_new (guint n_children)
{
  return g_ptr_array_new_full (n_children, raw_child_free);
}

void
bench_raw_children_add (GPtrArray *children,
                        gint64     id,
                        gint64     parent_id,
                        char      *name)
{
  RawChild *child = g_new (RawChild, 1);

  child->id = id;
  child->parent_id = parent_id;
  child->name = name;
  child->parent = NULL;
  g_ptr_array_add (children, child);
}

/* ------------------------------------------------------------ posts/tags */

static void
raw_post_free (gpointer data)
{
  RawPost *post = data;

  g_ptr_array_unref (post->tags);
  g_free (post->title);
  g_free (post);
}

static void
raw_tag_free (gpointer data)
{
  RawTag *tag = data;

  g_free (tag->name);
  g_free (tag);
}

RawPosts *
bench_raw_posts_new (guint n_posts)
{
  RawPosts *posts = g_new (RawPosts, 1);

  posts->posts = g_ptr_array_new_full (n_posts, raw_post_free);
  posts->posts_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  posts->tags_by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, raw_tag_free);
  return posts;
}

void
bench_raw_posts_add (RawPosts *posts,
                     gint64    id,
                     char     *title)
{
  RawPost *post = g_new (RawPost, 1);

  post->id = id;
  post->title = title;
  post->tags = g_ptr_array_new ();
  g_ptr_array_add (posts->posts, post);
  g_hash_table_insert (posts->posts_by_id, &post->id, post);
}

void
bench_raw_posts_add_tag (RawPosts   *posts,
                         gint64      post_id,
                         gint64      tag_id,
                         const char *name)
{
  RawPost *post = g_hash_table_lookup (posts->posts_by_id, &post_id);
  RawTag *tag = g_hash_table_lookup (posts->tags_by_id, &tag_id);

  if (G_UNLIKELY (post == NULL))
    bench_die ("raw: tag row of unknown post %" G_GINT64_FORMAT, post_id);
  if (tag == NULL)
    {
      tag = g_new (RawTag, 1);
      tag->id = tag_id;
      tag->name = g_strdup (name);
      g_hash_table_insert (posts->tags_by_id, &tag->id, tag);
    }
  g_ptr_array_add (post->tags, tag);
}

void
bench_raw_posts_touch (RawPosts *posts,
                       guint     n_tags)
{
  guint seen = 0;

  for (guint i = 0; i < posts->posts->len; i++)
    {
      RawPost *post = g_ptr_array_index (posts->posts, i);

      for (guint j = 0; j < post->tags->len; j++)
        {
          RawTag *tag = g_ptr_array_index (post->tags, j);

          if (G_UNLIKELY (tag->name == NULL))
            bench_die ("raw: tag %" G_GINT64_FORMAT " without a name", tag->id);
          seen++;
        }
    }
  if (seen != n_tags)
    bench_die ("raw: visited %u tags of posts, expected %u", seen, n_tags);
}

void
bench_raw_posts_free (RawPosts *posts)
{
  g_hash_table_unref (posts->posts_by_id);
  g_hash_table_unref (posts->tags_by_id);
  g_ptr_array_unref (posts->posts);
  g_free (posts);
}

/* ------------------------------------------------------------------- SQL */

char *
bench_raw_in_list_sql (const char *prefix,
                       guint       n_values,
                       gboolean    numbered)
{
  GString *sql = g_string_new (prefix);

  g_string_append (sql, " IN (");
  for (guint i = 0; i < n_values; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      if (numbered)
        g_string_append_printf (sql, "$%u", i + 1);
      else
        g_string_append_c (sql, '?');
    }
  g_string_append_c (sql, ')');
  return g_string_free (sql, FALSE);
}
