/* orma-query.h: queries for mapped objects.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (ORMA_INSIDE) && !defined (ORMA_COMPILATION)
#error "Only <orma/orma.h> can be included directly."
#endif

#include <orma/orma-types.h>

G_BEGIN_DECLS

#define ORMA_TYPE_QUERY (orma_query_get_type ())
ORMA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OrmaQuery, orma_query, ORMA, QUERY, GObject)

/**
 * OrmaQueryChunkFunc:
 * @entities: (element-type OrmaEntity): the objects of one chunk
 * @user_data: the data given to orma_query_foreach_chunk()
 *
 * Receives one chunk of a large result. Return %FALSE to stop early.
 *
 * Returns: %TRUE to go on
 */
typedef gboolean (*OrmaQueryChunkFunc) (GPtrArray *entities,
                                        gpointer   user_data);

ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_filter       (OrmaQuery   *self,
                                    OrmaExpr    *condition);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_filter_by    (OrmaQuery   *self,
                                    const char  *first_property,
                                    ...) G_GNUC_NULL_TERMINATED;
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_filter_by_value (OrmaQuery    *self,
                                    const char   *property,
                                    const GValue *value);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_order_by     (OrmaQuery   *self,
                                    OrmaExpr    *ordering);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_limit        (OrmaQuery   *self,
                                    gint64       limit);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_offset       (OrmaQuery   *self,
                                    gint64       offset);

