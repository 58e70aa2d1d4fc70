/* orma-expr-private.h: the expression node, for the compiler and the
 * query builder.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-expr.h"
#include "orma-table.h"

G_BEGIN_DECLS

typedef enum {
  ORMA_EXPR_VALUE,      /* bound parameter: value */
  ORMA_EXPR_COLUMN,     /* table.column: table, column */
  ORMA_EXPR_STAR,       /* * */
  ORMA_EXPR_BINARY,     /* children[0] op children[1]: op */
  ORMA_EXPR_IS_NULL,    /* children[0] IS NULL */
  ORMA_EXPR_IS_NOT_NULL,
  ORMA_EXPR_IN,         /* children[0] IN (children[1..]) */
  ORMA_EXPR_NOT_IN,
  ORMA_EXPR_AND,        /* children joined by AND */
  ORMA_EXPR_OR,
  ORMA_EXPR_NOT,        /* NOT children[0] */
  ORMA_EXPR_FUNC,       /* name(children...) */
  ORMA_EXPR_ASC,        /* children[0] ASC */
  ORMA_EXPR_DESC,
  ORMA_EXPR_ERROR,      /* a construction error, reported when compiled */
  ORMA_EXPR_LABEL,      /* children[0] AS name */
  ORMA_EXPR_EXISTS,     /* EXISTS (select) */
  ORMA_EXPR_SUBQUERY,   /* (select), a scalar */
  ORMA_EXPR_IN_SELECT,  /* children[0] IN (select) */
  ORMA_EXPR_TEXT,       /* name, as SQL text (built inside Orma only) */
} OrmaExprKind;

struct _OrmaExpr
{
  gint          ref_count;
  guint         floating : 1;
  OrmaExprKind  kind;
  const char   *op;           /* BINARY: "=", "!=", "<", "LIKE", ... */
  char         *name;         /* FUNC: function name; ERROR: message */
  GValue        value;        /* VALUE */
  OrmaTable    *table;        /* COLUMN (ref held) */
  guint         column;       /* COLUMN: index in table */
  GType         entity_type;  /* COLUMN made by orma_col(): its class */
  OrmaAlias    *from;         /* COLUMN of an alias or subquery (referenced);
                               * NULL: of the table itself */
  struct _OrmaSelect *select; /* EXISTS, SUBQUERY, IN_SELECT: owned copy */
  int           error_code;   /* ERROR: an OrmaError code */
  OrmaExpr    **children;     /* owned, sunk */
  guint         n_children;
};

OrmaExpr *_orma_expr_new_column (OrmaTable  *table,
                                 guint       column,
                                 GType       entity_type);
/* An AND or OR node over @n_children expressions (sunk); one child is
 * returned as it is. */
OrmaExpr *_orma_expr_new_junction (OrmaExprKind  kind,
                                   OrmaExpr    **children,
                                   guint         n_children);
OrmaExpr *_orma_expr_new_error  (int         code,
                                 const char *format,
                                 ...) G_GNUC_PRINTF (2, 3);

/* Raw SQL text (trusted: built by Orma, never from user values) */
OrmaExpr *_orma_expr_new_text   (const char *sql);

G_END_DECLS
