/* orma-driver-pg.c: the PostgreSQL backend, through libpq.
 *
 * Statements are prepared server side under per-connection names
 * ("orma_1", "orma_2", ...) with their parameter types inferred by the
 * server; the inferred OIDs guide how a GValue is rendered. Parameters go
 * as text, except GBytes which go in binary form (no escaping of large
 * blobs); results come back as text and are converted on read.
 *
 * Batches (execute_many) use libpq's pipeline mode on a non-blocking
 * socket, so 20,000 INSERTs cost a handful of round trips rather than
 * 20,000, and a batch of any size cannot deadlock with the server's
 * output. Streaming queries use single-row mode; while a stream is open
 * the connection can run nothing else.
 *
 * Errors are mapped by SQLSTATE class; the text keeps the server's primary
 * message, the SQLSTATE and the detail.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <math.h>

#include <libpq-fe.h>

#include "orma-driver-private.h"
#include "orma-error-private.h"
#include "orma-value-private.h"

/* Built-in type OIDs (catalog/pg_type_d.h is a server header; these
 * numbers are fixed by the catalog and never change). */
#define PG_OID_BOOL        16
#define PG_OID_BYTEA       17
#define PG_OID_INT8        20
#define PG_OID_INT2        21
#define PG_OID_INT4        23
#define PG_OID_FLOAT4     700
#define PG_OID_FLOAT8     701
#define PG_OID_NUMERIC   1700

/* Rows of a batch sent between two checks of the socket: large enough to
 * keep system calls rare, small enough that libpq's output buffer stays
 * bounded whatever the batch size. */
#define PG_BATCH_FLUSH_ROWS 128

/* Room for one rendered number or timestamp: G_ASCII_DTOSTR_BUF_SIZE (39)
 * and "YYYY-MM-DD HH:MM:SS.ffffff+00" both fit. */
#define PG_PARAM_SLOT_SIZE 40

/* Parameters of up to this many columns are rendered on the stack. */
#define PG_PARAMS_INLINE 16

typedef struct _PgCursor PgCursor;

typedef struct
{
  OrmaDriverConn  base;
  PGconn         *pg;
  guint           next_stmt_id;
  /* The cursor reading a single-row-mode result, if any: the connection
   * can run nothing else until it is drained. */
  PgCursor       *stream;
  /* Names of statements finalized while they could not be deallocated
   * (a stream open, the transaction aborted); deallocated later, at a
   * moment when a failure cannot disturb a transaction. */
  GPtrArray      *pending_deallocate;
} PgConn;

typedef struct
{
  OrmaDriverStmt  base;
  char           *name;
  Oid            *param_types;
} PgStmt;

struct _PgCursor
{
  OrmaCursor  base;
  /* Set while streaming: more single-row results to pull from it. */
  PgConn     *conn;
  /* First result: gives the column names and types. */
  PGresult   *head;
  /* Result holding the current row: head itself or a later single-row
   * result of a stream. */
  PGresult   *rows;
  int         row;
  int         n_rows;
  /* head belongs to someone else (a RETURNING row of a batch) */
  gboolean    borrowed;
};

/* Rendered parameters of one execution, in the form libpq takes. */
typedef struct
{
  guint         n;
  const char  **values;
  int          *lengths;
  int          *formats;
  char        (*slots)[PG_PARAM_SLOT_SIZE];
  gpointer      heap;
  const char   *inline_values[PG_PARAMS_INLINE];
  int           inline_lengths[PG_PARAMS_INLINE];
  int           inline_formats[PG_PARAMS_INLINE];
  char          inline_slots[PG_PARAMS_INLINE][PG_PARAM_SLOT_SIZE];
} PgParams;

const OrmaDriver _orma_driver_postgresql;

/* Errors */

static OrmaError
pg_error_code_for_sqlstate (const char *sqlstate)
{
  if (sqlstate == NULL || strlen (sqlstate) != 5)
    return ORMA_ERROR_FAILED;

  if (g_str_has_prefix (sqlstate, "23"))
    return ORMA_ERROR_CONSTRAINT;
  /* serialization failure, deadlock, lock not available: retrying helps */
  if (strcmp (sqlstate, "40001") == 0 || strcmp (sqlstate, "40P01") == 0
      || strcmp (sqlstate, "55P03") == 0)
    return ORMA_ERROR_BUSY;
  /* connection exceptions, and the server shutting the session down */
  if (g_str_has_prefix (sqlstate, "08") || g_str_has_prefix (sqlstate, "57P0"))
    return ORMA_ERROR_CONNECTION;
  if (g_str_has_prefix (sqlstate, "53"))
    return ORMA_ERROR_FULL;
  if (g_str_has_prefix (sqlstate, "42") || g_str_has_prefix (sqlstate, "22"))
    return ORMA_ERROR_SQL;
  if (g_str_has_prefix (sqlstate, "58"))
    return ORMA_ERROR_IO;
  return ORMA_ERROR_FAILED;
}

static char *
pg_strip_message (const char *message)
{
  char *copy = g_strdup (message != NULL && *message != '\0'
                         ? message : "unknown PostgreSQL error");

  return g_strchomp (copy);
}

/* "primary (SQLSTATE): detail", or libpq's own text for errors raised on
 * the client side (those carry no fields). */
static char *
pg_result_message (PGconn         *pg,
                   const PGresult *res)
{
  const char *primary = NULL;
  const char *sqlstate = NULL;
  const char *detail = NULL;
  GString *message;

  if (res != NULL)
    {
      primary = PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY);
      sqlstate = PQresultErrorField (res, PG_DIAG_SQLSTATE);
      detail = PQresultErrorField (res, PG_DIAG_MESSAGE_DETAIL);
    }

  if (primary == NULL)
    {
      const char *text = res != NULL ? PQresultErrorMessage (res) : NULL;

      if (text == NULL || *text == '\0')
        text = PQerrorMessage (pg);
      return pg_strip_message (text);
    }

  message = g_string_new (primary);
  if (sqlstate != NULL)
    g_string_append_printf (message, " (%s)", sqlstate);
  if (detail != NULL)
    g_string_append_printf (message, ": %s", detail);
  return g_string_free (message, FALSE);
}

