/* orma-transaction.c: flush, commit, rollback and savepoints of a session.
 *
 * What must hold after a rollback, of the whole transaction or of a
 * savepoint: every object looks as if the rolled-back work never
 * happened. Objects the rolled-back flushes INSERTed become transient
 * again (without their generated keys), objects they DELETEd are
 * persistent again, pending objects are expunged, unflushed changes are
 * discarded, and everything else is expired so that its next access
 * reads what the database holds.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-session-private.h"
#include "orma-error-private.h"
#include "orma-flush-private.h"
#include "orma-collection-private.h"

void
_orma_session_emit (OrmaSession *self,
                    const char  *signal)
{
  g_signal_emit_by_name (self, signal);
}

/**
 * orma_session_flush:
 * @self: a session
 * @error: return location for a #GError
 *
 * Writes every pending change (INSERTs of new objects, UPDATEs of changed
 * attributes, DELETEs) to the database within the session's transaction.
 * On failure nothing of this flush remains in the database, every object
 * is as it was before the call, and the error tells what went wrong
 * (%ORMA_ERROR_CONSTRAINT, %ORMA_ERROR_STALE_DATA,
 * %ORMA_ERROR_CONNECTION, ...). Fixing the cause and flushing again
 * works.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_session_flush (OrmaSession  *self,
                    GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (ORMA_IS_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_orma_session_check_open (self, error))
    return FALSE;
  if (self->flushing)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_STATE, "the session is already flushing");
      return FALSE;
    }
  if (self->deferred_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->deferred_error));
      return FALSE;
    }
  if (self->new_objects->len == 0 && self->dirty->len == 0 && self->deleted->len == 0 &&
      self->changed->len == 0 && self->orphans->len == 0)
    return TRUE;

  _orma_session_emit (self, "before-flush");
  self->flushing = TRUE;
  ok = _orma_flush_run (self, error);
  self->flushing = FALSE;
  if (ok)
    _orma_session_emit (self, "after-flush");
  return ok;
}

/* Whether @rel's value in @slot names one of @together: a loaded scalar
 * or a collection member. Attributes holding an unflushed change are
 * kept: the change is still wanted. */
static gboolean
names_one_of (OrmaRelationship *rel,
              OrmaRelSlot      *slot,
              GHashTable       *together)
{
  GPtrArray *items;

  if (!rel->resolved || rel->lazy == ORMA_LOAD_DYNAMIC || slot->value == NULL)
    return FALSE;
  if (!rel->is_collection)
    return slot->loaded && !slot->changed && !slot->committed_set &&
           g_hash_table_contains (together, slot->value);
  if (!ORMA_IS_COLLECTION (slot->value) ||
      _orma_collection_has_changes (ORMA_COLLECTION (slot->value)))
    return FALSE;
  items = _orma_collection_peek_items (ORMA_COLLECTION (slot->value));
  for (guint i = 0; items != NULL && i < items->len; i++)
    if (g_hash_table_contains (together, g_ptr_array_index (items, i)))
      return TRUE;
  return FALSE;
}

/* Objects deleted together let go of each other. Their rows are gone,
 * and the attributes that tie them may be stale besides (the flush read
 * a deleted parent's children before it wrote anything): two of them
 * naming each other, a collection of each holding the other, would keep
 * both alive for ever once nothing else does. Each of @owners lets go
 * of the attributes that name one of @together, as on expiry: an object
 * back in the session reads them again, a detached one cannot. What
 * names other objects stays. The caller keeps @owners and the objects
 * of @together alive for the whole call: letting go of one may drop the
 * last other reference to another. */
static void
release_deleted_together (GPtrArray  *owners,
                          GHashTable *together)
{
  for (guint i = 0; i < owners->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (owners, i);
      GPtrArray *rels = _orma_entity_get_mapper (entity)->relationships;

      for (guint r = 0; rels != NULL && r < rels->len; r++)
        {
          OrmaRelationship *rel = g_ptr_array_index (rels, r);
          /* fetched again each time: letting go may grow the slots */
          OrmaRelSlot *slot = _orma_entity_peek_rel_slot (entity, rel);
          g_autoptr (GObject) collection = NULL;

          if (slot == NULL)
            break;
          if (!names_one_of (rel, slot, together))
            continue;
          if (rel->is_collection)
            collection = g_object_ref (slot->value);
          /* Not loaded first, as _orma_entity_release_relationships()
           * does: a view reading it in items-changed loads it again. */
          _orma_entity_relationship_unload (entity, rel);
          if (collection != NULL)
            _orma_collection_release (ORMA_COLLECTION (collection));
        }
    }
}

