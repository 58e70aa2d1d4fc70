/* orma-driver-sqlite.c: the SQLite backend.
 *
 * Implements the driver vtable of orma-driver-private.h over the sqlite3
 * C API. Statements are prepared once with SQLITE_PREPARE_PERSISTENT and
 * stepped many times; a cursor borrows its statement from the
 * connection's cache and only resets it when done. Values are bound as
 * SQLite's own types (integers, doubles, text, blobs); date-times are
 * stored as UTC text that sorts and compares correctly.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "orma-driver-private.h"
#include "orma-error-private.h"
#include "orma-value-private.h"

#define BUSY_TIMEOUT_MS 5000

typedef struct
{
  OrmaDriverConn  base;
  sqlite3        *db;
} SqliteConn;

typedef struct
{
  OrmaDriverStmt  base;
  sqlite3_stmt   *stmt;
  /* INSERT, UPDATE, DELETE (or a WITH before them): sqlite3_changes()
   * speaks of this statement; after anything else it would speak of an
   * earlier one. */
  gboolean        counts_changes;
} SqliteStmt;

typedef struct
{
  OrmaCursor    base;
  sqlite3_stmt *stmt;
  /* The first row is stepped by query() (errors surface there); the
   * first cursor_next() only reports it. */
  gboolean      row_pending;
  gboolean      done;
  /* Column types of the current row, read once: loading asks for each
   * column's NULL-ness and then its value, and every sqlite3_column_*
   * call takes the connection's mutex. */
  guint64       types_known;
  unsigned char types[64];
} SqliteCursor;

static inline int
column_type (SqliteCursor *cursor,
             guint         column)
{
  if (column >= G_N_ELEMENTS (cursor->types))
    return sqlite3_column_type (cursor->stmt, column);
  if (!((cursor->types_known >> column) & 1))
    {
      cursor->types[column] = (unsigned char) sqlite3_column_type (cursor->stmt, column);
      cursor->types_known |= G_GUINT64_CONSTANT (1) << column;
    }
  return cursor->types[column];
}

/* ---------------------------------------------------------------- errors */

static OrmaError
error_code_for (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CONSTRAINT:
      return ORMA_ERROR_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ORMA_ERROR_BUSY;
    case SQLITE_FULL:
      return ORMA_ERROR_FULL;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return ORMA_ERROR_IO;
    case SQLITE_ERROR:
    case SQLITE_RANGE:
      return ORMA_ERROR_SQL;
    case SQLITE_MISMATCH:
      return ORMA_ERROR_TYPE_MISMATCH;
    default:
      return ORMA_ERROR_FAILED;
    }
}

/* Keeps SQLite's message; the statement is added because "no such
 * column" or a constraint name means little without it. */
static void
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  int          rc,
                  const char  *sql)
{
  const char *message = db ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  if (sql != NULL)
    _orma_set_error (error, error_code_for (rc), "%s (in \"%s\")", message, sql);
  else
    _orma_set_error (error, error_code_for (rc), "%s", message);
}

/* ------------------------------------------------------------ connection */

static OrmaDriverConn *
sqlite_connect (const OrmaUrl  *url,
                GError        **error)
{
  g_autofree SqliteConn *conn = g_new0 (SqliteConn, 1);
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc;

  g_return_val_if_fail (url != NULL && url->backend == ORMA_BACKEND_SQLITE, NULL);

  conn->base.driver = &_orma_driver_sqlite;

  /* The in-memory database is one connection shared by every checkout
   * of the engine, possibly from several threads: keep SQLite's
   * serialization for it. */
  if (url->memory)
    flags |= SQLITE_OPEN_FULLMUTEX;

  rc = sqlite3_open_v2 (url->path, &conn->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      _orma_set_error (error, ORMA_ERROR_CONNECTION,
                       "Cannot open SQLite database \"%s\": %s", url->path,
                       conn->db ? sqlite3_errmsg (conn->db) : sqlite3_errstr (rc));
      sqlite3_close (conn->db);
      return NULL;
    }

  sqlite3_extended_result_codes (conn->db, 1);
  sqlite3_busy_timeout (conn->db, BUSY_TIMEOUT_MS);

  rc = sqlite3_exec (conn->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      /* A file that is not a database fails here, not in open. */
      _orma_set_error (error, ORMA_ERROR_CONNECTION,
                       "Cannot open SQLite database \"%s\": %s", url->path,
                       sqlite3_errmsg (conn->db));
      sqlite3_close (conn->db);
      return NULL;
    }

  return (OrmaDriverConn *) g_steal_pointer (&conn);
}

