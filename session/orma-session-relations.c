/* orma-session-relations.c: what the session does when the application
 * changes a relationship, outside of a flush.
 *
 * The changed set: an object whose relationship attribute changed (a
 * member appended to or removed from a collection, a many-to-one set) is
 * noted, referenced, in session->changed, so that the next flush reads
 * the history of its relationships (foreign keys to write, secondary
 * rows, orphans) without walking the identity map. Pending objects of
 * mappers with relationships are noted when added: their relationship
 * values are all new. The set is emptied by a successful flush, a
 * rollback and expunge, like the dirty set.
 *
 * The save-update cascade: an object that joins a relationship of an
 * object of the session joins the session too (pending), and so does
 * everything reachable from it along loaded relationships with the
 * save-update cascade. orma_session_add() cascades the same way.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-session-private.h"
#include "orma-relationship-private.h"
#include "orma-collection-private.h"

void
_orma_orphan_candidate_clear (OrmaOrphanCandidate *candidate)
{
  g_clear_object (&candidate->entity);
}

/* The slot of @rel in @entity, or NULL when the entity never had a
 * relationship value (its slots are not allocated): reading never
 * allocates. */
static OrmaRelSlot *
peek_slot (OrmaEntity       *entity,
           OrmaRelationship *rel)
{
  if (_orma_entity_get_private (entity)->rels == NULL)
    return NULL;
  return _orma_entity_rel_slot (entity, rel);
}

void
_orma_session_peek_related (OrmaEntity       *entity,
                            OrmaRelationship *rel,
                            GPtrArray        *out)
{
  OrmaRelSlot *slot;

  /* a dynamic relationship holds a query, not its members */
  if (rel->lazy == ORMA_LOAD_DYNAMIC)
    return;
  slot = peek_slot (entity, rel);
  if (slot == NULL || slot->value == NULL)
    return;
  if (ORMA_IS_COLLECTION (slot->value))
    {
      GPtrArray *items = _orma_collection_peek_items (ORMA_COLLECTION (slot->value));
      if (items != NULL)
        for (guint i = 0; i < items->len; i++)
          g_ptr_array_add (out, g_ptr_array_index (items, i));
    }
  else
    g_ptr_array_add (out, slot->value);
}

void
_orma_session_note_changed (OrmaSession       *self,
                            OrmaInstanceState *state)
{
  if (state->in_changed)
    return;
  state->in_changed = TRUE;
  g_ptr_array_add (self->changed, g_object_ref (state->entity));
}

void
_orma_session_forget_changed (OrmaSession       *self,
                              OrmaInstanceState *state)
{
  for (guint i = self->orphans->len; i > 0; i--)
    if (g_array_index (self->orphans, OrmaOrphanCandidate, i - 1).entity == state->entity)
      g_array_remove_index (self->orphans, i - 1);
  if (!state->in_changed)
    return;
  state->in_changed = FALSE;
  g_ptr_array_remove (self->changed, state->entity);
}

void
_orma_session_clear_changed (OrmaSession *self)
{
  g_autoptr (GPtrArray) changed = g_steal_pointer (&self->changed);

  /* The old array is dropped last: its references may be the last ones. */
  self->changed = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < changed->len; i++)
    _orma_instance_state_get (g_ptr_array_index (changed, i))->in_changed = FALSE;
  g_array_set_size (self->orphans, 0);
}

void
_orma_session_discard_relationship_changes (OrmaSession *self)
{
  g_autoptr (GPtrArray) changed = g_steal_pointer (&self->changed);

  self->changed = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < changed->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (changed, i);
      OrmaInstanceState *state = _orma_instance_state_get (entity);
      GPtrArray *rels = state->mapper->relationships;

      state->in_changed = FALSE;
      /* A pending object left the session with its values as the
       * application made them; a persistent one reads what the
       * database holds (history dropped first, so that the reload does
       * not merge the discarded changes back in). */
      if (state->session != self || state->state != ORMA_STATE_PERSISTENT ||
          rels == NULL || _orma_entity_get_private (entity)->rels == NULL)
        continue;
      for (guint r = 0; r < rels->len; r++)
        {
          _orma_entity_relationship_accept (entity, g_ptr_array_index (rels, r));
          _orma_entity_relationship_unload (entity, g_ptr_array_index (rels, r));
        }
    }
  g_array_set_size (self->orphans, 0);
}

/* ------------------------------------------------------------------ */
/* cascades                                                            */

/* A list of objects kept on the stack while it is short: a cascade
 * runs for every object added, and most reach only a handful. */
typedef struct {
  gpointer *items;
  guint     len;
  guint     size;
  gpointer  room[16];
} Objects;

static void
objects_init (Objects *list)
{
  list->items = list->room;
  list->len = 0;
  list->size = G_N_ELEMENTS (list->room);
}