void
_orma_session_end_transaction (OrmaSession *self)
{
  g_autoptr (GPtrArray) detached = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) together = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < self->levels->len; i++)
    {
      OrmaTransactionLevel *level = g_ptr_array_index (self->levels, i);

      for (guint j = 0; j < level->deleted->len; j++)
        {
          OrmaEntity *entity = g_ptr_array_index (level->deleted, j);
          OrmaInstanceState *state = _orma_instance_state_get (entity);

          if (state->session == self && state->state == ORMA_STATE_DELETED)
            {
              state->session = NULL;
              state->state = ORMA_STATE_DETACHED;
              g_ptr_array_add (detached, g_object_ref (entity));
              g_hash_table_add (together, entity);
            }
        }
    }
  /* Detached for good (committed): SQLAlchemy's deleted objects keep
   * their attributes, but a reference cycle between them is garbage no
   * GObject collector finds. */
  release_deleted_together (detached, together);
  g_ptr_array_set_size (self->levels, 0);
  /* committed (or rolled back already): their rows are settled */
  g_ptr_array_set_size (self->detached_inserts, 0);
  g_clear_object (&self->connection);
}

/* An object whose row a rolled-back flush INSERTed is transient again,
 * out of every set of the session, without the key the database
 * generated for that row (a key the application chose stays). */
static void
make_transient (OrmaSession       *self,
                OrmaInstanceState *state)
{
  g_autoptr (OrmaEntity) keep = g_object_ref (state->entity);

  _orma_identity_map_remove (self->identity_map, state);
  if (state->in_dirty)
    g_ptr_array_remove_fast (self->dirty, state->entity);
  if (state->in_deleted)
    g_ptr_array_remove_fast (self->deleted, state->entity);
  state->in_dirty = state->in_deleted = FALSE;
  state->session = NULL;
  state->state = ORMA_STATE_TRANSIENT;
  state->inserted_serial = 0;
  if (state->key_generated)
    _orma_entity_load (state->entity, state->mapper->autoincrement, NULL, NULL);
  state->key_generated = FALSE;
}

typedef struct {
  guint32    serial;
  GPtrArray *found;
} InsertedSince;

static void
collect_inserted (gpointer entity,
                  gpointer user_data)
{
  InsertedSince *query = user_data;

  if (_orma_instance_state_get (entity)->inserted_serial >= query->serial)
    g_ptr_array_add (query->found, g_object_ref (entity));
}

/* Puts back the primary keys flushes of @level changed, newest first. */
static void
undo_rekeys (OrmaSession          *self,
             OrmaTransactionLevel *level)
{
  for (guint i = level->rekeyed->len; i > 0; i--)
    {
      OrmaRekey *rekey = g_ptr_array_index (level->rekeyed, i - 1);
      OrmaInstanceState *state = _orma_instance_state_get (rekey->entity);

      if (state->session != self)
        continue;
      _orma_identity_map_remove (self->identity_map, state);
      for (guint k = 0; k < state->mapper->n_pk; k++)
        _orma_entity_load (rekey->entity, state->mapper->pk[k],
                           G_IS_VALUE (&rekey->old_key[k]) ? &rekey->old_key[k] : NULL, NULL);
      if (state->state == ORMA_STATE_PERSISTENT && _orma_identity_compute (state) &&
          _orma_identity_map_lookup_state (self->identity_map, state) == NULL)
        _orma_identity_map_insert (self->identity_map, state);
    }
  g_ptr_array_set_size (level->rekeyed, 0);
}

/* Objects detached while their INSERT was uncommitted and that are still
 * detached: transient too. */
