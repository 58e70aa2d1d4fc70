/* orma-collection.c: OrmaCollection, the value of a one-to-many or
 * many-to-many relationship attribute.
 *
 * A collection is a GListModel of its members, held strongly, in order.
 * It knows its owner without a reference (the owner holds the
 * collection, and tells it when it goes: _orma_collection_owner_gone)
 * and reads through the owner: a collection that is not
 * loaded asks the owner's read path (_orma_entity_relationship_get), so
 * the session decides whether and how to load it.
 *
 * Three things are kept apart:
 *   items           what the model shows; every change of it is announced
 *                   with items-changed, with exact positions
 *   added/removed   the history since the last accept, read by the flush;
 *                   an object added then removed is in neither, and so is
 *                   one removed then added again
 *   loaded          whether items reflect the database. While it is not
 *                   loaded, append and remove only change the history
 *                   (pending changes); loading merges the history into
 *                   the rows read, so the pending adds stay and the
 *                   pending removals are left out.
 *
 * An owner that cannot load (no session, so nothing is in a database)
 * has nothing to wait for: its collection loads, empty, on first use, so
 * that removing a non-member is reported as such.
 *
 * Back-populates sync lives in orma-relationship-attr.c; the calls here
 * change this collection and then hand over to it. One thing is kept
 * here, after every change of the members: a member's many-to-one back
 * to the owner holds the owner weakly exactly while this collection
 * holds the member (member_moved), so that parent and child are no
 * reference cycle and a child that leaves keeps its parent alive.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-collection-private.h"
#include "orma-entity-private.h"
#include "orma-error-private.h"

/* Above this many members, membership is answered by a hash set: a
 * collection of 100,000 children must not cost O(n) per append. */
#define INDEX_THRESHOLD 32

struct _OrmaCollection
{
  GObject           parent_instance;

  OrmaEntity       *owner;    /* no reference; NULL once it is gone */
  OrmaRelationship *rel;
  GPtrArray        *items;    /* OrmaEntity*, referenced */
  GHashTable       *index;    /* the members, for large collections, or NULL */
  GPtrArray        *added;    /* history, referenced, or NULL */
  GPtrArray        *removed;  /* history, referenced, or NULL */
  GHashTable       *added_index;   /* for large histories, or NULL */
  GHashTable       *removed_index;
  gboolean          loaded;
  gboolean          loading;  /* reading through the owner: no reentry */
};

static void orma_collection_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (OrmaCollection, orma_collection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      orma_collection_list_model_init))

/* ------------------------------------------------------------ members */

static void
index_build (OrmaCollection *self)
{
  self->index = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < self->items->len; i++)
    g_hash_table_add (self->index, g_ptr_array_index (self->items, i));
}

static gboolean
is_member (OrmaCollection *self,
           gpointer        entity)
{
  if (self->index == NULL && self->items->len >= INDEX_THRESHOLD)
    index_build (self);
  if (self->index != NULL)
    return g_hash_table_contains (self->index, entity);
  return g_ptr_array_find (self->items, entity, NULL);
}

static void
items_insert (OrmaCollection *self,
              guint           position,
              OrmaEntity     *entity)
{
  g_ptr_array_insert (self->items, (int) position, g_object_ref (entity));
  if (self->index != NULL)
    g_hash_table_add (self->index, entity);
}

/* The caller holds a reference on the member: the array drops its own. */
static void
items_remove_at (OrmaCollection *self,
                 guint           position)
{
  if (self->index != NULL)
    g_hash_table_remove (self->index, g_ptr_array_index (self->items, position));
  g_ptr_array_remove_index (self->items, position);
}

/* Makes @items the members. Returns whether the contents changed. */
static gboolean
items_replace (OrmaCollection *self,
               GPtrArray      *items,
               guint          *old_len)
{
  GPtrArray *old = self->items;
  gboolean changed = old->len != items->len;

  for (guint i = 0; !changed && i < items->len; i++)
    changed = old->pdata[i] != items->pdata[i];

  *old_len = old->len;
  self->items = items;
  g_clear_pointer (&self->index, g_hash_table_unref);
  g_ptr_array_unref (old);
  return changed;
}

