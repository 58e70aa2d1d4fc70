/* orma-engine.c: a database reached through a URL, and its pool.
 *
 * The engine is the long-lived object of an application: it knows the
 * backend (from the URL's scheme), keeps idle connections for reuse, and
 * echoes statements when asked to. Connections are opened lazily except
 * the first, which is opened by orma_engine_new() so that a wrong URL or
 * an unreachable server is reported where the engine is made.
 *
 * A SQLite in-memory database exists only inside the connection that
 * created it, so such an engine hands out that single connection to
 * every checkout and keeps it open for its whole life.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "orma-connection-private.h"
#include "orma-engine.h"
#include "orma-error-private.h"
#include "orma-value-private.h"

/* Idle connections kept beyond this are closed on release. */
#define MAX_IDLE_CONNECTIONS 8

/* Where echo goes: shared by reference so that a statement being echoed
 * in one thread keeps its function's data alive while another thread
 * replaces the function. */
typedef struct {
  OrmaEchoFunc   func;
  gpointer       data;
  GDestroyNotify destroy;
} EchoSink;

static void
echo_sink_clear (gpointer data)
{
  EchoSink *sink = data;

  if (sink->destroy != NULL)
    sink->destroy (sink->data);
}

static void
echo_sink_release (EchoSink *sink)
{
  if (sink != NULL)
    g_atomic_rc_box_release_full (sink, echo_sink_clear);
}

struct _OrmaEngine
{
  GObject           parent_instance;

  OrmaUrl          *url;
  const OrmaDriver *driver;

  GMutex            lock;
  GQueue            idle;          /* OrmaDriverConn *, guarded by lock */
  OrmaDriverConn   *shared;        /* the SQLite :memory: connection */
  guint             n_shared_out;  /* its checkouts, guarded by lock */

  gint              echo;          /* gboolean, atomic */
  EchoSink         *echo_sink;     /* guarded by lock; NULL: stderr */

  /* Fault injection for the tests: the fault_countdown-th data statement
   * from now fails with fault_code instead of running. */
  guint             fault_countdown;
  int               fault_code;
};

