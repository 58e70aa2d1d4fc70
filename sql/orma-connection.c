/* orma-connection.c: one connection checked out of an engine's pool.
 *
 * The layer between the backends and everything above them: it keeps the
 * transaction state (BEGIN, COMMIT, savepoints) so misuse is reported as
 * ORMA_ERROR_INVALID_STATE instead of whatever the backend says, caches
 * prepared statements by their SQL text so the unit of work never parses
 * the same INSERT twice, echoes each statement before it runs, and turns
 * failures of a lost connection into ORMA_ERROR_CONNECTION.
 *
 * A cached statement read by an open cursor is marked in use; a second
 * execution of the same SQL meanwhile (a nested query) gets a fresh,
 * uncached statement, finalized when its cursor is freed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-connection-private.h"
#include "orma-engine.h"
#include "orma-error-private.h"

/* Beyond this many distinct statements (textual SQL built on the fly),
 * new ones are prepared for one use only. */
#define MAX_CACHED_STATEMENTS 512

struct _OrmaConnection
{
  GObject           parent_instance;

  OrmaEngine       *engine;
  OrmaDriverConn   *driver_conn;   /* NULL once stolen */
  const OrmaDriver *driver;

  GHashTable       *statements;    /* SQL text -> OrmaDriverStmt * */
  guint             n_prepared;

  gboolean          in_transaction;
  GPtrArray        *savepoints;    /* names, innermost last */
};

G_DEFINE_FINAL_TYPE (OrmaConnection, orma_connection, G_TYPE_OBJECT)

/* What a cursor needs to give its statement back when it is freed. It
 * holds a reference on the connection: the statement lives in the
 * connection's cache and must not be finalized under the cursor. */
typedef struct
{
  OrmaConnection *connection;
  OrmaDriverConn *driver_conn;
  OrmaDriverStmt *stmt;
  gboolean        cached;
} StatementUse;

static gboolean
finalize_statement (gpointer key,
                    gpointer value,
                    gpointer user_data)
{
  OrmaConnection *self = user_data;

  self->driver->finalize (self->driver_conn, value);
  return TRUE;
}

static void
clear_statements (OrmaConnection *self)
{
  if (self->driver_conn != NULL)
    g_hash_table_foreach_remove (self->statements, finalize_statement, self);
}

/* A connection goes back to the pool as it came out: outside any
 * transaction. */
static void
end_transaction_for_pool (OrmaConnection *self)
{
  g_autoptr (GError) error = NULL;

  if (self->driver_conn->broken)
    return;
  if (self->in_transaction)
    orma_connection_rollback (self, &error);
  /* A transaction begun with textual SQL is only known to the server.
   * (The one connection of an in-memory SQLite database is shared by
   * every checkout: another one may own the transaction.) */
  if (error == NULL && !_orma_engine_is_shared (self->engine, self->driver_conn) &&
      self->driver->in_transaction (self->driver_conn))
    _orma_connection_exec (self, "ROLLBACK", &error);
  if (error != NULL)
    {
      g_debug ("Rollback before returning a connection to the pool failed: %s",
               error->message);
      /* never hand out a connection in an unknown state */
      self->driver_conn->broken = TRUE;
    }
}

static void
orma_connection_finalize (GObject *object)
{
  OrmaConnection *self = ORMA_CONNECTION (object);

  if (self->driver_conn != NULL)
    {
      end_transaction_for_pool (self);
      clear_statements (self);
      _orma_engine_release (self->engine, g_steal_pointer (&self->driver_conn));
    }
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->savepoints, g_ptr_array_unref);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (orma_connection_parent_class)->finalize (object);
}

static void
orma_connection_class_init (OrmaConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = orma_connection_finalize;
}

static void
orma_connection_init (OrmaConnection *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->savepoints = g_ptr_array_new_with_free_func (g_free);
}