/* ------------------------------------------------------------ history */

/* The history arrays get a hash set too once they are large (a new
 * parent given 100,000 children keeps them all in its history). */
static gboolean
array_contains (GPtrArray   *array,
                GHashTable **index,
                gpointer     entity)
{
  if (array == NULL)
    return FALSE;
  if (*index == NULL && array->len >= INDEX_THRESHOLD)
    {
      *index = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < array->len; i++)
        g_hash_table_add (*index, g_ptr_array_index (array, i));
    }
  if (*index != NULL)
    return g_hash_table_contains (*index, entity);
  return g_ptr_array_find (array, entity, NULL);
}

/* The caller holds a reference on @entity. */
static gboolean
array_remove (GPtrArray   *array,
              GHashTable **index,
              gpointer     entity)
{
  if (array == NULL || (*index != NULL && !g_hash_table_remove (*index, entity)))
    return FALSE;
  return g_ptr_array_remove (array, entity);
}

static void
array_add (GPtrArray  **array,
           GHashTable  *index,
           gpointer     entity)
{
  if (*array == NULL)
    *array = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (*array, g_object_ref (entity));
  if (index != NULL)
    g_hash_table_add (index, entity);
}

#define ADDED(self)   (self)->added, &(self)->added_index
#define REMOVED(self) (self)->removed, &(self)->removed_index

/* @entity joined: it cancels a removal not flushed yet. @is_new: it is
 * known not to be in the history of additions (it was no member). */
static void
history_add (OrmaCollection *self,
             OrmaEntity     *entity,
             gboolean        is_new)
{
  if (array_remove (REMOVED (self), entity))
    return;
  if (is_new || !array_contains (ADDED (self), entity))
    array_add (&self->added, self->added_index, entity);
}

static void
history_remove (OrmaCollection *self,
                OrmaEntity     *entity)
{
  if (array_remove (ADDED (self), entity))
    return;
  if (!array_contains (REMOVED (self), entity))
    array_add (&self->removed, self->removed_index, entity);
}

static void
history_clear (OrmaCollection *self)
{
  if (self->added != NULL)
    g_ptr_array_set_size (self->added, 0);
  if (self->removed != NULL)
    g_ptr_array_set_size (self->removed, 0);
  g_clear_pointer (&self->added_index, g_hash_table_unref);
  g_clear_pointer (&self->removed_index, g_hash_table_unref);
}

/* ------------------------------------------------------------ reverse */

gboolean
_orma_collection_holds (OrmaCollection *self,
                        OrmaEntity     *entity)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), FALSE);

  return is_member (self, entity) || array_contains (ADDED (self), entity);
}

/* The reverse many-to-one of the members, or NULL. */
static OrmaRelationship *
reverse_scalar (OrmaCollection *self)
{
  OrmaRelationship *rev = self->rel->reverse;

  return self->owner != NULL && rev != NULL && !rev->is_collection ? rev : NULL;
}

/* @entity joined or left: its many-to-one to the owner follows. The
 * caller holds a reference on the owner (weakening may drop another). */
static void
member_moved (OrmaCollection *self,
              OrmaEntity     *entity)
{
  OrmaRelationship *rev = reverse_scalar (self);

  if (rev != NULL)
    _orma_entity_relationship_set_held (entity, rev, self->owner,
                                        _orma_collection_holds (self, entity));
}

static void
members_moved (OrmaCollection *self,
               GPtrArray      *entities)
{
  for (guint i = 0; reverse_scalar (self) != NULL && i < entities->len; i++)
    member_moved (self, g_ptr_array_index (entities, i));
}

/* ------------------------------------------------------------ loading */

/* Fills the collection with @rows merged with the history: removals not
 * flushed yet are left out, additions not flushed yet (not in the rows)
 * are kept, after the rows. One splice if the contents changed. */
