/* blog-commands.c: what each orma-blog command does.
 *
 * Every command opens a session of its own, as a separate run of the
 * program would, so the statements it prints (ORMA_ECHO=1 or --echo) are
 * everything that command costs. The reading commands choose their
 * loading strategy per query: list-posts loads the tags of all the
 * posts with one more SELECT (selectin), show-post loads the post, its
 * author, tags and the whole comment tree in a fixed number of
 * statements however many comments there are.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "blog-commands.h"
#include "blog-models.h"

/* ------------------------------------------------------------- init */

gboolean
blog_cmd_init (BlogApp   *app,
               gboolean   fresh,
               GError   **error)
{
  OrmaRegistry *registry = orma_registry_get_default ();

  if (fresh)
    {
      g_print ("dropping the blog tables of %s\n", orma_engine_get_url (app->engine));
      if (!orma_registry_drop_all (registry, app->engine, error))
        return FALSE;
    }
  if (!orma_registry_create_all (registry, app->engine, error))
    return FALSE;
  g_print ("tables users, posts, tags, post_tags and comments ready in %s (%s)\n",
           orma_engine_get_url (app->engine), orma_engine_get_backend_name (app->engine));
  return TRUE;
}

/* --------------------------------------------------------- add-user */

gboolean
blog_cmd_add_user (BlogApp     *app,
                   const char  *name,
                   const char  *fullname,
                   gint64      *id_out,
                   GError     **error)
{
  g_autoptr (OrmaSession) session = orma_session_new (app->engine);
  g_autoptr (BlogUser) user = blog_user_new (name, fullname);
  gint64 id = 0;

  orma_session_add (session, ORMA_ENTITY (user));
  if (!blog_commit_new (session, user, &id, error))
    return FALSE;
  g_print ("user #%" G_GINT64_FORMAT " %s (%s)\n", id, name,
           fullname != NULL ? fullname : "no full name");
  if (id_out != NULL)
    *id_out = id;
  return TRUE;
}

/* ------------------------------------------------------------- post */

/* The distinct, non-empty tag names, in the order given. */
static GPtrArray *
distinct_names (const char **names)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (names[i]));

      if (*name != '\0' && !g_ptr_array_find_with_equal_func (out, name, g_str_equal, NULL))
        g_ptr_array_add (out, g_steal_pointer (&name));
    }
  return out;
}

/* The tags named @names: the existing ones from one SELECT ... IN, new
 * transient ones for the rest (the post's tags collection brings them
 * into the session). *@n_new counts the new ones. */
static GPtrArray *
find_or_create_tags (OrmaSession  *session,
                     GPtrArray    *names,
                     guint        *n_new,
                     GError      **error)
{
  g_autoptr (GPtrArray) tags = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autofree OrmaExpr **items = NULL;

  *n_new = 0;
  if (names->len == 0)
    return g_steal_pointer (&tags);

  items = g_new (OrmaExpr *, names->len);
  for (guint i = 0; i < names->len; i++)
    items[i] = orma_str (g_ptr_array_index (names, i));
  query = orma_session_query (session, BLOG_TYPE_TAG);
  orma_query_filter (query, orma_in_array (orma_col (BLOG_TYPE_TAG, "name"), items, names->len));
  found = orma_query_all (query, error);
  if (found == NULL)
    return NULL;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      BlogTag *tag = NULL;

      for (guint j = 0; j < found->len && tag == NULL; j++)
        {
          g_autofree char *existing = blog_dup_string (g_ptr_array_index (found, j), "name");

          if (g_strcmp0 (existing, name) == 0)
            tag = g_object_ref (g_ptr_array_index (found, j));
        }
      if (tag == NULL)
        {
          tag = blog_tag_new (name);
          (*n_new)++;
        }
      g_ptr_array_add (tags, tag);
    }
  return g_steal_pointer (&tags);
}

