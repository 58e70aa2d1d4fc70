/* orma-relationship-attr.c: the values of relationship attributes in each
 * entity, and keeping both sides of a back-populated pair in sync.
 *
 * Every entity has one OrmaRelSlot per relationship of its mapper,
 * allocated the first time a relationship attribute is touched (most
 * rows loaded by a query never are) and grown when configuration adds
 * relationships made by backrefs of other classes.
 *
 * A collection holds an OrmaCollection (orma-collection.c). A scalar
 * holds its target strongly, except a many-to-one whose target's side
 * of the pair (its collection, or its one-to-one scalar) holds the owner:
 * that is a reference cycle, and the target's side already keeps the
 * owner alive, so the many-to-one holds the target weakly: without a
 * reference and without a GObject weak pointer (one per child is costly
 * to add and remove), since the target, when disposed, tells the objects
 * its side held (_orma_entity_relationship_holder_gone). The rule is
 * kept whichever side changes: storing a many-to-one applies it, and a
 * collection or one-to-one scalar that gains or loses a member tells
 * the member (_orma_entity_relationship_set_held). A many-to-one loaded
 * eagerly, with nothing holding its owner from the other side, thus
 * keeps its target alive as long as the owner lives.
 *
 * Back-populates sync happens here, in memory, never with SQL: setting
 * address.user moves the address between the users' collections; adding
 * an address to user.addresses sets address.user; a many-to-many pair
 * mirrors additions and removals. Each change runs the sync once: the
 * calls that apply the other side's part (scalar_set with sync FALSE,
 * _orma_collection_add_from_backref and _remove_from_backref) do not
 * sync back, so there is no recursion to guard beyond that. Every side
 * whose attribute changed reports to the tracker (relationship_changed),
 * after the values are in place.
 *
 * Reference cycles left: two collections of a many-to-many pair that
 * hold each other's owner. _orma_entity_release_relationships() lets
 * go of loaded, unchanged attributes; the session calls it when its
 * objects expire.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-entity-private.h"
#include "orma-relationship-private.h"
#include "orma-collection-private.h"
#include "orma-error-private.h"

/* ------------------------------------------------------------ slots */

static void
slots_grow (OrmaEntityPrivate *priv,
            guint              n_rels)
{
  priv->rels = g_renew (OrmaRelSlot, priv->rels, n_rels);
  memset (priv->rels + priv->n_rels, 0, (n_rels - priv->n_rels) * sizeof (OrmaRelSlot));
  priv->n_rels = n_rels;
}

OrmaRelSlot *
_orma_entity_rel_slot (OrmaEntity       *self,
                       OrmaRelationship *rel)
{
  OrmaEntityPrivate *priv = _orma_entity_get_private (self);
  OrmaRelSlot *slot;

  if (G_UNLIKELY (rel->index >= priv->n_rels))
    slots_grow (priv, MAX (rel->index + 1, priv->mapper->relationships->len));

  slot = &priv->rels[rel->index];
  return slot;
}

/* Stores @value (nullable) in a scalar slot, weakly or strongly. The old
 * value is released last: freeing it may run arbitrary code. */
static void
slot_store (OrmaRelSlot *slot,
            GObject     *value,
            gboolean     weak)
{
  GObject *old = slot->value;
  gboolean old_weak = slot->weak;

  weak = weak && value != NULL;
  slot->value = value;
  slot->weak = weak;
  if (value != NULL && !weak)
    g_object_ref (value);

  if (old != NULL && !old_weak)
    g_object_unref (old);
}

/* The scalar value without loading (NULL when not loaded). */
static OrmaEntity *
peek_scalar (OrmaEntity       *self,
             OrmaRelationship *rel)
{
  OrmaRelSlot *slot = _orma_entity_rel_slot (self, rel);

  return slot->loaded ? (OrmaEntity *) slot->value : NULL;
}

/* A many-to-one with a partner: the only kind of slot ever held weakly. */
static gboolean
may_be_weak (OrmaRelationship *rel)
{
  return !rel->is_collection && rel->direction == ORMA_REL_MANY_TO_ONE && rel->reverse != NULL;
}

/* The one-to-one side whose partner is such a many-to-one: it holds its
 * child strongly and tells the child when it takes or lets go of it. */