static void
merge_loaded (OrmaCollection *self,
              GPtrArray      *rows)
{
  guint n_rows = rows != NULL ? rows->len : 0;
  GPtrArray *merged = g_ptr_array_new_full (n_rows, g_object_unref);
  g_autoptr (GHashTable) row_set = NULL;
  g_autoptr (GPtrArray) old = NULL;
  guint old_len;

  if (self->added != NULL && self->added->len > 0 && n_rows > 0)
    row_set = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < n_rows; i++)
    {
      OrmaEntity *row = g_ptr_array_index (rows, i);

      if (row_set != NULL)
        g_hash_table_add (row_set, row);
      if (!array_contains (REMOVED (self), row))
        g_ptr_array_add (merged, g_object_ref (row));
    }

  for (guint i = 0; self->added != NULL && i < self->added->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (self->added, i);

      if (row_set == NULL || !g_hash_table_contains (row_set, entity))
        g_ptr_array_add (merged, g_object_ref (entity));
    }

  old = g_ptr_array_ref (self->items);
  self->loaded = TRUE;
  if (!items_replace (self, merged, &old_len))
    return;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, merged->len);

  /* Rows that are gone may keep the owner alive now; the members (each
   * known to be one, a lookup saved) need not. */
  members_moved (self, old);
  for (guint i = 0; reverse_scalar (self) != NULL && i < self->items->len; i++)
    _orma_entity_relationship_set_held (g_ptr_array_index (self->items, i),
                                        reverse_scalar (self), self->owner, TRUE);
}

/* Loads through the owner's read path if the collection is not loaded,
 * or if the owner's session may consider it stale. */
static gboolean
ensure_loaded (OrmaCollection  *self,
               GError         **error)
{
  OrmaEntity *owner = self->owner;
  g_autoptr (OrmaEntity) owner_ref = NULL;
  GObject *value;
  gboolean ok;

  if (self->loading)
    return TRUE;

  if (owner == NULL)
    {
      if (!self->loaded)
        merge_loaded (self, NULL);
      return TRUE;
    }

  /* The common read: loaded, and nothing for the session to do. */
  if (self->loaded && (!_orma_entity_can_load_relationships (owner) ||
                       _orma_entity_relationship_is_current (owner, self->rel)))
    return TRUE;

  owner_ref = g_object_ref (owner);
  self->loading = TRUE;
  ok = _orma_entity_relationship_get (owner, self->rel, &value, error);
  self->loading = FALSE;

  return ok;
}

/* For the GListModel methods, which cannot fail: a failure is a warning
 * and the collection reads as empty. */
static gboolean
ensure_loaded_or_warn (OrmaCollection *self)
{
  g_autoptr (GError) error = NULL;

  if (ensure_loaded (self, &error))
    return TRUE;

  g_warning ("%s.%s: %s", self->owner ? G_OBJECT_TYPE_NAME (self->owner) : "(gone)",
             self->rel->name, error->message);
  return FALSE;
}

/* A collection whose owner cannot load has nothing pending in a
 * database: it is loaded (empty but for the history) on first use. */
static void
settle (OrmaCollection *self)
{
  if (self->loaded || self->loading)
    return;
  if (self->owner != NULL && _orma_entity_can_load_relationships (self->owner))
    return;
  ensure_loaded (self, NULL);
}

/* ------------------------------------------------------------ GObject */

static void
orma_collection_finalize (GObject *object)
{
  OrmaCollection *self = ORMA_COLLECTION (object);

  g_clear_pointer (&self->index, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->added, g_ptr_array_unref);
  g_clear_pointer (&self->removed, g_ptr_array_unref);
  g_clear_pointer (&self->added_index, g_hash_table_unref);
  g_clear_pointer (&self->removed_index, g_hash_table_unref);

  G_OBJECT_CLASS (orma_collection_parent_class)->finalize (object);
}

static void
orma_collection_class_init (OrmaCollectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = orma_collection_finalize;
}

