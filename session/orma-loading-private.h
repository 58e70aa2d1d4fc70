/* orma-loading-private.h: turning result rows into objects through the
 * identity map.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-session-private.h"
#include "orma-compiler-private.h"

G_BEGIN_DECLS

/* The object for the current row of @cursor, whose columns
 * [offset, offset + mapper->n_columns) are the mapper's columns in order.
 * An object already in the identity map is returned as it is (its
 * unflushed changes kept), or refreshed from the row if it was expired.
 * Returns a new reference. */
OrmaEntity *_orma_loading_instance (OrmaSession  *session,
                                    OrmaMapper   *mapper,
                                    OrmaCursor   *cursor,
                                    guint         offset,
                                    GError      **error);
/* Whether the current row of @cursor is @entity's: its key (at
 * @offset, as for _orma_loading_instance()) is the one @entity has in
 * @session's identity map. Then _orma_loading_instance() would return
 * @entity as it is: a joined load, whose owner comes on several rows in
 * a row, skips it. FALSE when unsure (only single integer keys are
 * compared). */
gboolean    _orma_loading_row_is   (OrmaSession  *session,
                                    OrmaMapper   *mapper,
                                    OrmaCursor   *cursor,
                                    guint         offset,
                                    OrmaEntity   *entity);
/* Loads (or reloads) one object by primary key values. NULL with no
 * error when there is no such row. */
OrmaEntity *_orma_loading_by_key   (OrmaSession  *session,
                                    OrmaMapper   *mapper,
                                    const GValue *key,
                                    GError      **error);
/* Overwrites the attributes of @entity from its row; ORMA_ERROR_NOT_FOUND
 * if the row is gone. */
gboolean    _orma_loading_refresh  (OrmaSession  *session,
                                    OrmaEntity   *entity,
                                    GError      **error);

G_END_DECLS
