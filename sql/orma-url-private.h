/* orma-url-private.h: engine URLs.
 *
 *   sqlite:///relative/path.db     file relative to the working directory
 *   sqlite:////absolute/path.db    absolute file
 *   sqlite:///:memory: or sqlite://  an in-memory database
 *   postgresql://user:pw@host:port/db?opt=val  (postgres:// too), and the
 *   socket forms postgresql:///db?host=/run/postgresql or
 *   postgresql://%2Frun%2Fpostgresql/db; passed to libpq as a URI.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ORMA_BACKEND_SQLITE,
  ORMA_BACKEND_POSTGRESQL,
} OrmaBackend;

typedef struct {
  OrmaBackend backend;
  char       *url;       /* as given */
  char       *path;      /* sqlite: the file name, or ":memory:" */
  gboolean    memory;    /* sqlite: an in-memory database */
  char       *conninfo;  /* postgresql: what libpq is given */
} OrmaUrl;

OrmaUrl *_orma_url_parse (const char *url,
                          GError    **error);
void     _orma_url_free  (OrmaUrl    *url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OrmaUrl, _orma_url_free)

G_END_DECLS
