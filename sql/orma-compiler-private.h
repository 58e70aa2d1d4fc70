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

typedef enum {
  ORMA_JOIN_INNER,
  ORMA_JOIN_LEFT,          /* LEFT OUTER JOIN */
} OrmaJoinKind;

typedef struct {
  OrmaJoinKind  kind;
  OrmaAlias    *target;    /* an aliased table, a table itself or a subquery */
  OrmaExpr     *on;
} OrmaJoin;

typedef struct _OrmaSelect OrmaSelect;

/* A SELECT. On the stack its members are borrowed from the caller; one
 * made by _orma_select_copy() (inside a subquery alias or an EXISTS
 * node) owns references to all of them. */
struct _OrmaSelect
{
  OrmaTable   *from;         /* FROM table, when from_item is NULL */
  OrmaAlias   *from_item;    /* nullable: FROM <aliased table or subquery> */
  OrmaAlias  **extra_from;   /* more FROM items, comma separated */
  guint        n_extra_from;
  OrmaJoin    *joins;        /* after the FROM items, in order */
  guint        n_joins;
  OrmaExpr   **columns;      /* NULL: every column of the FROM item */
  guint        n_columns;
  gboolean     distinct;
  OrmaExpr    *where;        /* nullable */
  OrmaExpr   **group_by;
  guint        n_group_by;
  OrmaExpr    *having;       /* nullable */
  OrmaExpr   **order_by;
  guint        n_order_by;
  gint64       limit;        /* < 0: none */
  gint64       offset;       /* <= 0: none */
  /* Compound: this SELECT, then UNION (ALL) each of these. order_by,
   * limit and offset then apply to the whole compound. */
  OrmaSelect **unions;
  guint        n_unions;
  gboolean     union_all;
  /* owned copies only: the bound limit and offset values */
  GValue       limit_value;
  GValue       offset_value;
  gboolean     owned;
};

/* A deep copy that references every member (expressions, aliases,
 * tables, nested selects). */
OrmaSelect *_orma_select_copy (const OrmaSelect *select);
void        _orma_select_free (OrmaSelect       *select);

/* ---- FROM items: tables, aliased tables and subqueries ---- */

typedef enum {
  ORMA_ALIAS_TABLE,        /* a table, aliased or not */
  ORMA_ALIAS_SUBQUERY,     /* (SELECT ...) AS name */
} OrmaAliasKind;

struct _OrmaAlias
{
  gint           ref_count;
  OrmaAliasKind  kind;
  OrmaTable     *table;      /* TABLE: referenced */
  /* The name after AS. NULL for an anonymous alias: the compiler names it
   * "<table>_<n>" (or "anon_<n>" for a subquery) in order of first
   * appearance in the statement, so the same query always gives the same
   * text. */
  char          *name;
  gboolean       is_alias;   /* FALSE: the table itself, no AS */
  OrmaSelect    *subquery;   /* SUBQUERY: owned copy */
  /* SUBQUERY: the names of its result columns (labels or column names),
   * which orma_alias_col() looks up */
  GPtrArray     *column_names;
  GType          entity_type; /* the mapped class of an entity alias, or 0 */
};

OrmaAlias *_orma_alias_new_table    (OrmaTable        *table,
                                     const char       *name,
                                     gboolean          is_alias,
                                     GType             entity_type);
/* Takes a copy of @select; names its columns from labels and columns. */
OrmaAlias *_orma_alias_new_subquery (const OrmaSelect *select,
                                     const char       *name);
/* A column of the alias by column index (TABLE) or result position
 * (SUBQUERY). */
OrmaExpr  *_orma_alias_column       (OrmaAlias        *alias,
                                     guint             column);

/* ---- expressions over selects ---- */

/* EXISTS (select), (select) as a scalar value, and operand IN (select);
 * each takes a copy of @select. */
OrmaExpr  *_orma_expr_new_exists    (const OrmaSelect *select);
OrmaExpr  *_orma_expr_new_scalar_subquery (const OrmaSelect *select);
OrmaExpr  *_orma_expr_new_in_select (OrmaExpr         *operand,
                                     const OrmaSelect *select);

/* ---- textual SQL ---- */

/* Rewrites ":name" parameters of @text into the dialect's placeholders
 * (skipping quoted strings, identifiers, comments and "::" casts) and
 * appends the matching values of @values (char* -> GValue*) to @params
 * in order; a name without a value is ORMA_ERROR_INVALID_QUERY naming
 * it. */
char      *_orma_compile_text       (const OrmaDialect *dialect,
                                     const char        *text,
                                     GHashTable        *values,
                                     GPtrArray         *params,
                                     GError           **error);

/* ---- inside the compiler (orma-compiler.c and orma-select.c) ---- */

/* The state of one statement being compiled. Nested selects (FROM
 * subqueries, EXISTS, scalar and IN subqueries, UNION members) are
 * compiled into the same text with the same parameters and the same
 * naming of anonymous aliases. */
typedef struct {
  const OrmaDialect *dialect;
  GString           *sql;
  GPtrArray         *params;
  /* limit/offset values of selects that are not owned copies; NULL when
   * compiling a lone expression */
  GArray            *scratch;
  /* OrmaAlias* -> char* name, for every alias named in this statement */
  GHashTable        *alias_names;
  /* char* prefix -> GUINT_TO_POINTER (last number used) */
  GHashTable        *counters;
  /* every name given out or met, so a generated one never collides */
  GHashTable        *used_names;
  /* columns print unqualified (ORDER BY of a UNION) */
  gboolean           bare_columns;
} OrmaCompiler;

void        _orma_compiler_init       (OrmaCompiler      *c,
                                       const OrmaDialect *dialect,
                                       GString           *sql,
                                       GPtrArray         *params,
                                       GArray            *scratch);
void        _orma_compiler_clear      (OrmaCompiler      *c);
gboolean    _orma_compiler_expr       (OrmaCompiler      *c,
                                       OrmaExpr          *expr,
                                       GError           **error);
gboolean    _orma_compiler_select     (OrmaCompiler      *c,
                                       const OrmaSelect  *select,
                                       GError           **error);
/* The name an alias has in this statement, giving an anonymous one its
 * "<table>_<n>" or "anon_<n>" on first use. */
const char *_orma_compiler_alias_name (OrmaCompiler      *c,
                                       OrmaAlias         *alias);
void        _orma_compiler_param      (OrmaCompiler      *c,
                                       const GValue      *value);
/* A fresh "<prefix>_<n>" for this statement (owned by the compiler) */
const char *_orma_compiler_new_name   (OrmaCompiler      *c,
                                       const char        *prefix);

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