static void
undo_detached_inserts (OrmaSession *self,
                       guint32      serial)
{
  for (guint i = self->detached_inserts->len; i > 0; i--)
    {
      OrmaEntity *entity = g_ptr_array_index (self->detached_inserts, i - 1);
      OrmaInstanceState *state = _orma_instance_state_get (entity);

      if (state->inserted_serial < serial)
        continue;
      if (state->session == NULL && state->state == ORMA_STATE_DETACHED)
        {
          state->state = ORMA_STATE_TRANSIENT;
          state->inserted_serial = 0;
          if (state->key_generated)
            _orma_entity_load (entity, state->mapper->autoincrement, NULL, NULL);
          state->key_generated = FALSE;
        }
      g_ptr_array_remove_index_fast (self->detached_inserts, i - 1);
    }
}

/* Undoes what the flushes of the levels from @from_level up did to
 * objects. Finding the inserted objects walks the identity map: a
 * rollback pays for what a commit does not. */
static void
undo_levels (OrmaSession *self,
             guint        from_level)
{
  guint32 serial = ((OrmaTransactionLevel *) g_ptr_array_index (self->levels, from_level))->serial;
  g_autoptr (GPtrArray) inserted = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) undeleted = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) restored = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) together = g_hash_table_new (NULL, NULL);
  InsertedSince query = { serial, inserted };

  for (guint l = self->levels->len; l > from_level; l--)
    undo_rekeys (self, g_ptr_array_index (self->levels, l - 1));

  /* collected first: the map cannot change while it is walked */
  _orma_identity_map_foreach (self->identity_map, collect_inserted, &query);
  for (guint i = 0; i < inserted->len; i++)
    make_transient (self, _orma_instance_state_get (inserted->pdata[i]));
  undo_detached_inserts (self, serial);

  for (guint l = self->levels->len; l > from_level; l--)
    {
      OrmaTransactionLevel *level = g_ptr_array_index (self->levels, l - 1);

      for (guint i = 0; i < level->deleted->len; i++)
        {
          OrmaInstanceState *state = _orma_instance_state_get (g_ptr_array_index (level->deleted, i));

          if (state->session != self || state->state != ORMA_STATE_DELETED)
            continue;
          g_ptr_array_add (undeleted, g_object_ref (state->entity));
          g_hash_table_add (together, state->entity);
          if (state->inserted_serial >= serial)
            {
              make_transient (self, state);      /* inserted and deleted within */
              continue;
            }
          if (_orma_identity_compute (state) &&
              _orma_identity_map_lookup_state (self->identity_map, state) == NULL)
            _orma_session_attach (self, state, ORMA_STATE_PERSISTENT);
          else
            {
              state->session = NULL;
              state->state = ORMA_STATE_DETACHED;
            }
          g_ptr_array_add (restored, g_object_ref (state->entity));
        }
      g_ptr_array_set_size (level->deleted, 0);
    }
  /* What the flushes loaded for them is stale: a session closing now
   * keeps only what cannot form a cycle (release_relationships), and
   * they could hold each other. Transient objects keep what the
   * application gave them. */
  release_deleted_together (restored, together);
}

/* Forgets everything not yet flushed: pending objects are expunged,
 * pending deletions cancelled, unflushed changes discarded. */
static void
discard_unflushed (OrmaSession *self)
{
  g_autoptr (GPtrArray) pending = g_steal_pointer (&self->new_objects);

  self->new_objects = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < pending->len; i++)
    {
      OrmaInstanceState *state = _orma_instance_state_get (g_ptr_array_index (pending, i));
      state->in_new = FALSE;
      state->session = NULL;
      state->state = ORMA_STATE_TRANSIENT;
    }
  for (guint i = 0; i < self->deleted->len; i++)
    _orma_instance_state_get (g_ptr_array_index (self->deleted, i))->in_deleted = FALSE;
  g_ptr_array_set_size (self->deleted, 0);
  _orma_session_discard_relationship_changes (self);
  _orma_session_expire_all_internal (self);
}