static gboolean
holds_partner (OrmaRelationship *rel)
{
  return !rel->is_collection && rel->reverse != NULL && may_be_weak (rel->reverse);
}

/* Whether @target's side of the pair holds @self strongly: then @self's
 * many-to-one @rel to @target closes a cycle. */
static gboolean
reverse_holds (OrmaEntity       *target,
               OrmaRelationship *rel,
               OrmaEntity       *self)
{
  OrmaRelationship *rev = rel->reverse;
  OrmaRelSlot *slot = _orma_entity_peek_rel_slot (target, rev);

  if (slot == NULL || slot->value == NULL)
    return FALSE;
  if (rev->is_collection)
    return ORMA_IS_COLLECTION (slot->value) &&
           _orma_collection_holds (ORMA_COLLECTION (slot->value), self);
  return slot->value == (GObject *) self && !slot->weak;
}

/* Stores a scalar's value by the rule at the top of the file. @may_weaken
 * FALSE holds a many-to-one strongly whatever the other side does. */
static void
scalar_store (OrmaEntity       *self,
              OrmaRelationship *rel,
              OrmaEntity       *value,
              gboolean          may_weaken)
{
  OrmaRelSlot *slot = _orma_entity_rel_slot (self, rel);
  g_autoptr (OrmaEntity) old = NULL;
  gboolean weak = value != NULL && may_weaken && may_be_weak (rel) &&
                  reverse_holds (value, rel, self);

  if (holds_partner (rel) && slot->value != NULL && slot->value != (GObject *) value)
    old = g_object_ref (ORMA_ENTITY (slot->value));
  slot_store (slot, (GObject *) value, weak);
  if (holds_partner (rel))
    {
      /* The child let go of may lose its parent otherwise; the child
       * taken no longer needs to keep @self alive. */
      _orma_entity_relationship_set_held (old, rel->reverse, self, FALSE);
      _orma_entity_relationship_set_held (value, rel->reverse, self, TRUE);
    }
}

void
_orma_entity_relationship_set_held (OrmaEntity       *self,
                                    OrmaRelationship *rel,
                                    OrmaEntity       *target,
                                    gboolean          held)
{
  OrmaRelSlot *slot;
  GObject *value;

  if (self == NULL || target == NULL || rel == NULL || !may_be_weak (rel) ||
      _orma_entity_get_private (self)->rels == NULL)
    return;
  slot = _orma_entity_rel_slot (self, rel);
  value = slot->value;
  if (value != (GObject *) target || slot->weak == held)
    return;

  if (held)
    {
      slot->weak = TRUE;
      /* May free it: its dispose then empties the slot
       * (_orma_entity_relationship_holder_gone). */
      g_object_unref (value);
    }
  else
    {
      slot->weak = FALSE;
      g_object_ref (value);
    }
}

void
_orma_entity_relationship_holder_gone (OrmaEntity       *self,
                                       OrmaRelationship *rel,
                                       OrmaEntity       *target)
{
  OrmaEntityPrivate *priv = _orma_entity_get_private (self);
  OrmaRelSlot *slot;

  if (priv->rels == NULL || rel->index >= priv->n_rels)
    return;
  slot = &priv->rels[rel->index];
  if (!slot->weak || slot->value != (GObject *) target)
    return;
  /* Read it again next time, as a target nobody holds any more. */
  slot->value = NULL;
  slot->weak = FALSE;
  slot->loaded = FALSE;
}

static OrmaCollection *
ensure_collection (OrmaEntity       *self,
                   OrmaRelationship *rel)
{
  OrmaRelSlot *slot = _orma_entity_rel_slot (self, rel);

  if (slot->value == NULL)
    slot->value = G_OBJECT (_orma_collection_new (self, rel));
  return ORMA_COLLECTION (slot->value);
}

/* The collection the other side's sync changes; a dynamic relationship
 * has none (its attribute is a query, its rows follow the foreign key
 * that the scalar side writes). */
static OrmaCollection *
sync_collection (OrmaEntity       *self,
                 OrmaRelationship *rel)
{
  if (rel->lazy == ORMA_LOAD_DYNAMIC)
    return NULL;
  return ensure_collection (self, rel);
}

gboolean
_orma_entity_can_load_relationships (OrmaEntity *self)
{
  OrmaEntityPrivate *priv = _orma_entity_get_private (self);

  return priv->tracker != NULL && priv->tracker->load_relationship != NULL;
}