static void
objects_add (Objects  *list,
             gpointer  object)
{
  if (list->len == list->size)
    {
      list->size *= 2;
      if (list->items == list->room)
        list->items = g_memdup2 (list->room, sizeof (list->room));
      list->items = g_renew (gpointer, list->items, list->size);
    }
  list->items[list->len++] = object;
}

static void
objects_clear (Objects *list)
{
  if (list->items != list->room)
    g_free (list->items);
}

/* @out gets the loaded related objects of @entity through @rel, as
 * _orma_session_peek_related() does. */
static void
objects_add_related (Objects          *out,
                     OrmaEntity       *entity,
                     OrmaRelationship *rel)
{
  OrmaRelSlot *slot;

  if (rel->lazy == ORMA_LOAD_DYNAMIC)
    return;
  slot = peek_slot (entity, rel);
  if (slot == NULL || slot->value == NULL)
    return;
  if (ORMA_IS_COLLECTION (slot->value))
    {
      GPtrArray *items = _orma_collection_peek_items (ORMA_COLLECTION (slot->value));

      for (guint i = 0; items != NULL && i < items->len; i++)
        objects_add (out, g_ptr_array_index (items, i));
    }
  else
    objects_add (out, slot->value);
}

/* Follows @cascade from @entity: @visit is called for each object
 * reachable along loaded relationships that have it, and returns TRUE
 * when the walk should continue from that object. Iterative: a long
 * chain of objects does not grow the stack. The objects to walk from
 * are referenced (a visit may drop the session's reference); the
 * related objects of one relationship are copied before they are
 * visited, so that a visit may change the relationship. */
static void
walk_cascade (OrmaEntity  *entity,
              OrmaCascade  cascade,
              gboolean   (*visit) (OrmaEntity *entity, gpointer data),
              gpointer     data)
{
  Objects queue, related;

  objects_init (&queue);
  objects_init (&related);
  objects_add (&queue, g_object_ref (entity));
  for (guint q = 0; q < queue.len; q++)
    {
      OrmaEntity *from = queue.items[q];
      GPtrArray *rels = _orma_entity_get_mapper (from)->relationships;

      if (rels == NULL || _orma_entity_get_private (from)->rels == NULL)
        continue;
      for (guint r = 0; r < rels->len; r++)
        {
          OrmaRelationship *rel = g_ptr_array_index (rels, r);

          if (!(rel->cascade & cascade))
            continue;
          related.len = 0;
          objects_add_related (&related, from, rel);
          for (guint i = 0; i < related.len; i++)
            if (visit (related.items[i], data))
              objects_add (&queue, g_object_ref (related.items[i]));
        }
    }
  for (guint q = 0; q < queue.len; q++)
    g_object_unref (queue.items[q]);
  objects_clear (&queue);
  objects_clear (&related);
}

/* Adds an object reached by the save-update cascade; the walk goes on
 * from the objects that were not in the session yet. */
static gboolean
visit_add (OrmaEntity *entity,
           gpointer    data)
{
  OrmaSession *self = data;
  OrmaInstanceState *state = _orma_instance_state_get (entity);

  if (state != NULL && state->session == self &&
      (state->state == ORMA_STATE_PENDING || state->state == ORMA_STATE_PERSISTENT))
    return FALSE;
  return _orma_session_add_one (self, entity);
}

void
_orma_session_cascade_add (OrmaSession *self,
                           OrmaEntity  *entity)
{
  walk_cascade (entity, ORMA_CASCADE_SAVE_UPDATE, visit_add, self);
}

static gboolean
visit_expunge (OrmaEntity *entity,
               gpointer    data)
{
  OrmaSession *self = data;
  OrmaInstanceState *state = _orma_instance_state_get (entity);

  if (state == NULL || state->session != self)
    return FALSE;
  _orma_session_detach_state (self, state);
  return TRUE;
}

void
_orma_session_cascade_expunge (OrmaSession *self,
                               OrmaEntity  *entity)
{
  walk_cascade (entity, ORMA_CASCADE_EXPUNGE, visit_expunge, self);
}

/* The tracker's relationship_changed callback: the application changed
 * a relationship attribute of @entity. */
void
_orma_session_relationship_changed (OrmaEntity               *entity,
                                    struct _OrmaRelationship *rel,
                                    OrmaEntity               *added,
                                    OrmaEntity               *removed,
                                    gpointer                  data)
{
  OrmaInstanceState *state = data;
  OrmaSession *self = state->session;

  if (self == NULL ||
      (state->state != ORMA_STATE_PENDING && state->state != ORMA_STATE_PERSISTENT))
    return;
  _orma_session_note_changed (self, state);
  if (removed != NULL && (rel->cascade & ORMA_CASCADE_DELETE_ORPHAN))
    {
      OrmaOrphanCandidate candidate = { g_object_ref (removed), rel };
      g_array_append_val (self->orphans, candidate);
    }
  if (added != NULL && (rel->cascade & ORMA_CASCADE_SAVE_UPDATE) &&
      visit_add (added, self))
    _orma_session_cascade_add (self, added);
}
