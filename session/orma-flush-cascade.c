/* orma-flush-cascade.c: step 1 of a flush: deciding which objects the
 * flush is about, before anything is planned.
 *
 * - save-update: objects reachable from the changed objects along
 *   relationships with the save-update cascade join the session
 *   (appending to a collection already does this; a flush makes sure);
 * - delete-orphan: an object removed from a delete-orphan relationship
 *   (or left behind when the collection was replaced) and attached to no
 *   other parent is deleted, or, if it was pending, expunged: it is
 *   never INSERTed;
 * - delete: the objects related to a deleted object along relationships
 *   with the delete cascade are deleted too (recursively), after
 *   loading the relationships that are not loaded (with passive-deletes,
 *   only the members in memory: the database deletes the others); a
 *   pending object reached is expunged;
 * - the one-to-many collections of a deleted object without the delete
 *   cascade are loaded, so that the flush can set the children's
 *   foreign keys to NULL, unless the relationship has passive-deletes
 *   (the database's ON DELETE takes care of the rows not loaded).
 *
 * What this step decides stays decided if the flush then fails, as in
 * SQLAlchemy, where the delete cascade happens in delete(): the objects
 * stay deleted (or expunged) in the session and the next flush tries
 * again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-flush-private.h"
#include "orma-collection-private.h"
#include "orma-eager-private.h"
#include "orma-query.h"

OrmaRelSlot *
_orma_flush_peek_slot (OrmaEntity       *entity,
                       OrmaRelationship *rel)
{
  if (_orma_entity_get_private (entity)->rels == NULL)
    return NULL;
  return _orma_entity_rel_slot (entity, rel);
}

static GPtrArray *
relationships_of (OrmaEntity *entity)
{
  return _orma_entity_get_mapper (entity)->relationships;
}

static char *
dynamic_key (OrmaEntity       *entity,
             OrmaRelationship *rel)
{
  return g_strdup_printf ("%p:%p", (gpointer) entity, (gpointer) rel);
}

void
_orma_flush_related (OrmaFlushPlan    *plan,
                     OrmaEntity       *entity,
                     OrmaRelationship *rel,
                     GPtrArray        *out)
{
  if (rel->lazy == ORMA_LOAD_DYNAMIC)
    {
      g_autofree char *key = dynamic_key (entity, rel);
      GPtrArray *members = g_hash_table_lookup (plan->dynamic, key);

      if (members != NULL)
        g_ptr_array_extend (out, members, NULL, NULL);
      return;
    }
  _orma_session_peek_related (entity, rel, out);
}

/* A dynamic relationship has no members in memory: its rows are
 * queried, once per flush. */
static gboolean
query_dynamic (OrmaFlushPlan     *plan,
               OrmaEntity        *entity,
               OrmaRelationship  *rel,
               GError           **error)
{
  g_autofree char *key = dynamic_key (entity, rel);
  g_autoptr (OrmaQuery) query = NULL;
  GPtrArray *members;

  if (g_hash_table_contains (plan->dynamic, key))
    return TRUE;
  query = orma_entity_query_related (entity, rel->name, error);
  if (query == NULL)
    return FALSE;
  members = orma_query_all (query, error);
  if (members == NULL)
    return FALSE;
  g_hash_table_insert (plan->dynamic, g_steal_pointer (&key), members);
  return TRUE;
}

/* TRUE when the flush must load @rel of @entity to see its members:
 * it has a row, and the attribute was never loaded or is stale. */
static gboolean
needs_load (OrmaSession      *session,
            OrmaEntity       *entity,
            OrmaRelationship *rel)
{
  OrmaInstanceState *state = _orma_instance_state_get (entity);
  OrmaRelSlot *slot = _orma_flush_peek_slot (entity, rel);

  if (state->state != ORMA_STATE_PERSISTENT)
    return FALSE;
  if (slot == NULL || !slot->loaded)
    return TRUE;
  /* stale, unless it holds changes a reload would not overwrite */
  return !_orma_loader_slot_is_current (session, entity, slot) &&
         !_orma_loader_slot_has_changes (slot, rel);
}

/* A pending object reached by a delete or an orphan leaves the session
 * without SQL; a persistent one is deleted. */
