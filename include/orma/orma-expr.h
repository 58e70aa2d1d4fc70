/* orma-expr.h: SQL expressions as small immutable reference-counted nodes.
 *
 * Every constructor returns a floating reference; a constructor or a query
 * method that takes an expression sinks it, so nested builders leak
 * nothing:
 *
 *   orma_query_filter (q, orma_and (orma_eq (orma_col (T, "name"), orma_str ("ed")),
 *                                   orma_gt (orma_col (T, "age"), orma_int (30)),
 *                                   NULL));
 *
 * Values are always sent as bound parameters, never formatted into SQL.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (ORMA_INSIDE) && !defined (ORMA_COMPILATION)
#error "Only <orma/orma.h> can be included directly."
#endif

#include <orma/orma-types.h>

G_BEGIN_DECLS

#define ORMA_TYPE_EXPR (orma_expr_get_type ())
ORMA_AVAILABLE_IN_ALL
GType     orma_expr_get_type    (void) G_GNUC_CONST;
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_expr_ref         (OrmaExpr *expr);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_expr_ref_sink    (OrmaExpr *expr);
ORMA_AVAILABLE_IN_ALL
void      orma_expr_unref       (OrmaExpr *expr);
ORMA_AVAILABLE_IN_ALL
gboolean  orma_expr_is_floating (OrmaExpr *expr);

/* Bound values */
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_int      (gint64        value);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_double   (double        value);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_bool     (gboolean      value);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_str      (const char   *value);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_bytes    (GBytes       *value);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_datetime (GDateTime    *value);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_null     (void);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_value    (const GValue *value);

/* Columns. orma_col() names a mapped property of an entity class; it is
 * declared in orma-entity.h. */
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_table_col (OrmaTable  *table,
                          const char *column);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_star      (void);

/* Aliases: a table under another name (self-joins, one table joined
 * twice). An alias of a mapped class is made by orma_aliased(), a
 * subquery alias by orma_query_subquery() (orma-query.h). @name NULL
 * gives an anonymous alias that the compiler names. */
#define ORMA_TYPE_ALIAS (orma_alias_get_type ())
ORMA_AVAILABLE_IN_ALL
GType      orma_alias_get_type  (void) G_GNUC_CONST;
ORMA_AVAILABLE_IN_ALL
OrmaAlias *orma_table_alias     (OrmaTable  *table,
                                 const char *name);
ORMA_AVAILABLE_IN_ALL
OrmaAlias *orma_alias_ref       (OrmaAlias  *alias);
ORMA_AVAILABLE_IN_ALL
void       orma_alias_unref     (OrmaAlias  *alias);
/* A column of the alias: a mapped property or column name of the
 * aliased table, or a result column (label) of a subquery. An unknown
 * name gives an expression that fails with ORMA_ERROR_UNKNOWN_PROPERTY
 * when compiled. */
ORMA_AVAILABLE_IN_ALL
OrmaExpr  *orma_alias_col       (OrmaAlias  *alias,
                                 const char *name);

/* expr AS name, in a select list (orma_query_add_column()) */
ORMA_AVAILABLE_IN_ALL
OrmaExpr  *orma_label           (OrmaExpr   *expr,
                                 const char *name);

/* Comparisons */
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_eq          (OrmaExpr *left, OrmaExpr *right);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_ne          (OrmaExpr *left, OrmaExpr *right);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_lt          (OrmaExpr *left, OrmaExpr *right);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_le          (OrmaExpr *left, OrmaExpr *right);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_gt          (OrmaExpr *left, OrmaExpr *right);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_ge          (OrmaExpr *left, OrmaExpr *right);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_like        (OrmaExpr *left, OrmaExpr *pattern);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_is_null     (OrmaExpr *operand);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_is_not_null (OrmaExpr *operand);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_in          (OrmaExpr *operand, OrmaExpr *first_item, ...) G_GNUC_NULL_TERMINATED;
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_not_in      (OrmaExpr *operand, OrmaExpr *first_item, ...) G_GNUC_NULL_TERMINATED;
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_in_array    (OrmaExpr *operand, OrmaExpr **items, guint n_items);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_not_in_array(OrmaExpr *operand, OrmaExpr **items, guint n_items);

/* Boolean logic */
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_and (OrmaExpr *first, ...) G_GNUC_NULL_TERMINATED;
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_or  (OrmaExpr *first, ...) G_GNUC_NULL_TERMINATED;
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_not (OrmaExpr *operand);

/* Functions and ordering */
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_func  (const char *name, OrmaExpr *first_arg, ...) G_GNUC_NULL_TERMINATED;
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_count (OrmaExpr *operand);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_sum   (OrmaExpr *operand);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_min   (OrmaExpr *operand);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_max   (OrmaExpr *operand);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_avg   (OrmaExpr *operand);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_asc   (OrmaExpr *operand);
ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_desc  (OrmaExpr *operand);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OrmaExpr, orma_expr_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OrmaAlias, orma_alias_unref)

G_END_DECLS