OrmaConnection *
_orma_connection_new (OrmaEngine     *engine,
                      OrmaDriverConn *driver_conn)
{
  OrmaConnection *self;

  g_return_val_if_fail (ORMA_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (driver_conn != NULL, NULL);

  self = g_object_new (ORMA_TYPE_CONNECTION, NULL);
  self->engine = g_object_ref (engine);
  self->driver_conn = driver_conn;
  self->driver = driver_conn->driver;
  return self;
}

const OrmaDialect *
_orma_connection_get_dialect (OrmaConnection *self)
{
  g_return_val_if_fail (ORMA_IS_CONNECTION (self), NULL);

  return self->driver->dialect;
}

guint
_orma_connection_get_n_prepared (OrmaConnection *self)
{
  g_return_val_if_fail (ORMA_IS_CONNECTION (self), 0);

  return self->n_prepared;
}

/**
 * orma_connection_get_engine:
 * @self: a connection
 *
 * The engine the connection was checked out of.
 *
 * Returns: (transfer none): the engine
 */
OrmaEngine *
orma_connection_get_engine (OrmaConnection *self)
{
  g_return_val_if_fail (ORMA_IS_CONNECTION (self), NULL);

  return self->engine;
}

/* ------------------------------------------------------ errors and state */

static gboolean
check_usable (OrmaConnection  *self,
              GError         **error)
{
  if (self->driver_conn == NULL)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                       "The connection no longer owns a database connection");
      return FALSE;
    }
  if (self->driver_conn->broken)
    {
      _orma_set_error (error, ORMA_ERROR_CONNECTION,
                       "The connection to the database was lost");
      return FALSE;
    }
  return TRUE;
}

/* Whatever a backend reported, a failure on a connection it has since
 * marked broken is a lost connection for the caller; the transaction is
 * gone with it. */
static void
propagate_driver_error (OrmaConnection  *self,
                        GError         **error,
                        GError          *local_error)
{
  if (self->driver_conn->broken)
    {
      self->in_transaction = FALSE;
      g_ptr_array_set_size (self->savepoints, 0);
      if (!g_error_matches (local_error, ORMA_ERROR, ORMA_ERROR_CONNECTION))
        {
          local_error->domain = ORMA_ERROR;
          local_error->code = ORMA_ERROR_CONNECTION;
        }
    }
  g_propagate_error (error, local_error);
}

static void
echo (OrmaConnection      *self,
      const char          *sql,
      const GValue *const *params,
      guint                n_params,
      guint                n_rows)
{
  if (_orma_engine_echo_enabled (self->engine))
    _orma_engine_echo (self->engine, sql, params, n_params, n_rows);
}

/* -------------------------------------------------------- statement cache */

static OrmaDriverStmt *
prepare (OrmaConnection  *self,
         const char      *sql,
         GError         **error)
{
  GError *local_error = NULL;
  OrmaDriverStmt *stmt = self->driver->prepare (self->driver_conn, sql, &local_error);

  if (stmt == NULL)
    {
      propagate_driver_error (self, error, local_error);
      return NULL;
    }
  self->n_prepared++;
  return stmt;
}

/* A statement for @sql: the cached one when it is free, else a new one,
 * cached when the cache has none for @sql. */
static OrmaDriverStmt *
acquire_statement (OrmaConnection  *self,
                   const char      *sql,
                   gboolean        *cached,
                   GError         **error)
{
  OrmaDriverStmt *found = g_hash_table_lookup (self->statements, sql);
  OrmaDriverStmt *stmt;

  if (found != NULL && !found->in_use)
    {
      *cached = TRUE;
      return found;
    }

  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  *cached = found == NULL &&
            g_hash_table_size (self->statements) < MAX_CACHED_STATEMENTS;
  if (*cached)
    g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

static void
release_statement (OrmaDriverConn *driver_conn,
                   OrmaDriverStmt *stmt,
                   gboolean        cached)
{
  if (cached)
    stmt->in_use = FALSE;
  else
    driver_conn->driver->finalize (driver_conn, stmt);
}

/* A statement whose execution failed is not kept: what made it fail (a
 * table dropped and made anew under a prepared plan) may last, and a
 * fresh prepare costs little next to an error. */
static void
discard_statement (OrmaConnection *self,
                   OrmaDriverStmt *stmt,
                   gboolean        cached)
{
  if (cached)
    g_hash_table_remove (self->statements, stmt->sql);
  self->driver->finalize (self->driver_conn, stmt);
}

static gboolean
check_n_params (OrmaDriverStmt  *stmt,
                guint            n_params,
                GError         **error)
{
  if (stmt->n_params == n_params)
    return TRUE;

  _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                   "The statement \"%s\" takes %u parameters, %u given",
                   stmt->sql, stmt->n_params, n_params);
  return FALSE;
}

static void
statement_use_free (gpointer data)
{
  StatementUse *use = data;

  release_statement (use->driver_conn, use->stmt, use->cached);
  g_object_unref (use->connection);
  g_free (use);
}

/* The connection layer's part of freeing a cursor runs after the
 * backend's: the backend resets the statement, which must still exist,
 * and the reference on the connection may be the last one. */
void
_orma_cursor_free (OrmaCursor *cursor)
{
  void (*on_free) (gpointer data);
  gpointer on_free_data;

  if (cursor == NULL)
    return;

  on_free = cursor->on_free;
  on_free_data = cursor->on_free_data;
  cursor->driver->cursor_free (cursor);
  if (on_free != NULL)
    on_free (on_free_data);
}

