/* blog-app.h: what every orma-blog command shares.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <orma/orma.h>

#include "blog-models.h"

G_BEGIN_DECLS

#define BLOG_ERROR (blog_error_quark ())
typedef enum {
  BLOG_ERROR_NOT_FOUND,     /* an unknown user, post or comment */
  BLOG_ERROR_INVALID,       /* a bad argument */
  BLOG_ERROR_DEMO,          /* a demo step did not do what it should */
} BlogError;
GQuark blog_error_quark (void);

typedef struct
{
  OrmaEngine *engine;
  gboolean    show_sql;      /* print each statement as it is sent */
  guint       n_statements;  /* statements sent, transaction control aside */
} BlogApp;

BlogApp        *blog_app_new          (const char   *url,
                                       gboolean      show_sql,
                                       GError      **error);
void            blog_app_free         (BlogApp      *app);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BlogApp, blog_app_free)

/* The user named @name; BLOG_ERROR_NOT_FOUND if there is none. */
BlogUser       *blog_find_user        (OrmaSession  *session,
                                       const char   *name,
                                       GError      **error);
/* orma_session_get(), with BLOG_ERROR_NOT_FOUND "no @what #@id". */
gpointer        blog_get_by_id        (OrmaSession  *session,
                                       GType         type,
                                       const char   *what,
                                       gint64        id,
                                       GError      **error);
/* A relationship collection, loaded if needed (a new reference). */
OrmaCollection *blog_collection_ref   (gpointer      entity,
                                       const char   *name,
                                       GError      **error);
/* The name of the author of a post or comment, loaded if needed. */
char           *blog_author_name      (gpointer      entity,
                                       GError      **error);
/* Flushes, reads the new object's key (before the commit expires it,
 * which would cost a SELECT to read it back) and commits. */
gboolean        blog_commit_new       (OrmaSession  *session,
                                       gpointer      entity,
                                       gint64       *id_out,
                                       GError      **error);

G_END_DECLS
