/* orma-entity-private.h: the storage of an entity's mapped attributes,
 * for the session layer.
 *
 * The entity keeps one GValue per mapped column (initialized to the
 * column's property type), a NULL bit per column, and, once an attribute
 * is changed while a tracker is attached, the committed value of that
 * attribute (the value the database has). The session attaches a tracker
 * to every object it holds; mapping/ knows nothing of sessions beyond
 * this table of callbacks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-entity.h"
#include "orma-mapper-private.h"

G_BEGIN_DECLS

struct _OrmaRelationship;
struct _OrmaRelSlot;

typedef struct {
  /* Before a mapped property is read or written through GObject: lets the
   * session load an expired object. */
  void (*before_access) (OrmaEntity *entity,
                         gpointer    data);
  /* The first change of an attribute since the last flush (the committed
   * value has just been saved). */
  void (*changed)       (OrmaEntity *entity,
                         guint       column,
                         gpointer    data);
  /* The entity is being disposed: its last reference is gone. */
  void (*disposed)      (OrmaEntity *entity,
                         gpointer    data);
  /* Before a relationship attribute is read (the slot is given): loads
   * it if it is not loaded or its stamp is stale, with the
   * relationship's strategy, or fails (raise). NULL callback or no
   * tracker: an unloaded attribute reads as empty. */
  gboolean (*load_relationship) (OrmaEntity                *entity,
                                 struct _OrmaRelationship  *rel,
                                 gpointer                   data,
                                 GError                   **error);
  /* Whether the loaded attribute in @slot is what load_relationship
   * would leave as it is (loaded, and its stamp current): a read then
   * needs no other work. Must be cheap and must not load; FALSE when in
   * doubt. NULL: every read goes through load_relationship. */
  gboolean (*relationship_is_current) (OrmaEntity                *entity,
                                       struct _OrmaRelationship  *rel,
                                       const struct _OrmaRelSlot *slot,
                                       gpointer                   data);
  /* The application changed a relationship attribute of @entity (not a
   * load): @added and/or @removed (nullable) joined or left it. Called
   * for each side of a back-populated pair. */
  void (*relationship_changed)  (OrmaEntity                *entity,
                                 struct _OrmaRelationship  *rel,
                                 OrmaEntity                *added,
                                 OrmaEntity                *removed,
                                 gpointer                   data);
} OrmaEntityTracker;

/* The value of one relationship attribute of one entity.
 *
 * A scalar (many-to-one, one-to-one) holds the related object strongly,
 * except a many-to-one whose target's side of the pair (its collection,
 * or its one-to-one scalar) currently holds the owner: that reference
 * cycle would keep both alive forever, and the target's side keeps the
 * owner alive anyway, so the many-to-one holds its target weakly. Both
 * sides keep the rule true as they change. A weakly held target is an
 * unowned pointer, no GObject weak pointer: the target's side holds the
 * owner, so the target tells the owner when it is disposed
 * (_orma_entity_relationship_holder_gone); the slot then becomes
 * unloaded and the next read loads it again.
 *
 * A collection holds an OrmaCollection (created on first need), which
 * holds its members strongly and keeps the history of changes since
 * the last flush. */
typedef struct _OrmaRelSlot {
  GObject  *value;     /* scalar: OrmaEntity or NULL; collection: OrmaCollection */
  OrmaEntity *committed; /* scalar: the target when last loaded or flushed
                          * (referenced), for the flush's history */
  guint64   stamp;     /* the tracker's: when it was loaded */
  guint     loaded    : 1;
  guint     weak      : 1;  /* scalar value held without a reference */
  guint     changed   : 1;  /* scalar: set by the application since the last flush */
  guint     committed_set : 1;
  guint     committed_unknown : 1; /* committed_set while not loaded: the
                                     * value before the change is unknown
                                     * (committed is NULL) */
} OrmaRelSlot;

/* Room, in every entity, for the tracker's per-object data: the session
 * keeps its bookkeeping there instead of in an allocation of its own, so
 * loading a row costs one malloc less and finding an object one cache miss
 * less. */
#define ORMA_TRACKER_STORAGE_SIZE 64

/* Attribute storage kept inside the entity for classes of up to this many
 * columns (most of them): one allocation less per object, and the values
 * next to the rest of the object in memory. */
#define ORMA_INLINE_VALUES 8

