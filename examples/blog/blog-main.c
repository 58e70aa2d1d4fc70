/* blog-main.c: the command line of orma-blog, the example blog.
 *
 *   orma-blog [--db URL] [--echo] COMMAND ARGS...
 *
 * The database is --db, else $ORMA_BLOG_DB, else the SQLite file
 * blog.db in the working directory; a postgresql:// URL works the same.
 * Errors go to stderr with exit status 1 (2 for a usage mistake).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>

#include "blog-commands.h"
#include "blog-models.h"

#define EXIT_USAGE 2

static const char summary[] =
  "Commands:\n"
  "  init                               create the tables\n"
  "  add-user NAME [FULLNAME]           add a user\n"
  "  post USER TITLE BODY [TAG...]      write a post (tags are found or created)\n"
  "  comment USER POST_ID BODY [--reply-to COMMENT_ID]\n"
  "                                     comment on a post, or reply to a comment\n"
  "  list-posts USER                    a user's posts with their tags\n"
  "  show-post POST_ID                  a post, its tags and its comment tree\n"
  "  delete-user NAME                   delete a user and all that cascades\n"
  "  tags                               each tag with its number of posts\n"
  "  demo                               a whole scripted session on empty tables\n"
  "\n"
  "The database is --db URL, else $ORMA_BLOG_DB, else sqlite:///blog.db.\n"
  "ORMA_ECHO=1 (or --echo) prints every statement Orma sends.";

typedef struct
{
  const char *name;
  guint       min_args;
  guint       max_args;  /* G_MAXUINT: any number */
} Command;

static const Command commands[] = {
  { "init",        0, 0 },
  { "add-user",    1, 2 },
  { "post",        3, G_MAXUINT },
  { "comment",     3, 3 },
  { "list-posts",  1, 1 },
  { "show-post",   1, 1 },
  { "delete-user", 1, 1 },
  { "tags",        0, 0 },
  { "demo",        0, 0 },
};

static gboolean
parse_id (const char  *text,
          const char  *what,
          gint64      *id,
          GError     **error)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      g_set_error (error, BLOG_ERROR, BLOG_ERROR_INVALID, "%s: '%s' is not an id", what, text);
      return FALSE;
    }
  *id = (gint64) value;
  return TRUE;
}

/* Runs @command with its @args (already counted against the table). */
static gboolean
run (BlogApp     *app,
     const char  *command,
     char       **args,
     guint        n_args,
     gint64       reply_to,
     GError     **error)
{
  gint64 id = 0;

  if (g_str_equal (command, "init"))
    return blog_cmd_init (app, FALSE, error);
  if (g_str_equal (command, "add-user"))
    return blog_cmd_add_user (app, args[0], n_args > 1 ? args[1] : NULL, NULL, error);
  if (g_str_equal (command, "post"))
    return blog_cmd_post (app, args[0], args[1], args[2], (const char **) args + 3, NULL, error);
  if (g_str_equal (command, "comment"))
    return parse_id (args[1], "POST_ID", &id, error) &&
           blog_cmd_comment (app, args[0], id, args[2], reply_to, NULL, error);
  if (g_str_equal (command, "list-posts"))
    return blog_cmd_list_posts (app, args[0], NULL, error);
  if (g_str_equal (command, "show-post"))
    return parse_id (args[0], "POST_ID", &id, error) &&
           blog_cmd_show_post (app, id, NULL, error);
  if (g_str_equal (command, "delete-user"))
    return blog_cmd_delete_user (app, args[0], NULL, error);
  if (g_str_equal (command, "tags"))
    return blog_cmd_tags (app, NULL, NULL, error);
  return blog_cmd_demo (app, error);
}

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_printerr ("orma-blog: %s\n(see orma-blog --help)\n", message);
  return EXIT_USAGE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *url = NULL;
  g_autofree char *reply_to_text = NULL;
  gboolean echo = FALSE;
  const GOptionEntry entries[] = {
    { "db", 'd', 0, G_OPTION_ARG_STRING, &url, "The database (default: $ORMA_BLOG_DB or sqlite:///blog.db)", "URL" },
    { "echo", 'e', 0, G_OPTION_ARG_NONE, &echo, "Print every statement sent (as ORMA_ECHO=1 does)", NULL },
    { "reply-to", 'r', 0, G_OPTION_ARG_STRING, &reply_to_text, "With comment: the comment answered", "COMMENT_ID" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("COMMAND [ARGS...]");
  g_autoptr (GError) error = NULL;
  g_autoptr (BlogApp) app = NULL;
  const Command *command;
  guint n_args;
  gint64 reply_to = 0;

  g_option_context_set_summary (context, "The Orma example blog: users, posts, tags and threaded comments.");
  g_option_context_set_description (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);
  if (argc < 2)
    return usage_error (context, "no command given");
  if ((command = find_command (argv[1])) == NULL)
    return usage_error (context, "unknown command");
  n_args = (guint) argc - 2;
  if (n_args < command->min_args || n_args > command->max_args)
    {
      g_autofree char *message = g_strdup_printf ("%s: wrong number of arguments", command->name);
      return usage_error (context, message);
    }
  if (reply_to_text != NULL && !g_str_equal (command->name, "comment"))
    return usage_error (context, "--reply-to goes with comment only");
  if (reply_to_text != NULL && !parse_id (reply_to_text, "--reply-to", &reply_to, &error))
    return usage_error (context, error->message);

  if (url == NULL)
    url = g_strdup (g_getenv ("ORMA_BLOG_DB") ? g_getenv ("ORMA_BLOG_DB") : "sqlite:///blog.db");

  if (!blog_models_init (&error) ||
      (app = blog_app_new (url, echo, &error)) == NULL ||
      !run (app, command->name, argv + 2, n_args, reply_to, &error))
    {
      g_printerr ("orma-blog: %s: %s\n", command->name, error->message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}
