/* orma-flush-private.h: the unit of work, in parts. Read them in this
 * order:
 *
 *   orma-flush.c            orchestration: cascade, plan, execute, then
 *                           finish or undo
 *   orma-flush-cascade.c    step 1: save-update, delete and delete-orphan
 *                           cascades; loads what a delete must see
 *   orma-flush-graph.c      the dependency graph between mappers, from
 *                           foreign keys and relationships; its cycles
 *   orma-flush-sort.c       the topological sort of mappers, and of rows
 *                           where the mapper graph has a cycle
 *   orma-flush-sync.c       foreign keys copied from parents to
 *                           dependents before they are written; NULL for
 *                           children left behind; post-update
 *   orma-flush-secondary.c  the rows of many-to-many secondary tables
 *   orma-flush-batch.c      INSERT, UPDATE and DELETE of rows in batches
 *
 * Every value the flush writes into an object (a generated key, a new
 * version number, a foreign key) goes through _orma_flush_write_value(),
 * which records the old value in the undo log: a failed flush replays it
 * backwards, so no object keeps a key from a row that was rolled back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-session-private.h"
#include "orma-relationship-private.h"

G_BEGIN_DECLS

typedef struct {
  OrmaEntity *entity;    /* referenced */
  guint       column;
  GValue      old;       /* unset when the old value was NULL */
} OrmaUndoEntry;

/* One foreign key write: the columns @child_cols of the child get the
 * values of @parent_cols of @parent, or NULL when @parent is NULL. The
 * column arrays belong to the relationship. */
typedef struct {
  OrmaEntity  *child;      /* no reference: the session holds it */
  OrmaEntity  *parent;     /* nullable, no reference */
  const guint *child_cols;
  const guint *parent_cols;
  guint        n_cols;
  gboolean     post_update; /* written after every INSERT and UPDATE */
} OrmaSyncAction;

typedef struct {
  OrmaMapper *mapper;
  GPtrArray  *inserts;   /* OrmaEntity*, no references (the sets hold them) */
  GPtrArray  *updates;
  GPtrArray  *deletes;
} OrmaMapperWork;

typedef enum {
  ORMA_FLUSH_INSERT,
  ORMA_FLUSH_UPDATE,
  ORMA_FLUSH_DELETE,
} OrmaFlushStepKind;

/* One batch-able piece of work: rows of one mapper, written together. */
typedef struct {
  OrmaFlushStepKind  kind;
  OrmaMapper        *mapper;
  GPtrArray         *rows;   /* OrmaEntity*, no references */
} OrmaFlushStep;

typedef struct _OrmaSecondaryWork OrmaSecondaryWork;

typedef struct {
  GPtrArray  *mappers;       /* OrmaMapper*, in order of first appearance */
  GHashTable *work;          /* OrmaMapper* -> OrmaMapperWork* */
  GHashTable *deleting;      /* set of OrmaEntity*: rows this flush DELETEs */
  GHashTable *replaced;      /* new OrmaEntity* -> the deleted one whose
                              * row it takes over (one UPDATE); nullable */
  GHashTable *taken_over;    /* set of the deleted ones of @replaced */
  gboolean    relationships; /* a mapper of the flush has relationships */
  /* foreign key writes before the child is written, by child */
  GHashTable *sync;          /* OrmaEntity* -> GArray of OrmaSyncAction */
  GArray     *post_sync;     /* OrmaSyncAction, written after all saves */
  GHashTable *extra_updates; /* set: persistent rows added to updates */
  OrmaSecondaryWork *secondary;
  /* members of dynamic relationships of deleted objects, queried by
   * the cascade step: "owner:rel" -> GPtrArray of OrmaEntity* (referenced) */
  GHashTable *dynamic;
  GArray     *saves;         /* OrmaFlushStep, in execution order */
  GArray     *deletes;       /* OrmaFlushStep, in execution order */
} OrmaFlushPlan;

typedef struct {
  OrmaSession       *session;
  OrmaConnection    *connection;
  const OrmaDialect *dialect;
  GArray            *undo;          /* OrmaUndoEntry */
  guint              n_statements;
  OrmaFlushPlan     *plan;
  /* Columns a flush wrote into persistent rows (foreign keys), which an
   * UPDATE must include: OrmaEntity* -> guint64* mask. NULL when the
   * flush has no relationships to sync. */
  GHashTable        *sync_masks;
} OrmaFlushContext;

OrmaMapperWork *_orma_flush_work_for (OrmaFlushPlan *plan,
                                      OrmaMapper    *mapper);

/* ---- orma-flush-cascade.c ---- */