typedef struct {
  OrmaMapper              *mapper;
  GValue                  *values;     /* n_columns: inline_values or heap */
  guint64                  null_mask;  /* bit set: the column is NULL */
  guint64                  changed_mask; /* bit set: committed[i] is saved */
  guint64                  committed_null_mask;
  GValue                  *committed;  /* n_columns, allocated on first change */
  const OrmaEntityTracker *tracker;
  gpointer                 tracker_data;
  OrmaRelSlot             *rels;       /* n_rels, allocated on first use, or NULL */
  guint                    n_rels;     /* grows with mapper->relationships */
  GValue                   inline_values[ORMA_INLINE_VALUES];
  guint64                  tracker_storage[ORMA_TRACKER_STORAGE_SIZE / sizeof (guint64)];
} OrmaEntityPrivate;

OrmaEntityPrivate *_orma_entity_get_private (OrmaEntity *self);

static inline OrmaMapper *
_orma_entity_get_mapper (OrmaEntity *self)
{
  return _orma_entity_get_private (self)->mapper;
}

static inline gboolean
_orma_entity_is_null_at (OrmaEntity *self, guint column)
{
  return (_orma_entity_get_private (self)->null_mask >> column) & 1;
}

/* The current value for binding: NULL when the column is NULL. */
static inline const GValue *
_orma_entity_peek (OrmaEntity *self, guint column)
{
  OrmaEntityPrivate *priv = _orma_entity_get_private (self);
  return ((priv->null_mask >> column) & 1) ? NULL : &priv->values[column];
}

/* The committed value: the saved one if the attribute changed, otherwise
 * the current one. NULL when it is NULL. */
const GValue *_orma_entity_peek_committed (OrmaEntity    *self,
                                           guint          column);
/* Stores a value without tracking or notification (loading rows, keys
 * generated by the database). @value NULL stores NULL. The value is
 * converted to the column's type if needed. */
gboolean      _orma_entity_load          (OrmaEntity    *self,
                                          guint          column,
                                          const GValue  *value,
                                          GError       **error);
/* The slot a loader may write into directly (already initialized to the
 * column type); call _orma_entity_set_null_bit() after. */
static inline GValue *
_orma_entity_slot (OrmaEntity *self, guint column)
{
  return &_orma_entity_get_private (self)->values[column];
}
void          _orma_entity_set_null_bit  (OrmaEntity    *self,
                                          guint          column,
                                          gboolean       is_null);
/* Sets an attribute as the application does (tracking, notify). */
gboolean      _orma_entity_assign        (OrmaEntity    *self,
                                          guint          column,
                                          const GValue  *value,
                                          GError       **error);
/* Columns whose current value differs from the committed one. */
guint64       _orma_entity_modified_mask (OrmaEntity    *self);
/* Forgets the committed values: the current ones are now in the database. */
void          _orma_entity_accept_changes(OrmaEntity    *self);
/* Puts the committed values back (a rollback of the transaction). */
void          _orma_entity_revert_changes(OrmaEntity    *self);

void          _orma_entity_set_tracker   (OrmaEntity              *self,
                                          const OrmaEntityTracker *tracker,
                                          gpointer                 data);
/* ORMA_TRACKER_STORAGE_SIZE bytes, zeroed when the entity was made. */
static inline gpointer
_orma_entity_tracker_storage (OrmaEntity *self)
{
  return _orma_entity_get_private (self)->tracker_storage;
}

/* ---- relationship attributes (orma-relationship-attr.c) ---- */

/* The slot of @rel in @self: the slots are allocated on first use and
 * grow when configuration adds relationships (backrefs) to the mapper,
 * so the pointer is valid until the next call that may add one. */
OrmaRelSlot  *_orma_entity_rel_slot      (OrmaEntity               *self,
                                          struct _OrmaRelationship *rel);
/* The slot, or NULL if @self never had a relationship value (nothing is
 * allocated): for readers that must not allocate. */
static inline OrmaRelSlot *
_orma_entity_peek_rel_slot (OrmaEntity               *self,
                            struct _OrmaRelationship *rel)
{
  if (_orma_entity_get_private (self)->rels == NULL)
    return NULL;
  return _orma_entity_rel_slot (self, rel);
}
/* Whether a read of @rel needs nothing from the tracker: the slot is
 * loaded and the tracker's relationship_is_current says it is current. */
gboolean      _orma_entity_relationship_is_current (OrmaEntity       *self,
                                          struct _OrmaRelationship *rel);
/* The attribute as the application reads it: loads it through the
 * tracker if needed. Scalar: the object or NULL (borrowed); collection:
 * the OrmaCollection (borrowed). FALSE with @error if loading failed. */