/* Sets @error from a failed result (or from the connection when @res is
 * NULL). A connection libpq reports as bad is marked broken whatever the
 * SQLSTATE said, so the pool discards it. */
static void
pg_set_error (PgConn         *conn,
              const PGresult *res,
              GError        **error)
{
  g_autofree char *message = pg_result_message (conn->pg, res);
  const char *sqlstate = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  OrmaError code = pg_error_code_for_sqlstate (sqlstate);

  if (PQstatus (conn->pg) == CONNECTION_BAD || code == ORMA_ERROR_CONNECTION)
    {
      conn->base.broken = TRUE;
      code = ORMA_ERROR_CONNECTION;
    }
  _orma_set_error (error, code, "%s", message);
}

static gboolean
pg_result_ok (const PGresult *res)
{
  ExecStatusType status = PQresultStatus (res);

  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

/* Reads and discards what is left of the current command, so the
 * connection can take another. Returns at once on a dead connection. */
static void
pg_drain (PGconn *pg)
{
  PGresult *res;

  while ((res = PQgetResult (pg)) != NULL)
    PQclear (res);
}

/* Connection */

static void
pg_notice_processor (void       *data,
                     const char *message)
{
  g_autofree char *text = pg_strip_message (message);

  /* NOTICEs (e.g. "table does not exist, skipping") are not errors; keep
   * them off stderr but available with G_MESSAGES_DEBUG=orma. */
  g_debug ("PostgreSQL: %s", text);
}

static gboolean
pg_simple (PgConn      *conn,
           const char  *sql,
           GError     **error)
{
  PGresult *res = PQexec (conn->pg, sql);
  /* text made only of comments or blanks is not a failure */
  gboolean ok = res != NULL
                && (pg_result_ok (res) || PQresultStatus (res) == PGRES_EMPTY_QUERY);

  if (!ok)
    pg_set_error (conn, res, error);
  else if (g_ascii_strcasecmp (sql, "COMMIT") == 0 &&
           g_strcmp0 (PQcmdStatus (res), "ROLLBACK") == 0)
    {
      /* The server answers COMMIT of a failed transaction by rolling it
       * back: that is no success. */
      ok = FALSE;
      g_set_error (error, ORMA_ERROR, ORMA_ERROR_INVALID_STATE,
                   "the transaction had failed and was rolled back instead of committed");
    }
  PQclear (res);
  return ok;
}

static void pg_disconnect (OrmaDriverConn *base);

static gboolean
pg_in_transaction (OrmaDriverConn *base)
{
  return PQtransactionStatus (((PgConn *) base)->pg) != PQTRANS_IDLE;
}

static OrmaDriverConn *
pg_connect (const OrmaUrl  *url,
            GError        **error)
{
  PgConn *conn;

  g_return_val_if_fail (url != NULL && url->conninfo != NULL, NULL);

  conn = g_new0 (PgConn, 1);
  conn->base.driver = &_orma_driver_postgresql;
  conn->pg = PQconnectdb (url->conninfo);
  conn->pending_deallocate = g_ptr_array_new_with_free_func (g_free);

  if (conn->pg == NULL || PQstatus (conn->pg) != CONNECTION_OK)
    {
      g_autofree char *message =
        pg_strip_message (conn->pg != NULL ? PQerrorMessage (conn->pg) : "out of memory");

      _orma_set_error (error, ORMA_ERROR_CONNECTION,
                       "Could not connect to PostgreSQL: %s", message);
      pg_disconnect (&conn->base);
      return NULL;
    }

  PQsetNoticeProcessor (conn->pg, pg_notice_processor, NULL);

  /* Text results must be UTF-8, timestamptz must come back in UTC and in
   * ISO form for _orma_datetime_parse(), bytea in hex form: one round
   * trip, whatever the server's or the user's defaults. */
  if (!pg_simple (conn,
                  "SET client_encoding TO 'UTF8'; "
                  "SET TIME ZONE 'UTC'; "
                  "SET DateStyle TO 'ISO'; "
                  "SET bytea_output TO 'hex'",
                  error))
    {
      pg_disconnect (&conn->base);
      return NULL;
    }

  return &conn->base;
}

static void
pg_disconnect (OrmaDriverConn *base)
{
  PgConn *conn = (PgConn *) base;

  if (conn == NULL)
    return;

  /* A cursor that outlives its connection must not touch it. */
  if (conn->stream != NULL)
    conn->stream->conn = NULL;
  /* Prepared statements die with the session: no DEALLOCATE needed. */
  g_clear_pointer (&conn->pg, PQfinish);
  g_clear_pointer (&conn->pending_deallocate, g_ptr_array_unref);
  g_free (conn);
}

static gboolean
pg_check_idle (PgConn  *conn,
               GError **error)
{
  if (conn->stream != NULL)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                       "The PostgreSQL connection is still streaming the rows "
                       "of another statement");
      return FALSE;
    }
  return TRUE;
}

/* Deallocates the statements finalized at a bad moment. Only outside a
 * transaction block, so that a failure cannot abort the user's
 * transaction. One round trip for all of them. */