void
_orma_entity_relationship_changed (OrmaEntity       *self,
                                   OrmaRelationship *rel,
                                   OrmaEntity       *added,
                                   OrmaEntity       *removed)
{
  OrmaEntityPrivate *priv = _orma_entity_get_private (self);

  if (priv->tracker != NULL && priv->tracker->relationship_changed != NULL)
    priv->tracker->relationship_changed (self, rel, added, removed, priv->tracker_data);
}

/* ------------------------------------------------------------ reading */

gboolean
_orma_entity_relationship_is_current (OrmaEntity       *self,
                                      OrmaRelationship *rel)
{
  OrmaEntityPrivate *priv = _orma_entity_get_private (self);
  const OrmaRelSlot *slot;

  if (priv->tracker == NULL || priv->tracker->relationship_is_current == NULL ||
      rel->index >= priv->n_rels)
    return FALSE;
  slot = &priv->rels[rel->index];
  return slot->loaded &&
         priv->tracker->relationship_is_current (self, rel, slot, priv->tracker_data);
}

gboolean
_orma_entity_relationship_get (OrmaEntity        *self,
                               OrmaRelationship  *rel,
                               GObject          **value,
                               GError           **error)
{
  OrmaEntityPrivate *priv = _orma_entity_get_private (self);
  OrmaRelSlot *slot;

  g_return_val_if_fail (rel != NULL && rel->resolved, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  *value = NULL;
  if (priv->tracker != NULL && priv->tracker->load_relationship != NULL &&
      !_orma_entity_relationship_is_current (self, rel) &&
      !priv->tracker->load_relationship (self, rel, priv->tracker_data, error))
    return FALSE;

  /* Fetched after the callback, which may have grown the slots. */
  slot = _orma_entity_rel_slot (self, rel);
  if (rel->lazy == ORMA_LOAD_DYNAMIC)
    {
      *value = slot->value;
      return TRUE;
    }

  if (rel->is_collection)
    {
      OrmaCollection *collection = ensure_collection (self, rel);

      /* Nothing loaded it: it reads as empty, with the changes kept. */
      if (!_orma_collection_peek_loaded (collection))
        _orma_collection_set_loaded (collection, NULL);
      slot = _orma_entity_rel_slot (self, rel);
      slot->loaded = TRUE;
      *value = G_OBJECT (collection);
      return TRUE;
    }

  slot->loaded = TRUE;
  *value = slot->value;
  return TRUE;
}

/* ------------------------------------------------------------ writing */

static gboolean scalar_set (OrmaEntity       *self,
                            OrmaRelationship *rel,
                            OrmaEntity       *value,
                            gboolean          sync);

/* The other side of a scalar change: @self's @rel went from @old to
 * @value (either may be NULL). */
static void
sync_from_scalar (OrmaEntity       *self,
                  OrmaRelationship *rel,
                  OrmaEntity       *old,
                  OrmaEntity       *value)
{
  OrmaRelationship *rev = rel->reverse;
  OrmaCollection *collection;

  if (rev->is_collection)
    {
      if (old != NULL && (collection = sync_collection (old, rev)) != NULL)
        _orma_collection_remove_from_backref (collection, self);
      if (value != NULL && (collection = sync_collection (value, rev)) != NULL)
        _orma_collection_add_from_backref (collection, self);
      return;
    }

  /* One-to-one: both scalars name each other, and whoever @value named
   * before lets go of it. */
  if (old != NULL && peek_scalar (old, rev) == self)
    scalar_set (old, rev, NULL, FALSE);
  if (value != NULL)
    {
      OrmaEntity *previous = peek_scalar (value, rev);

      if (previous == self)
        return;
      if (previous != NULL && peek_scalar (previous, rel) == value)
        scalar_set (previous, rel, NULL, FALSE);
      scalar_set (value, rev, self, FALSE);
    }
}

/* The application's write of a scalar: history, sync (unless this is
 * the other side's part of a sync), notify, the tracker's event.
 * Returns FALSE if @value was already there. */
static gboolean
scalar_set (OrmaEntity       *self,
            OrmaRelationship *rel,
            OrmaEntity       *value,
            gboolean          sync)
{
  OrmaRelSlot *slot = _orma_entity_rel_slot (self, rel);
  g_autoptr (OrmaEntity) old = NULL;
  g_autoptr (OrmaEntity) hold = value != NULL ? g_object_ref (value) : NULL;

  if (slot->loaded && (OrmaEntity *) slot->value == value)
    return FALSE;

  old = slot->loaded && slot->value != NULL ? g_object_ref ((OrmaEntity *) slot->value) : NULL;
  if (!slot->committed_set)
    {
      slot->committed = old != NULL ? g_object_ref (old) : NULL;
      slot->committed_set = TRUE;
      /* Not loaded reads as NULL unless a session could load it. */
      slot->committed_unknown = !slot->loaded && _orma_entity_can_load_relationships (self);
    }
  scalar_store (self, rel, value, TRUE);
  slot = _orma_entity_rel_slot (self, rel);
  slot->loaded = TRUE;
  slot->changed = TRUE;

  if (sync && rel->reverse != NULL)
    sync_from_scalar (self, rel, old, value);

  if (rel->pspec != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), rel->pspec);
  _orma_entity_relationship_changed (self, rel, value, old);
  return TRUE;
}