/* Expired objects let go of loaded relationship attributes (they reload
 * on their next read anyway): two loaded collections of a many-to-many
 * pair would otherwise keep each other alive for ever. @only_cycles:
 * only the collections that may form such a cycle, so that a commit
 * stays cheap (a parent's collection and its children's many-to-one are
 * no cycle) and objects detached at close keep what they loaded. Only
 * objects that ever had a relationship value are visited. */
static void
release_relationships (OrmaSession *self,
                       gboolean     only_cycles)
{
  g_autoptr (GPtrArray) related = _orma_identity_map_dup_related (self->identity_map);

  for (guint i = 0; i < related->len; i++)
    _orma_entity_release_relationships (g_ptr_array_index (related, i), only_cycles);
}

static void
restore_objects (OrmaSession *self,
                 guint        from_level)
{
  if (self->levels->len > from_level)
    undo_levels (self, from_level);
  discard_unflushed (self);
}

static void
rollback_objects (OrmaSession *self,
                  guint        from_level)
{
  restore_objects (self, from_level);
  release_relationships (self, FALSE);
}

/* The transaction is gone (rolled back by a failed flush, or lost with
 * its connection) while the unflushed work is still wanted: the work of
 * earlier flushes is undone, but new, dirty and deleted objects stay in
 * their sets so that the flush can be tried again. */
void
_orma_session_abandon_transaction (OrmaSession *self)
{
  g_autoptr (GError) error = NULL;

  if (self->levels->len > 0)
    undo_levels (self, 0);
  if (self->connection != NULL && orma_connection_in_transaction (self->connection) &&
      !orma_connection_rollback (self->connection, &error))
    g_debug ("rollback failed: %s", error->message);
  _orma_session_end_transaction (self);
  /* What earlier flushes wrote is gone: clean objects reload on their
   * next access; dirty ones keep their changes for the next flush. */
  self->generation++;
}

/**
 * orma_session_commit:
 * @self: a session
 * @error: return location for a #GError
 *
 * Flushes, then commits the session's transaction (with every savepoint
 * in it) and gives the connection back to the engine. Objects deleted in
 * the transaction become detached; with #OrmaSession:expire-on-commit
 * every object is expired. If the commit fails the transaction is rolled
 * back as by orma_session_rollback().
 *
 * Returns: %TRUE on success
 */
gboolean
orma_session_commit (OrmaSession  *self,
                     GError      **error)
{
  g_return_val_if_fail (ORMA_IS_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!orma_session_flush (self, error))
    return FALSE;
  if (self->connection != NULL)
    {
      if (!orma_connection_commit (self->connection, error))
        {
          rollback_objects (self, 0);
          _orma_session_end_transaction (self);
          _orma_session_emit (self, "after-rollback");
          return FALSE;
        }
      _orma_session_end_transaction (self);
    }
  if (self->expire_on_commit)
    {
      self->generation++;
      release_relationships (self, TRUE);
    }
  _orma_session_emit (self, "after-commit");
  return TRUE;
}