static void
pg_flush_pending_deallocate (PgConn *conn)
{
  g_autoptr (GString) sql = NULL;
  PGresult *res;

  if (conn->pending_deallocate->len == 0 || conn->stream != NULL
      || conn->base.broken || PQtransactionStatus (conn->pg) != PQTRANS_IDLE)
    return;

  sql = g_string_new (NULL);
  for (guint i = 0; i < conn->pending_deallocate->len; i++)
    g_string_append_printf (sql, "DEALLOCATE %s;",
                            (const char *) g_ptr_array_index (conn->pending_deallocate, i));
  g_ptr_array_set_size (conn->pending_deallocate, 0);

  res = PQexec (conn->pg, sql->str);
  if (!pg_result_ok (res))
    g_debug ("Could not deallocate statements: %s", PQerrorMessage (conn->pg));
  PQclear (res);
}

static gboolean
pg_exec (OrmaDriverConn  *base,
         const char      *sql,
         GError         **error)
{
  PgConn *conn = (PgConn *) base;

  if (!pg_check_idle (conn, error))
    return FALSE;
  pg_flush_pending_deallocate (conn);
  return pg_simple (conn, sql, error);
}

/* Statements */

static void
pg_stmt_free (PgStmt *stmt)
{
  g_free (stmt->base.sql);
  g_free (stmt->name);
  g_free (stmt->param_types);
  g_free (stmt);
}

static void pg_finalize (OrmaDriverConn *base, OrmaDriverStmt *base_stmt);

static gboolean
pg_describe (PgConn  *conn,
             PgStmt  *stmt,
             GError **error)
{
  PGresult *res = PQdescribePrepared (conn->pg, stmt->name);

  if (res == NULL || !pg_result_ok (res))
    {
      pg_set_error (conn, res, error);
      PQclear (res);
      return FALSE;
    }

  stmt->base.n_params = PQnparams (res);
  stmt->param_types = g_new (Oid, MAX (stmt->base.n_params, 1));
  for (guint i = 0; i < stmt->base.n_params; i++)
    stmt->param_types[i] = PQparamtype (res, i);
  PQclear (res);
  return TRUE;
}

static OrmaDriverStmt *
pg_prepare (OrmaDriverConn  *base,
            const char      *sql,
            GError         **error)
{
  PgConn *conn = (PgConn *) base;
  PgStmt *stmt;
  PGresult *res;

  if (!pg_check_idle (conn, error))
    return NULL;
  pg_flush_pending_deallocate (conn);

  stmt = g_new0 (PgStmt, 1);
  stmt->base.sql = g_strdup (sql);
  stmt->name = g_strdup_printf ("orma_%u", ++conn->next_stmt_id);

  /* No parameter types given: the server infers them from the context,
   * and pg_describe() learns what it chose. */
  res = PQprepare (conn->pg, stmt->name, sql, 0, NULL);
  if (res == NULL || !pg_result_ok (res))
    {
      pg_set_error (conn, res, error);
      PQclear (res);
      pg_stmt_free (stmt);
      return NULL;
    }
  PQclear (res);

  if (!pg_describe (conn, stmt, error))
    {
      pg_finalize (base, &stmt->base);
      return NULL;
    }

  return &stmt->base;
}

static void
pg_finalize (OrmaDriverConn *base,
             OrmaDriverStmt *base_stmt)
{
  PgConn *conn = (PgConn *) base;
  PgStmt *stmt = (PgStmt *) base_stmt;
  PGTransactionStatusType status;

  if (stmt == NULL)
    return;

  status = PQtransactionStatus (conn->pg);
  if (conn->base.broken || PQstatus (conn->pg) != CONNECTION_OK)
    {
      /* Nothing to free on a dead session. */
    }
  else if (conn->stream != NULL || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE)
    {
      /* DEALLOCATE would fail now (aborted transaction) or cannot be
       * sent (rows still streaming): do it later. */
      g_ptr_array_add (conn->pending_deallocate, g_steal_pointer (&stmt->name));
    }
  else
    {
      g_autofree char *sql = g_strdup_printf ("DEALLOCATE %s", stmt->name);
      PGresult *res = PQexec (conn->pg, sql);

      if (!pg_result_ok (res))
        g_debug ("Could not deallocate %s: %s", stmt->name, PQerrorMessage (conn->pg));
      PQclear (res);
    }

  pg_stmt_free (stmt);
}

/* Parameters */

static void
pg_params_init (PgParams *params,
                guint     n)
{
  params->n = n;
  params->heap = NULL;

  if (n <= PG_PARAMS_INLINE)
    {
      params->values = params->inline_values;
      params->lengths = params->inline_lengths;
      params->formats = params->inline_formats;
      params->slots = params->inline_slots;
      return;
    }

  /* One block for all four arrays, pointers first for alignment. */
  params->heap = g_malloc (n * (sizeof (char *) + 2 * sizeof (int) + PG_PARAM_SLOT_SIZE));
  params->values = params->heap;
  params->lengths = (int *) (params->values + n);
  params->formats = params->lengths + n;
  params->slots = (char (*)[PG_PARAM_SLOT_SIZE]) (params->formats + n);
}

static void
pg_params_clear (PgParams *params)
{
  g_clear_pointer (&params->heap, g_free);
}

static gboolean
pg_oid_is_number (Oid oid)
{
  return oid == PG_OID_INT2 || oid == PG_OID_INT4 || oid == PG_OID_INT8
         || oid == PG_OID_FLOAT4 || oid == PG_OID_FLOAT8 || oid == PG_OID_NUMERIC;
}

static const char *
pg_format_double (double  d,
                  char   *slot)
{
  /* PostgreSQL spells the special values its own way */
  if (isnan (d))
    return "NaN";
  if (isinf (d))
    return d > 0 ? "Infinity" : "-Infinity";
  return g_ascii_dtostr (slot, PG_PARAM_SLOT_SIZE, d);
}