static void
delete_or_expunge (OrmaSession *session,
                   OrmaEntity  *entity)
{
  OrmaInstanceState *state = _orma_instance_state_get (entity);

  if (state == NULL || state->session != session || state->in_deleted)
    return;
  if (state->state == ORMA_STATE_PENDING)
    _orma_session_detach_state (session, state);
  else if (state->state == ORMA_STATE_PERSISTENT)
    {
      state->in_deleted = TRUE;
      g_ptr_array_add (session->deleted, g_object_ref (entity));
    }
}

/* ------------------------------------------------------------------ */
/* save-update                                                         */

static void
cascade_saves (OrmaSession *session)
{
  /* The changed set grows while it is walked: objects that join the
   * session with relationships are noted in it. */
  for (guint i = 0; i < session->changed->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (session->changed, i);
      OrmaInstanceState *state = _orma_instance_state_get (entity);

      if (state->session == session && !state->in_deleted &&
          (state->state == ORMA_STATE_PENDING || state->state == ORMA_STATE_PERSISTENT))
        _orma_session_cascade_add (session, entity);
    }
}

/* ------------------------------------------------------------------ */
/* delete-orphan                                                       */

/* TRUE when @child is a member of @rel in a changed object that is not
 * deleted (appended elsewhere, or back into the same one). */
static gboolean
member_of_changed (OrmaSession      *session,
                   OrmaEntity       *child,
                   OrmaRelationship *rel)
{
  g_autoptr (GPtrArray) members = g_ptr_array_new ();

  for (guint i = 0; i < session->changed->len; i++)
    {
      OrmaEntity *owner = g_ptr_array_index (session->changed, i);

      if (_orma_entity_get_mapper (owner) != rel->owner ||
          _orma_instance_state_get (owner)->in_deleted)
        continue;
      g_ptr_array_set_size (members, 0);
      _orma_session_peek_related (owner, rel, members);
      for (guint k = 0; k < members->len; k++)
        if (g_ptr_array_index (members, k) == child)
          return TRUE;
    }
  return FALSE;
}

/* The members of @rel in the changed objects, each with an owner that
 * held it (member -> owner): built once per relationship and flush, so
 * that checking many orphans does not walk every collection for each. */
static GHashTable *
members_index (OrmaSession      *session,
               OrmaRelationship *rel,
               GHashTable       *cache)
{
  GHashTable *index = g_hash_table_lookup (cache, rel);
  g_autoptr (GPtrArray) members = NULL;

  if (index != NULL)
    return index;
  index = g_hash_table_new (NULL, NULL);
  members = g_ptr_array_new ();
  for (guint i = 0; i < session->changed->len; i++)
    {
      OrmaEntity *owner = g_ptr_array_index (session->changed, i);

      if (_orma_entity_get_mapper (owner) != rel->owner ||
          _orma_instance_state_get (owner)->in_deleted)
        continue;
      g_ptr_array_set_size (members, 0);
      _orma_session_peek_related (owner, rel, members);
      for (guint k = 0; k < members->len; k++)
        g_hash_table_insert (index, g_ptr_array_index (members, k), owner);
    }
  g_hash_table_insert (cache, rel, index);
  return index;
}

/* TRUE when @child has a parent through @rel (or its reverse): its
 * reverse many-to-one is set, or it is a member of a collection of an
 * object of the changed set that is not deleted. */
static gboolean
has_parent (OrmaSession      *session,
            OrmaEntity       *child,
            OrmaRelationship *rel,
            GHashTable       *cache)
{
  OrmaEntity *owner;

  if (rel->reverse != NULL && rel->reverse->direction == ORMA_REL_MANY_TO_ONE)
    {
      OrmaRelSlot *slot = _orma_flush_peek_slot (child, rel->reverse);
      if (slot != NULL && slot->value != NULL)
        return TRUE;
    }
  owner = g_hash_table_lookup (members_index (session, rel, cache), child);
  if (owner == NULL)
    return FALSE;
  /* the owner noted may have been deleted since (an orphan itself):
   * another may hold the child */
  return !_orma_instance_state_get (owner)->in_deleted ||
         member_of_changed (session, child, rel);
}

