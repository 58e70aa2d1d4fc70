/* blog-app.c: what every orma-blog command shares: the engine with
 * its echo sink, and the lookups that turn "not found" into an error.
 *
 * The engine's echo log comes here rather than to stderr: it counts
 * the statements each command sends (the demo checks them) and, when
 * ORMA_ECHO=1 or --echo asks for it, prints them on stdout, in order
 * with the program's own output.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "blog-app.h"
#include "blog-models.h"

G_DEFINE_QUARK (blog-error-quark, blog_error)

/* ------------------------------------------------------------ the echo */

static gboolean
is_transaction_control (const char *sql)
{
  static const char *const words[] = { "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE" };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_str_has_prefix (sql, words[i]))
      return TRUE;
  return FALSE;
}

/* A parameter as SQL would write it: 'text', 42, NULL. */
static char *
format_param (const GValue *value)
{
  g_auto (GValue) text = G_VALUE_INIT;

  if (value == NULL || !G_IS_VALUE (value))
    return g_strdup ("NULL");
  if (G_VALUE_HOLDS_STRING (value))
    {
      const char *s = g_value_get_string (value);
      g_auto (GStrv) parts = NULL;
      g_autofree char *quoted = NULL;

      if (s == NULL)
        return g_strdup ("NULL");
      parts = g_strsplit (s, "'", -1);
      quoted = g_strjoinv ("''", parts);
      return g_strdup_printf ("'%s'", quoted);
    }
  if (G_VALUE_HOLDS (value, G_TYPE_DATE_TIME))
    {
      GDateTime *dt = g_value_get_boxed (value);
      g_autofree char *iso = dt ? g_date_time_format_iso8601 (dt) : NULL;

      return iso ? g_strdup_printf ("'%s'", iso) : g_strdup ("NULL");
    }
  g_value_init (&text, G_TYPE_STRING);
  if (g_value_transform (value, &text))
    return g_value_dup_string (&text);
  return g_strdup_value_contents (value);
}

/* The engine's echo sink. */
static void
echo_statement (const char          *sql,
                const GValue *const *params,
                guint                n_params,
                guint                n_rows,
                gpointer             user_data)
{
  BlogApp *app = user_data;
  g_autoptr (GString) shown = NULL;

  if (!is_transaction_control (sql))
    app->n_statements++;
  if (!app->show_sql)
    return;

  g_print ("    orma: %s\n", sql);
  if (n_params == 0)
    return;
  shown = g_string_new ("(");
  for (guint i = 0; i < n_params; i++)
    {
      g_autofree char *param = format_param (params != NULL ? params[i] : NULL);

      g_string_append_printf (shown, "%s%s", i > 0 ? ", " : "", param);
    }
  g_string_append_c (shown, ')');
  if (n_rows > 1)
    g_print ("    orma: [%u rows] %s ...\n", n_rows, shown->str);
  else
    g_print ("    orma: %s\n", shown->str);
}

BlogApp *
blog_app_new (const char  *url,
              gboolean     show_sql,
              GError     **error)
{
  g_autoptr (OrmaEngine) engine = orma_engine_new (url, error);
  BlogApp *app;

  if (engine == NULL)
    return NULL;
  app = g_new0 (BlogApp, 1);
  /* ORMA_ECHO=1 has turned the engine's echo on already */
  app->show_sql = show_sql || orma_engine_get_echo (engine);
  app->engine = g_steal_pointer (&engine);
  orma_engine_set_echo_func (app->engine, echo_statement, app, NULL);
  return app;
}

void
blog_app_free (BlogApp *app)
{
  if (app == NULL)
    return;
  /* the sink points at @app: detach it before the engine may outlive us */
  orma_engine_set_echo_func (app->engine, NULL, NULL, NULL);
  orma_engine_set_echo (app->engine, FALSE);
  g_clear_object (&app->engine);
  g_free (app);
}

/* ----------------------------------------------------------- lookups */

OrmaCollection *
blog_collection_ref (gpointer     entity,
                     const char  *name,
                     GError     **error)
{
  return orma_entity_get_collection (ORMA_ENTITY (entity), name, error);
}

char *
blog_author_name (gpointer   entity,
                  GError   **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (BlogUser) author = orma_entity_get_related (ORMA_ENTITY (entity), "author",
                                                         &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  /* author_id is NOT NULL: only a row changed behind our back has none */
  return author != NULL ? blog_dup_string (author, "name") : g_strdup ("(nobody)");
}

BlogUser *
blog_find_user (OrmaSession  *session,
                const char   *name,
                GError      **error)
{
  g_autoptr (OrmaQuery) query = orma_session_query (session, BLOG_TYPE_USER);
  g_autoptr (GError) local_error = NULL;
  BlogUser *user;

  orma_query_filter (query, orma_eq (orma_col (BLOG_TYPE_USER, "name"), orma_str (name)));
  user = orma_query_one_or_none (query, &local_error);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else if (user == NULL)
    g_set_error (error, BLOG_ERROR, BLOG_ERROR_NOT_FOUND, "no user named '%s'", name);
  return user;
}

gpointer
blog_get_by_id (OrmaSession  *session,
                GType         type,
                const char   *what,
                gint64        id,
                GError      **error)
{
  g_autoptr (GError) local_error = NULL;
  gpointer entity = orma_session_get (session, type, id, &local_error);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else if (entity == NULL)
    g_set_error (error, BLOG_ERROR, BLOG_ERROR_NOT_FOUND, "no %s #%" G_GINT64_FORMAT, what, id);
  return entity;
}

gboolean
blog_commit_new (OrmaSession  *session,
                 gpointer      entity,
                 gint64       *id_out,
                 GError      **error)
{
  gint64 id;

  if (!orma_session_flush (session, error))
    return FALSE;
  id = blog_id (entity);
  if (!orma_session_commit (session, error))
    return FALSE;
  if (id_out != NULL)
    *id_out = id;
  return TRUE;
}
