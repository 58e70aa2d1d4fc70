/* orma-loader.c: what reading a relationship attribute does when it is
 * not loaded, or was loaded before the session's last expiry: the
 * session tracker's load_relationship callback.
 *
 * Freshness: a slot records the session generation it was loaded in
 * (its stamp); expire_all and commit bump the generation, so every
 * attribute loaded before is stale at once, at no cost per object. An
 * attribute the application filled before its object had a row is
 * stamped ORMA_LOADER_STAMP_UNSAVED and stays valid until the object
 * first expires. A stale attribute with unflushed changes (a collection
 * with history, a scalar set by the application) is never reloaded over
 * them.
 *
 * Strategies on access, as in SQLAlchemy: lazy, joined and selectin all
 * load with a SELECT of their own (joined and selectin only differ when
 * a query loads the owners); raise refuses (the guard against N+1
 * queries), noload gives an empty attribute, dynamic gives a query.
 * A query option may have changed the strategy for the objects it
 * loaded (raise, or lazy over a mapped raise): that choice is kept on
 * the object.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-eager-private.h"
#include "orma-loading-private.h"
#include "orma-query.h"
#include "orma-error-private.h"

/* ------------------------------------------------------------------ */
/* Strategy overrides from query options                               */

/* Two bit masks per object over the relationship indexes, kept as
 * object data only by the objects of queries with such options. */
typedef struct {
  guint64 raise;
  guint64 lazy;
} Overrides;

static GQuark
overrides_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("orma-loader-overrides");
  return quark;
}

void
_orma_loader_set_override (OrmaEntity       *entity,
                           OrmaRelationship *rel,
                           OrmaLoadStrategy  strategy)
{
  Overrides *overrides = g_object_get_qdata (G_OBJECT (entity), overrides_quark ());
  guint64 bit;

  if (rel->index >= 64)
    return;
  bit = G_GUINT64_CONSTANT (1) << rel->index;
  if (overrides == NULL)
    {
      if (strategy != ORMA_LOAD_RAISE && strategy != ORMA_LOAD_LAZY)
        return;
      overrides = g_new0 (Overrides, 1);
      g_object_set_qdata_full (G_OBJECT (entity), overrides_quark (), overrides, g_free);
    }
  overrides->raise &= ~bit;
  overrides->lazy &= ~bit;
  if (strategy == ORMA_LOAD_RAISE)
    overrides->raise |= bit;
  else if (strategy == ORMA_LOAD_LAZY)
    overrides->lazy |= bit;
}

OrmaLoadStrategy
_orma_loader_get_strategy (OrmaEntity       *entity,
                           OrmaRelationship *rel)
{
  Overrides *overrides = g_object_get_qdata (G_OBJECT (entity), overrides_quark ());

  if (overrides != NULL && rel->index < 64)
    {
      guint64 bit = G_GUINT64_CONSTANT (1) << rel->index;

      if (overrides->raise & bit)
        return ORMA_LOAD_RAISE;
      if (overrides->lazy & bit)
        return ORMA_LOAD_LAZY;
    }
  return rel->lazy;
}

/* ------------------------------------------------------------------ */
/* Keeping weakly held targets alive                                   */

static GQuark
keep_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("orma-loader-keep-alive");
  return quark;
}

void
_orma_loader_keep_alive (OrmaSession *session,
                         OrmaEntity  *entity)
{
  GPtrArray *kept = g_object_get_qdata (G_OBJECT (session), keep_quark ());

  if (kept == NULL)
    {
      kept = g_ptr_array_new_with_free_func (g_object_unref);
      g_object_set_qdata_full (G_OBJECT (session), keep_quark (), kept,
                               (GDestroyNotify) g_ptr_array_unref);
    }
  g_ptr_array_add (kept, g_object_ref (entity));
}

void
_orma_loader_keep_reset (OrmaSession *session)
{
  GPtrArray *kept = g_object_get_qdata (G_OBJECT (session), keep_quark ());

  /* taken out first: freeing an object may start another load */
  if (kept != NULL && kept->len > 0)
    {
      gsize n = 0;
      gpointer *objects = g_ptr_array_steal (kept, &n);

      for (gsize i = 0; i < n; i++)
        g_object_unref (objects[i]);
      g_free (objects);
    }
}

/* ------------------------------------------------------------------ */
/* The callback                                                        */

/* Whether reading @rel's key needs the owner's columns reloaded first:
 * its key columns are not all primary key columns (which an expired
 * object still knows). */
static gboolean
key_needs_row (OrmaMapper       *mapper,
               OrmaRelationship *rel)
{
  for (guint i = 0; i < rel->n_pairs; i++)
    {
      gboolean in_pk = FALSE;

      for (guint k = 0; k < mapper->n_pk; k++)
        in_pk |= mapper->pk[k] == rel->local[i];
      if (!in_pk)
        return TRUE;
    }
  return FALSE;
}