static gboolean
pg_format_datetime (GDateTime  *datetime,
                    char       *slot,
                    GError    **error)
{
  g_autofree char *text = _orma_datetime_format (datetime);

  /* Explicit offset: the value means the same instant whatever the
   * session's TimeZone. */
  if (text == NULL || strlen (text) + 4 > PG_PARAM_SLOT_SIZE)
    {
      _orma_set_error (error, ORMA_ERROR_TYPE_MISMATCH,
                       "Cannot store date-time “%s” in PostgreSQL",
                       text != NULL ? text : "(invalid)");
      return FALSE;
    }
  g_strlcpy (slot, text, PG_PARAM_SLOT_SIZE);
  g_strlcat (slot, "+00", PG_PARAM_SLOT_SIZE);
  return TRUE;
}

/* Renders parameter @i. Text format except for GBytes (and strings bound
 * to a bytea parameter), which go in binary form: no escaping, no
 * doubling of a large blob. */
static gboolean
pg_params_set (PgParams     *params,
               guint         i,
               const GValue *value,
               Oid           oid,
               GError      **error)
{
  char *slot = params->slots[i];
  const char *text = NULL;

  params->lengths[i] = 0;
  params->formats[i] = 0;

  if (_orma_value_is_null (value))
    {
      params->values[i] = NULL;
      return TRUE;
    }

  switch (_orma_value_storage_type (G_VALUE_TYPE (value)))
    {
    case G_TYPE_BOOLEAN:
      /* A boolean compared with a number column has to be a number. */
      if (pg_oid_is_number (oid))
        text = g_value_get_boolean (value) ? "1" : "0";
      else
        text = g_value_get_boolean (value) ? "t" : "f";
      break;
    case G_TYPE_INT:
      g_snprintf (slot, PG_PARAM_SLOT_SIZE, "%d", g_value_get_int (value));
      text = slot;
      break;
    case G_TYPE_UINT:
      g_snprintf (slot, PG_PARAM_SLOT_SIZE, "%u", g_value_get_uint (value));
      text = slot;
      break;
    case G_TYPE_INT64:
      g_snprintf (slot, PG_PARAM_SLOT_SIZE, "%" G_GINT64_FORMAT, g_value_get_int64 (value));
      text = slot;
      break;
    case G_TYPE_ENUM:
      g_snprintf (slot, PG_PARAM_SLOT_SIZE, "%d", g_value_get_enum (value));
      text = slot;
      break;
    case G_TYPE_FLAGS:
      g_snprintf (slot, PG_PARAM_SLOT_SIZE, "%u", g_value_get_flags (value));
      text = slot;
      break;
    case G_TYPE_DOUBLE:
      text = pg_format_double (g_value_get_double (value), slot);
      break;
    case G_TYPE_STRING:
      text = g_value_get_string (value);
      if (oid == PG_OID_BYTEA)
        {
          params->formats[i] = 1;
          params->lengths[i] = strlen (text);
        }
      break;
    default:
      if (G_VALUE_HOLDS (value, G_TYPE_BYTES))
        {
          gsize size = 0;
          const char *data = g_bytes_get_data (g_value_get_boxed (value), &size);

          /* an empty GBytes may have no data pointer: not a NULL */
          text = data != NULL ? data : "";
          params->formats[i] = 1;
          params->lengths[i] = size;
        }
      else if (G_VALUE_HOLDS (value, G_TYPE_DATE_TIME))
        {
          if (!pg_format_datetime (g_value_get_boxed (value), slot, error))
            return FALSE;
          text = slot;
        }
      else
        {
          _orma_set_error (error, ORMA_ERROR_TYPE_MISMATCH,
                           "Cannot bind a value of type %s as a parameter",
                           G_VALUE_TYPE_NAME (value));
          return FALSE;
        }
      break;
    }

  params->values[i] = text;
  return TRUE;
}

static gboolean
pg_params_bind (PgParams            *params,
                PgStmt              *stmt,
                const GValue *const *values,
                GError             **error)
{
  for (guint i = 0; i < stmt->base.n_params; i++)
    {
      if (!pg_params_set (params, i, values != NULL ? values[i] : NULL,
                          stmt->param_types[i], error))
        return FALSE;
    }
  return TRUE;
}

/* Cursors */

static PgCursor *
pg_cursor_new (PGresult *head)
{
  PgCursor *cursor = g_new0 (PgCursor, 1);

  cursor->base.driver = &_orma_driver_postgresql;
  cursor->head = head;
  cursor->rows = head;
  cursor->row = -1;
  cursor->n_rows = PQntuples (head);
  return cursor;
}

static gint64
pg_affected (const PGresult *res)
{
  const char *text = PQcmdTuples ((PGresult *) res);

  /* "" for commands that do not count rows */
  return text != NULL && *text != '\0' ? g_ascii_strtoll (text, NULL, 10) : 0;
}

static OrmaCursor *
pg_query_buffered (PgConn   *conn,
                   PgStmt   *stmt,
                   PgParams *params,
                   gint64   *affected,
                   GError  **error)
{
  PGresult *res = PQexecPrepared (conn->pg, stmt->name, stmt->base.n_params,
                                  params->values, params->lengths, params->formats, 0);

  if (res == NULL || !pg_result_ok (res))
    {
      pg_set_error (conn, res, error);
      PQclear (res);
      return NULL;
    }

  if (affected != NULL)
    *affected = pg_affected (res);
  return &pg_cursor_new (res)->base;
}

/* Leaves streaming mode: the connection is free again. */
static void
pg_cursor_end_stream (PgCursor *cursor)
{
  if (cursor->conn == NULL)
    return;
  pg_drain (cursor->conn->pg);
  cursor->conn->stream = NULL;
  cursor->conn = NULL;
}