ORMA_AVAILABLE_IN_ALL
GPtrArray *orma_query_all          (OrmaQuery   *self,
                                    GError     **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
gpointer   orma_query_first        (OrmaQuery   *self,
                                    GError     **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
gpointer   orma_query_one          (OrmaQuery   *self,
                                    GError     **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
gpointer   orma_query_one_or_none  (OrmaQuery   *self,
                                    GError     **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
gboolean   orma_query_count        (OrmaQuery   *self,
                                    gint64      *count,
                                    GError     **error);
ORMA_AVAILABLE_IN_ALL
gboolean   orma_query_foreach_chunk(OrmaQuery          *self,
                                    guint               chunk_size,
                                    OrmaQueryChunkFunc  func,
                                    gpointer            user_data,
                                    GError            **error);

/* ---- relationships and joins ---- */

/* An alias of a mapped class, for self-joins and for joining a class
 * twice; its columns are orma_alias_col (alias, "property"). */
ORMA_AVAILABLE_IN_ALL
OrmaAlias *orma_aliased            (GType        entity_type,
                                    const char  *name);

/* JOIN along a relationship: @relationship is "name" of the query's
 * entity or "name" of the entity last joined, or a dotted path
 * ("posts.keywords"); @target (nullable) is an alias of the target class
 * to join as. */
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_join         (OrmaQuery   *self,
                                    const char  *relationship,
                                    OrmaAlias   *target);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_outerjoin    (OrmaQuery   *self,
                                    const char  *relationship,
                                    OrmaAlias   *target);
/* JOIN with an explicit ON clause; @target is an alias (orma_aliased(),
 * orma_table_alias() or a subquery). */
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_join_on      (OrmaQuery   *self,
                                    OrmaAlias   *target,
                                    OrmaExpr    *on);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_outerjoin_on (OrmaQuery   *self,
                                    OrmaAlias   *target,
                                    OrmaExpr    *on);

/* Loader options: the strategy for a relationship path ("addresses",
 * "posts.keywords") in this query, overriding the mapping. */
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_load         (OrmaQuery        *self,
                                    const char       *path,
                                    OrmaLoadStrategy  strategy);
/* Fills the relationship @path from the query's own join to it (the join
 * made with orma_query_join() along that relationship, or to @alias). */
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_contains_eager (OrmaQuery  *self,
                                    const char  *path,
                                    OrmaAlias   *alias);

/* Relationship conditions, for filter(). */
/* Owners with at least one related object matching @criterion
 * (nullable), for a collection: EXISTS. */
ORMA_AVAILABLE_IN_ALL
OrmaExpr  *orma_any                (GType        entity_type,
                                    const char  *relationship,
                                    OrmaExpr    *criterion);
/* The same for a many-to-one or one-to-one. */
ORMA_AVAILABLE_IN_ALL
OrmaExpr  *orma_has                (GType        entity_type,
                                    const char  *relationship,
                                    OrmaExpr    *criterion);
/* Owners whose collection contains @entity. */
ORMA_AVAILABLE_IN_ALL
OrmaExpr  *orma_contains           (GType        entity_type,
                                    const char  *relationship,
                                    gpointer     entity);
/* Objects related to @parent through its relationship @relationship
 * (the rows of parent.relationship), with the parent's key as it is
 * now (see orma_entity_query_related() for a pending parent). */
ORMA_AVAILABLE_IN_ALL
OrmaExpr  *orma_with_parent        (gpointer     parent,
                                    const char  *relationship);
/* A many-to-one compared to an object (its foreign key columns equal
 * the object's key) or, with @entity NULL, to NULL (IS NULL). */
ORMA_AVAILABLE_IN_ALL
OrmaExpr  *orma_related_eq         (GType        entity_type,
                                    const char  *relationship,
                                    gpointer     entity);

/* The objects of a dynamic relationship (or any relationship) as a query
 * that can be filtered further, ordered by the relationship's order-by;
 * the parent's key is read when the query runs (after the autoflush). */
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_entity_query_related (OrmaEntity  *entity,
                                    const char  *relationship,
                                    GError     **error) G_GNUC_WARN_UNUSED_RESULT;

/* ---- several entities or columns per row ---- */

#define ORMA_TYPE_RESULT_ROW (orma_result_row_get_type ())
typedef struct _OrmaResultRow OrmaResultRow;
ORMA_AVAILABLE_IN_ALL
GType          orma_result_row_get_type  (void) G_GNUC_CONST;
ORMA_AVAILABLE_IN_ALL
OrmaResultRow *orma_result_row_ref       (OrmaResultRow *row);
ORMA_AVAILABLE_IN_ALL
void           orma_result_row_unref     (OrmaResultRow *row);
ORMA_AVAILABLE_IN_ALL
guint          orma_result_row_get_length(OrmaResultRow *row);
/* The entity in column @index (borrowed), NULL for a NULL (outer join)
 * or a non-entity column. */
ORMA_AVAILABLE_IN_ALL
gpointer       orma_result_row_get_entity(OrmaResultRow *row,
                                          guint          index);
/* A plain column by index or label (borrowed); NULL for SQL NULL. */
ORMA_AVAILABLE_IN_ALL
const GValue  *orma_result_row_get_value (OrmaResultRow *row,
                                          guint          index);
ORMA_AVAILABLE_IN_ALL
const GValue  *orma_result_row_lookup    (OrmaResultRow *row,
                                          const char    *label);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OrmaResultRow, orma_result_row_unref)

/* Adds an entity (a GType-named class through orma_aliased(), or the
 * alias of a join) or a column expression (labelled with orma_label())
 * to each result row; rows come from orma_query_rows(). An added entity
 * that no join reaches is added to FROM. */
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_add_entity   (OrmaQuery   *self,
                                    OrmaAlias   *entity);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_add_column   (OrmaQuery   *self,
                                    OrmaExpr    *column);
/* Only the listed columns, not the query's entity (for aggregates). */
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_columns_only (OrmaQuery   *self);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_distinct     (OrmaQuery   *self);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_group_by     (OrmaQuery   *self,
                                    OrmaExpr    *expr);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_having       (OrmaQuery   *self,
                                    OrmaExpr    *condition);
/* Rows of the query's entity (unless columns_only) followed by the
 * added entities and columns. */
ORMA_AVAILABLE_IN_ALL
GPtrArray *orma_query_rows         (OrmaQuery   *self,
                                    GError     **error) G_GNUC_WARN_UNUSED_RESULT;
/* The first column of the first row (count, sum, ...); FALSE with
 * ORMA_ERROR_NOT_FOUND when there is no row. */
ORMA_AVAILABLE_IN_ALL
gboolean   orma_query_scalar       (OrmaQuery   *self,
                                    GValue      *value,
                                    GError     **error);

/* ---- subqueries, EXISTS, UNION ---- */

/* The query as a FROM item: its columns are orma_alias_col (alias,
 * "label or column"), and an entity query over it maps its rows. */
ORMA_AVAILABLE_IN_ALL
OrmaAlias *orma_query_subquery     (OrmaQuery   *self,
                                    const char  *name);
/* EXISTS (query), correlated with the enclosing query by the columns it
 * mentions. */
ORMA_AVAILABLE_IN_ALL
OrmaExpr  *orma_query_exists       (OrmaQuery   *self);
/* (query) as a value: its single column of its single row. */
ORMA_AVAILABLE_IN_ALL
OrmaExpr  *orma_query_as_scalar    (OrmaQuery   *self);
/* operand IN (query) */
ORMA_AVAILABLE_IN_ALL
OrmaExpr  *orma_in_query           (OrmaExpr    *operand,
                                    OrmaQuery   *query);
/* A query for the same entity whose rows are those of @self UNION
 * @other (UNION ALL with orma_query_union_all()): SELECT anon_1... FROM
 * (q1 UNION q2) AS anon_1. Its filters and orderings may use orma_col()
 * of the entity: they are read from anon_1. */
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_union        (OrmaQuery   *self,
                                    OrmaQuery   *other) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_union_all    (OrmaQuery   *self,
                                    OrmaQuery   *other) G_GNUC_WARN_UNUSED_RESULT;
/* A query over another entity or alias (orma_query_subquery()), e.g.
 * an entity mapped from a subquery's rows (its columns found by name);
 * orma_col() of the entity in its filters reads the subquery's column. */
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_session_query_from (OrmaSession *session,
                                    GType        entity_type,
                                    OrmaAlias   *from) G_GNUC_WARN_UNUSED_RESULT;

/* ---- textual SQL ---- */

/* Objects of @entity_type from a SELECT written by hand, with ":name"
 * parameters bound by orma_query_bind(); the result columns are matched
 * to the mapped columns by name, in any order (a missing one is
 * ORMA_ERROR_INVALID_QUERY naming it). It runs as written: it cannot be
 * filtered, joined or ordered further. */
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_session_query_text (OrmaSession *session,
                                    GType        entity_type,
                                    const char  *sql) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_bind         (OrmaQuery    *self,
                                    const char   *name,
                                    const GValue *value);

G_END_DECLS