static void
orma_collection_init (OrmaCollection *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

static GType
list_model_get_item_type (GListModel *model)
{
  return orma_collection_get_item_type (ORMA_COLLECTION (model));
}

static guint
list_model_get_n_items (GListModel *model)
{
  OrmaCollection *self = ORMA_COLLECTION (model);

  if (!ensure_loaded_or_warn (self))
    return 0;
  return self->items->len;
}

static gpointer
list_model_get_item (GListModel *model,
                     guint       position)
{
  OrmaCollection *self = ORMA_COLLECTION (model);

  if (!ensure_loaded_or_warn (self) || position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
orma_collection_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = list_model_get_item_type;
  iface->get_n_items = list_model_get_n_items;
  iface->get_item = list_model_get_item;
}

/* ------------------------------------------------------------ public API */

/**
 * orma_collection_get_owner:
 * @self: a collection
 *
 * Gets the object whose relationship attribute this collection is. The
 * collection does not keep it alive.
 *
 * Returns: (transfer none) (nullable): the owner, or %NULL once it is
 *   gone
 */
OrmaEntity *
orma_collection_get_owner (OrmaCollection *self)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), NULL);

  return self->owner;
}

/**
 * orma_collection_get_name:
 * @self: a collection
 *
 * Gets the name of the relationship, e.g. "addresses".
 *
 * Returns: (transfer none): the relationship's name
 */
const char *
orma_collection_get_name (OrmaCollection *self)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), NULL);

  return self->rel->name;
}

/**
 * orma_collection_get_item_type:
 * @self: a collection
 *
 * Gets the class of the members: the relationship's target.
 *
 * Returns: the members' #GType
 */
GType
orma_collection_get_item_type (OrmaCollection *self)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), G_TYPE_INVALID);

  return self->rel->target != NULL ? self->rel->target->type : ORMA_TYPE_ENTITY;
}

/**
 * orma_collection_is_loaded:
 * @self: a collection
 *
 * Tells whether the members have been loaded. Reading the collection
 * loads it; appending to or removing from it does not.
 *
 * Returns: %TRUE if it is loaded
 */
gboolean
orma_collection_is_loaded (OrmaCollection *self)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), FALSE);

  return self->loaded;
}

/**
 * orma_collection_get_size:
 * @self: a collection
 *
 * Gets the number of members, loading the collection if needed.
 *
 * Returns: the number of members; 0 if loading failed (with a warning)
 */
guint
orma_collection_get_size (OrmaCollection *self)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), 0);

  return list_model_get_n_items (G_LIST_MODEL (self));
}

/**
 * orma_collection_get:
 * @self: a collection
 * @position: the position of a member
 *
 * Gets a member, loading the collection if needed.
 *
 * Returns: (transfer none) (nullable) (type OrmaEntity): the member, or
 *   %NULL if @position is past the end or loading failed
 */
gpointer
orma_collection_get (OrmaCollection *self,
                     guint           position)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), NULL);

  if (!ensure_loaded_or_warn (self) || position >= self->items->len)
    return NULL;
  return g_ptr_array_index (self->items, position);
}

/**
 * orma_collection_contains:
 * @self: a collection
 * @entity: (type OrmaEntity): an object
 *
 * Tells whether @entity is a member, loading the collection if needed.
 *
 * Returns: %TRUE if it is a member
 */
gboolean
orma_collection_contains (OrmaCollection *self,
                          gpointer        entity)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), FALSE);

  if (entity == NULL || !ensure_loaded_or_warn (self))
    return FALSE;
  return is_member (self, entity);
}

static gboolean
check_member_type (OrmaCollection  *self,
                   gpointer         entity,
                   GError         **error)
{
  GType item_type = orma_collection_get_item_type (self);

  if (G_IS_OBJECT (entity) && g_type_is_a (G_OBJECT_TYPE (entity), item_type))
    return TRUE;

  _orma_set_error (error, ORMA_ERROR_TYPE_MISMATCH,
                   "%s.%s holds %s objects, not %s",
                   g_type_name (self->rel->owner ? self->rel->owner->type : ORMA_TYPE_ENTITY),
                   self->rel->name, g_type_name (item_type),
                   G_IS_OBJECT (entity) ? G_OBJECT_TYPE_NAME (entity) : "a non-object");
  return FALSE;
}

static void
set_duplicate_error (OrmaCollection  *self,
                     gpointer         entity,
                     GError         **error)
{
  _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                   "this %s is already in %s.%s", G_OBJECT_TYPE_NAME (entity),
                   g_type_name (self->rel->owner ? self->rel->owner->type : ORMA_TYPE_ENTITY),
                   self->rel->name);
}