/* Single-row mode: the first result is read here so that errors in the
 * statement surface from query(), and so the cursor knows its columns
 * before the first row is asked for. */
static OrmaCursor *
pg_query_stream (PgConn   *conn,
                 PgStmt   *stmt,
                 PgParams *params,
                 gint64   *affected,
                 GError  **error)
{
  PGresult *first;
  PgCursor *cursor;

  if (!PQsendQueryPrepared (conn->pg, stmt->name, stmt->base.n_params,
                            params->values, params->lengths, params->formats, 0))
    {
      pg_set_error (conn, NULL, error);
      return NULL;
    }
  if (!PQsetSingleRowMode (conn->pg))
    g_debug ("Single-row mode refused; the result is read at once");

  first = PQgetResult (conn->pg);
  if (first == NULL
      || (PQresultStatus (first) != PGRES_SINGLE_TUPLE && !pg_result_ok (first)))
    {
      pg_set_error (conn, first, error);
      PQclear (first);
      pg_drain (conn->pg);
      return NULL;
    }

  cursor = pg_cursor_new (first);
  if (PQresultStatus (first) == PGRES_SINGLE_TUPLE)
    {
      /* The row count of a stream is only known at its end. */
      if (affected != NULL)
        *affected = 0;
      cursor->conn = conn;
      conn->stream = cursor;
    }
  else
    {
      if (affected != NULL)
        *affected = pg_affected (first);
      pg_drain (conn->pg);
    }
  return &cursor->base;
}

static OrmaCursor *
pg_query (OrmaDriverConn       *base,
          OrmaDriverStmt       *base_stmt,
          const GValue *const  *values,
          gboolean              stream,
          gint64               *affected,
          GError              **error)
{
  PgConn *conn = (PgConn *) base;
  PgStmt *stmt = (PgStmt *) base_stmt;
  PgParams params;
  OrmaCursor *cursor = NULL;

  if (!pg_check_idle (conn, error))
    return NULL;
  pg_flush_pending_deallocate (conn);

  pg_params_init (&params, stmt->base.n_params);
  if (pg_params_bind (&params, stmt, values, error))
    {
      if (stream)
        cursor = pg_query_stream (conn, stmt, &params, affected, error);
      else
        cursor = pg_query_buffered (conn, stmt, &params, affected, error);
    }
  pg_params_clear (&params);
  return cursor;
}

/* Pulls the next single-row result of a stream into cursor->rows. */
static gboolean
pg_cursor_pull (PgCursor  *cursor,
                GError   **error)
{
  PgConn *conn = cursor->conn;
  PGresult *res;

  if (cursor->rows != cursor->head)
    PQclear (cursor->rows);
  cursor->rows = cursor->head;
  cursor->n_rows = 0;
  cursor->row = 0;

  res = PQgetResult (conn->pg);
  if (res != NULL && PQresultStatus (res) == PGRES_SINGLE_TUPLE)
    {
      cursor->rows = res;
      cursor->n_rows = 1;
      cursor->row = 0;
      return TRUE;
    }

  /* The final (empty) result, an error, or a lost connection */
  if (res == NULL || !pg_result_ok (res))
    {
      pg_set_error (conn, res, error);
      PQclear (res);
      pg_cursor_end_stream (cursor);
      return FALSE;
    }
  PQclear (res);
  pg_cursor_end_stream (cursor);
  return FALSE;
}

static gboolean
pg_cursor_next (OrmaCursor  *base,
                GError     **error)
{
  PgCursor *cursor = (PgCursor *) base;

  if (cursor->row + 1 < cursor->n_rows)
    {
      cursor->row++;
      return TRUE;
    }
  /* Past the last buffered row: stay there */
  cursor->row = cursor->n_rows;
  if (cursor->conn == NULL)
    return FALSE;
  return pg_cursor_pull (cursor, error);
}

static guint
pg_cursor_n_columns (OrmaCursor *base)
{
  return PQnfields (((PgCursor *) base)->head);
}

static const char *
pg_cursor_column_name (OrmaCursor *base,
                       guint       column)
{
  return PQfname (((PgCursor *) base)->head, column);
}

static gboolean
pg_cursor_is_null (OrmaCursor *base,
                   guint       column)
{
  PgCursor *cursor = (PgCursor *) base;

  g_return_val_if_fail (cursor->row >= 0 && cursor->row < cursor->n_rows, TRUE);
  return PQgetisnull (cursor->rows, cursor->row, column);
}

static gboolean
pg_mismatch (PgCursor    *cursor,
             guint        column,
             const char  *text,
             const char  *type_name,
             GError     **error)
{
  _orma_set_error (error, ORMA_ERROR_TYPE_MISMATCH,
                   "Column “%s”: cannot read “%.40s” as %s",
                   PQfname (cursor->head, column), text, type_name);
  return FALSE;
}

static gboolean
pg_parse_double (const char *text,
                 double     *out)
{
  char *end = NULL;

  /* strtod spells the specials "nan"/"inf"/"infinity" in any case,
   * which covers PostgreSQL's "NaN", "Infinity" and "-Infinity". */
  *out = g_ascii_strtod (text, &end);
  return end != text && *end == '\0';
}

/* Integers, range-checked. A numeric (SUM of bigints) holding a whole
 * number is accepted too. */
/* The common form, an optional minus and at most 18 digits (so no
 * overflow), read without a library call: keys and counts come in
 * this form on every row. FALSE for anything else. */
static gboolean
pg_parse_plain_integer (const char *text,
                        gint64     *out)
{
  const char *p = text + (text[0] == '-');
  guint64 n = 0;
  guint digits = 0;

  for (; *p >= '0' && *p <= '9'; p++, digits++)
    n = n * 10 + (guint64) (*p - '0');
  if (*p != '\0' || digits == 0 || digits > 18)
    return FALSE;
  *out = text[0] == '-' ? -(gint64) n : (gint64) n;
  return TRUE;
}

