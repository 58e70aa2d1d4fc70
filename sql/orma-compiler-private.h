/* orma-compiler-private.h: from expression trees and table metadata to
 * SQL text plus bound parameters.
 *
 * Parameters are collected as `const GValue *` pointing into the
 * expression nodes, which must outlive the execution.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-dialect-private.h"
#include "orma-expr-private.h"
#include "orma-table-private.h"

G_BEGIN_DECLS

typedef struct {
  OrmaTable  *from;
  OrmaExpr  **columns;      /* NULL: every column of @from, in order */
  guint       n_columns;
  OrmaExpr   *where;        /* nullable */
  OrmaExpr  **order_by;
  guint       n_order_by;
  gint64      limit;        /* < 0: none */
  gint64      offset;       /* <= 0: none */
} OrmaSelect;

/* Appends @expr to @sql; parameters numbered from params->len + 1. */
gboolean _orma_compile_expr   (const OrmaDialect *dialect,
                               OrmaExpr          *expr,
                               GString           *sql,
                               GPtrArray         *params,
                               GError           **error);
/* limit and offset are bound too; their GValues live in @scratch, an
 * array of GValue the caller keeps alive (g_array_new (FALSE, TRUE,
 * sizeof (GValue)) with g_value_unset as clear func). */
char    *_orma_compile_select (const OrmaDialect *dialect,
                               const OrmaSelect  *select,
                               GPtrArray         *params,
                               GArray            *scratch,
                               GError           **error);
/* INSERT INTO t (c1, c2) VALUES (?, ?) [RETURNING r1] */
char    *_orma_compile_insert (const OrmaDialect *dialect,
                               OrmaTable         *table,
                               const guint       *columns,
                               guint              n_columns,
                               const guint       *returning,
                               guint              n_returning);
/* UPDATE t SET s1 = ?, s2 = ? WHERE w1 = ? AND w2 = ? */
char    *_orma_compile_update (const OrmaDialect *dialect,
                               OrmaTable         *table,
                               const guint       *set,
                               guint              n_set,
                               const guint       *where,
                               guint              n_where);
/* DELETE FROM t WHERE w1 = ? AND w2 = ? */
char    *_orma_compile_delete (const OrmaDialect *dialect,
                               OrmaTable         *table,
                               const guint       *where,
                               guint              n_where);

G_END_DECLS
