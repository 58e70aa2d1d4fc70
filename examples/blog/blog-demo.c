/* blog-demo.c: `orma-blog demo`, the whole blog in one scripted run.
 *
 * On a fresh database (the blog tables are dropped and created again)
 * it runs the commands a user would type, each step printed as its
 * command line, then checks what each did: the ids, the errors that
 * must be refused, the number of statements of the reading commands
 * (list-posts is two statements whatever the number of posts: no N+1),
 * what the delete cascades took, and the rows left at the end. Any
 * difference ends the demo with an error, so it doubles as a test.
 *
 * The statements of the key steps are always printed; with ORMA_ECHO=1
 * (or --echo) those of every step are.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>

#include "blog-commands.h"
#include "blog-models.h"

typedef struct
{
  BlogApp  *app;
  gboolean  echo_all;   /* ORMA_ECHO=1 or --echo */
  guint     step;
} Demo;

static void G_GNUC_PRINTF (3, 4)
begin_step (Demo       *demo,
            gboolean    show_sql,
            const char *format,
            ...)
{
  g_autofree char *command = NULL;
  va_list args;

  va_start (args, format);
  command = g_strdup_vprintf (format, args);
  va_end (args);
  g_print ("\n[%u] $ orma-blog %s\n", ++demo->step, command);
  demo->app->n_statements = 0;
  demo->app->show_sql = demo->echo_all || show_sql;
}

static void
end_step (Demo *demo)
{
  g_print ("    (%u statement%s)\n", demo->app->n_statements,
           demo->app->n_statements == 1 ? "" : "s");
}

static gboolean G_GNUC_PRINTF (3, 4)
expect (gboolean     ok,
        GError     **error,
        const char  *format,
        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (ok)
    return TRUE;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, BLOG_ERROR, BLOG_ERROR_DEMO, message);
  return FALSE;
}

/* A step that must be refused with @domain/@code. */
static gboolean
expect_refused (gboolean     ok,
                GError      *got,
                GQuark       domain,
                int          code,
                GError     **error)
{
  if (ok)
    return expect (FALSE, error, "the command succeeded but should have been refused");
  if (!g_error_matches (got, domain, code))
    return expect (FALSE, error, "refused with an unexpected error: %s", got->message);
  g_print ("    refused, as it should be: %s\n", got->message);
  return TRUE;
}

/* ---------------------------------------------------------------- steps */

static gboolean
add_users (Demo *demo, GError **error)
{
  static const char *const users[][2] = {
    { "ed", "Ed Jones" }, { "wendy", "Wendy Williams" }, { "mary", "Mary Contrary" },
  };
  g_autoptr (GError) refusal = NULL;
  gboolean ok;

  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      begin_step (demo, i == 0, "add-user %s '%s'", users[i][0], users[i][1]);
      if (!blog_cmd_add_user (demo->app, users[i][0], users[i][1], NULL, error))
        return FALSE;
      end_step (demo);
    }

  /* users.name is UNIQUE: the database refuses, the session rolls back */
  begin_step (demo, TRUE, "add-user ed 'Edward Jones'");
  ok = blog_cmd_add_user (demo->app, "ed", "Edward Jones", NULL, &refusal);
  return expect_refused (ok, refusal, ORMA_ERROR, ORMA_ERROR_CONSTRAINT, error);
}

static gboolean
write_posts (Demo *demo, gint64 post[3], GError **error)
{
  const char *tags1[] = { "orma", "glib", "sqlite", NULL };
  const char *tags2[] = { "orma", "sql", NULL };
  const char *tags3[] = { "glib", NULL };

  begin_step (demo, TRUE, "post ed 'Hello, Orma' '...' orma glib sqlite");
  if (!blog_cmd_post (demo->app, "ed", "Hello, Orma",
                      "Orma maps GObjects to tables, with a session and a unit of work.",
                      tags1, &post[0], error))
    return FALSE;
  end_step (demo);

  begin_step (demo, FALSE, "post ed 'Relationships' '...' orma sql");
  if (!blog_cmd_post (demo->app, "ed", "Relationships",
                      "Posts have tags, comments have replies, and deletes cascade.",
                      tags2, &post[1], error))
    return FALSE;
  end_step (demo);

  begin_step (demo, FALSE, "post wendy 'Notes from the GLib meetup' '...' glib");
  if (!blog_cmd_post (demo->app, "wendy", "Notes from the GLib meetup",
                      "GListModel everywhere.", tags3, &post[2], error))
    return FALSE;
  end_step (demo);
  return TRUE;
}

