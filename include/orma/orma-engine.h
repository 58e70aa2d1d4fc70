/* orma-engine.h: a database reached through a URL, with its pool of
 * connections.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (ORMA_INSIDE) && !defined (ORMA_COMPILATION)
#error "Only <orma/orma.h> can be included directly."
#endif

#include <orma/orma-types.h>

G_BEGIN_DECLS

#define ORMA_TYPE_ENGINE (orma_engine_get_type ())
ORMA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OrmaEngine, orma_engine, ORMA, ENGINE, GObject)

/**
 * OrmaEchoFunc:
 * @sql: the statement, as sent to the database
 * @params: (array length=n_params) (nullable): the bound values of the
 *   first row; an unset #GValue stands for NULL
 * @n_params: the number of parameters of one row
 * @n_rows: how many rows of parameters the statement was executed with
 *   (1 for a plain statement, more for a batch)
 * @user_data: the data given to orma_engine_set_echo_func()
 *
 * Receives every statement an engine executes while echo is on.
 */
typedef void (*OrmaEchoFunc) (const char          *sql,
                              const GValue *const *params,
                              guint                n_params,
                              guint                n_rows,
                              gpointer             user_data);

ORMA_AVAILABLE_IN_ALL
OrmaEngine     *orma_engine_new              (const char     *url,
                                              GError        **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
const char     *orma_engine_get_url          (OrmaEngine     *self);
ORMA_AVAILABLE_IN_ALL
const char     *orma_engine_get_backend_name (OrmaEngine     *self);
ORMA_AVAILABLE_IN_ALL
void            orma_engine_set_echo         (OrmaEngine     *self,
                                              gboolean        echo);
ORMA_AVAILABLE_IN_ALL
gboolean        orma_engine_get_echo         (OrmaEngine     *self);
ORMA_AVAILABLE_IN_ALL
void            orma_engine_set_echo_func    (OrmaEngine     *self,
                                              OrmaEchoFunc    func,
                                              gpointer        user_data,
                                              GDestroyNotify  destroy);
ORMA_AVAILABLE_IN_ALL
OrmaConnection *orma_engine_connect          (OrmaEngine     *self,
                                              GError        **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
void            orma_engine_dispose_pool     (OrmaEngine     *self);

G_END_DECLS
