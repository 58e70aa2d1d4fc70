/* orma-query-private.h: the query object, shared by the files that build
 * and run it.
 *
 *   orma-query.c            building (filter, order, limit), running
 *                           (all, first, one, count, foreach_chunk), the
 *                           SELECT of a query and the eager plan
 *   orma-query-join.c       aliases, joins along relationships and with
 *                           an explicit ON, loader options
 *   orma-query-rows.c       added entities and columns, group by,
 *                           result rows, scalar
 *   orma-query-relations.c  any, has, contains, with_parent, related_eq,
 *                           the query of a relationship
 *   orma-query-subquery.c   subqueries, EXISTS, IN, UNION, textual SQL
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-query.h"
#include "orma-session-private.h"
#include "orma-compiler-private.h"
#include "orma-relationship-private.h"
#include "orma-eager-private.h"

G_BEGIN_DECLS

/* One JOIN of a query. A many-to-many relationship makes two: the
 * secondary table (rel NULL, entity_type 0), then the target. */
typedef struct {
  OrmaJoin          join;        /* target and on referenced */
  GType             entity_type; /* the mapped class joined, 0 for a table */
  OrmaRelationship *rel;         /* followed; NULL for an explicit ON */
  char             *path;        /* from the query's entity ("posts.keywords");
                                  * NULL for an explicit ON */
} OrmaQueryJoin;

/* An entity or a column added to the result rows. */
typedef struct {
  OrmaAlias  *alias;             /* an entity: referenced */
  OrmaMapper *mapper;            /* its mapping */
  OrmaExpr   *column;            /* a column: sunk */
} OrmaQueryItem;

/* Objects related to a parent through @rel, decided when the query runs
 * (after the autoflush gave a pending parent its key). The parent is
 * held weakly: a dynamic relationship's query may be kept by the parent
 * itself. */
typedef struct {
  GWeakRef          parent;
  OrmaRelationship *rel;
  OrmaExpr         *fixed;       /* nullable, sunk: the condition with the
                                  * key the parent had when the query was
                                  * made, for when it is gone */
} OrmaQueryParent;

struct _OrmaQuery
{
  GObject      parent_instance;

  OrmaSession *session;
  GType        type;
  OrmaMapper  *mapper;
  OrmaAlias   *from_item;  /* nullable: the entity's rows come from this
                            * alias (a subquery, a UNION) */
  GPtrArray   *filters;    /* OrmaExpr*, owned */
  GPtrArray   *order_by;   /* OrmaExpr*, owned */
  gint64       limit;      /* < 0: none */
  gint64       offset;
  GPtrArray   *joins;      /* OrmaQueryJoin*, owned; NULL until the first */
  GPtrArray   *items;      /* OrmaQueryItem*, owned; NULL until the first */
  GPtrArray   *group_by;   /* OrmaExpr*, owned; NULL until the first */
  OrmaExpr    *having;     /* nullable, owned */
  GPtrArray   *options;    /* OrmaLoadOption*, owned; NULL until the first */
  GPtrArray   *parents;    /* OrmaQueryParent*, owned; NULL until the first */
  gboolean     columns_only;
  gboolean     distinct;
  char        *text;       /* textual SQL, or NULL */
  GHashTable  *binds;      /* name -> GValue*: its parameters */
  GError      *error;      /* the first mistake made while building */
};

/* Where each element of a result row is read from the cursor. */
typedef struct {
  guint        offset;
  OrmaMapper  *mapper;     /* an entity's columns start at offset */
  GType        value_type; /* a value: the type to read it as, or
                            * G_TYPE_INVALID for the column's own */
  const char  *label;      /* a value's name, or NULL */
} OrmaRowSlot;

/* A query turned into a statement. The select borrows from the query and
 * from the arrays here, which live until the statement has run. */
typedef struct {
  OrmaSelect     select;
  GPtrArray     *owned;      /* OrmaExpr* made for this statement */
  GPtrArray     *columns;    /* OrmaExpr*, the select list (borrowed) */
  GArray        *joins;      /* OrmaJoin (members borrowed) */
  GPtrArray     *extra_from; /* OrmaAlias* (borrowed) */
  GArray        *layout;     /* OrmaRowSlot of the result row */
  OrmaEagerPlan *plan;
  GPtrArray     *params;
  GArray        *scratch;
  char          *sql;
  GPtrArray     *order_by;   /* OrmaExpr*, adapted to a FROM subquery */
  GPtrArray     *group_by;   /* OrmaExpr*, adapted to a FROM subquery */
} OrmaQueryCompiled;

void _orma_query_compiled_clear (OrmaQueryCompiled *compiled);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OrmaQueryCompiled, _orma_query_compiled_clear)

/* orma-query.c */

/* Keeps the first building mistake (taking @error) for the running call. */
void      _orma_query_keep_error   (OrmaQuery          *self,
                                    GError             *error);