static char *
join_names (GPtrArray *names)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", (char *) g_ptr_array_index (names, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
blog_cmd_post (BlogApp     *app,
               const char  *user_name,
               const char  *title,
               const char  *body,
               const char **tag_names,
               gint64      *id_out,
               GError     **error)
{
  g_autoptr (OrmaSession) session = orma_session_new (app->engine);
  g_autoptr (GPtrArray) names = distinct_names (tag_names);
  g_autoptr (BlogUser) user = NULL;
  g_autoptr (GPtrArray) tags = NULL;
  g_autoptr (BlogPost) post = NULL;
  g_autoptr (OrmaCollection) post_tags = NULL;
  g_autofree char *shown = NULL;
  guint n_new = 0;
  gint64 id = 0;

  /* Both lookups before the post joins the session: a query flushes
   * pending objects first (autoflush). */
  if ((user = blog_find_user (session, user_name, error)) == NULL)
    return FALSE;
  if ((tags = find_or_create_tags (session, names, &n_new, error)) == NULL)
    return FALSE;

  post = blog_post_new (title, body);
  /* back-populates: the post joins user.posts in memory, without SQL */
  if (!orma_entity_set_related (ORMA_ENTITY (post), "author", user, error))
    return FALSE;
  orma_session_add (session, ORMA_ENTITY (post));
  if ((post_tags = blog_collection_ref (post, "tags", error)) == NULL)
    return FALSE;
  for (guint i = 0; i < tags->len; i++)
    if (!orma_collection_append (post_tags, g_ptr_array_index (tags, i), error))
      return FALSE;

  /* one flush: new tags, the post, then its post_tags rows */
  if (!blog_commit_new (session, post, &id, error))
    return FALSE;
  shown = join_names (names);
  g_print ("post #%" G_GINT64_FORMAT " \"%s\" by %s, tags: %s (%u new)\n",
           id, title, user_name, names->len > 0 ? shown : "none", n_new);
  if (id_out != NULL)
    *id_out = id;
  return TRUE;
}

/* ---------------------------------------------------------- comment */

static gboolean
check_same_post (BlogComment  *parent,
                 gint64        post_id,
                 GError      **error)
{
  gint64 parent_post = 0;

  g_object_get (parent, "post_id", &parent_post, NULL);
  if (parent_post == post_id)
    return TRUE;
  g_set_error (error, BLOG_ERROR, BLOG_ERROR_INVALID,
               "comment #%" G_GINT64_FORMAT " is on post #%" G_GINT64_FORMAT
               ", not on post #%" G_GINT64_FORMAT,
               blog_id (parent), parent_post, post_id);
  return FALSE;
}

gboolean
blog_cmd_comment (BlogApp     *app,
                  const char  *user_name,
                  gint64       post_id,
                  const char  *body,
                  gint64       reply_to,
                  gint64      *id_out,
                  GError     **error)
{
  g_autoptr (OrmaSession) session = orma_session_new (app->engine);
  g_autoptr (BlogUser) user = NULL;
  g_autoptr (BlogPost) post = NULL;
  g_autoptr (BlogComment) parent = NULL;
  g_autoptr (BlogComment) comment = NULL;
  gint64 id = 0;

  if ((user = blog_find_user (session, user_name, error)) == NULL)
    return FALSE;
  if ((post = blog_get_by_id (session, BLOG_TYPE_POST, "post", post_id, error)) == NULL)
    return FALSE;
  if (reply_to != 0)
    {
      parent = blog_get_by_id (session, BLOG_TYPE_COMMENT, "comment", reply_to, error);
      if (parent == NULL || !check_same_post (parent, post_id, error))
        return FALSE;
    }

  /* Each assignment also appends the comment to the other side
   * (post.comments, user.comments, parent.replies) in memory; none of
   * those collections is loaded for it. */
  comment = blog_comment_new (body);
  if (!orma_entity_set_related (ORMA_ENTITY (comment), "post", post, error) ||
      !orma_entity_set_related (ORMA_ENTITY (comment), "author", user, error) ||
      (parent != NULL &&
       !orma_entity_set_related (ORMA_ENTITY (comment), "parent", parent, error)))
    return FALSE;
  orma_session_add (session, ORMA_ENTITY (comment));
  if (!blog_commit_new (session, comment, &id, error))
    return FALSE;

  g_print ("comment #%" G_GINT64_FORMAT " by %s on post #%" G_GINT64_FORMAT, id, user_name, post_id);
  if (reply_to != 0)
    g_print (", replying to #%" G_GINT64_FORMAT, reply_to);
  g_print ("\n");
  if (id_out != NULL)
    *id_out = id;
  return TRUE;
}

