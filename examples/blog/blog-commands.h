/* blog-commands.h: the commands of orma-blog.
 *
 * Each command opens its own session on the application's engine, does
 * its work in one transaction and prints what it did; it returns FALSE
 * with @error set when anything fails. The outputs (ids, counts) let the
 * demo chain commands and check what they did.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "blog-app.h"

G_BEGIN_DECLS

typedef struct
{
  guint users;
  guint posts;
  guint comments;
} BlogDeleted;

gboolean  blog_cmd_init           (BlogApp      *app,
                                   gboolean      fresh,
                                   GError      **error);
gboolean  blog_cmd_add_user       (BlogApp      *app,
                                   const char   *name,
                                   const char   *fullname,
                                   gint64       *id_out,
                                   GError      **error);
gboolean  blog_cmd_post           (BlogApp      *app,
                                   const char   *user,
                                   const char   *title,
                                   const char   *body,
                                   const char  **tags,
                                   gint64       *id_out,
                                   GError      **error);
/* @reply_to: the comment answered, 0 for a top-level comment */
gboolean  blog_cmd_comment        (BlogApp      *app,
                                   const char   *user,
                                   gint64        post_id,
                                   const char   *body,
                                   gint64        reply_to,
                                   gint64       *id_out,
                                   GError      **error);
gboolean  blog_cmd_list_posts     (BlogApp      *app,
                                   const char   *user,
                                   guint        *n_posts_out,
                                   GError      **error);
gboolean  blog_cmd_show_post      (BlogApp      *app,
                                   gint64        post_id,
                                   guint        *n_comments_out,
                                   GError      **error);
gboolean  blog_cmd_delete_user    (BlogApp      *app,
                                   const char   *name,
                                   BlogDeleted  *deleted_out,
                                   GError      **error);
/* @n_links_out: the sum of the post counts (the rows of post_tags) */
gboolean  blog_cmd_tags           (BlogApp      *app,
                                   guint        *n_tags_out,
                                   gint64       *n_links_out,
                                   GError      **error);
gboolean  blog_cmd_demo           (BlogApp      *app,
                                   GError      **error);

G_END_DECLS