/* The application's addition at @position (G_MAXUINT: the end), then
 * the back-populates sync. */
static gboolean
add_member (OrmaCollection  *self,
            guint            position,
            OrmaEntity      *entity,
            GError         **error)
{
  g_autoptr (OrmaEntity) hold = NULL;
  g_autoptr (OrmaEntity) owner = NULL;

  if (!check_member_type (self, entity, error))
    return FALSE;

  settle (self);
  if (self->loaded ? is_member (self, entity) : array_contains (ADDED (self), entity))
    {
      set_duplicate_error (self, entity, error);
      return FALSE;
    }

  hold = g_object_ref (entity);
  owner = self->owner != NULL ? g_object_ref (self->owner) : NULL;
  history_add (self, entity, TRUE);
  if (self->loaded)
    {
      if (position > self->items->len)
        position = self->items->len;
      items_insert (self, position, entity);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
    }
  member_moved (self, entity);

  if (owner != NULL)
    _orma_entity_relationship_member_added (owner, self->rel, entity);
  return TRUE;
}

/**
 * orma_collection_append:
 * @self: a collection
 * @entity: (type OrmaEntity): the object to add, of the relationship's
 *   target class
 * @error: return location for a #GError
 *
 * Adds @entity at the end. The other side of a back-populated pair
 * follows (the object's many-to-one now names the owner, and it leaves
 * its previous owner's collection). A collection that is not loaded is
 * not loaded for this: the addition is kept and merged when it loads.
 *
 * Returns: %TRUE on success; %FALSE with %ORMA_ERROR_TYPE_MISMATCH or,
 *   for a member already there, %ORMA_ERROR_INVALID_STATE
 */
gboolean
orma_collection_append (OrmaCollection  *self,
                        gpointer         entity,
                        GError         **error)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), FALSE);
  g_return_val_if_fail (entity != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return add_member (self, G_MAXUINT, entity, error);
}

/**
 * orma_collection_insert:
 * @self: a collection
 * @position: where to insert, at most the number of members
 * @entity: (type OrmaEntity): the object to add
 * @error: return location for a #GError
 *
 * Adds @entity at @position, loading the collection first (the position
 * counts the loaded members). Otherwise as orma_collection_append().
 *
 * Returns: %TRUE on success
 */
gboolean
orma_collection_insert (OrmaCollection  *self,
                        guint            position,
                        gpointer         entity,
                        GError         **error)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), FALSE);
  g_return_val_if_fail (entity != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_member_type (self, entity, error) || !ensure_loaded (self, error))
    return FALSE;
  g_return_val_if_fail (position <= self->items->len, FALSE);

  return add_member (self, position, entity, error);
}

/**
 * orma_collection_remove:
 * @self: a collection
 * @entity: (type OrmaEntity): a member
 * @error: return location for a #GError
 *
 * Removes @entity. A back-populated many-to-one of @entity that named the
 * owner becomes %NULL; with a delete-orphan cascade the next flush
 * deletes it. A collection that is not loaded is not loaded for this.
 *
 * Returns: %TRUE on success; %FALSE with %ORMA_ERROR_NOT_FOUND if it is
 *   not a member, %ORMA_ERROR_TYPE_MISMATCH if it cannot be one
 */
