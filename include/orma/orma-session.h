/* orma-session.h: the session: identity map, change tracking, unit of
 * work and transactions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (ORMA_INSIDE) && !defined (ORMA_COMPILATION)
#error "Only <orma/orma.h> can be included directly."
#endif

#include <orma/orma-types.h>

G_BEGIN_DECLS

/**
 * OrmaState:
 * @ORMA_STATE_TRANSIENT: in no session, no row
 * @ORMA_STATE_PENDING: added to a session, not yet flushed
 * @ORMA_STATE_PERSISTENT: in a session, with a row in the database
 * @ORMA_STATE_DELETED: its row was deleted by a flush; the commit detaches it
 * @ORMA_STATE_DETACHED: has a row, but is in no session
 *
 * The life cycle of a mapped object.
 */
typedef enum {
  ORMA_STATE_TRANSIENT,
  ORMA_STATE_PENDING,
  ORMA_STATE_PERSISTENT,
  ORMA_STATE_DELETED,
  ORMA_STATE_DETACHED,
} OrmaState;

#define ORMA_TYPE_SESSION (orma_session_get_type ())
ORMA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OrmaSession, orma_session, ORMA, SESSION, GObject)

ORMA_AVAILABLE_IN_ALL
OrmaSession *orma_session_new               (OrmaEngine    *engine) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
OrmaEngine  *orma_session_get_engine        (OrmaSession   *self);
ORMA_AVAILABLE_IN_ALL
void         orma_session_set_autoflush     (OrmaSession   *self,
                                             gboolean       autoflush);
ORMA_AVAILABLE_IN_ALL
gboolean     orma_session_get_autoflush     (OrmaSession   *self);
ORMA_AVAILABLE_IN_ALL
void         orma_session_set_expire_on_commit (OrmaSession *self,
                                             gboolean       expire_on_commit);
ORMA_AVAILABLE_IN_ALL
gboolean     orma_session_get_expire_on_commit (OrmaSession *self);

ORMA_AVAILABLE_IN_ALL
void         orma_session_add               (OrmaSession   *self,
                                             OrmaEntity    *entity);
ORMA_AVAILABLE_IN_ALL
void         orma_session_add_all           (OrmaSession   *self,
                                             OrmaEntity   **entities,
                                             guint          n_entities);
ORMA_AVAILABLE_IN_ALL
gboolean     orma_session_delete            (OrmaSession   *self,
                                             OrmaEntity    *entity,
                                             GError       **error);
ORMA_AVAILABLE_IN_ALL
void         orma_session_expunge           (OrmaSession   *self,
                                             OrmaEntity    *entity);
ORMA_AVAILABLE_IN_ALL
void         orma_session_expunge_all       (OrmaSession   *self);
ORMA_AVAILABLE_IN_ALL
void         orma_session_close             (OrmaSession   *self);
ORMA_AVAILABLE_IN_ALL
gboolean     orma_session_contains          (OrmaSession   *self,
                                             OrmaEntity    *entity);

ORMA_AVAILABLE_IN_ALL
gpointer     orma_session_get               (OrmaSession   *self,
                                             GType          entity_type,
                                             gint64         id,
                                             GError       **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
gpointer     orma_session_get_by_key        (OrmaSession   *self,
                                             GType          entity_type,
                                             const GValue  *key,
                                             guint          n_key_values,
                                             GError       **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
gboolean     orma_session_refresh           (OrmaSession   *self,
                                             OrmaEntity    *entity,
                                             GError       **error);
ORMA_AVAILABLE_IN_ALL
void         orma_session_expire            (OrmaSession   *self,
                                             OrmaEntity    *entity);
ORMA_AVAILABLE_IN_ALL
void         orma_session_expire_all        (OrmaSession   *self);

ORMA_AVAILABLE_IN_ALL
gboolean     orma_session_flush             (OrmaSession   *self,
                                             GError       **error);
ORMA_AVAILABLE_IN_ALL
gboolean     orma_session_commit            (OrmaSession   *self,
                                             GError       **error);
ORMA_AVAILABLE_IN_ALL
gboolean     orma_session_rollback          (OrmaSession   *self,
                                             GError       **error);
ORMA_AVAILABLE_IN_ALL
gboolean     orma_session_begin_nested      (OrmaSession   *self,
                                             GError       **error);
ORMA_AVAILABLE_IN_ALL
gboolean     orma_session_commit_nested     (OrmaSession   *self,
                                             GError       **error);
ORMA_AVAILABLE_IN_ALL
gboolean     orma_session_rollback_nested   (OrmaSession   *self,
                                             GError       **error);
ORMA_AVAILABLE_IN_ALL
gboolean     orma_session_is_dirty          (OrmaSession   *self);

ORMA_AVAILABLE_IN_ALL
OrmaQuery   *orma_session_query             (OrmaSession   *self,
                                             GType          entity_type) G_GNUC_WARN_UNUSED_RESULT;

ORMA_AVAILABLE_IN_ALL
OrmaState    orma_entity_get_state          (OrmaEntity    *entity);
ORMA_AVAILABLE_IN_ALL
gboolean     orma_entity_is_modified        (OrmaEntity    *entity);
ORMA_AVAILABLE_IN_ALL
OrmaSession *orma_entity_get_session        (OrmaEntity    *entity);

G_END_DECLS