gboolean
_orma_entity_relationship_set (OrmaEntity        *self,
                               OrmaRelationship  *rel,
                               OrmaEntity        *value,
                               GError           **error)
{
  g_return_val_if_fail (ORMA_IS_ENTITY (self), FALSE);
  g_return_val_if_fail (rel != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!rel->resolved || rel->is_collection || rel->lazy == ORMA_LOAD_DYNAMIC)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "%s.%s is %s: it cannot be set to one object",
                       G_OBJECT_TYPE_NAME (self), rel->name,
                       !rel->resolved ? "not configured" : "a collection");
      return FALSE;
    }

  if (value != NULL && !(ORMA_IS_ENTITY (value) &&
                         g_type_is_a (G_OBJECT_TYPE (value), rel->target->type)))
    {
      _orma_set_error (error, ORMA_ERROR_TYPE_MISMATCH, "%s.%s holds a %s, not a %s",
                       G_OBJECT_TYPE_NAME (self), rel->name, g_type_name (rel->target->type),
                       G_IS_OBJECT (value) ? G_OBJECT_TYPE_NAME (value) : "non-object");
      return FALSE;
    }

  scalar_set (self, rel, value, TRUE);
  return TRUE;
}

void
_orma_entity_relationship_member_added (OrmaEntity       *owner,
                                        OrmaRelationship *rel,
                                        OrmaEntity       *member)
{
  OrmaRelationship *rev = rel->reverse;

  if (rev != NULL && !rev->is_collection)
    {
      /* The member's many-to-one now names the owner, and the member
       * leaves the collection of the one it named before. */
      g_autoptr (OrmaEntity) previous = NULL;

      if (peek_scalar (member, rev) != NULL)
        previous = g_object_ref (peek_scalar (member, rev));
      if (previous != owner)
        {
          OrmaCollection *collection;

          scalar_set (member, rev, owner, FALSE);
          if (previous != NULL && (collection = sync_collection (previous, rel)) != NULL)
            _orma_collection_remove_from_backref (collection, member);
        }
    }
  else if (rev != NULL)
    {
      OrmaCollection *collection = sync_collection (member, rev);

      if (collection != NULL)
        _orma_collection_add_from_backref (collection, owner);
    }

  _orma_entity_relationship_changed (owner, rel, member, NULL);
}

void
_orma_entity_relationship_member_removed (OrmaEntity       *owner,
                                          OrmaRelationship *rel,
                                          OrmaEntity       *member)
{
  OrmaRelationship *rev = rel->reverse;

  if (rev != NULL && !rev->is_collection)
    {
      if (peek_scalar (member, rev) == owner)
        scalar_set (member, rev, NULL, FALSE);
    }
  else if (rev != NULL)
    {
      OrmaCollection *collection = sync_collection (member, rev);

      if (collection != NULL)
        _orma_collection_remove_from_backref (collection, owner);
    }

  _orma_entity_relationship_changed (owner, rel, NULL, member);
}

/* ------------------------------------------------------------ loading */

static void
load_scalar (OrmaEntity       *self,
             OrmaRelationship *rel,
             OrmaEntity       *value,
             gboolean          weak,
             guint64           stamp)
{
  OrmaRelSlot *slot;

  scalar_store (self, rel, value, weak);
  slot = _orma_entity_rel_slot (self, rel);
  slot->loaded = TRUE;
  slot->stamp = stamp;
}