gboolean
orma_collection_remove (OrmaCollection  *self,
                        gpointer         entity,
                        GError         **error)
{
  g_autoptr (OrmaEntity) hold = NULL;
  g_autoptr (OrmaEntity) owner = NULL;
  guint position = 0;

  g_return_val_if_fail (ORMA_IS_COLLECTION (self), FALSE);
  g_return_val_if_fail (entity != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_member_type (self, entity, error))
    return FALSE;

  settle (self);
  if (self->loaded ? !g_ptr_array_find (self->items, entity, &position)
                   : array_contains (REMOVED (self), entity))
    {
      _orma_set_error (error, ORMA_ERROR_NOT_FOUND, "this %s is not in %s.%s",
                       G_OBJECT_TYPE_NAME (entity),
                       g_type_name (self->rel->owner ? self->rel->owner->type : ORMA_TYPE_ENTITY),
                       self->rel->name);
      return FALSE;
    }

  hold = g_object_ref (entity);
  owner = self->owner != NULL ? g_object_ref (self->owner) : NULL;
  history_remove (self, entity);
  if (self->loaded)
    {
      items_remove_at (self, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }
  member_moved (self, entity);

  if (owner != NULL)
    _orma_entity_relationship_member_removed (owner, self->rel, entity);
  return TRUE;
}

/**
 * orma_collection_clear:
 * @self: a collection
 * @error: return location for a #GError
 *
 * Removes every member (loading the collection first), as
 * orma_collection_remove() does for each, with one items-changed.
 *
 * Returns: %TRUE on success, %FALSE if loading failed
 */
gboolean
orma_collection_clear (OrmaCollection  *self,
                       GError         **error)
{
  g_autoptr (OrmaEntity) owner = NULL;
  GPtrArray *old;
  guint old_len;

  g_return_val_if_fail (ORMA_IS_COLLECTION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ensure_loaded (self, error))
    return FALSE;
  if (self->items->len == 0)
    return TRUE;

  old = g_ptr_array_ref (self->items);
  owner = self->owner != NULL ? g_object_ref (self->owner) : NULL;
  items_replace (self, g_ptr_array_new_with_free_func (g_object_unref), &old_len);
  for (guint i = 0; i < old->len; i++)
    history_remove (self, g_ptr_array_index (old, i));
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, 0);
  members_moved (self, old);

  for (guint i = 0; owner != NULL && i < old->len; i++)
    _orma_entity_relationship_member_removed (owner, self->rel, g_ptr_array_index (old, i));
  g_ptr_array_unref (old);
  return TRUE;
}

/* Every entity of the right class, none twice. */
static gboolean
check_replacement (OrmaCollection  *self,
                   OrmaEntity     **entities,
                   guint            n_entities,
                   GHashTable      *set,
                   GError         **error)
{
  for (guint i = 0; i < n_entities; i++)
    {
      g_return_val_if_fail (entities[i] != NULL, FALSE);

      if (!check_member_type (self, entities[i], error))
        return FALSE;
      if (!g_hash_table_add (set, entities[i]))
        {
          set_duplicate_error (self, entities[i], error);
          g_prefix_error (error, "replacing: ");
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * orma_collection_replace:
 * @self: a collection
 * @entities: (array length=n_entities) (nullable): the new members
 * @n_entities: their number
 * @error: return location for a #GError
 *
 * Makes @entities the members, in that order (loading the collection
 * first): those no longer in it are removed as orphans, the new ones
 * added; one items-changed covers the whole change.
 *
 * Returns: %TRUE on success; %FALSE with %ORMA_ERROR_TYPE_MISMATCH,
 *   %ORMA_ERROR_INVALID_STATE (an object given twice) or a load error,
 *   nothing changed
 */
gboolean
orma_collection_replace (OrmaCollection  *self,
                         OrmaEntity     **entities,
                         guint            n_entities,
                         GError         **error)
{
  g_autoptr (GHashTable) new_set = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) old_set = g_hash_table_new (NULL, NULL);
  g_autoptr (GPtrArray) gone = NULL;
  g_autoptr (OrmaEntity) owner = NULL;
  GPtrArray *items;
  guint old_len;

  g_return_val_if_fail (ORMA_IS_COLLECTION (self), FALSE);
  g_return_val_if_fail (entities != NULL || n_entities == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_replacement (self, entities, n_entities, new_set, error) ||
      !ensure_loaded (self, error))
    return FALSE;

  owner = self->owner != NULL ? g_object_ref (self->owner) : NULL;
  gone = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->items->len; i++)
    {
      OrmaEntity *member = g_ptr_array_index (self->items, i);

      g_hash_table_add (old_set, member);
      if (!g_hash_table_contains (new_set, member))
        g_ptr_array_add (gone, g_object_ref (member));
    }

  items = g_ptr_array_new_full (n_entities, g_object_unref);
  for (guint i = 0; i < n_entities; i++)
    g_ptr_array_add (items, g_object_ref (entities[i]));
  if (items_replace (self, items, &old_len))
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, n_entities);

  for (guint i = 0; i < gone->len; i++)
    history_remove (self, g_ptr_array_index (gone, i));
  for (guint i = 0; i < n_entities; i++)
    if (!g_hash_table_contains (old_set, entities[i]))
      history_add (self, entities[i], FALSE);
  members_moved (self, gone);
  for (guint i = 0; i < n_entities; i++)
    member_moved (self, entities[i]);

  /* The sync may change this collection again (a member set to another
   * owner leaves it): walk the lists computed above, not the items. */
  for (guint i = 0; owner != NULL && i < gone->len; i++)
    _orma_entity_relationship_member_removed (owner, self->rel, g_ptr_array_index (gone, i));
  for (guint i = 0; owner != NULL && i < n_entities; i++)
    if (!g_hash_table_contains (old_set, entities[i]))
      _orma_entity_relationship_member_added (owner, self->rel, entities[i]);
  return TRUE;
}