/**
 * orma_session_rollback:
 * @self: a session
 * @error: return location for a #GError
 *
 * Rolls back the session's transaction with every savepoint in it, and
 * puts the objects back as they were when it began (see the top of this
 * file). The objects are restored even when the database cannot be
 * reached; the error then says so.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_session_rollback (OrmaSession  *self,
                       GError      **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (ORMA_IS_SESSION (self), FALSE);

  if (!_orma_session_check_open (self, error))
    return FALSE;
  if (self->connection != NULL)
    ok = orma_connection_rollback (self->connection, error);
  rollback_objects (self, 0);
  _orma_session_end_transaction (self);
  g_clear_error (&self->deferred_error);
  _orma_session_emit (self, "after-rollback");
  return ok;
}

/**
 * orma_session_begin_nested:
 * @self: a session
 * @error: return location for a #GError
 *
 * Flushes, then begins a savepoint within the session's transaction
 * (beginning that first if needed). orma_session_commit_nested() releases
 * it; orma_session_rollback_nested() undoes what happened since.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_session_begin_nested (OrmaSession  *self,
                           GError      **error)
{
  g_autofree char *name = NULL;
  OrmaConnection *connection;

  g_return_val_if_fail (ORMA_IS_SESSION (self), FALSE);

  if (!orma_session_flush (self, error) ||
      (connection = _orma_session_connection (self, error)) == NULL)
    return FALSE;
  name = g_strdup_printf ("orma_sp_%u", ++self->savepoint_serial);
  if (!orma_connection_savepoint (connection, name, error))
    return FALSE;
  g_ptr_array_add (self->levels, _orma_transaction_level_new (self, name));
  return TRUE;
}

static gboolean
check_nested (OrmaSession  *self,
              GError      **error)
{
  if (!_orma_session_check_open (self, error))
    return FALSE;
  if (self->levels->len < 2)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                       "no savepoint was begun with orma_session_begin_nested()");
      return FALSE;
    }
  return TRUE;
}

/**
 * orma_session_commit_nested:
 * @self: a session
 * @error: return location for a #GError
 *
 * Flushes and releases the innermost savepoint: its work becomes part of
 * the enclosing transaction.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_session_commit_nested (OrmaSession  *self,
                            GError      **error)
{
  OrmaTransactionLevel *level, *parent;

  g_return_val_if_fail (ORMA_IS_SESSION (self), FALSE);

  if (!check_nested (self, error) || !orma_session_flush (self, error))
    return FALSE;
  level = _orma_session_current_level (self);
  if (!orma_connection_release_savepoint (self->connection, level->savepoint, error))
    return FALSE;
  parent = g_ptr_array_index (self->levels, self->levels->len - 2);
  /* Rows inserted within keep the level's serial, which stays above the
   * parent's: a rollback of the parent still finds them. */
  g_ptr_array_extend_and_steal (parent->deleted, g_steal_pointer (&level->deleted));
  g_ptr_array_extend_and_steal (parent->rekeyed, g_steal_pointer (&level->rekeyed));
  parent->has_writes |= level->has_writes;
  level->deleted = g_ptr_array_new ();
  level->rekeyed = g_ptr_array_new ();
  g_ptr_array_remove_index (self->levels, self->levels->len - 1);
  return TRUE;
}

/**
 * orma_session_rollback_nested:
 * @self: a session
 * @error: return location for a #GError
 *
 * Rolls back to the innermost savepoint and ends it. Objects are put back
 * as they were when it began; unflushed changes are discarded and every
 * object is expired.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_session_rollback_nested (OrmaSession  *self,
                              GError      **error)
{
  OrmaTransactionLevel *level;
  gboolean ok;

  g_return_val_if_fail (ORMA_IS_SESSION (self), FALSE);

  if (!check_nested (self, error))
    return FALSE;
  level = _orma_session_current_level (self);
  ok = orma_connection_rollback_to_savepoint (self->connection, level->savepoint, error) &&
       orma_connection_release_savepoint (self->connection, level->savepoint, error);
  rollback_objects (self, self->levels->len - 1);
  g_ptr_array_remove_index (self->levels, self->levels->len - 1);
  if (!ok)
    {
      /* The savepoint could not be rolled back (a lost connection): the
       * whole transaction is gone with it. */
      rollback_objects (self, 0);
      _orma_session_end_transaction (self);
    }
  _orma_session_emit (self, "after-rollback");
  return ok;
}

/* Rolls back, detaches every object and forgets everything. */
void
_orma_session_reset (OrmaSession *self)
{
  if (self->connection != NULL)
    {
      g_autoptr (GError) error = NULL;
      if (!orma_connection_rollback (self->connection, &error))
        g_debug ("rollback on close failed: %s", error->message);
      restore_objects (self, 0);
      _orma_session_end_transaction (self);
    }
  release_relationships (self, TRUE);
  orma_session_expunge_all (self);
  g_clear_error (&self->deferred_error);
}

/**
 * orma_session_close:
 * @self: a session
 *
 * Rolls back the open transaction, detaches every object and closes the
 * session: later calls fail with %ORMA_ERROR_SESSION_CLOSED. Objects keep
 * the values they hold.
 */
void
orma_session_close (OrmaSession *self)
{
  g_return_if_fail (ORMA_IS_SESSION (self));

  if (self->closed)
    return;
  _orma_session_reset (self);
  self->closed = TRUE;
}