void
_orma_entity_relationship_load (OrmaEntity       *self,
                                OrmaRelationship *rel,
                                OrmaEntity       *value,
                                GPtrArray        *items,
                                gboolean          weak,
                                guint64           stamp)
{
  g_autoptr (OrmaEntity) hold = NULL;
  OrmaRelationship *rev;
  OrmaRelSlot *slot;
  GPtrArray *removed;

  g_return_if_fail (ORMA_IS_ENTITY (self));
  g_return_if_fail (rel != NULL && rel->resolved);

  /* What @self now holds may stop holding @self (the rule above): the
   * last reference to it may be one of those. */
  hold = g_object_ref (self);
  if (!rel->is_collection)
    {
      load_scalar (self, rel, value, weak, stamp);
      return;
    }

  _orma_collection_set_loaded (ensure_collection (self, rel), items);
  slot = _orma_entity_rel_slot (self, rel);
  slot->loaded = TRUE;
  slot->stamp = stamp;

  /* Each member's parent is known now: address.user needs no SQL after
   * user.addresses was loaded. Weakly, by the rule: the collection
   * holds the member. */
  rev = rel->reverse;
  if (rev == NULL || rev->is_collection || items == NULL)
    return;
  removed = _orma_collection_has_changes (ORMA_COLLECTION (slot->value))
              ? _orma_collection_get_removed (ORMA_COLLECTION (slot->value)) : NULL;
  for (guint i = 0; i < items->len; i++)
    {
      OrmaEntity *member = g_ptr_array_index (items, i);
      OrmaRelSlot *member_slot = _orma_entity_rel_slot (member, rev);

      /* A row removed before the load is no member: its parent is not
       * @self any more, whatever the database still says. */
      if (member_slot->loaded ||
          (removed != NULL && removed->len > 0 && g_ptr_array_find (removed, member, NULL)))
        continue;
      if (!may_be_weak (rev))
        {
          load_scalar (member, rev, self, TRUE, stamp);
          continue;
        }
      /* The collection holds the member now (it is one of its items):
       * weakly, by the rule, without asking the collection again. */
      slot_store (member_slot, G_OBJECT (self), TRUE);
      member_slot->loaded = TRUE;
      member_slot->stamp = stamp;
    }
}

void
_orma_entity_relationship_unload (OrmaEntity       *self,
                                  OrmaRelationship *rel)
{
  OrmaRelSlot *slot;

  g_return_if_fail (ORMA_IS_ENTITY (self));
  g_return_if_fail (rel != NULL);

  slot = _orma_entity_rel_slot (self, rel);
  if (slot->value != NULL && ORMA_IS_COLLECTION (slot->value))
    {
      /* Views bound to it stay valid; the reload replaces its items. */
      _orma_collection_unload (ORMA_COLLECTION (slot->value));
      slot->loaded = FALSE;
      return;
    }

  scalar_store (self, rel, NULL, FALSE);
  slot = _orma_entity_rel_slot (self, rel);
  slot->loaded = FALSE;
}

void
_orma_entity_relationship_accept (OrmaEntity       *self,
                                  OrmaRelationship *rel)
{
  OrmaRelSlot *slot;
  OrmaEntity *committed;

  g_return_if_fail (ORMA_IS_ENTITY (self));
  g_return_if_fail (rel != NULL);

  slot = _orma_entity_rel_slot (self, rel);
  if (slot->value != NULL && ORMA_IS_COLLECTION (slot->value))
    {
      _orma_collection_accept (ORMA_COLLECTION (slot->value));
      return;
    }

  /* Not kept as "committed = value": the committed reference would keep
   * a target alive that the slot holds weakly. committed_set FALSE means
   * the committed value is the current one. */
  committed = g_steal_pointer (&slot->committed);
  slot->committed_set = FALSE;
  slot->committed_unknown = FALSE;
  slot->changed = FALSE;
  g_clear_object (&committed);
}

