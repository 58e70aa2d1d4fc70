/* orma-driver-private.h: the vtable each backend implements.
 *
 * Nothing above sql/ sees sqlite3.h or libpq-fe.h: the connection layer
 * (orma-connection.c) talks to a backend only through this table. A
 * backend's connection, statement and cursor structs embed the base
 * structs below as their first member.
 *
 * Parameters are passed as arrays of `const GValue *` (no copies); a NULL
 * pointer, an unset GValue or a NULL string/boxed binds SQL NULL. Errors
 * are mapped to ORMA_ERROR codes by structure (SQLite's primary result
 * code, PostgreSQL's SQLSTATE class) and keep the backend's message.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

#include "orma-dialect-private.h"
#include "orma-url-private.h"

G_BEGIN_DECLS

typedef struct _OrmaDriver     OrmaDriver;
typedef struct _OrmaDriverConn OrmaDriverConn;
typedef struct _OrmaDriverStmt OrmaDriverStmt;
typedef struct _OrmaCursor     OrmaCursor;

struct _OrmaDriverConn
{
  const OrmaDriver *driver;
  /* Set by the backend when the connection is known to be unusable
   * (lost, closed by the server); the pool then discards it. */
  gboolean          broken;
};

struct _OrmaDriverStmt
{
  char  *sql;
  guint  n_params;
  /* Set by the connection layer while a cursor reads from the statement;
   * a statement in use is not handed out again by the cache. */
  gboolean in_use;
};

struct _OrmaCursor
{
  const OrmaDriver *driver;
  /* Called by _orma_cursor_free() right after the backend has freed
   * the cursor (the backend still resets the statement, so it must not
   * be finalized before); the connection layer uses it to give the
   * statement back to its cache. */
  void            (*on_free) (gpointer data);
  gpointer          on_free_data;
};

/* Receives the rows a statement of a batch returned (RETURNING), one call
 * per returned row, with the index of the parameter row that produced it. */
typedef gboolean (*OrmaReturningFunc) (guint        row_index,
                                       OrmaCursor  *cursor,
                                       gpointer     user_data,
                                       GError     **error);

struct _OrmaDriver
{
  const char        *name;
  const OrmaDialect *dialect;

  OrmaDriverConn *(*connect)      (const OrmaUrl   *url,
                                   GError         **error);
  void            (*disconnect)   (OrmaDriverConn  *conn);
  /* Whether the server-side session is inside a transaction, however it
   * got there (textual BEGIN included). */
  gboolean        (*in_transaction) (OrmaDriverConn *conn);
  /* Runs a statement without parameters and without result rows
   * (BEGIN, SAVEPOINT, DDL). */
  gboolean        (*exec)         (OrmaDriverConn  *conn,
                                   const char      *sql,
                                   GError         **error);
  OrmaDriverStmt *(*prepare)      (OrmaDriverConn  *conn,
                                   const char      *sql,
                                   GError         **error);
  void            (*finalize)     (OrmaDriverConn  *conn,
                                   OrmaDriverStmt  *stmt);
  /* Executes a statement once and returns a cursor over its rows (empty
   * for a statement that returns none). With @stream, a backend that
   * would otherwise fetch the whole result at once (PostgreSQL) fetches
   * it row by row. *affected (nullable) receives the rows changed. */
  OrmaCursor     *(*query)        (OrmaDriverConn       *conn,
                                   OrmaDriverStmt       *stmt,
                                   const GValue *const  *params,
                                   gboolean              stream,
                                   gint64               *affected,
                                   GError              **error);
  /* Executes a statement once per row of parameters (@params holds
   * n_rows * stmt->n_params pointers) in as few round trips as the
   * backend allows: SQLite steps one prepared statement, PostgreSQL
   * pipelines. @returning (nullable) receives RETURNING rows; for a
   * statement without result columns it receives instead, once per
   * execution, a one-column cursor holding the generated row id (how
   * SQLite reports the key of an INSERT without the cost of RETURNING,
   * see OrmaDialect.generated_key_by_rowid);
   * @affected (nullable, n_rows entries) the rows each execution
   * changed. On error nothing more is executed; the caller rolls back. */
  gboolean        (*execute_many) (OrmaDriverConn       *conn,
                                   OrmaDriverStmt       *stmt,
                                   const GValue *const  *params,
                                   guint                 n_rows,
                                   OrmaReturningFunc     returning,
                                   gpointer              user_data,
                                   gint64               *affected,
                                   GError              **error);

  /* TRUE when a row is available; FALSE with no error at the end. */
  gboolean        (*cursor_next)        (OrmaCursor  *cursor,
                                         GError     **error);
  guint           (*cursor_n_columns)   (OrmaCursor  *cursor);
  const char     *(*cursor_column_name) (OrmaCursor  *cursor,
                                         guint        column);
  gboolean        (*cursor_is_null)     (OrmaCursor  *cursor,
                                         guint        column);
  /* Reads a non-NULL column into @value. If @value is initialized, the
   * column is converted to its type (storage types of
   * orma-value-private.h, including enums and flags by their
   * fundamental type; failure is ORMA_ERROR_TYPE_MISMATCH); if unset,
   * it is initialized with the column's natural type (gint64, double,
   * string, GBytes). */
  gboolean        (*cursor_get)         (OrmaCursor  *cursor,
                                         guint        column,
                                         GValue      *value,
                                         GError     **error);
  void            (*cursor_free)        (OrmaCursor  *cursor);
};

extern const OrmaDriver _orma_driver_sqlite;
extern const OrmaDriver _orma_driver_postgresql;

/* Inline wrappers over the vtable */
static inline gboolean
_orma_cursor_next (OrmaCursor *cursor, GError **error)
{
  return cursor->driver->cursor_next (cursor, error);
}

static inline gboolean
_orma_cursor_is_null (OrmaCursor *cursor, guint column)
{
  return cursor->driver->cursor_is_null (cursor, column);
}

static inline gboolean
_orma_cursor_get (OrmaCursor *cursor, guint column, GValue *value, GError **error)
{
  return cursor->driver->cursor_get (cursor, column, value, error);
}

static inline guint
_orma_cursor_n_columns (OrmaCursor *cursor)
{
  return cursor->driver->cursor_n_columns (cursor);
}

void _orma_cursor_free (OrmaCursor *cursor);

/* A cursor over values held by the caller, on the stack: one row, already
 * current; nothing to free. Backends use it to hand over values that do
 * not come from a result set. */
typedef struct {
  OrmaCursor    base;
  const GValue *values;
  guint         n_values;
} OrmaValueCursor;

void _orma_value_cursor_init (OrmaValueCursor *cursor,
                              const GValue    *values,
                              guint            n_values);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OrmaCursor, _orma_cursor_free)

G_END_DECLS