/* ------------------------------------------------------------ private API */

OrmaCollection *
_orma_collection_new (OrmaEntity       *owner,
                      OrmaRelationship *rel)
{
  OrmaCollection *self;

  g_return_val_if_fail (ORMA_IS_ENTITY (owner), NULL);
  g_return_val_if_fail (rel != NULL, NULL);

  self = g_object_new (ORMA_TYPE_COLLECTION, NULL);
  self->rel = rel;
  self->owner = owner;
  return self;
}

/* The members' many-to-one to the owner is held weakly while this
 * collection holds them (member_moved): no GObject weak pointer, the
 * owner's going empties it here. */
static void
owner_gone_in (GPtrArray        *members,
               OrmaRelationship *rev,
               OrmaEntity       *owner)
{
  for (guint i = 0; members != NULL && i < members->len; i++)
    _orma_entity_relationship_holder_gone (g_ptr_array_index (members, i), rev, owner);
}

void
_orma_collection_owner_gone (OrmaCollection *self)
{
  OrmaRelationship *rev;

  g_return_if_fail (ORMA_IS_COLLECTION (self));

  rev = reverse_scalar (self);
  if (rev != NULL)
    {
      owner_gone_in (self->items, rev, self->owner);
      owner_gone_in (self->added, rev, self->owner);
    }
  self->owner = NULL;
}

OrmaRelationship *
_orma_collection_get_relationship (OrmaCollection *self)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), NULL);

  return self->rel;
}

GPtrArray *
_orma_collection_peek_items (OrmaCollection *self)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), NULL);

  if (self->loaded)
    return self->items;
  return _orma_collection_get_added (self);
}

gboolean
_orma_collection_peek_loaded (OrmaCollection *self)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), FALSE);

  return self->loaded;
}

void
_orma_collection_set_loaded (OrmaCollection *self,
                             GPtrArray      *items)
{
  g_autoptr (OrmaEntity) owner = NULL;

  g_return_if_fail (ORMA_IS_COLLECTION (self));

  owner = self->owner != NULL ? g_object_ref (self->owner) : NULL;
  /* Handlers of items-changed may read the collection: it is loaded. */
  self->loading = TRUE;
  merge_loaded (self, items);
  self->loading = FALSE;
}

void
_orma_collection_unload (OrmaCollection *self)
{
  g_return_if_fail (ORMA_IS_COLLECTION (self));

  /* The items stay as they are until the reload replaces them, so that
   * a view bound to the collection sees one splice, not two. */
  self->loaded = FALSE;
}

void
_orma_collection_release (OrmaCollection *self)
{
  g_autoptr (OrmaEntity) owner = NULL;
  g_autoptr (GPtrArray) old = NULL;
  guint old_len;

  g_return_if_fail (ORMA_IS_COLLECTION (self));

  self->loaded = FALSE;
  if (self->items->len == 0)
    return;
  owner = self->owner != NULL ? g_object_ref (self->owner) : NULL;
  old = g_ptr_array_ref (self->items);
  items_replace (self, g_ptr_array_new_with_free_func (g_object_unref), &old_len);
  /* A view that reads the collection now loads it again. */
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, 0);
  members_moved (self, old);
}

