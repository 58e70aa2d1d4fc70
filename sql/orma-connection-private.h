/* orma-connection-private.h: what the session and the DDL code use of a
 * connection beyond the public API: the statement cache and batches.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-connection.h"
#include "orma-driver-private.h"

G_BEGIN_DECLS

OrmaConnection    *_orma_connection_new          (OrmaEngine          *engine,
                                                  OrmaDriverConn      *driver_conn);
const OrmaDialect *_orma_connection_get_dialect  (OrmaConnection      *self);

/* Executes @sql (in the dialect's placeholder syntax) once. The prepared
 * statement is kept in the connection's cache, keyed by the SQL text, so a
 * repeated statement is neither parsed nor planned again. Echoed. */
OrmaCursor        *_orma_connection_query        (OrmaConnection      *self,
                                                  const char          *sql,
                                                  const GValue *const *params,
                                                  guint                n_params,
                                                  gboolean             stream,
                                                  gint64              *affected,
                                                  GError             **error);
/* Executes @sql once per parameter row in one batch (see
 * OrmaDriver.execute_many). Echoed once with n_rows. */
gboolean           _orma_connection_execute_many (OrmaConnection      *self,
                                                  const char          *sql,
                                                  const GValue *const *params,
                                                  guint                n_params,
                                                  guint                n_rows,
                                                  OrmaReturningFunc    returning,
                                                  gpointer             user_data,
                                                  gint64              *affected,
                                                  GError             **error);
/* Runs a statement without parameters or rows (DDL, transaction control).
 * Echoed. */
gboolean           _orma_connection_exec         (OrmaConnection      *self,
                                                  const char          *sql,
                                                  GError             **error);

/* How many statements this connection has prepared (cache misses);
 * lets the tests see the statement cache at work. */
guint              _orma_connection_get_n_prepared (OrmaConnection *self);

/* OrmaRows over @cursor (taken), keeping @connection alive. */
OrmaRows          *_orma_rows_new                (OrmaConnection      *connection,
                                                  OrmaCursor          *cursor);

/* Engine internals used by the connection and the pool */
void               _orma_engine_echo             (OrmaEngine          *engine,
                                                  const char          *sql,
                                                  const GValue *const *params,
                                                  guint                n_params,
                                                  guint                n_rows);
gboolean           _orma_engine_echo_enabled     (OrmaEngine          *engine);
/* Fault injection for tests: the @nth data statement from now (query or
 * batch, not transaction control) fails with ORMA_ERROR @code. */
void               _orma_engine_inject_fault     (OrmaEngine          *engine,
                                                  guint                nth,
                                                  int                  code);
/* FALSE, with the injected error, when this statement is the one. */
gboolean           _orma_engine_check_fault      (OrmaEngine          *engine,
                                                  GError             **error);
/* TRUE for the connection an in-memory SQLite engine hands to everybody. */
gboolean           _orma_engine_is_shared        (OrmaEngine          *engine,
                                                  OrmaDriverConn      *driver_conn);
/* Gives a driver connection back to the pool (or closes it if broken). */
void               _orma_engine_release          (OrmaEngine          *engine,
                                                  OrmaDriverConn      *driver_conn);

G_END_DECLS