/* ------------------------------------------------------- list-posts */

/* "a, b, c" from a loaded tags collection. */
static char *
tag_list (BlogPost  *post,
          GError   **error)
{
  g_autoptr (OrmaCollection) tags = blog_collection_ref (post, "tags", error);
  g_autoptr (GPtrArray) names = NULL;

  if (tags == NULL)
    return NULL;
  names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < orma_collection_get_size (tags); i++)
    g_ptr_array_add (names, blog_dup_string (orma_collection_get (tags, i), "name"));
  return join_names (names);
}

static gboolean
print_post_line (BlogPost  *post,
                 GError   **error)
{
  g_autofree char *tags = tag_list (post, error);
  g_autofree char *title = NULL;
  g_autofree char *created = NULL;

  if (tags == NULL)
    return FALSE;
  title = blog_dup_string (post, "title");
  created = blog_format_created (post);
  g_print ("  #%-3" G_GINT64_FORMAT " %s  %s  [%s]\n", blog_id (post), created, title, tags);
  return TRUE;
}

/* The post's author came with the posts' query (contains_eager): no SQL. */
static gboolean
print_author_heading (BlogPost  *post,
                      GError   **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (BlogUser) author = orma_entity_get_related (ORMA_ENTITY (post), "author",
                                                         &local_error);
  g_autofree char *name = NULL;
  g_autofree char *fullname = NULL;

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (author == NULL)
    return TRUE;
  name = blog_dup_string (author, "name");
  fullname = blog_dup_string (author, "fullname");
  g_print ("posts by %s (%s):\n", name, fullname != NULL ? fullname : "no full name");
  return TRUE;
}

gboolean
blog_cmd_list_posts (BlogApp     *app,
                     const char  *user_name,
                     guint       *n_posts_out,
                     GError     **error)
{
  g_autoptr (OrmaSession) session = orma_session_new (app->engine);
  g_autoptr (OrmaQuery) query = orma_session_query (session, BLOG_TYPE_POST);
  g_autoptr (GPtrArray) posts = NULL;

  /* One SELECT for the posts, joined to their author (which fills
   * post.author from the same rows), and one for all their tags. */
  orma_query_join (query, "author", NULL);
  orma_query_contains_eager (query, "author", NULL);
  orma_query_filter (query, orma_eq (orma_col (BLOG_TYPE_USER, "name"), orma_str (user_name)));
  orma_query_load (query, "tags", ORMA_LOAD_SELECTIN);
  orma_query_order_by (query, orma_asc (orma_col (BLOG_TYPE_POST, "id")));
  if ((posts = orma_query_all (query, error)) == NULL)
    return FALSE;

  if (posts->len == 0)
    {
      /* no posts, or no such user: only now does it matter which */
      g_autoptr (BlogUser) user = blog_find_user (session, user_name, error);

      if (user == NULL)
        return FALSE;
      g_print ("%s has no posts\n", user_name);
    }
  else if (!print_author_heading (g_ptr_array_index (posts, 0), error))
    return FALSE;

  for (guint i = 0; i < posts->len; i++)
    if (!print_post_line (g_ptr_array_index (posts, i), error))
      return FALSE;
  if (n_posts_out != NULL)
    *n_posts_out = posts->len;
  return TRUE;
}

/* -------------------------------------------------------- show-post */

