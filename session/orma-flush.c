/* orma-flush.c: the unit of work: from the session's new, dirty and
 * deleted objects to INSERT, UPDATE and DELETE statements, in one
 * savepoint-protected step that either happens whole or not at all.
 *
 * Order: mappers are sorted along their foreign keys; each mapper's new
 * rows are INSERTed (in the order they were added) and its changed rows
 * UPDATEd, parents first; then deleted rows are DELETEd, children first.
 *
 * Atomicity: when the current transaction level (the transaction, or the
 * innermost begin_nested savepoint) already holds writes of an earlier
 * flush, the flush runs inside a SAVEPOINT of its own so that a failure
 * undoes just this flush. Otherwise a failure rolls back to the start of
 * that level, which holds nothing else: the level's savepoint, or the
 * whole transaction. In both cases the undo log puts
 * back every value the flush wrote into objects, and the objects stay in
 * the session's new, dirty and deleted sets: fixing the cause and
 * flushing again works.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-flush-private.h"
#include "orma-error-private.h"

#define FLUSH_SAVEPOINT "orma_flush"

typedef struct {
  OrmaMapper *mapper;
  GPtrArray  *inserts;   /* OrmaEntity*, no references (the sets hold them) */
  GPtrArray  *updates;
  GPtrArray  *deletes;
} MapperWork;

typedef struct {
  GPtrArray  *mappers;   /* OrmaMapper*, in flush order */
  GHashTable *work;      /* OrmaMapper* -> MapperWork* */
} FlushPlan;

static void
mapper_work_free (MapperWork *work)
{
  g_ptr_array_unref (work->inserts);
  g_ptr_array_unref (work->updates);
  g_ptr_array_unref (work->deletes);
  g_free (work);
}

static void
flush_plan_clear (FlushPlan *plan)
{
  g_clear_pointer (&plan->mappers, g_ptr_array_unref);
  g_clear_pointer (&plan->work, g_hash_table_unref);
}

static MapperWork *
work_for (FlushPlan  *plan,
          OrmaMapper *mapper)
{
  MapperWork *work = g_hash_table_lookup (plan->work, mapper);

  if (work == NULL)
    {
      work = g_new0 (MapperWork, 1);
      work->mapper = mapper;
      work->inserts = g_ptr_array_new ();
      work->updates = g_ptr_array_new ();
      work->deletes = g_ptr_array_new ();
      g_hash_table_insert (plan->work, mapper, work);
      g_ptr_array_add (plan->mappers, mapper);
    }
  return work;
}

/* An object added with the primary key of another object of the session
 * would become a second object for one row. */
static gboolean
check_identity_conflicts (OrmaSession  *session,
                          GError      **error)
{
  for (guint i = 0; i < session->new_objects->len; i++)
    {
      OrmaInstanceState *state = _orma_instance_state_get (g_ptr_array_index (session->new_objects, i));
      OrmaEntity *other;

      if (!_orma_identity_compute (state))
        continue;
      other = _orma_identity_map_lookup_state (session->identity_map, state);
      if (other != NULL && other != state->entity)
        {
          _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                           "a new %s has the primary key of an object already in the session",
                           G_OBJECT_TYPE_NAME (state->entity));
          return FALSE;
        }
    }
  return TRUE;
}

static void
build_plan (OrmaSession *session,
            FlushPlan   *plan)
{
  plan->mappers = g_ptr_array_new ();
  plan->work = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) mapper_work_free);

  for (guint i = 0; i < session->new_objects->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (session->new_objects, i);
      g_ptr_array_add (work_for (plan, _orma_entity_get_mapper (entity))->inserts, entity);
    }
  for (guint i = 0; i < session->dirty->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (session->dirty, i);
      OrmaInstanceState *state = _orma_instance_state_get (entity);

      /* A change set back to its original value writes nothing. */
      if (!state->in_deleted && _orma_entity_modified_mask (entity) != 0)
        g_ptr_array_add (work_for (plan, state->mapper)->updates, entity);
    }
  for (guint i = 0; i < session->deleted->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (session->deleted, i);
      g_ptr_array_add (work_for (plan, _orma_entity_get_mapper (entity))->deletes, entity);
    }
  _orma_flush_sort_mappers (plan->mappers);
}