/* A new query of @entity_type (its mapper looked up, errors kept). */
OrmaQuery *_orma_query_new         (OrmaSession        *session,
                                    GType               entity_type);
/* The query's SELECT in @out, not compiled: FROM, joins, the entity's
 * and the added columns (layout filled when @layout), WHERE, GROUP BY,
 * HAVING, ORDER BY, LIMIT, OFFSET. */
gboolean  _orma_query_build_select (OrmaQuery          *self,
                                    OrmaQueryCompiled  *out,
                                    gboolean            layout,
                                    GError            **error);
/* Checks the query can run and gets the session's connection, after an
 * autoflush. */
OrmaConnection *_orma_query_prepare_run (OrmaQuery     *self,
                                    GError            **error);
/* Builds and compiles the statement that loads the query's rows (with
 * the eager plan when @eager) and executes it. */
OrmaCursor *_orma_query_execute    (OrmaQuery          *self,
                                    OrmaConnection     *connection,
                                    gint64              limit,
                                    gboolean            stream,
                                    gboolean            eager,
                                    OrmaQueryCompiled  *compiled,
                                    GError            **error);

/* orma-query-join.c */

/* The joins of the query as OrmaJoin in @joins, with contains_eager
 * options pointed at their joins. */
gboolean  _orma_query_joins_build  (OrmaQuery          *self,
                                    GArray             *joins,
                                    GError            **error);
/* Whether a join of the query reaches @alias. */
gboolean  _orma_query_joins_reach  (OrmaQuery          *self,
                                    OrmaAlias          *alias);
/* left.local = target.remote for each pair of @rel, referenced column
 * first (as SQLAlchemy writes it); @owner and @target NULL mean the
 * tables themselves. For a many-to-many, the owner to the secondary
 * (@target is then the secondary's alias, or NULL). */
OrmaExpr *_orma_rel_join_condition (OrmaRelationship   *rel,
                                    OrmaAlias          *owner,
                                    OrmaAlias          *target);
/* The secondary to the target of a many-to-many. */
OrmaExpr *_orma_rel_secondary_condition (OrmaRelationship *rel,
                                    OrmaAlias          *secondary,
                                    OrmaAlias          *target);
/* Column @column of @table (of class @type, or 0) as seen through
 * @alias, or of the table itself when @alias is NULL. */
OrmaExpr *_orma_side_column        (OrmaTable          *table,
                                    GType               type,
                                    OrmaAlias          *alias,
                                    guint               column);
/* Points the contains_eager options at the joins they read from. */
gboolean  _orma_query_options_resolve (OrmaQuery       *self,
                                    GError            **error);

/* orma-query-rows.c */

/* Appends the added entities and columns to @out's select list and
 * layout (entities no join reaches go to FROM). */
gboolean  _orma_query_items_build  (OrmaQuery          *self,
                                    OrmaQueryCompiled  *out,
                                    GError            **error);

/* orma-query-relations.c */

/* The criterion of the objects of @parent.@rel, with the parent's key
 * values as they are now (floating). */
OrmaExpr *_orma_query_parent_criterion (OrmaEntity       *parent,
                                    OrmaRelationship   *rel);
/* The same for a query's parent when it runs (floating, or borrowed
 * from @parent: the caller sinks it either way). */
OrmaExpr *_orma_query_parent_condition (OrmaQueryParent  *parent);
void      _orma_query_parent_free  (OrmaQueryParent    *parent);
/* The relationship @name of @entity_type, or an error. */
OrmaRelationship *_orma_query_find_relationship (GType  entity_type,
                                    const char         *name,
                                    GError            **error);

/* orma-query-subquery.c */

/* For a query whose rows come from a subquery (orma_session_query_from(),
 * a UNION), @expr with the columns of the entity's table (orma_col())
 * read from the subquery, as SQLAlchemy adapts them; otherwise @expr.
 * Returns @expr itself (borrowed) or a new floating expression: the
 * caller sinks it either way. */
OrmaExpr *_orma_query_adapt        (OrmaQuery          *self,
                                    OrmaExpr           *expr);
/* Runs the query's textual SQL with its bound parameters. */
OrmaCursor *_orma_query_execute_text (OrmaQuery        *self,
                                    OrmaConnection     *connection,
                                    OrmaQueryCompiled  *compiled,
                                    GError            **error);
/* Runs @compiled's sql and params, a statement of textual SQL (or one
 * around it), so that the database refusing it leaves the session's
 * transaction usable. */
OrmaCursor *_orma_query_run_text   (OrmaConnection    *connection,
                                    OrmaQueryCompiled  *compiled,
                                    GError            **error);
/* A cursor over @inner (taken) whose columns are the mapped columns of
 * @mapper in order, found by name among @inner's; NULL with an error
 * naming a missing one. */
OrmaCursor *_orma_query_text_cursor (OrmaCursor        *inner,
                                    OrmaMapper         *mapper,
                                    GError            **error);

G_END_DECLS
