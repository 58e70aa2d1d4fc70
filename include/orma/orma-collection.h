/* orma-collection.h: the value of a one-to-many or many-to-many
 * relationship attribute.
 *
 * An OrmaCollection is a GListModel of the related objects, so a GTK list
 * view can show it and follows its changes (items-changed). Changing it
 * through these calls is how the application changes the relationship:
 * the other side of a back-populated pair follows in memory, the session
 * adds new members (save-update cascade) and the next flush writes the
 * foreign keys or secondary rows; a member removed from a delete-orphan
 * relationship is deleted.
 *
 * A collection that is not loaded yet (a lazy relationship of a
 * persistent object, reached through the other side of a back-populated
 * pair) accepts append and remove without loading: the changes are kept
 * and merged when it loads. Calls that need the members (get, the
 * GListModel methods, clear, replace) load it first.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (ORMA_INSIDE) && !defined (ORMA_COMPILATION)
#error "Only <orma/orma.h> can be included directly."
#endif

#include <gio/gio.h>
#include <orma/orma-types.h>

G_BEGIN_DECLS

#define ORMA_TYPE_COLLECTION (orma_collection_get_type ())
ORMA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OrmaCollection, orma_collection, ORMA, COLLECTION, GObject)

/* The owner is not referenced: a collection lives as long as its owner
 * holds it. NULL once the owner is gone. */
ORMA_AVAILABLE_IN_ALL
OrmaEntity *orma_collection_get_owner     (OrmaCollection *self);
ORMA_AVAILABLE_IN_ALL
const char *orma_collection_get_name      (OrmaCollection *self);
ORMA_AVAILABLE_IN_ALL
GType       orma_collection_get_item_type (OrmaCollection *self);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_collection_is_loaded     (OrmaCollection *self);

/* Loads the collection if needed; 0 / NULL when loading fails (a
 * warning is logged: use orma_entity_get_collection() to get the
 * error). get() returns a borrowed reference. */
ORMA_AVAILABLE_IN_ALL
guint       orma_collection_get_size      (OrmaCollection *self);
ORMA_AVAILABLE_IN_ALL
gpointer    orma_collection_get           (OrmaCollection *self,
                                           guint           position);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_collection_contains      (OrmaCollection *self,
                                           gpointer        entity);

/* An object of another class than the relationship's target is
 * %ORMA_ERROR_TYPE_MISMATCH; appending a member twice is
 * %ORMA_ERROR_INVALID_STATE; removing a non-member is
 * %ORMA_ERROR_NOT_FOUND. On error nothing changed. */
ORMA_AVAILABLE_IN_ALL
gboolean    orma_collection_append        (OrmaCollection *self,
                                           gpointer        entity,
                                           GError        **error);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_collection_insert        (OrmaCollection *self,
                                           guint           position,
                                           gpointer        entity,
                                           GError        **error);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_collection_remove        (OrmaCollection *self,
                                           gpointer        entity,
                                           GError        **error);
ORMA_AVAILABLE_IN_ALL
gboolean    orma_collection_clear         (OrmaCollection *self,
                                           GError        **error);
/* Makes @entities the members: those not in it are removed (orphans),
 * new ones added, in the given order. */
ORMA_AVAILABLE_IN_ALL
gboolean    orma_collection_replace       (OrmaCollection *self,
                                           OrmaEntity    **entities,
                                           guint           n_entities,
                                           GError        **error);

G_END_DECLS
