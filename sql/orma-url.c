/* orma-url.c: engine URLs, in SQLAlchemy's form.
 *
 * A URL names the backend by its scheme and the database after it. SQLite
 * URLs carry a file name (three slashes before a relative path, four
 * before an absolute one) or name an in-memory database; PostgreSQL URLs
 * are libpq connection URIs and are handed to libpq untouched, so every
 * option libpq knows works without Orma knowing it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-error-private.h"
#include "orma-url-private.h"

#define SQLITE_PREFIX "sqlite://"
#define MEMORY_PATH   ":memory:"

static gboolean
invalid (const char  *url,
         const char  *why,
         GError     **error)
{
  _orma_set_error (error, ORMA_ERROR_INVALID_URL,
                   "Invalid database URL \"%s\": %s", url, why);
  return FALSE;
}

static gboolean
has_control_or_space (const char *text)
{
  for (const char *p = text; *p; p++)
    if (g_ascii_iscntrl (*p) || *p == ' ')
      return TRUE;
  return FALSE;
}

/* sqlite:// | sqlite:///:memory: | sqlite:///rel.db | sqlite:////abs.db */
static gboolean
parse_sqlite (OrmaUrl     *url,
              const char  *rest,
              GError     **error)
{
  url->backend = ORMA_BACKEND_SQLITE;

  if (*rest == '\0')
    {
      url->memory = TRUE;
      url->path = g_strdup (MEMORY_PATH);
      return TRUE;
    }

  /* Anything before the third slash would be a host, which SQLite has
   * no use for. */
  if (*rest != '/')
    return invalid (url->url, "a SQLite URL takes no host: write sqlite:///file.db", error);
  rest++;

  if (*rest == '\0' || strcmp (rest, MEMORY_PATH) == 0)
    {
      url->memory = TRUE;
      url->path = g_strdup (MEMORY_PATH);
      return TRUE;
    }

  url->path = g_uri_unescape_string (rest, NULL);
  if (url->path == NULL)
    return invalid (url->url, "bad percent-encoding in the file name", error);
  return TRUE;
}

/* Authorities with several hosts (h1:5432,h2:5433) are valid for libpq
 * but not for GUri, so only single-host URIs are checked here; libpq
 * reports the rest when connecting. */
static gboolean
parse_postgresql (OrmaUrl     *url,
                  const char  *rest,
                  GError     **error)
{
  const char *authority_end = rest + strcspn (rest, "/?");
  g_autoptr (GError) local_error = NULL;

  url->backend = ORMA_BACKEND_POSTGRESQL;
  url->conninfo = g_strconcat ("postgresql://", rest, NULL);

  if (memchr (rest, ',', authority_end - rest) == NULL &&
      !g_uri_is_valid (url->conninfo, G_URI_FLAGS_NONE, &local_error))
    return invalid (url->url, local_error->message, error);
  return TRUE;
}

OrmaUrl *
_orma_url_parse (const char  *text,
                 GError     **error)
{
  g_autoptr (OrmaUrl) url = NULL;
  const char *sep;
  g_autofree char *scheme = NULL;
  const char *rest;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  url = g_new0 (OrmaUrl, 1);
  url->url = g_strdup (text);

  if (has_control_or_space (text))
    {
      invalid (text, "spaces and control characters must be percent-encoded", error);
      return NULL;
    }

  sep = strstr (text, "://");
  if (sep == NULL || sep == text)
    {
      invalid (text, "expected scheme://…", error);
      return NULL;
    }

  scheme = g_ascii_strdown (text, sep - text);
  rest = sep + 3;

  if (strcmp (scheme, "sqlite") == 0 || strcmp (scheme, "sqlite3") == 0)
    {
      if (!parse_sqlite (url, rest, error))
        return NULL;
    }
  else if (strcmp (scheme, "postgresql") == 0 || strcmp (scheme, "postgres") == 0)
    {
      if (!parse_postgresql (url, rest, error))
        return NULL;
    }
  else
    {
      g_autofree char *why = g_strdup_printf ("unknown backend \"%s\" (known: sqlite, postgresql)",
                                              scheme);
      {
      invalid (text, why, error);
      return NULL;
    }
    }

  return g_steal_pointer (&url);
}

void
_orma_url_free (OrmaUrl *url)
{
  if (url == NULL)
    return;
  g_free (url->url);
  g_free (url->path);
  g_free (url->conninfo);
  g_free (url);
}