static void
add_candidate (GArray           *candidates,
               OrmaEntity       *entity,
               OrmaRelationship *rel)
{
  OrmaOrphanCandidate candidate = { g_object_ref (entity), rel };
  g_array_append_val (candidates, candidate);
}

/* The objects removed from delete-orphan relationships: noted when it
 * happened, and read from the history of the changed objects (a
 * replaced collection, changes made while it was not loaded). */
static GArray *
orphan_candidates (OrmaSession *session)
{
  GArray *candidates = g_array_new (FALSE, TRUE, sizeof (OrmaOrphanCandidate));

  g_array_set_clear_func (candidates, (GDestroyNotify) _orma_orphan_candidate_clear);
  for (guint i = 0; i < session->orphans->len; i++)
    {
      OrmaOrphanCandidate *c = &g_array_index (session->orphans, OrmaOrphanCandidate, i);
      add_candidate (candidates, c->entity, c->rel);
    }
  for (guint i = 0; i < session->changed->len; i++)
    {
      OrmaEntity *owner = g_ptr_array_index (session->changed, i);
      GPtrArray *rels = relationships_of (owner);

      if (_orma_instance_state_get (owner)->state != ORMA_STATE_PERSISTENT)
        continue;
      for (guint r = 0; rels != NULL && r < rels->len; r++)
        {
          OrmaRelationship *rel = g_ptr_array_index (rels, r);
          OrmaRelSlot *slot;

          if (!(rel->cascade & ORMA_CASCADE_DELETE_ORPHAN) ||
              (slot = _orma_flush_peek_slot (owner, rel)) == NULL || slot->value == NULL)
            continue;
          if (ORMA_IS_COLLECTION (slot->value))
            {
              GPtrArray *removed = _orma_collection_get_removed (ORMA_COLLECTION (slot->value));
              for (guint k = 0; removed != NULL && k < removed->len; k++)
                add_candidate (candidates, g_ptr_array_index (removed, k), rel);
            }
        }
      /* a scalar replaced: the old value is the orphan */
      for (guint r = 0; rels != NULL && r < rels->len; r++)
        {
          OrmaRelationship *rel = g_ptr_array_index (rels, r);
          OrmaRelSlot *slot = _orma_flush_peek_slot (owner, rel);

          if ((rel->cascade & ORMA_CASCADE_DELETE_ORPHAN) && !rel->is_collection &&
              slot != NULL && slot->changed && slot->committed_set &&
              slot->committed != NULL && (GObject *) slot->committed != slot->value)
            add_candidate (candidates, slot->committed, rel);
        }
    }
  return candidates;
}

static void
delete_orphans (OrmaSession *session)
{
  g_autoptr (GArray) candidates = orphan_candidates (session);
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) cache = g_hash_table_new_full (NULL, NULL, NULL,
                                                        (GDestroyNotify) g_hash_table_unref);

  for (guint i = 0; i < candidates->len; i++)
    {
      OrmaOrphanCandidate *c = &g_array_index (candidates, OrmaOrphanCandidate, i);
      OrmaInstanceState *state = _orma_instance_state_get (c->entity);

      if (!g_hash_table_add (seen, c->entity) || state == NULL ||
          state->session != session || state->in_deleted)
        continue;
      if (!has_parent (session, c->entity, c->rel, cache))
        delete_or_expunge (session, c->entity);
    }
}

/* ------------------------------------------------------------------ */
/* delete                                                              */

/* Deleting the parent of a delete cascade, or of a delete-orphan
 * one-to-many (its children would be orphans), deletes the children. */
static gboolean
cascades_delete (OrmaRelationship *rel)
{
  return (rel->cascade & ORMA_CASCADE_DELETE) ||
         ((rel->cascade & ORMA_CASCADE_DELETE_ORPHAN) && rel->direction == ORMA_REL_ONE_TO_MANY);
}

/* Loads @rel for those of @owners that need it, with one SELECT per
 * chunk of owners (a subtree is loaded one level at a time, not one row
 * at a time). */