static gboolean
pg_parse_integer (const char *text,
                  gint64      min,
                  gint64      max,
                  gint64     *out)
{
  double d;
  gint64 n;

  if (pg_parse_plain_integer (text, &n))
    {
      if (n < min || n > max)
        return FALSE;
      *out = n;
      return TRUE;
    }
  if (g_ascii_string_to_signed (text, 10, min, max, out, NULL))
    return TRUE;
  if (strchr (text, '.') == NULL || !pg_parse_double (text, &d))
    return FALSE;
  /* doubles are exact up to 2^53; beyond, the text form is not trusted */
  if (d != floor (d) || fabs (d) > 9007199254740992.0 || d < (double) min || d > (double) max)
    return FALSE;
  *out = (gint64) d;
  return TRUE;
}

static gboolean
pg_parse_boolean (const char *text,
                  gboolean   *out)
{
  gint64 n;

  if (strcmp (text, "t") == 0 || strcmp (text, "true") == 0)
    *out = TRUE;
  else if (strcmp (text, "f") == 0 || strcmp (text, "false") == 0)
    *out = FALSE;
  /* an integer column read as a boolean: only 0 and 1, as on SQLite */
  else if (g_ascii_string_to_signed (text, 10, 0, 1, &n, NULL))
    *out = n != 0;
  else
    return FALSE;
  return TRUE;
}

static GBytes *
pg_read_bytes (PgCursor *cursor,
               guint     column)
{
  const char *text = PQgetvalue (cursor->rows, cursor->row, column);
  size_t size = 0;
  unsigned char *data;

  if (PQftype (cursor->head, column) != PG_OID_BYTEA)
    return g_bytes_new (text, PQgetlength (cursor->rows, cursor->row, column));

  /* Hand libpq's buffer to the GBytes: no second copy of a large blob */
  data = PQunescapeBytea ((const unsigned char *) text, &size);
  if (data == NULL)
    return NULL;
  return g_bytes_new_with_free_func (data, size, PQfreemem, data);
}

static GDateTime *
pg_parse_datetime (const char *text)
{
  char buffer[64];
  gsize len = strlen (text);

  /* With TimeZone UTC, timestamptz ends in "+00"; plain timestamp has no
   * offset. Either way the text is UTC, as _orma_datetime_parse() wants. */
  if (len >= sizeof buffer)
    return NULL;
  memcpy (buffer, text, len + 1);
  if (len > 3 && strcmp (buffer + len - 3, "+00") == 0)
    buffer[len - 3] = '\0';
  else if (len > 6 && strcmp (buffer + len - 6, "+00:00") == 0)
    buffer[len - 6] = '\0';
  return _orma_datetime_parse (buffer);
}

/* The natural storage type of a column, for reads into an unset GValue */
static GType
pg_natural_type (Oid oid)
{
  switch (oid)
    {
    case PG_OID_INT2:
    case PG_OID_INT4:
    case PG_OID_INT8:
      return G_TYPE_INT64;
    case PG_OID_FLOAT4:
    case PG_OID_FLOAT8:
    case PG_OID_NUMERIC:
      return G_TYPE_DOUBLE;
    case PG_OID_BOOL:
      return G_TYPE_BOOLEAN;
    case PG_OID_BYTEA:
      return G_TYPE_BYTES;
    default:
      return G_TYPE_STRING;
    }
}

static gboolean
pg_get_enum (PgCursor    *cursor,
             guint        column,
             const char  *text,
             GValue      *value,
             GError     **error)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (G_VALUE_TYPE (value));
  gint64 n;

  if (!pg_parse_integer (text, G_MININT, G_MAXINT, &n)
      || g_enum_get_value (klass, (int) n) == NULL)
    return pg_mismatch (cursor, column, text, G_VALUE_TYPE_NAME (value), error);
  g_value_set_enum (value, (int) n);
  return TRUE;
}