static gboolean
execute_plan (OrmaFlushContext  *ctx,
              FlushPlan         *plan,
              GError           **error)
{
  for (guint i = 0; i < plan->mappers->len; i++)
    {
      MapperWork *work = g_hash_table_lookup (plan->work, g_ptr_array_index (plan->mappers, i));

      if (!_orma_flush_insert (ctx, work->mapper, work->inserts, error) ||
          !_orma_flush_update (ctx, work->mapper, work->updates, error))
        return FALSE;
    }
  for (guint i = plan->mappers->len; i > 0; i--)
    {
      MapperWork *work = g_hash_table_lookup (plan->work, g_ptr_array_index (plan->mappers, i - 1));

      if (!_orma_flush_delete (ctx, work->mapper, work->deletes, error))
        return FALSE;
    }
  return TRUE;
}

static void
undo_entry_clear (OrmaUndoEntry *entry)
{
  g_clear_object (&entry->entity);
  if (G_IS_VALUE (&entry->old))
    g_value_unset (&entry->old);
}

/* Puts back every value the flush wrote, newest first. */
static void
replay_undo (OrmaFlushContext *ctx)
{
  for (guint i = ctx->undo->len; i > 0; i--)
    {
      OrmaUndoEntry *entry = &g_array_index (ctx->undo, OrmaUndoEntry, i - 1);
      _orma_entity_load (entry->entity, entry->column,
                         G_IS_VALUE (&entry->old) ? &entry->old : NULL, NULL);
    }
}

static guint64
pk_mask (OrmaMapper *mapper)
{
  guint64 mask = 0;

  for (guint i = 0; i < mapper->n_pk; i++)
    mask |= G_GUINT64_CONSTANT (1) << mapper->pk[i];
  return mask;
}

/* Keeps the key an object had before a flush changed it, so that a
 * rollback can put it back. */
static void
record_rekey (OrmaTransactionLevel *level,
              OrmaEntity           *entity)
{
  OrmaMapper *mapper = _orma_entity_get_mapper (entity);
  OrmaRekey *rekey = g_new0 (OrmaRekey, 1);

  rekey->entity = g_object_ref (entity);
  rekey->old_key = g_new0 (GValue, mapper->n_pk);
  for (guint i = 0; i < mapper->n_pk; i++)
    {
      const GValue *old = _orma_entity_peek_committed (entity, mapper->pk[i]);
      if (old != NULL)
        {
          g_value_init (&rekey->old_key[i], G_VALUE_TYPE (old));
          g_value_copy (old, &rekey->old_key[i]);
        }
    }
  g_ptr_array_add (level->rekeyed, rekey);
}

/* The keys the database generated in this flush: the undo log holds an
 * entry with no old value for each. A rollback clears only those. */
static void
mark_generated_keys (OrmaFlushContext *ctx)
{
  for (guint i = 0; i < ctx->undo->len; i++)
    {
      OrmaUndoEntry *entry = &g_array_index (ctx->undo, OrmaUndoEntry, i);
      OrmaInstanceState *state = _orma_instance_state_get (entry->entity);

      if ((int) entry->column == state->mapper->autoincrement && !G_IS_VALUE (&entry->old))
        state->key_generated = TRUE;
    }
}

/* The flush is over and its statements succeeded: objects move to their
 * new states. The sets' references are dropped last, as dropping them may
 * dispose objects. */