typedef struct
{
  const char *user;
  guint       post;      /* index into the posts */
  int         reply_to;  /* index into the comments, -1: none */
  const char *body;
} DemoComment;

static gboolean
write_comments (Demo *demo, const gint64 post[3], gint64 comment[7], GError **error)
{
  static const DemoComment script[7] = {
    { "wendy", 0, -1, "Nice introduction!" },
    { "ed",    0,  0, "Thanks, Wendy." },
    { "mary",  0,  1, "Does it work on PostgreSQL too?" },
    { "mary",  0, -1, "Bookmarked." },
    { "mary",  1, -1, "Many-to-many, nice." },
    { "ed",    2, -1, "Great notes." },
    { "wendy", 2,  5, "Thank you!" },
  };
  g_autoptr (GError) refusal = NULL;
  gboolean ok;

  for (guint i = 0; i < G_N_ELEMENTS (script); i++)
    {
      const DemoComment *c = &script[i];
      gint64 reply_to = c->reply_to >= 0 ? comment[c->reply_to] : 0;

      if (reply_to != 0)
        begin_step (demo, i == 1, "comment %s %" G_GINT64_FORMAT " '%s' --reply-to %" G_GINT64_FORMAT,
                    c->user, post[c->post], c->body, reply_to);
      else
        begin_step (demo, i == 0, "comment %s %" G_GINT64_FORMAT " '%s'",
                    c->user, post[c->post], c->body);
      if (!blog_cmd_comment (demo->app, c->user, post[c->post], c->body, reply_to,
                             &comment[i], error))
        return FALSE;
      end_step (demo);
    }

  begin_step (demo, FALSE, "comment mary %" G_GINT64_FORMAT " 'wrong thread' --reply-to %" G_GINT64_FORMAT,
              post[2], comment[0]);
  ok = blog_cmd_comment (demo->app, "mary", post[2], "wrong thread", comment[0], NULL, &refusal);
  if (!expect_refused (ok, refusal, BLOG_ERROR, BLOG_ERROR_INVALID, error))
    return FALSE;
  g_clear_error (&refusal);

  begin_step (demo, FALSE, "comment nobody %" G_GINT64_FORMAT " 'hello?'", post[0]);
  ok = blog_cmd_comment (demo->app, "nobody", post[0], "hello?", 0, NULL, &refusal);
  return expect_refused (ok, refusal, BLOG_ERROR, BLOG_ERROR_NOT_FOUND, error);
}

static gboolean
read_blog (Demo *demo, const gint64 post[3], GError **error)
{
  g_autoptr (GError) refusal = NULL;
  guint n = 0;
  gint64 n_links = 0;
  gboolean ok;

  begin_step (demo, TRUE, "list-posts ed");
  if (!blog_cmd_list_posts (demo->app, "ed", &n, error))
    return FALSE;
  end_step (demo);
  if (!expect (n == 2, error, "list-posts ed listed %u posts, not 2", n) ||
      !expect (demo->app->n_statements <= 2, error,
               "list-posts took %u statements, not 2 (one for the posts, one for their tags)",
               demo->app->n_statements))
    return FALSE;

  begin_step (demo, TRUE, "show-post %" G_GINT64_FORMAT, post[0]);
  if (!blog_cmd_show_post (demo->app, post[0], &n, error))
    return FALSE;
  end_step (demo);
  if (!expect (n == 4, error, "show-post printed %u comments, not 4", n) ||
      !expect (demo->app->n_statements <= 5, error,
               "show-post took %u statements, more than 5", demo->app->n_statements))
    return FALSE;

  begin_step (demo, FALSE, "show-post 9999");
  ok = blog_cmd_show_post (demo->app, 9999, NULL, &refusal);
  if (!expect_refused (ok, refusal, BLOG_ERROR, BLOG_ERROR_NOT_FOUND, error))
    return FALSE;

  begin_step (demo, TRUE, "tags");
  if (!blog_cmd_tags (demo->app, &n, &n_links, error))
    return FALSE;
  end_step (demo);
  return expect (n == 4 && n_links == 6, error,
                 "tags: %u tags and %" G_GINT64_FORMAT " post links, not 4 and 6", n, n_links);
}

