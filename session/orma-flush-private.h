/* orma-flush-private.h: the unit of work, in parts.
 *
 *   orma-flush.c        orchestration: plan, execute, finish or undo
 *   orma-flush-sort.c   the order of mappers from their foreign keys
 *   orma-flush-batch.c  INSERT, UPDATE and DELETE of rows in batches
 *
 * Every value the flush writes into an object (a generated key, a new
 * version number) goes through _orma_flush_write_value(), which records
 * the old value in the undo log: a failed flush replays it backwards, so
 * no object keeps a key from a row that was rolled back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-session-private.h"

G_BEGIN_DECLS

typedef struct {
  OrmaEntity *entity;    /* referenced */
  guint       column;
  GValue      old;       /* unset when the old value was NULL */
} OrmaUndoEntry;

typedef struct {
  OrmaSession       *session;
  OrmaConnection    *connection;
  const OrmaDialect *dialect;
  GArray            *undo;          /* OrmaUndoEntry */
  guint              n_statements;
} OrmaFlushContext;

/* Sorts @mappers (OrmaMapper*, in order of first appearance) so that a
 * mapper comes after the mappers whose tables its foreign keys reference.
 * Ties keep the order of appearance; a cycle keeps it too. */
void     _orma_flush_sort_mappers (GPtrArray        *mappers);

void     _orma_flush_write_value  (OrmaFlushContext *ctx,
                                   OrmaEntity       *entity,
                                   guint             column,
                                   const GValue     *value);

/* Each writes the rows of @entities (OrmaEntity*, all of one mapper) in
 * as few batches as their column sets allow. */
gboolean _orma_flush_insert       (OrmaFlushContext *ctx,
                                   OrmaMapper       *mapper,
                                   GPtrArray        *entities,
                                   GError          **error);
gboolean _orma_flush_update       (OrmaFlushContext *ctx,
                                   OrmaMapper       *mapper,
                                   GPtrArray        *entities,
                                   GError          **error);
gboolean _orma_flush_delete       (OrmaFlushContext *ctx,
                                   OrmaMapper       *mapper,
                                   GPtrArray        *entities,
                                   GError          **error);

gboolean _orma_flush_run          (OrmaSession      *session,
                                   GError          **error);

G_END_DECLS