static void
finish (OrmaSession *session)
{
  OrmaTransactionLevel *level = _orma_session_current_level (session);
  g_autoptr (GPtrArray) inserted = g_steal_pointer (&session->new_objects);
  g_autoptr (GPtrArray) dirty = g_steal_pointer (&session->dirty);
  g_autoptr (GPtrArray) deleted = g_steal_pointer (&session->deleted);

  session->new_objects = g_ptr_array_new_with_free_func (g_object_unref);
  session->dirty = g_ptr_array_new_with_free_func (g_object_unref);
  session->deleted = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < dirty->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (dirty, i);
      OrmaInstanceState *state = _orma_instance_state_get (entity);

      gboolean key_changed = (_orma_entity_modified_mask (entity) & pk_mask (state->mapper)) != 0;

      if (key_changed)
        record_rekey (level, entity);
      state->in_dirty = FALSE;
      _orma_entity_accept_changes (entity);
      /* A changed primary key moves the object in the identity map. */
      if (key_changed && state->in_map && !state->in_deleted)
        {
          _orma_identity_map_remove (session->identity_map, state);
          _orma_session_attach (session, state, ORMA_STATE_PERSISTENT);
        }
    }
  for (guint i = 0; i < deleted->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (deleted, i);
      OrmaInstanceState *state = _orma_instance_state_get (entity);

      state->in_deleted = FALSE;
      _orma_identity_map_remove (session->identity_map, state);
      state->state = ORMA_STATE_DELETED;
      g_ptr_array_add (level->deleted, g_object_ref (entity));
    }
  for (guint i = 0; i < inserted->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (inserted, i);
      OrmaInstanceState *state = _orma_instance_state_get (entity);

      state->in_new = FALSE;
      _orma_entity_accept_changes (entity);
      _orma_session_attach (session, state, ORMA_STATE_PERSISTENT);
      state->inserted_serial = level->serial;
    }
}

/* Undoes the database side of a failed flush. */
static void
rollback_flush (OrmaFlushContext *ctx,
                gboolean          savepoint)
{
  OrmaSession *session = ctx->session;
  OrmaTransactionLevel *level = _orma_session_current_level (session);
  g_autoptr (GError) error = NULL;

  if (savepoint)
    {
      if (orma_connection_rollback_to_savepoint (ctx->connection, FLUSH_SAVEPOINT, &error) &&
          orma_connection_release_savepoint (ctx->connection, FLUSH_SAVEPOINT, &error))
        return;
    }
  else if (level->savepoint != NULL)
    {
      /* Back to the start of the level; the savepoint stays open. */
      if (orma_connection_rollback_to_savepoint (ctx->connection, level->savepoint, &error))
        return;
    }

  if (error != NULL)
    {
      /* Without the savepoint (a lost connection) the transaction is
       * lost as a whole: roll the session back with it. */
      g_debug ("rollback to the flush savepoint failed: %s", error->message);
      _orma_session_abandon_transaction (session);
      return;
    }
  if (!orma_connection_rollback (ctx->connection, &error))
    g_debug ("rollback after a failed flush failed: %s", error->message);
  _orma_session_abandon_transaction (session);
}

gboolean
_orma_flush_run (OrmaSession  *session,
                 GError      **error)
{
  OrmaFlushContext ctx = { 0 };
  FlushPlan plan = { 0 };
  gboolean savepoint, ok;

  if (!check_identity_conflicts (session, error))
    return FALSE;
  ctx.session = session;
  ctx.connection = _orma_session_connection (session, error);
  if (ctx.connection == NULL)
    return FALSE;
  ctx.dialect = _orma_connection_get_dialect (ctx.connection);
  ctx.undo = g_array_new (FALSE, TRUE, sizeof (OrmaUndoEntry));
  g_array_set_clear_func (ctx.undo, (GDestroyNotify) undo_entry_clear);

  build_plan (session, &plan);
  savepoint = plan.mappers->len > 0 && _orma_session_current_level (session)->has_writes;
  ok = !savepoint || orma_connection_savepoint (ctx.connection, FLUSH_SAVEPOINT, error);
  if (ok)
    {
      ok = execute_plan (&ctx, &plan, error);
      if (ok && savepoint)
        ok = orma_connection_release_savepoint (ctx.connection, FLUSH_SAVEPOINT, error);
      if (!ok)
        {
          replay_undo (&ctx);
          rollback_flush (&ctx, savepoint);
        }
    }
  if (ok)
    mark_generated_keys (&ctx);
  flush_plan_clear (&plan);
  g_array_unref (ctx.undo);

  if (ok)
    {
      if (ctx.n_statements > 0)
        _orma_session_current_level (session)->has_writes = TRUE;
      finish (session);
    }
  return ok;
}