gboolean      _orma_entity_relationship_get (OrmaEntity               *self,
                                          struct _OrmaRelationship *rel,
                                          GObject                 **value,
                                          GError                  **error);
/* Sets a scalar attribute as the application does: back-populates sync,
 * the tracker's relationship_changed. */
gboolean      _orma_entity_relationship_set (OrmaEntity               *self,
                                          struct _OrmaRelationship *rel,
                                          OrmaEntity               *value,
                                          GError                  **error);
/* Stores a loaded value without events or history; marks the slot
 * loaded with @stamp. Scalar: @value is the object or NULL (@weak: a
 * many-to-one may hold it weakly, by the rule above; FALSE holds it
 * strongly). Collection: @items (OrmaEntity*, may be NULL for empty)
 * become the members, merged with changes made while it was unloaded;
 * a reverse many-to-one of each member is set to @self when it is not
 * loaded (no SQL later to find the parent). */
void          _orma_entity_relationship_load (OrmaEntity               *self,
                                          struct _OrmaRelationship *rel,
                                          OrmaEntity               *value,
                                          GPtrArray                *items,
                                          gboolean                  weak,
                                          guint64                   stamp);
/* Marks the attribute not loaded (expire); a collection keeps its object
 * (views bound to it stay valid) and its unflushed changes. */
void          _orma_entity_relationship_unload (OrmaEntity             *self,
                                          struct _OrmaRelationship *rel);
/* The flush wrote the attribute: the history is accepted (scalar:
 * committed = value; collection: added/removed forgotten). */
void          _orma_entity_relationship_accept (OrmaEntity             *self,
                                          struct _OrmaRelationship *rel);
/* Applies the rule above to a scalar held strongly: weakly from now on
 * if the target's side holds @self. */
void          _orma_entity_relationship_weaken (OrmaEntity             *self,
                                          struct _OrmaRelationship *rel);
/* The other side of @self's many-to-one @rel (the collection or the
 * one-to-one scalar of @target) now holds @self (@held) or does not:
 * if @rel names @target, it holds it weakly or strongly to match. Does
 * nothing for other relationships, NULL objects or unallocated slots. */
void          _orma_entity_relationship_set_held (OrmaEntity           *self,
                                          struct _OrmaRelationship *rel,
                                          OrmaEntity               *target,
                                          gboolean                  held);
/* @target, which @self's many-to-one @rel names and which held @self
 * (so @rel held it weakly), is being disposed: the slot becomes not
 * loaded. Does nothing if the slot holds something else. */
void          _orma_entity_relationship_holder_gone (OrmaEntity        *self,
                                          struct _OrmaRelationship *rel,
                                          OrmaEntity               *target);
/* Lets go of the loaded relationship attributes that hold no unflushed
 * change: a collection drops its members (items-changed) and reloads on
 * its next read, a scalar becomes not loaded. @only_cycles: only the
 * collections that may close a reference cycle that no weak pointer
 * breaks (the two of a many-to-many pair, or one without a partner).
 * Cheap when @self never had a relationship value. The session calls it
 * when its objects expire and when it closes. */
void          _orma_entity_release_relationships (OrmaEntity         *self,
                                          gboolean                  only_cycles);

/* Back-populates sync of a collection change made by the application
 * (orma-collection.c calls these after the collection changed): the
 * other side of the pair follows and the tracker is told about @owner's
 * change. */
void          _orma_entity_relationship_member_added   (OrmaEntity       *owner,
                                          struct _OrmaRelationship *rel,
                                          OrmaEntity               *member);
void          _orma_entity_relationship_member_removed (OrmaEntity       *owner,
                                          struct _OrmaRelationship *rel,
                                          OrmaEntity               *member);
/* The tracker's relationship_changed, if a tracker is attached. */
void          _orma_entity_relationship_changed (OrmaEntity             *self,
                                          struct _OrmaRelationship *rel,
                                          OrmaEntity               *added,
                                          OrmaEntity               *removed);
/* The tracker's load_relationship callback is attached: reading an
 * attribute may load it (FALSE: an unloaded attribute reads as empty). */
gboolean      _orma_entity_can_load_relationships (OrmaEntity       *self);

/* orma-entity.c's dispose and finalize: strong references dropped, and
 * what held @self weakly told (dispose), the slots freed (finalize). */
void          _orma_entity_relationships_dispose  (OrmaEntity       *self);
void          _orma_entity_relationships_finalize (OrmaEntity       *self);

static inline gpointer
_orma_entity_get_tracker_data (OrmaEntity *self)
{
  return _orma_entity_get_private (self)->tracker_data;
}

G_END_DECLS