/* --------------------------------------------------------------- execute */

OrmaCursor *
_orma_connection_query (OrmaConnection      *self,
                        const char          *sql,
                        const GValue *const *params,
                        guint                n_params,
                        gboolean             stream,
                        gint64              *affected,
                        GError             **error)
{
  OrmaDriverStmt *stmt;
  OrmaCursor *cursor;
  GError *local_error = NULL;
  StatementUse *use;
  gboolean cached;

  g_return_val_if_fail (ORMA_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (params != NULL || n_params == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_usable (self, error))
    return NULL;

  echo (self, sql, params, n_params, 1);
  if (!_orma_engine_check_fault (self->engine, error))
    return NULL;

  stmt = acquire_statement (self, sql, &cached, error);
  if (stmt == NULL)
    return NULL;
  if (!check_n_params (stmt, n_params, error))
    {
      release_statement (self->driver_conn, stmt, cached);
      return NULL;
    }

  cursor = self->driver->query (self->driver_conn, stmt, params, stream,
                                affected, &local_error);
  if (cursor == NULL)
    {
      discard_statement (self, stmt, cached);
      propagate_driver_error (self, error, local_error);
      return NULL;
    }

  stmt->in_use = TRUE;
  use = g_new (StatementUse, 1);
  use->connection = g_object_ref (self);
  use->driver_conn = self->driver_conn;
  use->stmt = stmt;
  use->cached = cached;
  cursor->on_free = statement_use_free;
  cursor->on_free_data = use;
  return cursor;
}

gboolean
_orma_connection_execute_many (OrmaConnection      *self,
                               const char          *sql,
                               const GValue *const *params,
                               guint                n_params,
                               guint                n_rows,
                               OrmaReturningFunc    returning,
                               gpointer             user_data,
                               gint64              *affected,
                               GError             **error)
{
  OrmaDriverStmt *stmt;
  GError *local_error = NULL;
  gboolean cached;
  gboolean ok;

  g_return_val_if_fail (ORMA_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  g_return_val_if_fail (params != NULL || n_params == 0 || n_rows == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_rows == 0)
    return TRUE;
  if (!check_usable (self, error))
    return FALSE;

  echo (self, sql, params, n_params, n_rows);
  if (!_orma_engine_check_fault (self->engine, error))
    return FALSE;

  stmt = acquire_statement (self, sql, &cached, error);
  if (stmt == NULL)
    return FALSE;
  if (!check_n_params (stmt, n_params, error))
    {
      release_statement (self->driver_conn, stmt, cached);
      return FALSE;
    }

  /* in use while RETURNING callbacks run: they may execute SQL */
  stmt->in_use = TRUE;
  ok = self->driver->execute_many (self->driver_conn, stmt, params, n_rows,
                                   returning, user_data, affected, &local_error);
  if (ok)
    release_statement (self->driver_conn, stmt, cached);
  else
    discard_statement (self, stmt, cached);

  if (!ok)
    propagate_driver_error (self, error, local_error);
  return ok;
}

gboolean
_orma_connection_exec (OrmaConnection  *self,
                       const char      *sql,
                       GError         **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (ORMA_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_usable (self, error))
    return FALSE;

  echo (self, sql, NULL, 0, 1);

  if (!self->driver->exec (self->driver_conn, sql, &local_error))
    {
      propagate_driver_error (self, error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------- transactions */

/**
 * orma_connection_begin:
 * @self: a connection
 * @error: return location for a #GError
 *
 * Begins a transaction. Transactions do not nest: use savepoints inside
 * one; a second begin fails with %ORMA_ERROR_INVALID_STATE.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_connection_begin (OrmaConnection  *self,
                       GError         **error)
{
  g_return_val_if_fail (ORMA_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->in_transaction)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                       "A transaction is already in progress");
      return FALSE;
    }
  if (!_orma_connection_exec (self, "BEGIN", error))
    return FALSE;
  self->in_transaction = TRUE;
  return TRUE;
}

static gboolean
check_in_transaction (OrmaConnection  *self,
                      const char      *what,
                      GError         **error)
{
  if (self->in_transaction)
    return TRUE;
  _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                   "Cannot %s: no transaction is in progress", what);
  return FALSE;
}

/**
 * orma_connection_commit:
 * @self: a connection
 * @error: return location for a #GError
 *
 * Commits the transaction begun by orma_connection_begin(). If the commit
 * fails the transaction is still open (unless the connection was lost)
 * and should be rolled back.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_connection_commit (OrmaConnection  *self,
                        GError         **error)
{
  g_return_val_if_fail (ORMA_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_in_transaction (self, "commit", error))
    return FALSE;
  if (!_orma_connection_exec (self, "COMMIT", error))
    return FALSE;
  self->in_transaction = FALSE;
  g_ptr_array_set_size (self->savepoints, 0);
  return TRUE;
}

/**
 * orma_connection_rollback:
 * @self: a connection
 * @error: return location for a #GError
 *
 * Rolls back the transaction begun by orma_connection_begin(). The
 * transaction is over afterwards even if the rollback reports an error.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_connection_rollback (OrmaConnection  *self,
                          GError         **error)
{
  g_return_val_if_fail (ORMA_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_in_transaction (self, "roll back", error))
    return FALSE;
  self->in_transaction = FALSE;
  g_ptr_array_set_size (self->savepoints, 0);
  return _orma_connection_exec (self, "ROLLBACK", error);
}

/**
 * orma_connection_in_transaction:
 * @self: a connection
 *
 * Whether a transaction begun by orma_connection_begin() is open.
 *
 * Returns: %TRUE inside a transaction
 */
gboolean
orma_connection_in_transaction (OrmaConnection *self)
{
  g_return_val_if_fail (ORMA_IS_CONNECTION (self), FALSE);

  return self->in_transaction;
}

/* Savepoint names are written into the SQL, so only plain identifiers
 * are accepted. */
static gboolean
check_savepoint_name (const char  *name,
                      GError     **error)
{
  gboolean ok = name != NULL && (g_ascii_isalpha (*name) || *name == '_');

  for (const char *p = name; ok && *p; p++)
    ok = g_ascii_isalnum (*p) || *p == '_';

  if (!ok)
    _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                     "\"%s\" is not a valid savepoint name", name ? name : "(null)");
  return ok;
}

/* Index of the innermost savepoint called @name, or -1. */
static gint
find_savepoint (OrmaConnection *self,
                const char     *name)
{
  for (guint i = self->savepoints->len; i > 0; i--)
    if (strcmp (g_ptr_array_index (self->savepoints, i - 1), name) == 0)
      return (gint) i - 1;
  return -1;
}

static gint
find_savepoint_or_fail (OrmaConnection  *self,
                        const char      *name,
                        GError         **error)
{
  gint index = find_savepoint (self, name);

  if (index < 0)
    _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                     "No savepoint \"%s\" is active", name);
  return index;
}

static gboolean
exec_savepoint_sql (OrmaConnection  *self,
                    const char      *verb,
                    const char      *name,
                    GError         **error)
{
  g_autoptr (GString) sql = g_string_new (verb);

  g_string_append_c (sql, ' ');
  _orma_dialect_append_identifier (self->driver->dialect, sql, name);
  return _orma_connection_exec (self, sql->str, error);
}

/**
 * orma_connection_savepoint:
 * @self: a connection
 * @name: a savepoint name: letters, digits and underscores
 * @error: return location for a #GError
 *
 * Marks a savepoint inside the current transaction, to which the work
 * done after it can be rolled back with
 * orma_connection_rollback_to_savepoint().
 *
 * Returns: %TRUE on success; %ORMA_ERROR_INVALID_STATE outside a
 *   transaction or for an invalid name
 */
gboolean
orma_connection_savepoint (OrmaConnection  *self,
                           const char      *name,
                           GError         **error)
{
  g_return_val_if_fail (ORMA_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_savepoint_name (name, error) ||
      !check_in_transaction (self, "set a savepoint", error))
    return FALSE;
  if (!exec_savepoint_sql (self, "SAVEPOINT", name, error))
    return FALSE;
  g_ptr_array_add (self->savepoints, g_strdup (name));
  return TRUE;
}

/**
 * orma_connection_release_savepoint:
 * @self: a connection
 * @name: the name given to orma_connection_savepoint()
 * @error: return location for a #GError
 *
 * Keeps the work done since the savepoint as part of the transaction and
 * forgets the savepoint and every savepoint set after it.
 *
 * Returns: %TRUE on success; %ORMA_ERROR_INVALID_STATE when no such
 *   savepoint is active
 */
gboolean
orma_connection_release_savepoint (OrmaConnection  *self,
                                   const char      *name,
                                   GError         **error)
{
  gint index;

  g_return_val_if_fail (ORMA_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_savepoint_name (name, error))
    return FALSE;
  index = find_savepoint_or_fail (self, name, error);
  if (index < 0)
    return FALSE;
  if (!exec_savepoint_sql (self, "RELEASE SAVEPOINT", name, error))
    return FALSE;
  g_ptr_array_set_size (self->savepoints, index);
  return TRUE;
}

/**
 * orma_connection_rollback_to_savepoint:
 * @self: a connection
 * @name: the name given to orma_connection_savepoint()
 * @error: return location for a #GError
 *
 * Undoes the work done since the savepoint; the work before it stays.
 * The savepoint itself remains active, savepoints set after it are gone.
 *
 * Returns: %TRUE on success; %ORMA_ERROR_INVALID_STATE when no such
 *   savepoint is active
 */
gboolean
orma_connection_rollback_to_savepoint (OrmaConnection  *self,
                                       const char      *name,
                                       GError         **error)
{
  gint index;

  g_return_val_if_fail (ORMA_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_savepoint_name (name, error))
    return FALSE;
  index = find_savepoint_or_fail (self, name, error);
  if (index < 0)
    return FALSE;
  if (!exec_savepoint_sql (self, "ROLLBACK TO SAVEPOINT", name, error))
    return FALSE;
  g_ptr_array_set_size (self->savepoints, index + 1);
  return TRUE;
}

/* ----------------------------------------------------------- textual SQL */

/* Rewrites the ? placeholders for the backend and checks their number
 * against the parameters given. */
static char *
translate (OrmaConnection  *self,
           const char      *sql,
           guint            n_params,
           GError         **error)
{
  guint n_placeholders = 0;
  g_autofree char *translated =
    _orma_dialect_translate_params (self->driver->dialect, sql, &n_placeholders);

  if (n_placeholders != n_params)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "\"%s\" has %u placeholders but %u parameters were given",
                       sql, n_placeholders, n_params);
      return NULL;
    }
  return g_steal_pointer (&translated);
}

static OrmaCursor *
query_textual (OrmaConnection  *self,
               const char      *sql,
               const GValue    *params,
               guint            n_params,
               gint64          *affected,
               GError         **error)
{
  g_autofree char *translated = translate (self, sql, n_params, error);
  g_autofree const GValue **pointers = NULL;

  if (translated == NULL)
    return NULL;

  pointers = g_new (const GValue *, MAX (n_params, 1));
  for (guint i = 0; i < n_params; i++)
    pointers[i] = &params[i];

  /* Never streamed: a row-by-row PostgreSQL result would keep the
   * connection busy and forbid queries while the rows are read. */
  return _orma_connection_query (self, translated, pointers, n_params,
                                 FALSE, affected, error);
}

/**
 * orma_connection_execute:
 * @self: a connection
 * @sql: one SQL statement, with `?` where parameters go
 * @params: (array length=n_params) (nullable): the parameters; an unset
 *   #GValue, or a %NULL string or boxed value, is SQL NULL
 * @n_params: the number of parameters, which must match the `?`s
 * @affected_rows: (out) (optional): the number of rows the statement
 *   changed
 * @error: return location for a #GError
 *
 * Executes a statement of textual SQL. Parameters are always bound,
 * never formatted into the SQL, so any string is safe to pass.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_connection_execute (OrmaConnection  *self,
                         const char      *sql,
                         const GValue    *params,
                         guint            n_params,
                         gint64          *affected_rows,
                         GError         **error)
{
  g_autoptr (OrmaCursor) cursor = NULL;

  g_return_val_if_fail (ORMA_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  g_return_val_if_fail (params != NULL || n_params == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cursor = query_textual (self, sql, params, n_params, affected_rows, error);
  return cursor != NULL;
}

/**
 * orma_connection_query:
 * @self: a connection
 * @sql: one SQL statement returning rows, with `?` where parameters go
 * @params: (array length=n_params) (nullable): the parameters; an unset
 *   #GValue, or a %NULL string or boxed value, is SQL NULL
 * @n_params: the number of parameters, which must match the `?`s
 * @error: return location for a #GError
 *
 * Executes a query of textual SQL and returns a cursor over its rows. The
 * cursor keeps the connection alive until it is freed.
 *
 * Returns: (transfer full) (nullable): the rows, or %NULL on error
 */
OrmaRows *
orma_connection_query (OrmaConnection  *self,
                       const char      *sql,
                       const GValue    *params,
                       guint            n_params,
                       GError         **error)
{
  OrmaCursor *cursor;

  g_return_val_if_fail (ORMA_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (params != NULL || n_params == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cursor = query_textual (self, sql, params, n_params, NULL, error);
  if (cursor == NULL)
    return NULL;
  return _orma_rows_new (self, cursor);
}
