/* orma-connection.h: one database connection checked out of an engine's
 * pool; transactions, savepoints and textual SQL.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (ORMA_INSIDE) && !defined (ORMA_COMPILATION)
#error "Only <orma/orma.h> can be included directly."
#endif

#include <orma/orma-types.h>

G_BEGIN_DECLS

#define ORMA_TYPE_CONNECTION (orma_connection_get_type ())
ORMA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OrmaConnection, orma_connection, ORMA, CONNECTION, GObject)

ORMA_AVAILABLE_IN_ALL
OrmaEngine *orma_connection_get_engine         (OrmaConnection      *self);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_connection_begin              (OrmaConnection      *self,
                                                GError             **error);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_connection_commit             (OrmaConnection      *self,
                                                GError             **error);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_connection_rollback           (OrmaConnection      *self,
                                                GError             **error);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_connection_in_transaction     (OrmaConnection      *self);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_connection_savepoint          (OrmaConnection      *self,
                                                const char          *name,
                                                GError             **error);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_connection_release_savepoint  (OrmaConnection      *self,
                                                const char          *name,
                                                GError             **error);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_connection_rollback_to_savepoint (OrmaConnection   *self,
                                                const char          *name,
                                                GError             **error);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_connection_execute            (OrmaConnection      *self,
                                                const char          *sql,
                                                const GValue        *params,
                                                guint                n_params,
                                                gint64              *affected_rows,
                                                GError             **error);
ORMA_AVAILABLE_IN_ALL
OrmaRows   *orma_connection_query              (OrmaConnection      *self,
                                                const char          *sql,
                                                const GValue        *params,
                                                guint                n_params,
                                                GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* OrmaRows: a forward-only cursor over the rows of a textual query. */
#define ORMA_TYPE_ROWS (orma_rows_get_type ())
ORMA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OrmaRows, orma_rows, ORMA, ROWS, GObject)

ORMA_AVAILABLE_IN_ALL
gboolean    orma_rows_next            (OrmaRows  *self,
                                       GError   **error);
ORMA_AVAILABLE_IN_ALL
guint       orma_rows_get_n_columns   (OrmaRows  *self);
ORMA_AVAILABLE_IN_ALL
const char *orma_rows_get_column_name (OrmaRows  *self,
                                       guint      column);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_rows_is_null         (OrmaRows  *self,
                                       guint      column);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_rows_get_value       (OrmaRows  *self,
                                       guint      column,
                                       GValue    *value,
                                       GError   **error);
ORMA_AVAILABLE_IN_ALL
gint64      orma_rows_get_int64       (OrmaRows  *self,
                                       guint      column);
ORMA_AVAILABLE_IN_ALL
double      orma_rows_get_double      (OrmaRows  *self,
                                       guint      column);
ORMA_AVAILABLE_IN_ALL
char       *orma_rows_dup_string      (OrmaRows  *self,
                                       guint      column) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