G_DEFINE_FINAL_TYPE (OrmaEngine, orma_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URL,
  PROP_ECHO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
close_idle (GQueue *idle)
{
  OrmaDriverConn *conn;

  while ((conn = g_queue_pop_head (idle)) != NULL)
    conn->driver->disconnect (conn);
}

static void
orma_engine_finalize (GObject *object)
{
  OrmaEngine *self = ORMA_ENGINE (object);

  close_idle (&self->idle);
  if (self->shared != NULL)
    {
      /* Connections hold the engine: none can be out any more. */
      g_warn_if_fail (self->n_shared_out == 0);
      self->driver->disconnect (g_steal_pointer (&self->shared));
    }
  echo_sink_release (g_steal_pointer (&self->echo_sink));
  g_clear_pointer (&self->url, _orma_url_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (orma_engine_parent_class)->finalize (object);
}

static void
orma_engine_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  OrmaEngine *self = ORMA_ENGINE (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, orma_engine_get_url (self));
      break;
    case PROP_ECHO:
      g_value_set_boolean (value, orma_engine_get_echo (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
orma_engine_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  OrmaEngine *self = ORMA_ENGINE (object);

  switch (prop_id)
    {
    case PROP_ECHO:
      orma_engine_set_echo (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
orma_engine_class_init (OrmaEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = orma_engine_finalize;
  object_class->get_property = orma_engine_get_property;
  object_class->set_property = orma_engine_set_property;

  /**
   * OrmaEngine:url:
   *
   * The URL the engine was made from.
   */
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * OrmaEngine:echo:
   *
   * Whether every statement is echoed with its parameters.
   */
  properties[PROP_ECHO] =
    g_param_spec_boolean ("echo", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
orma_engine_init (OrmaEngine *self)
{
  g_mutex_init (&self->lock);
  g_queue_init (&self->idle);
}

/* ORMA_ECHO=1 (or any value but 0, false, no, off) turns echo on. */
static gboolean
echo_from_environment (void)
{
  const char *value = g_getenv ("ORMA_ECHO");

  if (value == NULL || *value == '\0')
    return FALSE;
  return g_ascii_strcasecmp (value, "0") != 0 &&
         g_ascii_strcasecmp (value, "false") != 0 &&
         g_ascii_strcasecmp (value, "no") != 0 &&
         g_ascii_strcasecmp (value, "off") != 0;
}

static const OrmaDriver *
driver_for (OrmaBackend backend)
{
  switch (backend)
    {
    case ORMA_BACKEND_SQLITE:
      return &_orma_driver_sqlite;
    case ORMA_BACKEND_POSTGRESQL:
      return &_orma_driver_postgresql;
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Drivers are expected to report ORMA_ERROR_CONNECTION; anything else
 * from a connect attempt is made one, keeping the message. */
static void
propagate_connect_error (GError **error,
                         GError  *local_error)
{
  if (!g_error_matches (local_error, ORMA_ERROR, ORMA_ERROR_CONNECTION))
    {
      local_error->domain = ORMA_ERROR;
      local_error->code = ORMA_ERROR_CONNECTION;
    }
  g_propagate_error (error, local_error);
}

static OrmaDriverConn *
open_driver_conn (OrmaEngine  *self,
                  GError     **error)
{
  GError *local_error = NULL;
  OrmaDriverConn *conn = self->driver->connect (self->url, &local_error);

  if (conn == NULL)
    {
      propagate_connect_error (error, local_error);
      return NULL;
    }
  return conn;
}

/**
 * orma_engine_new:
 * @url: the database URL: `sqlite:///relative.db`, `sqlite:////abs.db`,
 *   `sqlite:///:memory:`, `postgresql://user:password@host:port/db`
 * @error: return location for a #GError
 *
 * Makes an engine for the database named by @url and opens a first
 * connection to it, so that a malformed URL (%ORMA_ERROR_INVALID_URL) or
 * a database that cannot be reached (%ORMA_ERROR_CONNECTION) fails here.
 *
 * Echo is on from the start when the environment variable `ORMA_ECHO` is
 * set to `1`.
 *
 * Returns: (transfer full) (nullable): a new engine, or %NULL on error
 */
OrmaEngine *
orma_engine_new (const char  *url,
                 GError     **error)
{
  g_autoptr (OrmaEngine) self = NULL;
  g_autoptr (OrmaUrl) parsed = NULL;
  OrmaDriverConn *first;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parsed = _orma_url_parse (url, error);
  if (parsed == NULL)
    return NULL;

  self = g_object_new (ORMA_TYPE_ENGINE, NULL);
  self->url = g_steal_pointer (&parsed);
  self->driver = driver_for (self->url->backend);
  self->echo = echo_from_environment ();

  first = open_driver_conn (self, error);
  if (first == NULL)
    return NULL;

  if (self->url->backend == ORMA_BACKEND_SQLITE && self->url->memory)
    self->shared = first;
  else
    g_queue_push_head (&self->idle, first);

  return g_steal_pointer (&self);
}

/**
 * orma_engine_get_url:
 * @self: an engine
 *
 * The URL the engine was made from, as given.
 *
 * Returns: (transfer none): the URL
 */
const char *
orma_engine_get_url (OrmaEngine *self)
{
  g_return_val_if_fail (ORMA_IS_ENGINE (self), NULL);

  return self->url ? self->url->url : NULL;
}

/**
 * orma_engine_get_backend_name:
 * @self: an engine
 *
 * The name of the engine's backend: `"sqlite"` or `"postgresql"`.
 *
 * Returns: (transfer none): the backend name
 */
const char *
orma_engine_get_backend_name (OrmaEngine *self)
{
  g_return_val_if_fail (ORMA_IS_ENGINE (self), NULL);

  return self->driver ? self->driver->name : NULL;
}

/**
 * orma_engine_set_echo:
 * @self: an engine
 * @echo: whether to echo statements
 *
 * Turns the echo log on or off. While it is on, every statement the
 * engine's connections execute is printed to stderr before it runs, with
 * the parameters of its first row, or passed to the function given to
 * orma_engine_set_echo_func().
 */
void
orma_engine_set_echo (OrmaEngine *self,
                      gboolean    echo)
{
  g_return_if_fail (ORMA_IS_ENGINE (self));

  echo = !!echo;
  if (g_atomic_int_exchange (&self->echo, echo) != echo)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ECHO]);
}

/**
 * orma_engine_get_echo:
 * @self: an engine
 *
 * Whether statements are echoed.
 *
 * Returns: %TRUE when echo is on
 */
gboolean
orma_engine_get_echo (OrmaEngine *self)
{
  g_return_val_if_fail (ORMA_IS_ENGINE (self), FALSE);

  return g_atomic_int_get (&self->echo);
}

/**
 * orma_engine_set_echo_func:
 * @self: an engine
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   the function receiving each statement, or %NULL to print to stderr
 *   again
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the function is replaced or
 *   the engine finalized
 *
 * Sends the echo log to @func instead of stderr. Setting a function turns
 * echo on; orma_engine_set_echo() still turns it off and on.
 */
void
orma_engine_set_echo_func (OrmaEngine     *self,
                           OrmaEchoFunc    func,
                           gpointer        user_data,
                           GDestroyNotify  destroy)
{
  EchoSink *sink = NULL, *old;

  g_return_if_fail (ORMA_IS_ENGINE (self));

  if (func != NULL)
    {
      sink = g_atomic_rc_box_new0 (EchoSink);
      sink->func = func;
      sink->data = user_data;
      sink->destroy = destroy;
    }
  g_mutex_lock (&self->lock);
  old = self->echo_sink;
  self->echo_sink = sink;
  g_mutex_unlock (&self->lock);

  /* outside the lock: the old data may hold the last engine reference
   * of something that calls back; a statement being echoed elsewhere
   * holds its own reference */
  echo_sink_release (old);

  if (func != NULL)
    orma_engine_set_echo (self, TRUE);
}

/**
 * orma_engine_connect:
 * @self: an engine
 * @error: return location for a #GError
 *
 * Checks a connection out of the engine's pool, opening a new one when no
 * idle one is left. The connection goes back to the pool when its last
 * reference is dropped.
 *
 * Returns: (transfer full) (nullable): a connection, or %NULL with
 *   %ORMA_ERROR_CONNECTION when the database cannot be reached
 */
OrmaConnection *
orma_engine_connect (OrmaEngine  *self,
                     GError     **error)
{
  OrmaDriverConn *conn;

  g_return_val_if_fail (ORMA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->lock);
  if (self->shared != NULL)
    {
      self->n_shared_out++;
      conn = self->shared;
    }
  else
    conn = g_queue_pop_head (&self->idle);
  g_mutex_unlock (&self->lock);

  if (conn == NULL)
    conn = open_driver_conn (self, error);
  if (conn == NULL)
    return NULL;

  return _orma_connection_new (self, conn);
}

/**
 * orma_engine_dispose_pool:
 * @self: an engine
 *
 * Closes every idle connection of the pool, for instance after a fork or
 * when the server was restarted. Connections checked out stay open and
 * return to the pool as usual. The single connection of a SQLite
 * in-memory database is kept: closing it would lose the database.
 */
void
orma_engine_dispose_pool (OrmaEngine *self)
{
  GQueue idle = G_QUEUE_INIT;

  g_return_if_fail (ORMA_IS_ENGINE (self));

  g_mutex_lock (&self->lock);
  idle = self->idle;
  g_queue_init (&self->idle);
  g_mutex_unlock (&self->lock);

  close_idle (&idle);
}

/* ------------------------------------------------------------- internals */

void
_orma_engine_release (OrmaEngine     *engine,
                      OrmaDriverConn *driver_conn)
{
  gboolean keep = FALSE;

  g_return_if_fail (ORMA_IS_ENGINE (engine));
  g_return_if_fail (driver_conn != NULL);

  g_mutex_lock (&engine->lock);
  if (driver_conn == engine->shared)
    {
      g_warn_if_fail (engine->n_shared_out > 0);
      engine->n_shared_out--;
      g_mutex_unlock (&engine->lock);
      return;
    }
  if (!driver_conn->broken && engine->idle.length < MAX_IDLE_CONNECTIONS)
    {
      /* most recently used first: its caches are warm */
      g_queue_push_head (&engine->idle, driver_conn);
      keep = TRUE;
    }
  g_mutex_unlock (&engine->lock);

  if (!keep)
    driver_conn->driver->disconnect (driver_conn);
}

gboolean
_orma_engine_echo_enabled (OrmaEngine *engine)
{
  return g_atomic_int_get (&engine->echo);
}

/* "('ed', 'Ed Jones')": the parameters of one row. */
static char *
format_params (const GValue *const *params,
               guint                n_params)
{
  GString *out = g_string_new ("(");

  for (guint i = 0; i < n_params; i++)
    {
      g_autofree char *shown = _orma_value_to_echo (params ? params[i] : NULL);

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, shown);
    }
  g_string_append_c (out, ')');
  return g_string_free (out, FALSE);
}

static void
print_echo (const char          *sql,
            const GValue *const *params,
            guint                n_params,
            guint                n_rows)
{
  g_autofree char *shown = format_params (params, n_params);

  /* one fprintf per line: lines of concurrent threads do not mix */
  fprintf (stderr, "orma: %s\n", sql);
  if (n_rows > 1)
    fprintf (stderr, "orma: [%u rows] %s ...\n", n_rows, shown);
  else if (n_params > 0)
    fprintf (stderr, "orma: %s\n", shown);
}

void
_orma_engine_echo (OrmaEngine          *engine,
                   const char          *sql,
                   const GValue *const *params,
                   guint                n_params,
                   guint                n_rows)
{
  EchoSink *sink;

  g_return_if_fail (ORMA_IS_ENGINE (engine));

  if (!_orma_engine_echo_enabled (engine))
    return;

  g_mutex_lock (&engine->lock);
  sink = engine->echo_sink ? g_atomic_rc_box_acquire (engine->echo_sink) : NULL;
  g_mutex_unlock (&engine->lock);

  if (sink != NULL)
    sink->func (sql, params, n_params, n_rows, sink->data);
  else
    print_echo (sql, params, n_params, n_rows);
  echo_sink_release (sink);
}

/* Fault injection, as SQLite's own tests do it: make the @nth data
 * statement (a query or a batch) executed through this engine's
 * connections fail with @code, to check that nothing is lost whichever
 * statement of a unit of work fails. 0 turns it off. */
void
_orma_engine_inject_fault (OrmaEngine *self,
                           guint       nth,
                           int         code)
{
  g_return_if_fail (ORMA_IS_ENGINE (self));

  g_mutex_lock (&self->lock);
  self->fault_countdown = nth;
  self->fault_code = code;
  g_mutex_unlock (&self->lock);
}

gboolean
_orma_engine_check_fault (OrmaEngine  *self,
                          GError     **error)
{
  gboolean fail = FALSE;
  int code;

  g_mutex_lock (&self->lock);
  if (self->fault_countdown > 0 && --self->fault_countdown == 0)
    fail = TRUE;
  code = self->fault_code;
  g_mutex_unlock (&self->lock);
  if (fail)
    g_set_error (error, ORMA_ERROR, code, "injected fault");
  return !fail;
}

gboolean
_orma_engine_is_shared (OrmaEngine     *self,
                        OrmaDriverConn *driver_conn)
{
  return driver_conn != NULL && driver_conn == self->shared;
}
