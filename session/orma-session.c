/* orma-session.c: the session: the objects a unit of work is about, the
 * identity map they live in, and the transaction they are written in.
 *
 * A session begins a transaction on first use (a query, a get, a flush)
 * and keeps one connection for it until commit or rollback. Flushes write
 * pending changes inside it; begin_nested adds savepoints on top. Each
 * transaction level remembers what its flushes inserted and deleted so a
 * rollback can put the objects back as they were.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-session-private.h"
#include "orma-error-private.h"
#include "orma-flush-private.h"
#include "orma-loading-private.h"
#include "orma-engine.h"
#include "orma-value-private.h"

/**
 * OrmaSession:
 *
 * A workspace for mapped objects: it tracks new, changed and deleted
 * objects, keeps one object per database row (the identity map), and
 * writes the changes in one unit of work when flushed or committed.
 *
 * A session is not thread-safe; use one per thread.
 */

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_AUTOFLUSH,
  PROP_EXPIRE_ON_COMMIT,
  N_PROPS
};

enum {
  SIGNAL_BEFORE_FLUSH,
  SIGNAL_AFTER_FLUSH,
  SIGNAL_AFTER_COMMIT,
  SIGNAL_AFTER_ROLLBACK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (OrmaSession, orma_session, G_TYPE_OBJECT)


static void
level_free (OrmaTransactionLevel *level)
{
  g_free (level->savepoint);
  g_ptr_array_unref (level->deleted);
  g_ptr_array_unref (level->rekeyed);
  g_free (level);
}

OrmaTransactionLevel *
_orma_transaction_level_new (OrmaSession *self,
                             const char  *savepoint)
{
  OrmaTransactionLevel *level = g_new0 (OrmaTransactionLevel, 1);

  level->savepoint = g_strdup (savepoint);
  level->serial = ++self->level_serial;
  level->rekeyed = g_ptr_array_new_with_free_func ((GDestroyNotify) _orma_rekey_free);
  level->deleted = g_ptr_array_new_with_free_func (g_object_unref);
  return level;
}

void
_orma_rekey_free (OrmaRekey *rekey)
{
  OrmaMapper *mapper = _orma_entity_get_mapper (rekey->entity);

  for (guint i = 0; i < mapper->n_pk; i++)
    if (G_IS_VALUE (&rekey->old_key[i]))
      g_value_unset (&rekey->old_key[i]);
  g_free (rekey->old_key);
  g_object_unref (rekey->entity);
  g_free (rekey);
}

static void
orma_session_dispose (GObject *object)
{
  OrmaSession *self = ORMA_SESSION (object);

  _orma_session_reset (self);
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (orma_session_parent_class)->dispose (object);
}

static void
orma_session_finalize (GObject *object)
{
  OrmaSession *self = ORMA_SESSION (object);

  _orma_identity_map_free (self->identity_map);
  g_ptr_array_unref (self->new_objects);
  g_ptr_array_unref (self->dirty);
  g_ptr_array_unref (self->deleted);
  g_ptr_array_unref (self->changed);
  g_array_unref (self->orphans);
  g_ptr_array_unref (self->levels);
  g_ptr_array_unref (self->detached_inserts);
  g_clear_error (&self->deferred_error);
  G_OBJECT_CLASS (orma_session_parent_class)->finalize (object);
}

static void
orma_session_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  OrmaSession *self = ORMA_SESSION (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;
    case PROP_AUTOFLUSH:
      g_value_set_boolean (value, self->autoflush);
      break;
    case PROP_EXPIRE_ON_COMMIT:
      g_value_set_boolean (value, self->expire_on_commit);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
orma_session_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  OrmaSession *self = ORMA_SESSION (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;
    case PROP_AUTOFLUSH:
      self->autoflush = g_value_get_boolean (value);
      break;
    case PROP_EXPIRE_ON_COMMIT:
      self->expire_on_commit = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
orma_session_class_init (OrmaSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = orma_session_dispose;
  object_class->finalize = orma_session_finalize;
  object_class->get_property = orma_session_get_property;
  object_class->set_property = orma_session_set_property;

  /**
   * OrmaSession:engine:
   *
   * The engine the session takes its connections from.
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, ORMA_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * OrmaSession:autoflush:
   *
   * Whether queries flush pending changes first, so that they see them.
   */
  properties[PROP_AUTOFLUSH] =
    g_param_spec_boolean ("autoflush", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * OrmaSession:expire-on-commit:
   *
   * Whether a commit expires every object, so that the next access
   * loads what the database holds then.
   */
  properties[PROP_EXPIRE_ON_COMMIT] =
    g_param_spec_boolean ("expire-on-commit", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * OrmaSession::before-flush:
   *
   * Emitted before a flush computes what to write; handlers may still
   * add, change or delete objects.
   */
  signals[SIGNAL_BEFORE_FLUSH] =
    g_signal_new ("before-flush", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * OrmaSession::after-flush:
   *
   * Emitted after a flush wrote its changes successfully.
   */
  signals[SIGNAL_AFTER_FLUSH] =
    g_signal_new ("after-flush", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * OrmaSession::after-commit:
   *
   * Emitted after the session's transaction committed.
   */
  signals[SIGNAL_AFTER_COMMIT] =
    g_signal_new ("after-commit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * OrmaSession::after-rollback:
   *
   * Emitted after the session's transaction, or a savepoint, rolled back.
   */
  signals[SIGNAL_AFTER_ROLLBACK] =
    g_signal_new ("after-rollback", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
orma_session_init (OrmaSession *self)
{
  self->identity_map = _orma_identity_map_new ();
  self->new_objects = g_ptr_array_new_with_free_func (g_object_unref);
  self->dirty = g_ptr_array_new_with_free_func (g_object_unref);
  self->deleted = g_ptr_array_new_with_free_func (g_object_unref);
  self->changed = g_ptr_array_new_with_free_func (g_object_unref);
  self->orphans = g_array_new (FALSE, TRUE, sizeof (OrmaOrphanCandidate));
  g_array_set_clear_func (self->orphans, (GDestroyNotify) _orma_orphan_candidate_clear);
  self->levels = g_ptr_array_new_with_free_func ((GDestroyNotify) level_free);
  self->detached_inserts = g_ptr_array_new_with_free_func (g_object_unref);
  self->autoflush = TRUE;
  self->expire_on_commit = TRUE;
}

/**
 * orma_session_new:
 * @engine: the engine to take connections from
 *
 * Creates a session. No connection is taken until the session first
 * needs the database.
 *
 * Returns: (transfer full): a new session
 */
OrmaSession *
orma_session_new (OrmaEngine *engine)
{
  g_return_val_if_fail (ORMA_IS_ENGINE (engine), NULL);

  return g_object_new (ORMA_TYPE_SESSION, "engine", engine, NULL);
}

/**
 * orma_session_get_engine:
 * @self: a session
 *
 * Returns: (transfer none): the session's engine
 */
OrmaEngine *
orma_session_get_engine (OrmaSession *self)
{
  g_return_val_if_fail (ORMA_IS_SESSION (self), NULL);
  return self->engine;
}

/**
 * orma_session_set_autoflush:
 * @self: a session
 * @autoflush: whether queries flush first
 *
 * Sets #OrmaSession:autoflush.
 */
void
orma_session_set_autoflush (OrmaSession *self,
                            gboolean     autoflush)
{
  g_return_if_fail (ORMA_IS_SESSION (self));
  self->autoflush = !!autoflush;
}

/**
 * orma_session_get_autoflush:
 * @self: a session
 *
 * Returns: the value of #OrmaSession:autoflush
 */
gboolean
orma_session_get_autoflush (OrmaSession *self)
{
  g_return_val_if_fail (ORMA_IS_SESSION (self), FALSE);
  return self->autoflush;
}

/**
 * orma_session_set_expire_on_commit:
 * @self: a session
 * @expire_on_commit: whether commits expire every object
 *
 * Sets #OrmaSession:expire-on-commit.
 */
void
orma_session_set_expire_on_commit (OrmaSession *self,
                                   gboolean     expire_on_commit)
{
  g_return_if_fail (ORMA_IS_SESSION (self));
  self->expire_on_commit = !!expire_on_commit;
}

/**
 * orma_session_get_expire_on_commit:
 * @self: a session
 *
 * Returns: the value of #OrmaSession:expire-on-commit
 */
gboolean
orma_session_get_expire_on_commit (OrmaSession *self)
{
  g_return_val_if_fail (ORMA_IS_SESSION (self), FALSE);
  return self->expire_on_commit;
}

/* ------------------------------------------------------------------ */
/* Internals shared with flush, loading and query                      */

gboolean
_orma_session_check_open (OrmaSession  *self,
                          GError      **error)
{
  if (self->closed)
    {
      _orma_set_error (error, ORMA_ERROR_SESSION_CLOSED, "the session is closed");
      return FALSE;
    }
  return TRUE;
}

OrmaConnection *
_orma_session_connection (OrmaSession  *self,
                          GError      **error)
{
  g_autoptr (OrmaConnection) connection = NULL;

  if (!_orma_session_check_open (self, error))
    return NULL;
  if (self->connection != NULL)
    return self->connection;

  connection = orma_engine_connect (self->engine, error);
  if (connection == NULL || !orma_connection_begin (connection, error))
    return NULL;
  self->connection = g_steal_pointer (&connection);
  g_ptr_array_add (self->levels, _orma_transaction_level_new (self, NULL));
  return self->connection;
}

OrmaTransactionLevel *
_orma_session_current_level (OrmaSession *self)
{
  g_assert (self->levels->len > 0);
  return g_ptr_array_index (self->levels, self->levels->len - 1);
}

gboolean
_orma_session_autoflush (OrmaSession  *self,
                         GError      **error)
{
  if (!self->autoflush || self->no_autoflush > 0 || self->flushing)
    return TRUE;
  return orma_session_flush (self, error);
}

OrmaMapper *
_orma_session_mapper (GType    type,
                      GError **error)
{
  OrmaMapper *mapper = _orma_mapper_for_type (type);

  if (mapper == NULL)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_MAPPING,
                       "%s is not a mapped class", g_type_name (type));
      return NULL;
    }
  if (!mapper->configured && !_orma_mapper_configure (mapper, error))
    return NULL;
  return mapper;
}

gboolean
_orma_session_is_expired (OrmaSession       *self,
                          OrmaInstanceState *state)
{
  return state->expired || state->generation != self->generation;
}

void
_orma_session_mark_loaded (OrmaSession       *self,
                           OrmaInstanceState *state)
{
  state->generation = self->generation;
  state->expired = FALSE;
  _orma_identity_map_update_loaded (self->identity_map, state);
}

void
_orma_session_attach (OrmaSession       *self,
                      OrmaInstanceState *state,
                      OrmaState          state_value)
{
  state->session = self;
  state->state = state_value;
  _orma_session_mark_loaded (self, state);
  if (!state->in_map && _orma_identity_compute (state))
    _orma_identity_map_insert (self->identity_map, state);
}

static void
set_deferred_error (OrmaSession *self,
                    GError      *error)
{
  if (self->deferred_error == NULL)
    self->deferred_error = error;
  else
    g_error_free (error);
}

/* What a detached object must carry out of the session: whether its
 * values were stale, and (through the session's list) whether its row
 * belongs to a transaction that may still roll back. */
static void
forget_state (OrmaSession       *self,
              OrmaInstanceState *state)
{
  if (state->state == ORMA_STATE_PERSISTENT)
    state->expired = _orma_session_is_expired (self, state);
  if (state->inserted_serial != 0 && self->levels->len > 0 &&
      state->inserted_serial >= ((OrmaTransactionLevel *) g_ptr_array_index (self->levels, 0))->serial)
    g_ptr_array_add (self->detached_inserts, g_object_ref (state->entity));
}

/* Forgets @state in this session: out of the map and the sets. The
 * object becomes transient if it never had a row, detached otherwise. */
void
_orma_session_detach_state (OrmaSession       *self,
              OrmaInstanceState *state)
{
  g_autoptr (OrmaEntity) keep = g_object_ref (state->entity);

  forget_state (self, state);
  _orma_identity_map_remove (self->identity_map, state);
  state->session = NULL;
  state->state = state->state == ORMA_STATE_PENDING ? ORMA_STATE_TRANSIENT
                                                    : ORMA_STATE_DETACHED;
  /* The order of the sets is the order of the statements: kept. */
  if (state->in_new)
    g_ptr_array_remove (self->new_objects, state->entity);
  if (state->in_dirty)
    g_ptr_array_remove (self->dirty, state->entity);
  if (state->in_deleted)
    g_ptr_array_remove (self->deleted, state->entity);
  state->in_new = state->in_dirty = state->in_deleted = FALSE;
  _orma_session_forget_changed (self, state);
}

/* ------------------------------------------------------------------ */
/* add, delete, expunge                                                */

static void
add_detached (OrmaSession       *self,
              OrmaInstanceState *state)
{
  OrmaEntity *other;
  gboolean was_expired;

  if (_orma_identity_compute (state))
    {
      other = _orma_identity_map_lookup_state (self->identity_map, state);
      if (other != NULL && other != state->entity)
        {
          set_deferred_error (self,
            g_error_new (ORMA_ERROR, ORMA_ERROR_INVALID_STATE,
                         "cannot add %s: another object with the same "
                         "primary key is already in the session",
                         G_OBJECT_TYPE_NAME (state->entity)));
          return;
        }
    }
  /* Its insertion, if still uncommitted here, stays this session's to
   * roll back; any other belongs to another session's history. */
  if (!g_ptr_array_remove (self->detached_inserts, state->entity))
    state->inserted_serial = 0;
  was_expired = state->expired;
  _orma_session_attach (self, state, ORMA_STATE_PERSISTENT);
  if (was_expired)
    {
      state->expired = TRUE;
      _orma_identity_map_update_loaded (self->identity_map, state);
    }
  if (_orma_entity_modified_mask (state->entity) != 0)
    {
      state->in_dirty = TRUE;
      g_ptr_array_add (self->dirty, g_object_ref (state->entity));
    }
  else
    {
      /* changed and changed back while detached: nothing to write, and
       * the next change must count as a first change again */
      _orma_entity_accept_changes (state->entity);
    }
}

/**
 * orma_session_add:
 * @self: a session
 * @entity: a mapped object
 *
 * Puts @entity in the session: a transient object becomes pending and is
 * INSERTed by the next flush; a detached one becomes persistent again.
 * No SQL is emitted. Adding an object that belongs to another session,
 * or a second object with the identity of one already held, is reported
 * by the next flush as %ORMA_ERROR_INVALID_STATE.
 */
gboolean
_orma_session_add_one (OrmaSession *self,
                       OrmaEntity  *entity)
{
  OrmaInstanceState *state;
  OrmaMapper *mapper;
  GError *mapping_error = NULL;

  /* The mapping is validated before the first object of a class is
   * tracked: a flush must never see an unconfigured mapper. */
  mapper = _orma_entity_get_mapper (entity);
  if (mapper == NULL || (!mapper->configured && !_orma_mapper_configure (mapper, &mapping_error)))
    {
      set_deferred_error (self, mapping_error ? g_steal_pointer (&mapping_error)
                                              : g_error_new (ORMA_ERROR, ORMA_ERROR_INVALID_MAPPING,
                                                             "%s declares no table",
                                                             G_OBJECT_TYPE_NAME (entity)));
      return FALSE;
    }

  state = _orma_instance_state_ensure (entity);
  if (state->session != NULL && state->session != self)
    {
      set_deferred_error (self,
        g_error_new (ORMA_ERROR, ORMA_ERROR_INVALID_STATE,
                     "%s %p is already attached to another session",
                     G_OBJECT_TYPE_NAME (entity), entity));
      return FALSE;
    }

  switch (state->state)
    {
    case ORMA_STATE_TRANSIENT:
      state->session = self;
      state->state = ORMA_STATE_PENDING;
      state->in_new = TRUE;
      g_ptr_array_add (self->new_objects, g_object_ref (entity));
      break;
    case ORMA_STATE_DETACHED:
      add_detached (self, state);
      if (state->session != self)
        return FALSE;
      break;
    case ORMA_STATE_DELETED:
      set_deferred_error (self,
        g_error_new (ORMA_ERROR, ORMA_ERROR_INVALID_STATE,
                     "%s was deleted in this transaction and cannot be added back",
                     G_OBJECT_TYPE_NAME (entity)));
      return FALSE;
    case ORMA_STATE_PENDING:
    case ORMA_STATE_PERSISTENT:
    default:
      return FALSE;
    }
  /* Its relationship values (all new for a pending object, changed
   * while detached for the other) are for the next flush to read. */
  if (mapper->relationships != NULL && mapper->relationships->len > 0)
    _orma_session_note_changed (self, state);
  return TRUE;
}

void
orma_session_add (OrmaSession *self,
                  OrmaEntity  *entity)
{
  OrmaMapper *mapper;

  g_return_if_fail (ORMA_IS_SESSION (self));
  g_return_if_fail (ORMA_IS_ENTITY (entity));

  if (!_orma_session_add_one (self, entity))
    return;
  /* Related objects come along (save-update cascade): adding a user
   * with two new addresses adds all three. */
  mapper = _orma_entity_get_mapper (entity);
  if (mapper->relationships != NULL && mapper->relationships->len > 0)
    _orma_session_cascade_add (self, entity);
}

/**
 * orma_session_add_all:
 * @self: a session
 * @entities: (array length=n_entities): mapped objects
 * @n_entities: the number of objects
 *
 * Calls orma_session_add() for each object, in order.
 */
void
orma_session_add_all (OrmaSession  *self,
                      OrmaEntity  **entities,
                      guint         n_entities)
{
  g_return_if_fail (ORMA_IS_SESSION (self));
  g_return_if_fail (entities != NULL || n_entities == 0);

  for (guint i = 0; i < n_entities; i++)
    orma_session_add (self, entities[i]);
}

/**
 * orma_session_delete:
 * @self: a session
 * @entity: a persistent or detached object
 *
 * Marks @entity for deletion: the next flush DELETEs its row, and the
 * commit after that detaches it.
 *
 * Returns: %TRUE, or %FALSE with %ORMA_ERROR_INVALID_STATE if @entity has
 *   no row (transient or pending) or belongs to another session
 */
gboolean
orma_session_delete (OrmaSession  *self,
                     OrmaEntity   *entity,
                     GError      **error)
{
  OrmaInstanceState *state;
  OrmaMapper *mapper;

  g_return_val_if_fail (ORMA_IS_SESSION (self), FALSE);
  g_return_val_if_fail (ORMA_IS_ENTITY (entity), FALSE);

  mapper = _orma_entity_get_mapper (entity);
  if (!_orma_session_check_open (self, error) ||
      (mapper != NULL && !mapper->configured && !_orma_mapper_configure (mapper, error)))
    return FALSE;
  state = _orma_instance_state_get (entity);
  if (state == NULL || state->state == ORMA_STATE_TRANSIENT ||
      state->state == ORMA_STATE_PENDING)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                       "cannot delete %s: it has not been persisted",
                       G_OBJECT_TYPE_NAME (entity));
      return FALSE;
    }
  if (state->session != NULL && state->session != self)
    {
      _orma_set_error (error, ORMA_ERROR_DETACHED,
                       "cannot delete %s: it belongs to another session",
                       G_OBJECT_TYPE_NAME (entity));
      return FALSE;
    }
  if (state->state == ORMA_STATE_DETACHED)
    {
      orma_session_add (self, entity);
      if (self->deferred_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&self->deferred_error));
          return FALSE;
        }
    }
  if (state->state == ORMA_STATE_PERSISTENT && !state->in_deleted)
    {
      state->in_deleted = TRUE;
      g_ptr_array_add (self->deleted, g_object_ref (entity));
    }
  return TRUE;
}

/**
 * orma_session_expunge:
 * @self: a session
 * @entity: an object of this session
 *
 * Removes @entity from the session without any SQL: a pending object
 * becomes transient, a persistent one detached. Unflushed changes stay
 * on the object.
 */
void
orma_session_expunge (OrmaSession *self,
                      OrmaEntity  *entity)
{
  OrmaInstanceState *state;

  g_return_if_fail (ORMA_IS_SESSION (self));
  g_return_if_fail (ORMA_IS_ENTITY (entity));

  state = _orma_instance_state_get (entity);
  if (state == NULL || state->session != self)
    return;
  _orma_session_detach_state (self, state);
  if (state->mapper->relationships != NULL && state->mapper->relationships->len > 0)
    _orma_session_cascade_expunge (self, entity);
}

static void
detach_entity_cb (gpointer entity,
                  gpointer user_data)
{
  OrmaInstanceState *state = _orma_instance_state_get (entity);

  /* Called while iterating the map: leave the map alone (it is cleared
   * after), only cut the object loose. */
  forget_state (user_data, state);
  state->in_map = FALSE;
  state->session = NULL;
  if (state->state == ORMA_STATE_PERSISTENT)
    state->state = ORMA_STATE_DETACHED;
}

/**
 * orma_session_expunge_all:
 * @self: a session
 *
 * Removes every object from the session, as orma_session_expunge() does.
 */
void
orma_session_expunge_all (OrmaSession *self)
{
  g_autoptr (GPtrArray) held = NULL;

  g_return_if_fail (ORMA_IS_SESSION (self));

  /* Keep every object alive until the bookkeeping is consistent: dropping
   * the sets' references may dispose objects. */
  held = _orma_identity_map_dup_all (self->identity_map);
  for (guint i = 0; i < self->new_objects->len; i++)
    g_ptr_array_add (held, g_object_ref (g_ptr_array_index (self->new_objects, i)));

  _orma_identity_map_foreach (self->identity_map, detach_entity_cb, self);
  _orma_identity_map_free (self->identity_map);
  self->identity_map = _orma_identity_map_new ();

  for (guint i = 0; i < self->new_objects->len; i++)
    {
      OrmaInstanceState *state = _orma_instance_state_get (g_ptr_array_index (self->new_objects, i));
      state->session = NULL;
      state->state = ORMA_STATE_TRANSIENT;
      state->in_new = FALSE;
    }
  for (guint i = 0; i < self->dirty->len; i++)
    _orma_instance_state_get (g_ptr_array_index (self->dirty, i))->in_dirty = FALSE;
  for (guint i = 0; i < self->deleted->len; i++)
    _orma_instance_state_get (g_ptr_array_index (self->deleted, i))->in_deleted = FALSE;
  g_ptr_array_set_size (self->new_objects, 0);
  g_ptr_array_set_size (self->dirty, 0);
  g_ptr_array_set_size (self->deleted, 0);
  _orma_session_clear_changed (self);
}

/**
 * orma_session_contains:
 * @self: a session
 * @entity: a mapped object
 *
 * Returns: %TRUE if @entity is pending or persistent in @self
 */
gboolean
orma_session_contains (OrmaSession *self,
                       OrmaEntity  *entity)
{
  OrmaInstanceState *state;

  g_return_val_if_fail (ORMA_IS_SESSION (self), FALSE);
  g_return_val_if_fail (ORMA_IS_ENTITY (entity), FALSE);

  state = _orma_instance_state_get (entity);
  return state != NULL && state->session == self &&
         (state->state == ORMA_STATE_PENDING || state->state == ORMA_STATE_PERSISTENT);
}

/**
 * orma_session_is_dirty:
 * @self: a session
 *
 * Returns: %TRUE if a flush has something to write
 */
gboolean
orma_session_is_dirty (OrmaSession *self)
{
  g_return_val_if_fail (ORMA_IS_SESSION (self), FALSE);

  if (self->new_objects->len > 0 || self->deleted->len > 0 || self->changed->len > 0)
    return TRUE;
  for (guint i = 0; i < self->dirty->len; i++)
    if (_orma_entity_modified_mask (g_ptr_array_index (self->dirty, i)) != 0)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* get, refresh, expire                                                */

static OrmaEntity *
get_loaded (OrmaSession  *self,
            OrmaEntity   *entity,
            GError      **error)
{
  OrmaInstanceState *state = _orma_instance_state_of_tracked (entity);
  g_autoptr (OrmaEntity) keep = g_object_ref (entity);
  g_autoptr (GError) local_error = NULL;

  /* Unflushed changes are never overwritten by a reload. */
  if (state->in_dirty || !_orma_session_is_expired (self, state))
    return g_steal_pointer (&keep);

  /* An expired object is checked against the database, as its row may
   * have changed or gone since the commit that expired it. */
  if (_orma_loading_refresh (self, entity, &local_error))
    return g_steal_pointer (&keep);
  if (g_error_matches (local_error, ORMA_ERROR, ORMA_ERROR_NOT_FOUND))
    return NULL;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/**
 * orma_session_get:
 * @self: a session
 * @entity_type: a mapped class whose primary key is one integer column
 * @id: the primary key
 * @error: return location for a #GError
 *
 * Returns the object with primary key @id. An object already in the
 * identity map is returned without any SQL; otherwise it is loaded with a
 * SELECT (after an autoflush).
 *
 * Returns: (transfer full) (nullable) (type OrmaEntity): the object, or
 *   %NULL with @error unset when there is no such row
 */
gpointer
orma_session_get (OrmaSession  *self,
                  GType         entity_type,
                  gint64        id,
                  GError      **error)
{
  OrmaMapper *mapper;
  OrmaEntity *entity;
  GValue key = G_VALUE_INIT;
  guint64 loaded;
  gpointer result;

  g_return_val_if_fail (ORMA_IS_SESSION (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_orma_session_check_open (self, error))
    return NULL;
  if (entity_type == self->last_type)
    mapper = self->last_mapper;
  else if ((mapper = _orma_session_mapper (entity_type, error)) == NULL)
    return NULL;
  else
    {
      self->last_type = entity_type;
      self->last_mapper = mapper;
    }
  if (!_orma_identity_is_int (mapper))
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "%s has no single integer primary key; use orma_session_get_by_key()",
                       g_type_name (entity_type));
      return NULL;
    }

  entity = _orma_identity_map_lookup_int_loaded (self->identity_map, mapper, id, &loaded);
  if (entity != NULL)
    {
      /* The hot path: a fresh object, known from the map alone. */
      if (loaded == self->generation)
        return g_object_ref (entity);
      return get_loaded (self, entity, error);
    }

  if (!_orma_session_autoflush (self, error))
    return NULL;
  g_value_init (&key, G_TYPE_INT64);
  g_value_set_int64 (&key, id);
  result = _orma_loading_by_key (self, mapper, &key, error);
  g_value_unset (&key);
  return result;
}

/**
 * orma_session_get_by_key:
 * @self: a session
 * @entity_type: a mapped class
 * @key: (array length=n_key_values): the primary key values, in the order
 *   the key columns were declared
 * @n_key_values: the number of key columns
 * @error: return location for a #GError
 *
 * Like orma_session_get(), for any primary key (strings, composite keys).
 *
 * Returns: (transfer full) (nullable) (type OrmaEntity): the object, or
 *   %NULL with @error unset when there is no such row
 */
gpointer
orma_session_get_by_key (OrmaSession   *self,
                         GType          entity_type,
                         const GValue  *key,
                         guint          n_key_values,
                         GError       **error)
{
  OrmaMapper *mapper;
  OrmaEntity *entity;
  g_autofree GValue *converted = NULL;
  gpointer result = NULL;

  g_return_val_if_fail (ORMA_IS_SESSION (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!_orma_session_check_open (self, error) ||
      (mapper = _orma_session_mapper (entity_type, error)) == NULL)
    return NULL;
  if (n_key_values != mapper->n_pk)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "%s has %u primary key columns, %u values given",
                       g_type_name (entity_type), mapper->n_pk, n_key_values);
      return NULL;
    }

  /* Key values are compared in the columns' own types. */
  converted = g_new0 (GValue, n_key_values);
  for (guint i = 0; i < n_key_values; i++)
    {
      g_value_init (&converted[i], _orma_mapper_column (mapper, mapper->pk[i])->type);
      if (!_orma_value_convert (&key[i], &converted[i], error))
        goto out;
    }

  entity = _orma_identity_map_lookup (self->identity_map, mapper, converted);
  if (entity != NULL)
    result = get_loaded (self, entity, error);
  else if (_orma_session_autoflush (self, error))
    result = _orma_loading_by_key (self, mapper, converted, error);

out:
  for (guint i = 0; i < n_key_values; i++)
    if (G_IS_VALUE (&converted[i]))
      g_value_unset (&converted[i]);
  return result;
}

static gboolean
check_persistent_here (OrmaSession  *self,
                       OrmaEntity   *entity,
                       const char   *what,
                       GError      **error)
{
  OrmaInstanceState *state = _orma_instance_state_get (entity);

  if (state == NULL || state->session != self || state->state != ORMA_STATE_PERSISTENT)
    {
      _orma_set_error (error, ORMA_ERROR_DETACHED,
                       "cannot %s %s: it is not persistent in this session",
                       what, G_OBJECT_TYPE_NAME (entity));
      return FALSE;
    }
  return TRUE;
}

/**
 * orma_session_refresh:
 * @self: a session
 * @entity: a persistent object of @self
 * @error: return location for a #GError
 *
 * Reloads every attribute of @entity from its row, discarding unflushed
 * changes.
 *
 * Returns: %TRUE on success; %ORMA_ERROR_NOT_FOUND if the row is gone
 */
gboolean
orma_session_refresh (OrmaSession  *self,
                      OrmaEntity   *entity,
                      GError      **error)
{
  g_return_val_if_fail (ORMA_IS_SESSION (self), FALSE);
  g_return_val_if_fail (ORMA_IS_ENTITY (entity), FALSE);

  if (!_orma_session_check_open (self, error) ||
      !check_persistent_here (self, entity, "refresh", error))
    return FALSE;
  return _orma_loading_refresh (self, entity, error);
}

/* Drops the unflushed changes of a dirty object. */
static void
discard_changes (OrmaSession       *self,
                 OrmaInstanceState *state)
{
  g_autoptr (OrmaEntity) keep = g_object_ref (state->entity);

  _orma_entity_revert_changes (state->entity);
  if (state->in_dirty)
    {
      state->in_dirty = FALSE;
      g_ptr_array_remove_fast (self->dirty, state->entity);
    }
}

/**
 * orma_session_expire:
 * @self: a session
 * @entity: a persistent object of @self
 *
 * Marks the attributes of @entity as stale: unflushed changes are
 * discarded and the next access reloads them from the database.
 */
void
orma_session_expire (OrmaSession *self,
                     OrmaEntity  *entity)
{
  OrmaInstanceState *state;

  g_return_if_fail (ORMA_IS_SESSION (self));
  g_return_if_fail (ORMA_IS_ENTITY (entity));

  state = _orma_instance_state_get (entity);
  if (state == NULL || state->session != self || state->state != ORMA_STATE_PERSISTENT)
    return;
  discard_changes (self, state);
  state->expired = TRUE;
  _orma_identity_map_update_loaded (self->identity_map, state);
}

/* Expires every object at once: O(1) plus the dirty ones. */
void
_orma_session_expire_all_internal (OrmaSession *self)
{
  while (self->dirty->len > 0)
    discard_changes (self, _orma_instance_state_get (g_ptr_array_index (self->dirty, 0)));
  self->generation++;
}

/**
 * orma_session_expire_all:
 * @self: a session
 *
 * Expires every persistent object of the session, as
 * orma_session_expire() does. Costs nothing per clean object: each one
 * notices on its next access.
 */
void
orma_session_expire_all (OrmaSession *self)
{
  g_return_if_fail (ORMA_IS_SESSION (self));
  _orma_session_expire_all_internal (self);
}