/* Step 1 of a flush, before anything is planned: the save-update
 * cascade from the changed objects, orphans of delete-orphan
 * relationships deleted (or expunged when pending), the delete cascade
 * (loading unloaded relationships), and the one-to-many collections of
 * deleted objects loaded so their children's keys can be set to NULL.
 * May run SELECTs; writes nothing. */
gboolean _orma_flush_cascade      (OrmaSession      *session,
                                   OrmaFlushPlan    *plan,
                                   GError          **error);
/* The members of @rel of @entity as the flush knows them: what is in
 * memory, or what the cascade step queried for a dynamic relationship;
 * appended to @out. */
void     _orma_flush_related      (OrmaFlushPlan    *plan,
                                   OrmaEntity       *entity,
                                   OrmaRelationship *rel,
                                   GPtrArray        *out);
/* The slot of @rel in @entity if the entity has slots, without
 * allocating them. */
OrmaRelSlot *_orma_flush_peek_slot (OrmaEntity      *entity,
                                   OrmaRelationship *rel);

/* ---- orma-flush-graph.c ---- */

typedef struct {
  guint        n;            /* mappers */
  OrmaMapper **mappers;      /* borrowed, in order of first appearance */
  guint8      *edge;         /* n * n: edge[p * n + c]: p's rows go first */
  guint       *component;    /* strongly connected component of each */
  guint        n_components;
  gboolean    *cyclic;       /* per component: rows must be sorted */
} OrmaFlushGraph;

OrmaFlushGraph *_orma_flush_graph_new  (GPtrArray      *mappers);
void            _orma_flush_graph_free (OrmaFlushGraph *graph);
/* TRUE when the foreign key @fk of @mapper's table is written by a
 * post-update relationship: it orders nothing. */
gboolean        _orma_flush_fk_is_post_update (OrmaMapper     *mapper,
                                               OrmaForeignKey *fk,
                                               OrmaMapper     *ref);
/* TRUE when @rel orders the rows of its two mappers (not post-update,
 * not many-to-many). */
gboolean        _orma_flush_rel_orders (OrmaRelationship *rel);

/* ---- orma-flush-sort.c ---- */

/* Fills plan->saves and plan->deletes: mappers in dependency order,
 * and, for mappers on a cycle, their rows in levels. A cycle between
 * rows is ORMA_ERROR_INVALID_STATE naming the rows. */
gboolean _orma_flush_sort         (OrmaFlushPlan    *plan,
                                   GError          **error);

/* ---- orma-flush-sync.c ---- */

/* Reads the relationship history of the changed objects and of the
 * deleted ones into plan->sync and plan->post_sync; persistent children
 * whose keys will change join their mapper's updates. */
void     _orma_flush_collect_sync (OrmaFlushPlan    *plan,
                                   OrmaSession      *session);
/* Before @rows are written: their foreign keys get their parents' keys. */
void     _orma_flush_apply_sync   (OrmaFlushContext *ctx,
                                   GPtrArray        *rows);
/* After every INSERT and UPDATE: the post-update foreign keys. */
gboolean _orma_flush_post_update  (OrmaFlushContext *ctx,
                                   GError          **error);
/* Before the DELETEs: post-update foreign keys of deleted rows that
 * point at other deleted rows are set to NULL. */
gboolean _orma_flush_post_update_deletes (OrmaFlushContext *ctx,
                                          GError          **error);

/* ---- orma-flush-secondary.c ---- */

void     _orma_flush_collect_secondary (OrmaFlushPlan *plan,
                                        OrmaSession   *session);
gboolean _orma_flush_secondary_execute (OrmaFlushContext *ctx,
                                        GError          **error);
gboolean _orma_flush_secondary_has_work (OrmaFlushPlan *plan);
void     _orma_flush_secondary_free    (OrmaSecondaryWork *work);

/* ---- orma-flush-batch.c ---- */

void     _orma_flush_write_value  (OrmaFlushContext *ctx,
                                   OrmaEntity       *entity,
                                   guint             column,
                                   const GValue     *value);
/* Marks @column of a persistent row as written by the flush: its UPDATE
 * includes it. */
void     _orma_flush_mark_synced  (OrmaFlushContext *ctx,
                                   OrmaEntity       *entity,
                                   guint             column);

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
/* UPDATE t SET <@mask columns> WHERE <key> for rows already written in
 * this flush (post-update): no version check. */
gboolean _orma_flush_update_columns (OrmaFlushContext *ctx,
                                     OrmaMapper       *mapper,
                                     GPtrArray        *entities,
                                     guint64           mask,
                                     GError          **error);
/* A description of a row for error messages: "RelNode(id=3)" or
 * "RelNode (pending)". */
char    *_orma_flush_describe_row (OrmaEntity       *entity);

gboolean _orma_flush_run          (OrmaSession      *session,
                                   GError          **error);

G_END_DECLS