static gboolean
pg_cursor_get (OrmaCursor  *base,
               guint        column,
               GValue      *value,
               GError     **error)
{
  PgCursor *cursor = (PgCursor *) base;
  const char *text;
  GType storage;
  gint64 n;
  double d;
  gboolean b;

  g_return_val_if_fail (cursor->row >= 0 && cursor->row < cursor->n_rows, FALSE);
  g_return_val_if_fail (column < (guint) PQnfields (cursor->head), FALSE);

  text = PQgetvalue (cursor->rows, cursor->row, column);
  if (G_VALUE_TYPE (value) == G_TYPE_INVALID)
    g_value_init (value, pg_natural_type (PQftype (cursor->head, column)));
  storage = _orma_value_storage_type (G_VALUE_TYPE (value));

  switch (storage)
    {
    case G_TYPE_BOOLEAN:
      if (!pg_parse_boolean (text, &b))
        return pg_mismatch (cursor, column, text, "a boolean", error);
      g_value_set_boolean (value, b);
      return TRUE;
    case G_TYPE_INT:
      if (!pg_parse_integer (text, G_MININT, G_MAXINT, &n))
        return pg_mismatch (cursor, column, text, "an int", error);
      g_value_set_int (value, (int) n);
      return TRUE;
    case G_TYPE_UINT:
      if (!pg_parse_integer (text, 0, G_MAXUINT, &n))
        return pg_mismatch (cursor, column, text, "an unsigned int", error);
      g_value_set_uint (value, (guint) n);
      return TRUE;
    case G_TYPE_INT64:
      if (!pg_parse_integer (text, G_MININT64, G_MAXINT64, &n))
        return pg_mismatch (cursor, column, text, "an int64", error);
      g_value_set_int64 (value, n);
      return TRUE;
    case G_TYPE_DOUBLE:
      /* an integer column is read exactly or refused: strtod would round
       * beyond 2^53 without a word */
      if (pg_parse_integer (text, G_MININT64, G_MAXINT64, &n))
        {
          if (n > (G_GINT64_CONSTANT (1) << 53) || n < -(G_GINT64_CONSTANT (1) << 53))
            return pg_mismatch (cursor, column, text, "an exact double", error);
          g_value_set_double (value, (double) n);
          return TRUE;
        }
      if (!pg_parse_double (text, &d))
        return pg_mismatch (cursor, column, text, "a double", error);
      g_value_set_double (value, d);
      return TRUE;
    case G_TYPE_STRING:
      g_value_set_string (value, text);
      return TRUE;
    case G_TYPE_ENUM:
      return pg_get_enum (cursor, column, text, value, error);
    case G_TYPE_FLAGS:
      {
        GFlagsClass *flags_class = g_type_class_ref (G_VALUE_TYPE (value));
        gboolean valid = pg_parse_integer (text, 0, G_MAXUINT, &n) &&
                         ((guint) n & ~flags_class->mask) == 0;

        /* bits the flags type does not define are refused, as on SQLite */
        g_type_class_unref (flags_class);
        if (!valid)
          return pg_mismatch (cursor, column, text, G_VALUE_TYPE_NAME (value), error);
        g_value_set_flags (value, (guint) n);
        return TRUE;
      }
    default:
      break;
    }

  if (G_VALUE_HOLDS (value, G_TYPE_BYTES))
    {
      GBytes *bytes = pg_read_bytes (cursor, column);

      if (bytes == NULL)
        return pg_mismatch (cursor, column, text, "bytes", error);
      g_value_take_boxed (value, bytes);
      return TRUE;
    }
  if (G_VALUE_HOLDS (value, G_TYPE_DATE_TIME))
    {
      GDateTime *datetime = pg_parse_datetime (text);

      if (datetime == NULL)
        return pg_mismatch (cursor, column, text, "a date-time", error);
      g_value_take_boxed (value, datetime);
      return TRUE;
    }
  return pg_mismatch (cursor, column, text, G_VALUE_TYPE_NAME (value), error);
}

static void
pg_cursor_free (OrmaCursor *base)
{
  PgCursor *cursor = (PgCursor *) base;

  if (cursor == NULL)
    return;

  /* An abandoned stream is read to its end rather than cancelled: a
   * cancelled statement would abort the enclosing transaction. */
  pg_cursor_end_stream (cursor);
  if (cursor->rows != cursor->head)
    PQclear (cursor->rows);
  if (!cursor->borrowed)
    PQclear (cursor->head);
  g_free (cursor);
}

/* Batches: pipeline mode */

typedef struct
{
  PgConn              *conn;
  PgStmt              *stmt;
  const GValue *const *values;
  guint                n_rows;
  OrmaReturningFunc    returning;
  gpointer             user_data;
  gint64              *affected;

  PgParams             params;
  guint                sent;        /* rows sent */
  guint                done;        /* rows whose results were read */
  gboolean             synced;      /* the closing sync was sent */
  gboolean             finished;    /* the sync's result was read */
  gboolean             need_flush;  /* libpq holds unsent output */
  GError              *error;       /* the first error */
} PgBatch;

static void
pg_batch_fail (PgBatch        *batch,
               const PGresult *res,
               GError         *error)
{
  if (batch->error == NULL)
    {
      if (error != NULL)
        batch->error = error;
      else
        pg_set_error (batch->conn, res, &batch->error);
    }
  else if (error != NULL)
    g_error_free (error);
}

/* Delivers the rows a statement returned, each with its row index. */
static void
pg_batch_deliver (PgBatch  *batch,
                  PGresult *res)
{
  PgCursor cursor;
  int n = PQntuples (res);

  if (batch->affected != NULL)
    batch->affected[batch->done] = pg_affected (res);
  if (batch->returning == NULL || n == 0 || batch->error != NULL)
    return;

  memset (&cursor, 0, sizeof cursor);
  cursor.base.driver = &_orma_driver_postgresql;
  cursor.head = res;
  cursor.rows = res;
  cursor.borrowed = TRUE;
  for (int i = 0; i < n; i++)
    {
      GError *error = NULL;

      /* A cursor on one row: cursor_next from the callback finds no more */
      cursor.row = i;
      cursor.n_rows = i + 1;
      if (!batch->returning (batch->done, &cursor.base, batch->user_data, &error))
        {
          if (error == NULL)
            g_set_error_literal (&error, ORMA_ERROR, ORMA_ERROR_FAILED,
                                 "A RETURNING row was refused");
          pg_batch_fail (batch, NULL, error);
          return;
        }
    }
}

/* Handles one result; results come in order: for each statement its
 * result then a NULL, and at the end the sync's result. */
static void
pg_batch_handle (PgBatch  *batch,
                 PGresult *res)
{
  if (res == NULL)
    {
      batch->done++;
      return;
    }

  switch (PQresultStatus (res))
    {
    case PGRES_TUPLES_OK:
    case PGRES_COMMAND_OK:
      pg_batch_deliver (batch, res);
      break;
    case PGRES_PIPELINE_SYNC:
      batch->finished = TRUE;
      break;
    case PGRES_PIPELINE_ABORTED:
      /* skipped because of an earlier error, already recorded */
      break;
    default:
      pg_batch_fail (batch, res, NULL);
      break;
    }
  PQclear (res);
}