GPtrArray *
_orma_collection_get_added (OrmaCollection *self)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), NULL);

  if (self->added == NULL)
    self->added = g_ptr_array_new_with_free_func (g_object_unref);
  return self->added;
}

GPtrArray *
_orma_collection_get_removed (OrmaCollection *self)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), NULL);

  if (self->removed == NULL)
    self->removed = g_ptr_array_new_with_free_func (g_object_unref);
  return self->removed;
}

gboolean
_orma_collection_has_changes (OrmaCollection *self)
{
  g_return_val_if_fail (ORMA_IS_COLLECTION (self), FALSE);

  return (self->added != NULL && self->added->len > 0) ||
         (self->removed != NULL && self->removed->len > 0);
}

void
_orma_collection_accept (OrmaCollection *self)
{
  g_autoptr (OrmaEntity) owner = NULL;
  g_autoptr (GPtrArray) pending = NULL;

  g_return_if_fail (ORMA_IS_COLLECTION (self));

  /* Not loaded, the history was all that held the additions: they let
   * go of the owner no longer. */
  if (!self->loaded && self->added != NULL && self->added->len > 0 &&
      reverse_scalar (self) != NULL)
    {
      owner = g_object_ref (self->owner);
      pending = g_ptr_array_new_full (self->added->len, g_object_unref);
      for (guint i = 0; i < self->added->len; i++)
        g_ptr_array_add (pending, g_object_ref (g_ptr_array_index (self->added, i)));
    }
  history_clear (self);
  if (pending != NULL)
    members_moved (self, pending);
}

void
_orma_collection_add_from_backref (OrmaCollection *self,
                                   OrmaEntity     *entity)
{
  g_autoptr (OrmaEntity) hold = NULL;
  g_autoptr (OrmaEntity) owner = NULL;

  g_return_if_fail (ORMA_IS_COLLECTION (self));
  g_return_if_fail (ORMA_IS_ENTITY (entity));

  settle (self);
  if (self->loaded ? is_member (self, entity) : array_contains (ADDED (self), entity))
    return;

  hold = g_object_ref (entity);
  owner = self->owner != NULL ? g_object_ref (self->owner) : NULL;
  history_add (self, entity, TRUE);
  if (self->loaded)
    {
      guint position = self->items->len;

      items_insert (self, position, entity);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
    }
  member_moved (self, entity);

  if (owner != NULL)
    _orma_entity_relationship_changed (owner, self->rel, entity, NULL);
}

void
_orma_collection_remove_from_backref (OrmaCollection *self,
                                      OrmaEntity     *entity)
{
  g_autoptr (OrmaEntity) hold = NULL;
  g_autoptr (OrmaEntity) owner = NULL;
  guint position = 0;

  g_return_if_fail (ORMA_IS_COLLECTION (self));
  g_return_if_fail (ORMA_IS_ENTITY (entity));

  settle (self);
  if (self->loaded ? !g_ptr_array_find (self->items, entity, &position)
                   : array_contains (REMOVED (self), entity))
    return;

  hold = g_object_ref (entity);
  owner = self->owner != NULL ? g_object_ref (self->owner) : NULL;
  history_remove (self, entity);
  if (self->loaded)
    {
      items_remove_at (self, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }
  member_moved (self, entity);

  if (owner != NULL)
    _orma_entity_relationship_changed (owner, self->rel, NULL, entity);
}

void
_orma_collection_forget (OrmaCollection *self,
                         OrmaEntity     *entity)
{
  g_autoptr (OrmaEntity) hold = NULL;
  g_autoptr (OrmaEntity) owner = NULL;
  guint position = 0;

  g_return_if_fail (ORMA_IS_COLLECTION (self));
  g_return_if_fail (ORMA_IS_ENTITY (entity));

  hold = g_object_ref (entity);
  owner = self->owner != NULL ? g_object_ref (self->owner) : NULL;
  array_remove (ADDED (self), entity);
  array_remove (REMOVED (self), entity);
  if (g_ptr_array_find (self->items, entity, &position))
    {
      /* The view must still follow, even though nothing is recorded. */
      items_remove_at (self, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }
  member_moved (self, entity);
}