void
_orma_entity_relationship_weaken (OrmaEntity       *self,
                                  OrmaRelationship *rel)
{
  OrmaRelSlot *slot;

  g_return_if_fail (ORMA_IS_ENTITY (self));
  g_return_if_fail (rel != NULL);

  slot = _orma_entity_rel_slot (self, rel);
  if (slot->weak || slot->value == NULL || !ORMA_IS_ENTITY (slot->value) || !may_be_weak (rel))
    return;
  _orma_entity_relationship_set_held (self, rel, ORMA_ENTITY (slot->value),
                                      reverse_holds (ORMA_ENTITY (slot->value), rel, self));
}

/* ------------------------------------------------------------ releasing */

/* Whether @rel's loaded value may be dropped: nothing unflushed in it,
 * and, with @only_cycles, it is a collection that may be part of a
 * reference cycle no weak pointer breaks: one of the two collections of
 * a many-to-many pair, or a collection without a partner (a many-to-one
 * declared apart would hold its owner strongly). */
static gboolean
releasable (OrmaRelationship *rel,
            OrmaRelSlot      *slot,
            gboolean          only_cycles)
{
  if (!rel->resolved || rel->lazy == ORMA_LOAD_DYNAMIC || slot->value == NULL)
    return FALSE;
  if (rel->is_collection)
    return ORMA_IS_COLLECTION (slot->value) &&
           (!only_cycles || rel->reverse == NULL || rel->reverse->is_collection) &&
           !_orma_collection_has_changes (ORMA_COLLECTION (slot->value));
  return !only_cycles && slot->loaded && !slot->changed && !slot->committed_set;
}

void
_orma_entity_release_relationships (OrmaEntity *self,
                                    gboolean    only_cycles)
{
  OrmaEntityPrivate *priv = _orma_entity_get_private (self);
  g_autoptr (OrmaEntity) hold = NULL;

  if (priv->rels == NULL)
    return;

  /* Letting go of a member may free it, and with it the last other
   * reference to @self. */
  hold = g_object_ref (self);
  for (guint i = 0; i < priv->n_rels; i++)
    {
      OrmaRelationship *rel = g_ptr_array_index (priv->mapper->relationships, i);

      /* The slots are fetched again each time: releasing may grow them. */
      if (!releasable (rel, &priv->rels[i], only_cycles))
        continue;
      /* Not loaded first: a view reading the collection in its
       * items-changed handler loads it again, it does not see it empty. */
      priv->rels[i].loaded = FALSE;
      if (rel->is_collection)
        _orma_collection_release (ORMA_COLLECTION (priv->rels[i].value));
      else
        scalar_store (self, rel, NULL, FALSE);
    }
}

/* ------------------------------------------------------------ lifetime */

/* @self is going: what its side of a pair held (the members of a
 * collection, the partner of a one-to-one) may hold @self weakly, by a
 * pointer that nothing else clears. */
static void
let_go_of_holders (OrmaEntity       *self,
                   OrmaRelationship *rel,
                   GObject          *value)
{
  if (rel->is_collection)
    {
      if (ORMA_IS_COLLECTION (value))
        _orma_collection_owner_gone (ORMA_COLLECTION (value));
    }
  else if (holds_partner (rel) && ORMA_IS_ENTITY (value))
    _orma_entity_relationship_holder_gone (ORMA_ENTITY (value), rel->reverse, self);
}

void
_orma_entity_relationships_dispose (OrmaEntity *self)
{
  OrmaEntityPrivate *priv = _orma_entity_get_private (self);

  /* Each slot is emptied before its references are dropped: dropping
   * one may free objects whose own dispose reaches back here. */
  for (guint i = 0; i < priv->n_rels; i++)
    {
      OrmaRelSlot *slot = &priv->rels[i];
      GObject *value = g_steal_pointer (&slot->value);
      OrmaEntity *committed = g_steal_pointer (&slot->committed);
      gboolean weak = slot->weak;

      slot->weak = FALSE;
      slot->loaded = FALSE;
      slot->committed_set = FALSE;
      slot->committed_unknown = FALSE;
      slot->changed = FALSE;
      if (value != NULL && !weak)
        {
          let_go_of_holders (self, g_ptr_array_index (priv->mapper->relationships, i), value);
          g_object_unref (value);
        }
      g_clear_object (&committed);
    }
}

void
_orma_entity_relationships_finalize (OrmaEntity *self)
{
  OrmaEntityPrivate *priv = _orma_entity_get_private (self);

  _orma_entity_relationships_dispose (self);
  g_clear_pointer (&priv->rels, g_free);
  priv->n_rels = 0;
}