static void
sqlite_disconnect (OrmaDriverConn *base)
{
  SqliteConn *conn = (SqliteConn *) base;

  if (conn == NULL)
    return;
  /* close_v2: statements still prepared by mistake do not keep the
   * database open forever nor make this fail. */
  sqlite3_close_v2 (conn->db);
  g_free (conn);
}

static gboolean
sqlite_exec (OrmaDriverConn  *base,
             const char      *sql,
             GError         **error)
{
  SqliteConn *conn = (SqliteConn *) base;
  int rc = sqlite3_exec (conn->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, conn->db, rc, sql);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------ statements */

static gboolean
is_blank (const char *text)
{
  for (; *text; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/* Text after the first statement must hold no second one: it would be
 * silently ignored. Comments and blanks are fine. */
static gboolean
check_single_statement (SqliteConn  *conn,
                        const char  *sql,
                        const char  *tail,
                        GError     **error)
{
  sqlite3_stmt *next = NULL;
  int rc;

  if (tail == NULL || is_blank (tail))
    return TRUE;

  rc = sqlite3_prepare_v2 (conn->db, tail, -1, &next, NULL);
  sqlite3_finalize (next);
  if (rc == SQLITE_OK && next == NULL)
    return TRUE;

  _orma_set_error (error, ORMA_ERROR_SQL,
                   "More than one statement in \"%s\"", sql);
  return FALSE;
}

/* Whether the statement is one that changes rows, by its first word. */
static gboolean
changes_rows (const char *sql)
{
  static const char *const verbs[] = { "insert", "update", "delete", "replace", "with" };

  while (g_ascii_isspace (*sql))
    sql++;
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (g_ascii_strncasecmp (sql, verbs[i], strlen (verbs[i])) == 0)
      return TRUE;
  return FALSE;
}

static OrmaDriverStmt *
sqlite_prepare (OrmaDriverConn  *base,
                const char      *sql,
                GError         **error)
{
  SqliteConn *conn = (SqliteConn *) base;
  sqlite3_stmt *stmt = NULL;
  const char *tail = NULL;
  SqliteStmt *result;
  int rc;

  rc = sqlite3_prepare_v3 (conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &stmt, &tail);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, conn->db, rc, sql);
      return NULL;
    }
  if (stmt == NULL)
    {
      _orma_set_error (error, ORMA_ERROR_SQL, "Empty statement \"%s\"", sql);
      return NULL;
    }
  if (!check_single_statement (conn, sql, tail, error))
    {
      sqlite3_finalize (stmt);
      return NULL;
    }

  result = g_new0 (SqliteStmt, 1);
  result->base.sql = g_strdup (sql);
  result->counts_changes = !sqlite3_stmt_readonly (stmt) && changes_rows (sql);
  result->base.n_params = sqlite3_bind_parameter_count (stmt);
  result->stmt = stmt;
  return (OrmaDriverStmt *) result;
}

static void
sqlite_finalize (OrmaDriverConn *base,
                 OrmaDriverStmt *base_stmt)
{
  SqliteStmt *stmt = (SqliteStmt *) base_stmt;

  if (stmt == NULL)
    return;
  sqlite3_finalize (stmt->stmt);
  g_free (stmt->base.sql);
  g_free (stmt);
}

/* --------------------------------------------------------------- binding */

/* SQLite's own destructor type; g_free matches it. */
static void
free_text (void *text)
{
  g_free (text);
}

static int
bind_blob (sqlite3_stmt *stmt,
           int           index,
           GBytes       *bytes,
           sqlite3_destructor_type lifetime)
{
  gsize size;
  const void *data = g_bytes_get_data (bytes, &size);

  /* An empty GBytes may have no data pointer, which SQLite would bind
   * as NULL rather than as an empty blob. */
  if (size == 0)
    return sqlite3_bind_zeroblob (stmt, index, 0);
  return sqlite3_bind_blob64 (stmt, index, data, size, lifetime);
}

/* @lifetime is SQLITE_STATIC when the values outlive every step of the
 * statement (a batch), SQLITE_TRANSIENT when a cursor may step after the
 * caller's values are gone. */
static int
bind_value (sqlite3_stmt            *stmt,
            int                      index,
            const GValue            *value,
            sqlite3_destructor_type  lifetime)
{
  GType storage;

  if (_orma_value_is_null (value))
    return sqlite3_bind_null (stmt, index);

  storage = _orma_value_storage_type (G_VALUE_TYPE (value));
  if (storage == G_TYPE_BYTES)
    return bind_blob (stmt, index, g_value_get_boxed (value), lifetime);
  if (storage == G_TYPE_DATE_TIME)
    {
      /* NULL for a date-time that has no UTC form (year 1 before
       * midnight UTC): refused rather than stored as NULL */
      char *text = _orma_datetime_format (g_value_get_boxed (value));
      return text ? sqlite3_bind_text (stmt, index, text, -1, free_text) : SQLITE_MISMATCH;
    }

  switch (storage)
    {
    case G_TYPE_BOOLEAN:
      return sqlite3_bind_int (stmt, index, g_value_get_boolean (value) ? 1 : 0);
    case G_TYPE_INT:
      return sqlite3_bind_int (stmt, index, g_value_get_int (value));
    case G_TYPE_UINT:
      return sqlite3_bind_int64 (stmt, index, g_value_get_uint (value));
    case G_TYPE_INT64:
      return sqlite3_bind_int64 (stmt, index, g_value_get_int64 (value));
    case G_TYPE_ENUM:
      return sqlite3_bind_int (stmt, index, g_value_get_enum (value));
    case G_TYPE_FLAGS:
      return sqlite3_bind_int64 (stmt, index, g_value_get_flags (value));
    case G_TYPE_DOUBLE:
      return sqlite3_bind_double (stmt, index, g_value_get_double (value));
    case G_TYPE_STRING:
      return sqlite3_bind_text (stmt, index, g_value_get_string (value), -1, lifetime);
    default:
      return SQLITE_MISMATCH;
    }
}

static gboolean
bind_params (SqliteConn              *conn,
             SqliteStmt              *stmt,
             const GValue *const     *params,
             sqlite3_destructor_type  lifetime,
             GError                 **error)
{
  for (guint i = 0; i < stmt->base.n_params; i++)
    {
      const GValue *value = params ? params[i] : NULL;
      int rc = bind_value (stmt->stmt, i + 1, value, lifetime);

      if (rc == SQLITE_MISMATCH)
        {
          _orma_set_error (error, ORMA_ERROR_TYPE_MISMATCH,
                           "Cannot bind a value of type %s to parameter %u of \"%s\"",
                           G_VALUE_TYPE_NAME (value), i + 1, stmt->base.sql);
          sqlite3_clear_bindings (stmt->stmt);
          return FALSE;
        }
      if (rc != SQLITE_OK)
        {
          set_sqlite_error (error, conn->db, rc, stmt->base.sql);
          sqlite3_clear_bindings (stmt->stmt);
          return FALSE;
        }
    }
  return TRUE;
}

/* Leaves the statement ready for the next use and drops references to
 * the caller's values. */
static void
reset_stmt (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

/* Reports a failed step, then resets: the message must be read first. */
static void
fail_step (SqliteConn   *conn,
           SqliteStmt   *stmt,
           int           rc,
           GError      **error)
{
  set_sqlite_error (error, conn->db, rc, stmt->base.sql);
  reset_stmt (stmt->stmt);
}

/* ----------------------------------------------------------------- query */

static gint64
changes_of (SqliteConn *conn,
            SqliteStmt *stmt)
{
  return stmt->counts_changes ? sqlite3_changes64 (conn->db) : 0;
}

static OrmaCursor *
sqlite_query (OrmaDriverConn       *base,
              OrmaDriverStmt       *base_stmt,
              const GValue *const  *params,
              gboolean              stream,
              gint64               *affected,
              GError              **error)
{
  SqliteConn *conn = (SqliteConn *) base;
  SqliteStmt *stmt = (SqliteStmt *) base_stmt;
  SqliteCursor *cursor;
  int rc;

  if (!bind_params (conn, stmt, params, SQLITE_TRANSIENT, error))
    return NULL;

  /* Stepping once here runs a statement without rows to completion and
   * surfaces errors of the first row now; RETURNING makes all of its
   * changes in that first step, so the count is known too. */
  rc = sqlite3_step (stmt->stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fail_step (conn, stmt, rc, error);
      return NULL;
    }

  if (affected != NULL)
    *affected = changes_of (conn, stmt);

  cursor = g_new0 (SqliteCursor, 1);
  cursor->base.driver = &_orma_driver_sqlite;
  cursor->stmt = stmt->stmt;
  cursor->row_pending = rc == SQLITE_ROW;
  cursor->done = rc == SQLITE_DONE;
  return (OrmaCursor *) cursor;
}

static gboolean
sqlite_cursor_next (OrmaCursor  *base,
                    GError     **error)
{
  SqliteCursor *cursor = (SqliteCursor *) base;
  int rc;

  if (cursor->row_pending)
    {
      cursor->row_pending = FALSE;
      return TRUE;
    }
  if (cursor->done)
    return FALSE;

  rc = sqlite3_step (cursor->stmt);
  cursor->types_known = 0;
  if (rc == SQLITE_ROW)
    return TRUE;

  cursor->done = TRUE;
  if (rc == SQLITE_DONE)
    return FALSE;

  set_sqlite_error (error, sqlite3_db_handle (cursor->stmt), rc,
                    sqlite3_sql (cursor->stmt));
  return FALSE;
}

static guint
sqlite_cursor_n_columns (OrmaCursor *base)
{
  return sqlite3_column_count (((SqliteCursor *) base)->stmt);
}

static const char *
sqlite_cursor_column_name (OrmaCursor *base,
                           guint       column)
{
  return sqlite3_column_name (((SqliteCursor *) base)->stmt, column);
}

static gboolean
sqlite_cursor_is_null (OrmaCursor *base,
                       guint       column)
{
  return column_type ((SqliteCursor *) base, column) == SQLITE_NULL;
}

/* The column as the type SQLite stored it. */
static void
read_natural (sqlite3_stmt *stmt,
              int           column,
              GValue       *value)
{
  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_INTEGER:
      g_value_init (value, G_TYPE_INT64);
      g_value_set_int64 (value, sqlite3_column_int64 (stmt, column));
      break;
    case SQLITE_FLOAT:
      g_value_init (value, G_TYPE_DOUBLE);
      g_value_set_double (value, sqlite3_column_double (stmt, column));
      break;
    case SQLITE_TEXT:
      g_value_init (value, G_TYPE_STRING);
      g_value_set_string (value, (const char *) sqlite3_column_text (stmt, column));
      break;
    case SQLITE_BLOB:
      {
        /* data first, then the size: the order SQLite documents as safe */
        const void *data = sqlite3_column_blob (stmt, column);
        int size = sqlite3_column_bytes (stmt, column);
        g_value_init (value, G_TYPE_BYTES);
        g_value_take_boxed (value, g_bytes_new (data, size));
        break;
      }
    default:
      /* NULL: left unset, the NULL convention */
      break;
    }
}

/* The common cases of loading rows, without a temporary GValue. */
static gboolean
read_direct (sqlite3_stmt *stmt,
             int           column,
             int           type,
             GValue       *value)
{
  GType wanted = G_VALUE_TYPE (value);

  if (type == SQLITE_INTEGER && wanted == G_TYPE_INT64)
    g_value_set_int64 (value, sqlite3_column_int64 (stmt, column));
  else if (type == SQLITE_TEXT && wanted == G_TYPE_STRING)
    g_value_set_string (value, (const char *) sqlite3_column_text (stmt, column));
  else if (type == SQLITE_FLOAT && wanted == G_TYPE_DOUBLE)
    g_value_set_double (value, sqlite3_column_double (stmt, column));
  else
    return FALSE;
  return TRUE;
}

static gboolean
sqlite_cursor_get (OrmaCursor  *base,
                   guint        column,
                   GValue      *value,
                   GError     **error)
{
  SqliteCursor *cursor = (SqliteCursor *) base;
  int type = column_type (cursor, column);
  g_auto (GValue) natural = G_VALUE_INIT;

  if (!G_IS_VALUE (value))
    {
      read_natural (cursor->stmt, column, value);
      return TRUE;
    }

  if (type == SQLITE_NULL)
    {
      g_value_reset (value);
      return TRUE;
    }

  if (read_direct (cursor->stmt, column, type, value))
    return TRUE;

  read_natural (cursor->stmt, column, &natural);
  if (!_orma_value_convert (&natural, value, error))
    {
      g_prefix_error (error, "Column \"%s\": ",
                      sqlite3_column_name (cursor->stmt, column));
      return FALSE;
    }
  return TRUE;
}

/* The statement belongs to the connection's cache: a cursor only gives
 * it back ready for the next execution. */
static void
sqlite_cursor_free (OrmaCursor *base)
{
  SqliteCursor *cursor = (SqliteCursor *) base;

  if (cursor == NULL)
    return;
  reset_stmt (cursor->stmt);
  g_free (cursor);
}

/* ----------------------------------------------------------------- batch */

/* An INSERT without RETURNING: its generated key is the rowid. */
static gboolean
report_rowid (SqliteConn         *conn,
              guint               row_index,
              OrmaReturningFunc   returning,
              gpointer            user_data,
              GError            **error)
{
  OrmaValueCursor cursor;
  g_auto (GValue) rowid = G_VALUE_INIT;

  g_value_init (&rowid, G_TYPE_INT64);
  g_value_set_int64 (&rowid, sqlite3_last_insert_rowid (conn->db));
  _orma_value_cursor_init (&cursor, &rowid, 1);
  return returning (row_index, (OrmaCursor *) &cursor, user_data, error);
}

/* Steps one execution of a batch, handing each RETURNING row to
 * @returning through a cursor positioned on it. */
static gboolean
step_batch_row (SqliteConn         *conn,
                SqliteStmt         *stmt,
                guint               row_index,
                OrmaReturningFunc   returning,
                gpointer            user_data,
                GError            **error)
{
  SqliteCursor row_cursor = {
    .base.driver = &_orma_driver_sqlite,
    .stmt = stmt->stmt,
    .row_pending = FALSE,
    .done = FALSE,
  };

  for (;;)
    {
      int rc = sqlite3_step (stmt->stmt);

      row_cursor.types_known = 0;

      if (rc == SQLITE_DONE)
        return returning == NULL || sqlite3_column_count (stmt->stmt) > 0 ||
               report_rowid (conn, row_index, returning, user_data, error);
      if (rc != SQLITE_ROW)
        {
          fail_step (conn, stmt, rc, error);
          return FALSE;
        }
      if (returning != NULL &&
          !returning (row_index, (OrmaCursor *) &row_cursor, user_data, error))
        {
          reset_stmt (stmt->stmt);
          return FALSE;
        }
    }
}

static gboolean
sqlite_in_transaction (OrmaDriverConn *base)
{
  return !sqlite3_get_autocommit (((SqliteConn *) base)->db);
}

static gboolean
sqlite_execute_many (OrmaDriverConn       *base,
                     OrmaDriverStmt       *base_stmt,
                     const GValue *const  *params,
                     guint                 n_rows,
                     OrmaReturningFunc     returning,
                     gpointer              user_data,
                     gint64               *affected,
                     GError              **error)
{
  SqliteConn *conn = (SqliteConn *) base;
  SqliteStmt *stmt = (SqliteStmt *) base_stmt;
  guint n_params = stmt->base.n_params;

  for (guint row = 0; row < n_rows; row++)
    {
      const GValue *const *row_params = params ? params + (gsize) row * n_params : NULL;

      /* The caller's values outlive this call: no copies. */
      if (!bind_params (conn, stmt, row_params, SQLITE_STATIC, error))
        return FALSE;
      if (!step_batch_row (conn, stmt, row, returning, user_data, error))
        return FALSE;
      if (affected != NULL)
        affected[row] = changes_of (conn, stmt);
      sqlite3_reset (stmt->stmt);
    }

  sqlite3_clear_bindings (stmt->stmt);
  return TRUE;
}

const OrmaDriver _orma_driver_sqlite = {
  .name = "sqlite",
  .dialect = &_orma_dialect_sqlite,
  .connect = sqlite_connect,
  .disconnect = sqlite_disconnect,
  .in_transaction = sqlite_in_transaction,
  .exec = sqlite_exec,
  .prepare = sqlite_prepare,
  .finalize = sqlite_finalize,
  .query = sqlite_query,
  .execute_many = sqlite_execute_many,
  .cursor_next = sqlite_cursor_next,
  .cursor_n_columns = sqlite_cursor_n_columns,
  .cursor_column_name = sqlite_cursor_column_name,
  .cursor_is_null = sqlite_cursor_is_null,
  .cursor_get = sqlite_cursor_get,
  .cursor_free = sqlite_cursor_free,
};
