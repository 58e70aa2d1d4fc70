/* orma-eager-private.h: loading relationships along with a query
 * (joined, selectin, contains_eager) and on first access (lazy).
 *
 *   orma-loader.c          lazy loads, raise and noload, the session's
 *                          load_relationship callback, expiry stamps
 *   orma-loader-select.c   the SELECT of one relationship for a set of
 *                          owners (lazy: one owner; selectin: IN chunks)
 *   orma-eager.c           the eager plan of a query: joined eager
 *                          LEFT OUTER JOINs, contains_eager, selectin
 *                          after the rows
 *
 * The query (orma-query.c) calls the plan like this:
 *
 *   plan = _orma_eager_plan_new (session, mapper, root_from, options, &error);
 *   _orma_eager_plan_extend_select (plan, &select, &error);  (may wrap it)
 *   for each row:  entity = _orma_loading_instance (.., cursor, 0, ..);
 *                  _orma_eager_plan_row (plan, entity, cursor, &error);
 *   _orma_eager_plan_finish (plan, entities, &error);   (per chunk when streaming)
 *   _orma_eager_plan_free (plan);
 *
 * With a joined collection an owner comes on several rows: plan_row
 * must see every row (repeats included), and the query keeps each owner
 * once, where it first appeared. Finish may run SQL (selectin): the
 * query's rows must all have arrived (no streaming cursor on
 * PostgreSQL). A chunk should end where an owner's rows end; if it does
 * not, the owner of the last row is stored again, whole, at the next
 * finish.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-session-private.h"
#include "orma-compiler-private.h"
#include "orma-relationship-private.h"

G_BEGIN_DECLS

/* A query option: a strategy for a relationship path, or contains_eager
 * with the alias (nullable) the query joined the target as. */
typedef struct {
  char             *path;      /* "posts.keywords" */
  OrmaLoadStrategy  strategy;
  gboolean          contains_eager;
  OrmaAlias        *alias;     /* contains_eager: referenced, nullable */
  OrmaJoin         *join;      /* contains_eager: the query's join to it */
} OrmaLoadOption;

void _orma_load_option_free (OrmaLoadOption *option);

typedef struct _OrmaEagerPlan OrmaEagerPlan;

/* The plan for a query of @mapper whose rows read the mapper's columns
 * from @root_from (NULL: the table itself), with the mapping's
 * strategies overridden by @options (OrmaLoadOption*, nullable). NULL
 * with no error when nothing is loaded eagerly. An option naming an
 * unknown relationship is ORMA_ERROR_UNKNOWN_PROPERTY. */
OrmaEagerPlan *_orma_eager_plan_new   (OrmaSession  *session,
                                       OrmaMapper   *mapper,
                                       OrmaAlias    *root_from,
                                       GPtrArray    *options,
                                       GError      **error);
/* Adds the joined eager LEFT OUTER JOINs (anonymous aliases, nested
 * paths, join-depth) and their columns after the existing ones. When
 * @select has a limit or an offset and a joined collection, the select
 * is first wrapped: SELECT anon_1.*, ... FROM (the limited select) AS
 * anon_1 LEFT OUTER JOIN ..., so that the limit counts owners. The
 * owner's columns stay first in the row. The plan keeps whatever it
 * allocated until it is freed. */
gboolean       _orma_eager_plan_extend_select (OrmaEagerPlan *plan,
                                       OrmaSelect    *select,
                                       GError       **error);
/* Before extend_select, for rows read in chunks: the statement orders
 * each owner's rows together (after the query's own ordering, by the
 * owner's primary key), so that a chunk can end where an owner's rows
 * end. */
void           _orma_eager_plan_group_owners (OrmaEagerPlan *plan);
/* Reads the eagerly joined columns of the current row into the related
 * objects and the owner's attributes (@owner was just loaded from the
 * row's first columns). */
gboolean       _orma_eager_plan_row   (OrmaEagerPlan *plan,
                                       OrmaEntity    *owner,
                                       OrmaCursor    *cursor,
                                       GError       **error);
/* After the rows (or each chunk) of @owners: marks joined collections
 * loaded and runs the selectin loads. */
gboolean       _orma_eager_plan_finish (OrmaEagerPlan *plan,
                                       GPtrArray     *owners,
                                       GError       **error);
void           _orma_eager_plan_free  (OrmaEagerPlan *plan);

/* orma-loader-select.c: loads @rel for @owners (all of rel->owner) with
 * one SELECT per chunk of owners (IN over their keys; one owner: =),
 * ordered by the relationship's order-by, and stores the results with
 * _orma_entity_relationship_load(). Used by lazy loading (one owner) and
 * selectin. A many-to-one whose target is in the identity map is filled
 * from there without SQL. */
gboolean       _orma_loader_load_for  (OrmaSession      *session,
                                       OrmaRelationship *rel,
                                       OrmaEntity      **owners,
                                       guint             n_owners,
                                       GError          **error);

/* ---- shared by the loaders (orma-loader.c, orma-loader-select.c,
 * orma-eager.c) ---- */

/* The stamp of a relationship attribute filled while its object had no
 * row yet (transient or pending): what the application put there holds
 * until the object is first expired. */
#define ORMA_LOADER_STAMP_UNSAVED G_MAXUINT64

/* Like _orma_loader_load_for(); every object loaded (targets, including
 * those found in the identity map) is appended to @loaded (referenced,
 * nullable). */
gboolean       _orma_loader_load_for_full (OrmaSession      *session,
                                       OrmaRelationship *rel,
                                       OrmaEntity      **owners,
                                       guint             n_owners,
                                       GPtrArray        *loaded,
                                       GError          **error);
/* Whether the attribute holds unflushed changes of the application (a
 * collection with history, a scalar set since the last flush): a load
 * never overwrites them. */
gboolean       _orma_loader_slot_has_changes (OrmaRelSlot      *slot,
                                       OrmaRelationship *rel);
/* Whether the loaded attribute of @entity is current: loaded since the
 * session's last expiry (an attribute filled before the object had a
 * row is current until the object expires). */
gboolean       _orma_loader_slot_is_current (OrmaSession      *session,
                                       OrmaEntity       *entity,
                                       OrmaRelSlot      *slot);
/* Stores a loaded value: a collection's members (@items, nullable for
 * none), or a scalar's target (@target, or the first of @items). */
void           _orma_loader_store     (OrmaSession      *session,
                                       OrmaEntity       *owner,
                                       OrmaRelationship *rel,
                                       OrmaEntity       *target,
                                       GPtrArray        *items);
/* A query option's strategy for @rel remembered on @entity (raise or
 * lazy, which decide what a later access does); ORMA_LOAD_DEFAULT
 * forgets it. */
void           _orma_loader_set_override (OrmaEntity       *entity,
                                       OrmaRelationship *rel,
                                       OrmaLoadStrategy  strategy);
OrmaLoadStrategy _orma_loader_get_strategy (OrmaEntity     *entity,
                                       OrmaRelationship *rel);
/* A many-to-one target is held weakly by its owner: the session keeps
 * the targets of the latest load alive until the next one begins, so
 * that the caller that asked for them gets them. */
void           _orma_loader_keep_alive (OrmaSession     *session,
                                       OrmaEntity       *entity);
void           _orma_loader_keep_reset (OrmaSession     *session);

G_END_DECLS