static gboolean
print_thread (BlogComment  *comment,
              guint         depth,
              guint        *n_printed,
              GError      **error)
{
  g_autofree char *name = blog_author_name (comment, error);
  g_autoptr (OrmaCollection) replies = NULL;
  g_autofree char *body = NULL;
  g_autofree char *created = NULL;

  if (name == NULL)
    return FALSE;
  body = blog_dup_string (comment, "body");
  created = blog_format_created (comment);
  g_print ("  %*s#%" G_GINT64_FORMAT " %s, %s: %s\n", (int) depth * 4, "",
           blog_id (comment), name, created, body);
  (*n_printed)++;

  if ((replies = blog_collection_ref (comment, "replies", error)) == NULL)
    return FALSE;
  for (guint i = 0; i < orma_collection_get_size (replies); i++)
    if (!print_thread (orma_collection_get (replies, i), depth + 1, n_printed, error))
      return FALSE;
  return TRUE;
}

static gboolean
print_post_header (BlogPost  *post,
                   GError   **error)
{
  g_autofree char *name = blog_author_name (post, error);
  g_autofree char *tags = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *created = NULL;

  if (name == NULL || (tags = tag_list (post, error)) == NULL)
    return FALSE;
  title = blog_dup_string (post, "title");
  body = blog_dup_string (post, "body");
  created = blog_format_created (post);
  g_print ("post #%" G_GINT64_FORMAT ": %s\n  by %s, %s\n  tags: %s\n\n  %s\n\n",
           blog_id (post), title, name, created, *tags ? tags : "none", body ? body : "");
  return TRUE;
}

