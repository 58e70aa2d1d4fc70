/* blog-models.h: the mapped classes of the blog example.
 *
 * Users write posts, posts carry tags (many-to-many through the table
 * post_tags) and collect comments, and comments answer each other
 * (a self-referential tree: comment.parent and comment.replies).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <orma/orma.h>

G_BEGIN_DECLS

#define BLOG_TYPE_USER (blog_user_get_type ())
G_DECLARE_FINAL_TYPE (BlogUser, blog_user, BLOG, USER, OrmaEntity)

#define BLOG_TYPE_POST (blog_post_get_type ())
G_DECLARE_FINAL_TYPE (BlogPost, blog_post, BLOG, POST, OrmaEntity)

#define BLOG_TYPE_TAG (blog_tag_get_type ())
G_DECLARE_FINAL_TYPE (BlogTag, blog_tag, BLOG, TAG, OrmaEntity)

#define BLOG_TYPE_COMMENT (blog_comment_get_type ())
G_DECLARE_FINAL_TYPE (BlogComment, blog_comment, BLOG, COMMENT, OrmaEntity)

/* Registers the classes and the post_tags table and configures the
 * registry (resolves the relationships). Call once before any engine. */
gboolean     blog_models_init   (GError     **error);

BlogUser    *blog_user_new      (const char  *name,
                                 const char  *fullname);
BlogPost    *blog_post_new      (const char  *title,
                                 const char  *body);
BlogTag     *blog_tag_new       (const char  *name);
BlogComment *blog_comment_new   (const char  *body);

/* The primary key of any blog object (0 before its first flush). */
gint64       blog_id            (gpointer     entity);
/* A string column of any blog object, newly allocated (NULL for NULL). */
char        *blog_dup_string    (gpointer     entity,
                                 const char  *property);
/* The "created" column as "YYYY-MM-DD HH:MM", newly allocated. */
char        *blog_format_created (gpointer    entity);

G_END_DECLS