/* A dynamic relationship is never loaded: each read gives a new query
 * for its objects, which the application may filter further. */
static gboolean
load_dynamic (OrmaEntity        *entity,
              OrmaRelationship  *rel,
              OrmaSession       *session,
              GError           **error)
{
  OrmaRelSlot *slot = _orma_entity_rel_slot (entity, rel);
  OrmaQuery *query = NULL;

  if (session != NULL)
    {
      query = orma_entity_query_related (entity, rel->name, error);
      if (query == NULL)
        return FALSE;
    }
  g_clear_object (&slot->value);
  slot->value = (GObject *) query;
  slot->loaded = TRUE;
  slot->stamp = session != NULL ? session->generation : ORMA_LOADER_STAMP_UNSAVED;
  return TRUE;
}

static gboolean
load_persistent (OrmaEntity         *entity,
                 OrmaRelationship   *rel,
                 OrmaInstanceState  *state,
                 GError            **error)
{
  OrmaSession *session = state->session;
  OrmaRelSlot *slot = _orma_entity_rel_slot (entity, rel);
  g_autoptr (OrmaEntity) keep = NULL;

  /* An object expired on its own (orma_session_expire()) has every
   * attribute stale, whatever their stamps say. */
  if (!state->expired && _orma_loader_slot_is_current (session, entity, slot))
    return TRUE;
  /* a stale attribute keeps what the application changed */
  if (slot->loaded && _orma_loader_slot_has_changes (slot, rel))
    return TRUE;

  switch (_orma_loader_get_strategy (entity, rel))
    {
    case ORMA_LOAD_RAISE:
      _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                       "%s.%s is not loaded and its loading strategy is raise",
                       G_OBJECT_TYPE_NAME (entity), rel->name);
      return FALSE;
    case ORMA_LOAD_NOLOAD:
      _orma_loader_store (session, entity, rel, NULL, NULL);
      return TRUE;
    default:
      break;
    }

  keep = g_object_ref (entity);
  /* The key of a many-to-one is in the object's own row: an expired
   * object reads it again first, as any access to it would. So does an
   * object expired on its own, which would otherwise stay expired and
   * reload this attribute on every access. */
  if (!state->in_dirty && state->state == ORMA_STATE_PERSISTENT &&
      _orma_session_is_expired (session, state) &&
      (state->expired || key_needs_row (state->mapper, rel)) &&
      !_orma_loading_refresh (session, entity, error))
    return FALSE;
  /* The load sees the pending changes, as a query does; never inside a
   * running flush (_orma_session_autoflush knows). */
  if (!_orma_session_autoflush (session, error))
    return FALSE;
  _orma_loader_keep_reset (session);
  return _orma_loader_load_for (session, rel, &entity, 1, error);
}

/* What _orma_session_load_relationship() leaves alone, told without
 * touching anything but the state and the slot. */
gboolean
_orma_session_relationship_is_current (OrmaEntity                *entity,
                                       struct _OrmaRelationship  *rel,
                                       const struct _OrmaRelSlot *slot,
                                       gpointer                   data)
{
  OrmaInstanceState *state = data;

  if (rel->lazy == ORMA_LOAD_DYNAMIC || !slot->loaded)
    return FALSE;
  if ((state->state == ORMA_STATE_PERSISTENT || state->state == ORMA_STATE_DELETED) &&
      state->session != NULL)
    return !state->expired && slot->stamp != ORMA_LOADER_STAMP_UNSAVED &&
           slot->stamp >= state->session->generation;
  /* No row to read, or no session to read it: a loaded slot stays. */
  return TRUE;
}

gboolean
_orma_session_load_relationship (OrmaEntity                *entity,
                                 struct _OrmaRelationship  *rel,
                                 gpointer                   data,
                                 GError                   **error)
{
  OrmaInstanceState *state = data;
  OrmaRelSlot *slot;

  if (rel->lazy == ORMA_LOAD_DYNAMIC)
    return load_dynamic (entity, rel, state->session, error);

  switch ((OrmaState) state->state)
    {
    case ORMA_STATE_PERSISTENT:
    case ORMA_STATE_DELETED:
      if (state->session != NULL)
        return load_persistent (entity, rel, state, error);
      break;
    default:
      break;
    }

  slot = _orma_entity_rel_slot (entity, rel);
  if (slot->loaded)
    return TRUE;
  if (state->state == ORMA_STATE_DETACHED || state->state == ORMA_STATE_DELETED)
    {
      _orma_set_error (error, ORMA_ERROR_DETACHED,
                       "%s.%s is not loaded and the object is detached from its session",
                       G_OBJECT_TYPE_NAME (entity), rel->name);
      return FALSE;
    }
  /* Transient or pending: no row, so nothing to find in the database;
   * the attribute is what the application puts there. */
  _orma_entity_relationship_load (entity, rel, NULL, NULL, FALSE, ORMA_LOADER_STAMP_UNSAVED);
  return TRUE;
}
