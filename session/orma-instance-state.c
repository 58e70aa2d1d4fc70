/* orma-instance-state.c: the per-object bookkeeping of the session layer
 * and the tracker callbacks through which entities report to it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-instance-state-private.h"
#include "orma-session-private.h"
#include "orma-loading-private.h"

static void
tracker_before_access (OrmaEntity *entity,
                       gpointer    data)
{
  OrmaInstanceState *state = data;
  g_autoptr (GError) error = NULL;

  /* A dirty object keeps its unflushed changes: no reload over them. */
  if (state->session == NULL || state->refreshing || state->in_dirty ||
      state->state != ORMA_STATE_PERSISTENT ||
      !_orma_session_is_expired (state->session, state))
    return;

  /* An expired object reloads on first access, as after a commit. A
   * property accessor cannot report an error: the values already held are
   * kept and the failure is logged. */
  if (!_orma_loading_refresh (state->session, entity, &error))
    g_debug ("could not reload expired %s: %s",
             G_OBJECT_TYPE_NAME (entity), error->message);
}

static void
tracker_changed (OrmaEntity *entity,
                 guint       column,
                 gpointer    data)
{
  OrmaInstanceState *state = data;
  OrmaSession *session = state->session;

  /* Only persistent objects need an UPDATE; a pending one is INSERTed
   * with whatever it holds at flush time. */
  if (session == NULL || state->state != ORMA_STATE_PERSISTENT || state->in_dirty)
    return;
  state->in_dirty = TRUE;
  g_ptr_array_add (session->dirty, g_object_ref (entity));
}

static void
tracker_disposed (OrmaEntity *entity,
                  gpointer    data)
{
  OrmaInstanceState *state = data;

  /* The last reference is gone. The session's sets hold references, so a
   * new, dirty or deleted object never gets here while tracked; a clean
   * one leaves the identity map, which held it weakly. */
  if (state->session != NULL && state->in_map)
    _orma_identity_map_remove (state->session->identity_map, state);
  _orma_entity_set_tracker (entity, NULL, NULL);
  g_clear_pointer (&state->key, _orma_identity_key_free);
  /* the state lives inside the entity: nothing else to free */
}

const OrmaEntityTracker _orma_session_tracker = {
  .before_access = tracker_before_access,
  .changed = tracker_changed,
  .disposed = tracker_disposed,
  .load_relationship = _orma_session_load_relationship,
  .relationship_is_current = _orma_session_relationship_is_current,
  .relationship_changed = _orma_session_relationship_changed,
};

OrmaInstanceState *
_orma_instance_state_get (OrmaEntity *entity)
{
  return _orma_entity_get_tracker_data (entity);
}

OrmaInstanceState *
_orma_instance_state_ensure (OrmaEntity *entity)
{
  OrmaInstanceState *state = _orma_entity_get_tracker_data (entity);

  G_STATIC_ASSERT (sizeof (OrmaInstanceState) <= ORMA_TRACKER_STORAGE_SIZE);

  if (state == NULL)
    {
      state = _orma_entity_tracker_storage (entity);
      memset (state, 0, sizeof (OrmaInstanceState));
      state->entity = entity;
      state->mapper = _orma_entity_get_mapper (entity);
      state->state = ORMA_STATE_TRANSIENT;
      _orma_entity_set_tracker (entity, &_orma_session_tracker, state);
    }
  return state;
}

/**
 * orma_entity_get_state:
 * @entity: a mapped object
 *
 * Tells where @entity is in its life cycle: transient, pending,
 * persistent, deleted or detached.
 *
 * Returns: the state
 */
OrmaState
orma_entity_get_state (OrmaEntity *entity)
{
  OrmaInstanceState *state;

  g_return_val_if_fail (ORMA_IS_ENTITY (entity), ORMA_STATE_TRANSIENT);

  state = _orma_instance_state_get (entity);
  return state ? state->state : ORMA_STATE_TRANSIENT;
}

/**
 * orma_entity_get_session:
 * @entity: a mapped object
 *
 * Returns: (transfer none) (nullable): the session holding @entity
 */
OrmaSession *
orma_entity_get_session (OrmaEntity *entity)
{
  OrmaInstanceState *state;

  g_return_val_if_fail (ORMA_IS_ENTITY (entity), NULL);

  state = _orma_instance_state_get (entity);
  return state ? state->session : NULL;
}

/**
 * orma_entity_is_modified:
 * @entity: a mapped object
 *
 * Tells whether an attribute of @entity differs from the value the
 * database holds (a change set back to its original value is no
 * modification).
 *
 * Returns: %TRUE if a flush would UPDATE @entity
 */
gboolean
orma_entity_is_modified (OrmaEntity *entity)
{
  g_return_val_if_fail (ORMA_IS_ENTITY (entity), FALSE);

  return _orma_entity_modified_mask (entity) != 0;
}