/* Reads whatever results have arrived, without blocking. */
static gboolean
pg_batch_read (PgBatch *batch)
{
  PGconn *pg = batch->conn->pg;

  if (!PQconsumeInput (pg))
    return FALSE;
  while (!batch->finished && !PQisBusy (pg))
    {
      /* Every statement sent has been answered: nothing to wait for
       * until more are sent (PQgetResult would return NULL forever). */
      if (batch->done == batch->sent && !batch->synced)
        break;
      pg_batch_handle (batch, PQgetResult (pg));
    }
  return TRUE;
}

/* Sends rows until the socket is full, the batch is over, or an error
 * was seen (then the rest is not sent at all). */
static gboolean
pg_batch_send (PgBatch *batch)
{
  PGconn *pg = batch->conn->pg;
  guint n_params = batch->stmt->base.n_params;

  while (batch->sent < batch->n_rows && batch->error == NULL && !batch->need_flush)
    {
      const GValue *const *row = batch->values != NULL
                                 ? batch->values + (gsize) batch->sent * n_params : NULL;

      if (!pg_params_bind (&batch->params, batch->stmt, row, &batch->error))
        break;
      if (!PQsendQueryPrepared (pg, batch->stmt->name, n_params,
                                batch->params.values, batch->params.lengths,
                                batch->params.formats, 0))
        return FALSE;
      batch->sent++;

      if (batch->sent % PG_BATCH_FLUSH_ROWS == 0)
        {
          int rc = PQflush (pg);

          if (rc < 0)
            return FALSE;
          batch->need_flush = rc > 0;
        }
    }

  /* One sync for the whole batch: after an error the server skips
   * every statement up to it, so nothing after the error runs. */
  if (!batch->synced && (batch->sent == batch->n_rows || batch->error != NULL))
    {
      if (!PQpipelineSync (pg))
        return FALSE;
      batch->synced = TRUE;
    }

  if (batch->synced || batch->need_flush)
    {
      int rc = PQflush (pg);

      if (rc < 0)
        return FALSE;
      batch->need_flush = rc > 0;
    }
  return TRUE;
}

/* Blocks until the server sent something, or can take more of ours. */
static gboolean
pg_batch_wait (PgBatch *batch)
{
  GPollFD fd = { PQsocket (batch->conn->pg), G_IO_IN, 0 };

  if (fd.fd < 0)
    return FALSE;
  if (batch->need_flush)
    fd.events |= G_IO_OUT;
  /* Errors and hang-ups are reported in revents and caught by the next
   * PQconsumeInput() */
  return g_poll (&fd, 1, -1) >= 0 || errno == EINTR;
}

static gboolean
pg_batch_run (PgBatch *batch)
{
  while (!batch->finished)
    {
      if (!pg_batch_send (batch) || !pg_batch_read (batch))
        return FALSE;
      if (batch->finished)
        break;
      /* Wait only when nothing more can be sent now */
      if ((batch->need_flush || batch->synced) && !pg_batch_wait (batch))
        return FALSE;
    }
  return TRUE;
}

static gboolean
pg_execute_many (OrmaDriverConn       *base,
                 OrmaDriverStmt       *base_stmt,
                 const GValue *const  *values,
                 guint                 n_rows,
                 OrmaReturningFunc     returning,
                 gpointer              user_data,
                 gint64               *affected,
                 GError              **error)
{
  PgConn *conn = (PgConn *) base;
  PgBatch batch;
  gboolean ok;

  if (n_rows == 0)
    return TRUE;
  if (!pg_check_idle (conn, error))
    return FALSE;
  pg_flush_pending_deallocate (conn);

  memset (&batch, 0, sizeof batch);
  batch.conn = conn;
  batch.stmt = (PgStmt *) base_stmt;
  batch.values = values;
  batch.n_rows = n_rows;
  batch.returning = returning;
  batch.user_data = user_data;
  batch.affected = affected;

  if (!PQenterPipelineMode (conn->pg) || PQsetnonblocking (conn->pg, 1) != 0)
    {
      pg_set_error (conn, NULL, error);
      PQexitPipelineMode (conn->pg);
      return FALSE;
    }

  pg_params_init (&batch.params, batch.stmt->base.n_params);
  ok = pg_batch_run (&batch);
  pg_params_clear (&batch.params);

  if (!ok)
    {
      /* The connection failed under us (or libpq refused a send): the
       * pipeline state is unknown, so the connection is not reused. */
      g_clear_error (&batch.error);
      pg_set_error (conn, NULL, &batch.error);
      conn->base.broken = TRUE;
      if (batch.error->code != ORMA_ERROR_CONNECTION)
        batch.error->code = ORMA_ERROR_CONNECTION;
    }
  else
    {
      /* The sync's result was read: the NULL after it returns the
       * connection to idle, which PQexitPipelineMode() requires. */
      pg_drain (conn->pg);
      PQsetnonblocking (conn->pg, 0);
      if (!PQexitPipelineMode (conn->pg) && batch.error == NULL)
        pg_set_error (conn, NULL, &batch.error);
    }

  if (batch.error != NULL)
    {
      g_propagate_error (error, batch.error);
      return FALSE;
    }
  return TRUE;
}

const OrmaDriver _orma_driver_postgresql = {
  .name = "postgresql",
  .dialect = &_orma_dialect_postgresql,
  .connect = pg_connect,
  .disconnect = pg_disconnect,
  .in_transaction = pg_in_transaction,
  .exec = pg_exec,
  .prepare = pg_prepare,
  .finalize = pg_finalize,
  .query = pg_query,
  .execute_many = pg_execute_many,
  .cursor_next = pg_cursor_next,
  .cursor_n_columns = pg_cursor_n_columns,
  .cursor_column_name = pg_cursor_column_name,
  .cursor_is_null = pg_cursor_is_null,
  .cursor_get = pg_cursor_get,
  .cursor_free = pg_cursor_free,
};
