/* orma-collection-private.h: what the rest of Orma does with a
 * collection besides the application's calls.
 *
 * History: a collection remembers the members added and removed since
 * the last flush (an object added then removed again is in neither).
 * The flush reads it to write foreign keys, secondary rows and orphans,
 * then accepts it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-collection.h"
#include "orma-relationship-private.h"

G_BEGIN_DECLS

OrmaCollection   *_orma_collection_new          (OrmaEntity       *owner,
                                                 OrmaRelationship *rel);
OrmaRelationship *_orma_collection_get_relationship (OrmaCollection *self);
/* The owner is being disposed: the collection forgets it, and the
 * members' many-to-one that held it weakly becomes not loaded. */
void              _orma_collection_owner_gone   (OrmaCollection   *self);

/* The members without loading (borrowed; the pending ones when it is
 * not loaded). */
GPtrArray        *_orma_collection_peek_items   (OrmaCollection   *self);
gboolean          _orma_collection_peek_loaded  (OrmaCollection   *self);

/* Fills a collection from loaded rows: @items become the members,
 * merged with the changes made while it was unloaded (pending appends
 * kept, pending removals left out). One items-changed signal. No
 * history, no events. */
void              _orma_collection_set_loaded   (OrmaCollection   *self,
                                                 GPtrArray        *items);
/* Not loaded any more (expired): the next read loads it again. */
void              _orma_collection_unload       (OrmaCollection   *self);
/* Unloaded and emptied (one items-changed): the members are let go of.
 * For a collection without history. */
void              _orma_collection_release      (OrmaCollection   *self);
/* Whether @entity is referenced as a member: among the items, loaded or
 * not yet reloaded, or a pending addition. */
gboolean          _orma_collection_holds        (OrmaCollection   *self,
                                                 OrmaEntity       *entity);

/* Since the last accept (borrowed, OrmaEntity*). Accepting forgets the
 * history; in a collection that is not loaded the pending additions were
 * all that held those members, so their many-to-one holds the owner
 * again. */
GPtrArray        *_orma_collection_get_added    (OrmaCollection   *self);
GPtrArray        *_orma_collection_get_removed  (OrmaCollection   *self);
gboolean          _orma_collection_has_changes  (OrmaCollection   *self);
void              _orma_collection_accept       (OrmaCollection   *self);

/* Changes from the other side of a back-populated pair: no backref sync
 * again, but history and the owner's relationship_changed event, as for
 * the application's own calls. Do not need the collection loaded. */
void              _orma_collection_add_from_backref    (OrmaCollection *self,
                                                        OrmaEntity     *entity);
void              _orma_collection_remove_from_backref (OrmaCollection *self,
                                                        OrmaEntity     *entity);
/* Removal by the flush (a child whose row was deleted): no history, no
 * events. */
void              _orma_collection_forget       (OrmaCollection   *self,
                                                 OrmaEntity       *entity);

G_END_DECLS