static gboolean
load_many (OrmaSession       *session,
           OrmaFlushPlan     *plan,
           OrmaRelationship  *rel,
           GPtrArray         *owners,
           GError           **error)
{
  g_autoptr (GPtrArray) todo = g_ptr_array_new ();

  /* passive-deletes: the database's ON DELETE acts on the rows not in
   * memory; only the members already loaded are seen. */
  if (rel->passive_deletes)
    return TRUE;
  for (guint i = 0; i < owners->len; i++)
    {
      OrmaEntity *owner = g_ptr_array_index (owners, i);

      if (_orma_instance_state_get (owner)->state != ORMA_STATE_PERSISTENT)
        continue;
      if (rel->lazy == ORMA_LOAD_DYNAMIC)
        {
          if (!query_dynamic (plan, owner, rel, error))
            return FALSE;
        }
      else if (needs_load (session, owner, rel))
        g_ptr_array_add (todo, owner);
    }
  return todo->len == 0 ||
         _orma_loader_load_for (session, rel, (OrmaEntity **) todo->pdata, todo->len, error);
}

/* Calls load_many() for each relationship of the objects
 * deleted[first..last) that @wanted selects, grouping the objects by
 * relationship in order of first appearance. */
static gboolean
load_for_deleted (OrmaSession       *session,
                  OrmaFlushPlan     *plan,
                  guint              first,
                  guint              last,
                  gboolean         (*wanted) (OrmaRelationship *rel),
                  GError           **error)
{
  g_autoptr (GPtrArray) rels = g_ptr_array_new ();
  g_autoptr (GPtrArray) owners = g_ptr_array_new ();

  for (guint i = first; i < last; i++)
    {
      GPtrArray *mapper_rels = relationships_of (g_ptr_array_index (session->deleted, i));

      for (guint r = 0; mapper_rels != NULL && r < mapper_rels->len; r++)
        {
          OrmaRelationship *rel = g_ptr_array_index (mapper_rels, r);
          if (rel->resolved && wanted (rel) && !g_ptr_array_find (rels, rel, NULL))
            g_ptr_array_add (rels, rel);
        }
    }
  for (guint r = 0; r < rels->len; r++)
    {
      OrmaRelationship *rel = g_ptr_array_index (rels, r);

      g_ptr_array_set_size (owners, 0);
      for (guint i = first; i < last; i++)
        {
          OrmaEntity *entity = g_ptr_array_index (session->deleted, i);
          if (_orma_entity_get_mapper (entity) == rel->owner)
            g_ptr_array_add (owners, entity);
        }
      if (!load_many (session, plan, rel, owners, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
cascade_deletes (OrmaSession    *session,
                 OrmaFlushPlan  *plan,
                 GError        **error)
{
  g_autoptr (GPtrArray) related = g_ptr_array_new ();
  guint first = 0;

  /* In waves: the objects deleted so far, then the children they
   * brought, and so on. */
  while (first < session->deleted->len)
    {
      guint last = session->deleted->len;

      if (!load_for_deleted (session, plan, first, last, cascades_delete, error))
        return FALSE;
      for (guint i = first; i < last; i++)
        {
          OrmaEntity *entity = g_ptr_array_index (session->deleted, i);
          GPtrArray *rels = relationships_of (entity);

          for (guint r = 0; rels != NULL && r < rels->len; r++)
            {
              OrmaRelationship *rel = g_ptr_array_index (rels, r);

              if (!rel->resolved || !cascades_delete (rel))
                continue;
              g_ptr_array_set_size (related, 0);
              _orma_flush_related (plan, entity, rel, related);
              for (guint k = 0; k < related->len; k++)
                delete_or_expunge (session, g_ptr_array_index (related, k));
            }
        }
      first = last;
    }
  return TRUE;
}

/* The one-to-many relationships whose children get NULL keys when the
 * parent is deleted. */
static gboolean
nullifies (OrmaRelationship *rel)
{
  return rel->direction == ORMA_REL_ONE_TO_MANY && !cascades_delete (rel) && !rel->passive_deletes;
}

gboolean
_orma_flush_cascade (OrmaSession    *session,
                     OrmaFlushPlan  *plan,
                     GError        **error)
{
  if (session->changed->len == 0 && session->orphans->len == 0 && session->deleted->len == 0)
    return TRUE;
  cascade_saves (session);
  delete_orphans (session);
  return cascade_deletes (session, plan, error) &&
         load_for_deleted (session, plan, 0, session->deleted->len, nullifies, error);
}