gboolean
blog_cmd_show_post (BlogApp     *app,
                    gint64       post_id,
                    guint       *n_comments_out,
                    GError     **error)
{
  g_autoptr (OrmaSession) session = orma_session_new (app->engine);
  g_autoptr (OrmaQuery) query = orma_session_query (session, BLOG_TYPE_POST);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (BlogPost) post = NULL;
  g_autoptr (OrmaCollection) comments = NULL;
  guint n_printed = 0;

  /* Five statements, however many comments: the post with its author
   * (joined), its tags, its comments, their authors and their replies
   * (one selectin each). Every comment of the post is in
   * post.comments, so loading the replies of all of them in one SELECT
   * gives the whole tree. */
  orma_query_filter (query, orma_eq (orma_col (BLOG_TYPE_POST, "id"), orma_int (post_id)));
  orma_query_load (query, "author", ORMA_LOAD_JOINED);
  orma_query_load (query, "tags", ORMA_LOAD_SELECTIN);
  orma_query_load (query, "comments", ORMA_LOAD_SELECTIN);
  orma_query_load (query, "comments.author", ORMA_LOAD_SELECTIN);
  orma_query_load (query, "comments.replies", ORMA_LOAD_SELECTIN);
  post = orma_query_one_or_none (query, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (post == NULL)
    {
      g_set_error (error, BLOG_ERROR, BLOG_ERROR_NOT_FOUND, "no post #%" G_GINT64_FORMAT, post_id);
      return FALSE;
    }

  if (!print_post_header (post, error) ||
      (comments = blog_collection_ref (post, "comments", error)) == NULL)
    return FALSE;
  g_print ("  %u comment%s\n", orma_collection_get_size (comments),
           orma_collection_get_size (comments) == 1 ? "" : "s");
  for (guint i = 0; i < orma_collection_get_size (comments); i++)
    {
      BlogComment *comment = orma_collection_get (comments, i);

      if (orma_entity_is_null (ORMA_ENTITY (comment), "parent_id") &&
          !print_thread (comment, 0, &n_printed, error))
        return FALSE;
    }
  if (n_comments_out != NULL)
    *n_comments_out = n_printed;
  return TRUE;
}

/* ------------------------------------------------------ delete-user */

/* Keeps a reference to @entity once; FALSE if it was there already. */
static gboolean
keep (GPtrArray  *doomed,
      GHashTable *seen,
      gpointer    entity)
{
  if (!g_hash_table_add (seen, entity))
    return FALSE;
  g_ptr_array_add (doomed, g_object_ref (entity));
  return TRUE;
}

/* Walks a collection, calling @walk on each member. */
static gboolean
walk_collection (gpointer      owner,
                 const char   *name,
                 gboolean    (*walk) (GPtrArray *, GHashTable *, gpointer, GError **),
                 GPtrArray    *doomed,
                 GHashTable   *seen,
                 GError      **error)
{
  g_autoptr (OrmaCollection) members = blog_collection_ref (owner, name, error);

  if (members == NULL)
    return FALSE;
  for (guint i = 0; i < orma_collection_get_size (members); i++)
    if (!walk (doomed, seen, orma_collection_get (members, i), error))
      return FALSE;
  return TRUE;
}

static gboolean
walk_comment (GPtrArray   *doomed,
              GHashTable  *seen,
              gpointer     comment,
              GError     **error)
{
  if (!keep (doomed, seen, comment))
    return TRUE;
  return walk_collection (comment, "replies", walk_comment, doomed, seen, error);
}

static gboolean
walk_post (GPtrArray   *doomed,
           GHashTable  *seen,
           gpointer     post,
           GError     **error)
{
  if (!keep (doomed, seen, post))
    return TRUE;
  return walk_collection (post, "comments", walk_comment, doomed, seen, error);
}

/* The user and everything its cascades reach, loaded with a few
 * selectin statements (deeper replies load on the way). The flush
 * decides what is deleted; this is what the report looks at. */
static GPtrArray *
load_user_graph (OrmaSession  *session,
                 const char   *name,
                 GError      **error)
{
  g_autoptr (OrmaQuery) query = orma_session_query (session, BLOG_TYPE_USER);
  g_autoptr (GPtrArray) doomed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (BlogUser) user = NULL;

  orma_query_filter (query, orma_eq (orma_col (BLOG_TYPE_USER, "name"), orma_str (name)));
  orma_query_load (query, "posts", ORMA_LOAD_SELECTIN);
  orma_query_load (query, "posts.comments", ORMA_LOAD_SELECTIN);
  orma_query_load (query, "posts.comments.replies", ORMA_LOAD_SELECTIN);
  orma_query_load (query, "comments", ORMA_LOAD_SELECTIN);
  orma_query_load (query, "comments.replies", ORMA_LOAD_SELECTIN);
  user = orma_query_one_or_none (query, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (user == NULL)
    {
      g_set_error (error, BLOG_ERROR, BLOG_ERROR_NOT_FOUND, "no user named '%s'", name);
      return NULL;
    }

  keep (doomed, seen, user);
  if (!walk_collection (user, "posts", walk_post, doomed, seen, error) ||
      !walk_collection (user, "comments", walk_comment, doomed, seen, error))
    return NULL;
  return g_steal_pointer (&doomed);
}

/* One line for a deleted object, written before the commit detaches it. */
static char *
describe (gpointer entity)
{
  if (BLOG_IS_USER (entity))
    {
      g_autofree char *name = blog_dup_string (entity, "name");

      return g_strdup_printf ("user #%" G_GINT64_FORMAT " %s", blog_id (entity), name);
    }
  if (BLOG_IS_POST (entity))
    {
      g_autofree char *title = blog_dup_string (entity, "title");

      return g_strdup_printf ("post #%" G_GINT64_FORMAT " \"%s\"", blog_id (entity), title);
    }
  else
    {
      gint64 post_id = 0;

      g_object_get (entity, "post_id", &post_id, NULL);
      return g_strdup_printf ("comment #%" G_GINT64_FORMAT " on post #%" G_GINT64_FORMAT,
                              blog_id (entity), post_id);
    }
}

static void
count_deleted (gpointer     entity,
               BlogDeleted *deleted)
{
  if (BLOG_IS_USER (entity))
    deleted->users++;
  else if (BLOG_IS_POST (entity))
    deleted->posts++;
  else
    deleted->comments++;
}

gboolean
blog_cmd_delete_user (BlogApp      *app,
                      const char   *name,
                      BlogDeleted  *deleted_out,
                      GError      **error)
{
  g_autoptr (OrmaSession) session = orma_session_new (app->engine);
  g_autoptr (GPtrArray) doomed = NULL;
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  BlogDeleted deleted = { 0 };

  if ((doomed = load_user_graph (session, name, error)) == NULL)
    return FALSE;

  /* One delete: the cascades of user.posts, user.comments,
   * post.comments and comment.replies take the rest, children first. */
  if (!orma_session_delete (session, g_ptr_array_index (doomed, 0), error) ||
      !orma_session_flush (session, error))
    return FALSE;
  for (guint i = 0; i < doomed->len; i++)
    {
      gpointer entity = g_ptr_array_index (doomed, i);

      if (orma_entity_get_state (ORMA_ENTITY (entity)) != ORMA_STATE_DELETED)
        continue;
      count_deleted (entity, &deleted);
      g_ptr_array_add (lines, describe (entity));
    }
  if (!orma_session_commit (session, error))
    return FALSE;

  g_print ("deleted %s with %u post%s and %u comment%s:\n", name,
           deleted.posts, deleted.posts == 1 ? "" : "s",
           deleted.comments, deleted.comments == 1 ? "" : "s");
  for (guint i = 0; i < lines->len; i++)
    g_print ("  %s\n", (char *) g_ptr_array_index (lines, i));
  if (deleted_out != NULL)
    *deleted_out = deleted;
  return TRUE;
}

/* ------------------------------------------------------------- tags */

static gint64
value_as_int64 (const GValue *value)
{
  g_auto (GValue) converted = G_VALUE_INIT;

  if (value == NULL || !G_IS_VALUE (value))
    return 0;
  g_value_init (&converted, G_TYPE_INT64);
  if (!g_value_transform (value, &converted))
    return 0;
  return g_value_get_int64 (&converted);
}

gboolean
blog_cmd_tags (BlogApp  *app,
               guint    *n_tags_out,
               gint64   *n_links_out,
               GError  **error)
{
  g_autoptr (OrmaSession) session = orma_session_new (app->engine);
  g_autoptr (OrmaQuery) query = orma_session_query (session, BLOG_TYPE_TAG);
  g_autoptr (GPtrArray) rows = NULL;
  gint64 n_links = 0;

  /* SELECT tags.*, count(posts.id) FROM tags LEFT OUTER JOIN post_tags
   * ... LEFT OUTER JOIN posts ... GROUP BY tags.id: unused tags count 0 */
  orma_query_outerjoin (query, "posts", NULL);
  orma_query_add_column (query, orma_label (orma_count (orma_col (BLOG_TYPE_POST, "id")), "n_posts"));
  orma_query_group_by (query, orma_col (BLOG_TYPE_TAG, "id"));
  orma_query_group_by (query, orma_col (BLOG_TYPE_TAG, "name"));
  orma_query_order_by (query, orma_asc (orma_col (BLOG_TYPE_TAG, "name")));
  if ((rows = orma_query_rows (query, error)) == NULL)
    return FALSE;

  g_print ("%u tag%s:\n", rows->len, rows->len == 1 ? "" : "s");
  for (guint i = 0; i < rows->len; i++)
    {
      OrmaResultRow *row = g_ptr_array_index (rows, i);
      g_autofree char *name = blog_dup_string (orma_result_row_get_entity (row, 0), "name");
      gint64 n = value_as_int64 (orma_result_row_lookup (row, "n_posts"));

      g_print ("  %-16s %" G_GINT64_FORMAT " post%s\n", name, n, n == 1 ? "" : "s");
      n_links += n;
    }
  if (n_tags_out != NULL)
    *n_tags_out = rows->len;
  if (n_links_out != NULL)
    *n_links_out = n_links;
  return TRUE;
}