static gboolean
delete_ed (Demo *demo, const gint64 post[3], GError **error)
{
  g_autoptr (GError) refusal = NULL;
  BlogDeleted deleted = { 0 };
  guint n = 0;
  gint64 n_links = 0;
  gboolean ok;

  /* ed's two posts with their five comments, his comment on wendy's
   * post and wendy's reply to it */
  begin_step (demo, TRUE, "delete-user ed");
  if (!blog_cmd_delete_user (demo->app, "ed", &deleted, error))
    return FALSE;
  end_step (demo);
  if (!expect (deleted.users == 1 && deleted.posts == 2 && deleted.comments == 7, error,
               "delete-user ed deleted %u users, %u posts, %u comments, not 1, 2 and 7",
               deleted.users, deleted.posts, deleted.comments))
    return FALSE;

  begin_step (demo, FALSE, "list-posts ed");
  ok = blog_cmd_list_posts (demo->app, "ed", NULL, &refusal);
  if (!expect_refused (ok, refusal, BLOG_ERROR, BLOG_ERROR_NOT_FOUND, error))
    return FALSE;

  begin_step (demo, FALSE, "list-posts wendy");
  if (!blog_cmd_list_posts (demo->app, "wendy", &n, error))
    return FALSE;
  end_step (demo);
  if (!expect (n == 1, error, "wendy has %u posts, not 1", n))
    return FALSE;

  begin_step (demo, FALSE, "show-post %" G_GINT64_FORMAT, post[2]);
  if (!blog_cmd_show_post (demo->app, post[2], &n, error))
    return FALSE;
  end_step (demo);
  if (!expect (n == 0, error, "post %" G_GINT64_FORMAT " still has %u comments", post[2], n))
    return FALSE;

  /* the tags stay; only their post_tags rows went with the posts */
  begin_step (demo, FALSE, "tags");
  if (!blog_cmd_tags (demo->app, &n, &n_links, error))
    return FALSE;
  end_step (demo);
  return expect (n == 4 && n_links == 1, error,
                 "tags: %u tags and %" G_GINT64_FORMAT " post links, not 4 and 1", n, n_links);
}

/* The rows left, counted by the database. */
static gboolean
check_rows (Demo *demo, GError **error)
{
  static const struct { const char *table; gint64 expected; } tables[] = {
    { "users", 2 }, { "posts", 1 }, { "tags", 4 }, { "comments", 0 },
  };
  GType types[] = { BLOG_TYPE_USER, BLOG_TYPE_POST, BLOG_TYPE_TAG, BLOG_TYPE_COMMENT };
  g_autoptr (OrmaSession) session = orma_session_new (demo->app->engine);

  g_print ("\nrows left:");
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autoptr (OrmaQuery) query = orma_session_query (session, types[i]);
      gint64 count = -1;

      demo->app->show_sql = demo->echo_all;
      if (!orma_query_count (query, &count, error))
        return FALSE;
      g_print (" %s %" G_GINT64_FORMAT, tables[i].table, count);
      if (!expect (count == tables[i].expected, error, "%s has %" G_GINT64_FORMAT " rows, not %" G_GINT64_FORMAT,
                   tables[i].table, count, tables[i].expected))
        return FALSE;
    }
  g_print ("\n");
  return TRUE;
}

gboolean
blog_cmd_demo (BlogApp  *app,
               GError  **error)
{
  Demo demo = { app, app->show_sql, 0 };
  gint64 post[3] = { 0 };
  gint64 comment[7] = { 0 };
  gboolean ok;

  begin_step (&demo, FALSE, "init   (the demo starts from empty tables)");
  ok = blog_cmd_init (app, TRUE, error);
  if (ok)
    end_step (&demo);
  ok = ok && add_users (&demo, error) && write_posts (&demo, post, error) &&
       write_comments (&demo, post, comment, error) && read_blog (&demo, post, error) &&
       delete_ed (&demo, post, error) && check_rows (&demo, error);
  app->show_sql = demo.echo_all;
  if (!ok)
    {
      g_prefix_error (error, "step %u: ", demo.step);
      return FALSE;
    }
  g_print ("\ndemo: all %u steps did what they should\n", demo.step);
  return TRUE;
}
