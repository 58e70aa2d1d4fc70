/* orma-flush.c: the unit of work: from the session's new, dirty and
 * deleted objects to INSERT, UPDATE and DELETE statements, in one
 * savepoint-protected step that either happens whole or not at all.
 *
 * Steps: the cascades decide which objects the flush is about
 * (orma-flush-cascade.c); the plan gathers each mapper's new, changed and
 * deleted rows, the foreign keys to copy from relationships
 * (orma-flush-sync.c) and the secondary rows (orma-flush-secondary.c),
 * and sorts it all (orma-flush-graph.c, orma-flush-sort.c). Execution:
 *   1. INSERT and UPDATE, parents first, each batch after copying its
 *      parents' keys into its foreign keys;
 *   2. post-update foreign keys;
 *   3. secondary rows: DELETE removed pairs, INSERT new ones;
 *   4. post-update foreign keys between deleted rows set to NULL;
 *   5. DELETE, children first.
 * A new object with the primary key of a deleted one takes over its row:
 * one UPDATE of the columns that differ instead of a DELETE and an
 * INSERT.
 *
 * After success the relationship history of the changed objects is
 * accepted; after a failure it is kept, with the objects in the
 * session's sets, so that a corrected flush writes it all.
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
#include "orma-collection-private.h"

#define FLUSH_SAVEPOINT "orma_flush"

static void
mapper_work_free (OrmaMapperWork *work)
{
  g_ptr_array_unref (work->inserts);
  g_ptr_array_unref (work->updates);
  g_ptr_array_unref (work->deletes);
  g_free (work);
}

static void
step_clear (OrmaFlushStep *step)
{
  g_clear_pointer (&step->rows, g_ptr_array_unref);
}

static void
flush_plan_init (OrmaFlushPlan *plan)
{
  plan->mappers = g_ptr_array_new ();
  plan->work = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) mapper_work_free);
  plan->deleting = g_hash_table_new (NULL, NULL);
  plan->sync = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_array_unref);
  plan->post_sync = g_array_new (FALSE, FALSE, sizeof (OrmaSyncAction));
  plan->extra_updates = g_hash_table_new (NULL, NULL);
  plan->dynamic = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  plan->saves = g_array_new (FALSE, TRUE, sizeof (OrmaFlushStep));
  plan->deletes = g_array_new (FALSE, TRUE, sizeof (OrmaFlushStep));
  g_array_set_clear_func (plan->saves, (GDestroyNotify) step_clear);
  g_array_set_clear_func (plan->deletes, (GDestroyNotify) step_clear);
}

static void
flush_plan_clear (OrmaFlushPlan *plan)
{
  g_clear_pointer (&plan->mappers, g_ptr_array_unref);
  g_clear_pointer (&plan->work, g_hash_table_unref);
  g_clear_pointer (&plan->deleting, g_hash_table_unref);
  g_clear_pointer (&plan->replaced, g_hash_table_unref);
  g_clear_pointer (&plan->taken_over, g_hash_table_unref);
  g_clear_pointer (&plan->sync, g_hash_table_unref);
  g_clear_pointer (&plan->post_sync, g_array_unref);
  g_clear_pointer (&plan->extra_updates, g_hash_table_unref);
  g_clear_pointer (&plan->dynamic, g_hash_table_unref);
  g_clear_pointer (&plan->secondary, _orma_flush_secondary_free);
  g_clear_pointer (&plan->saves, g_array_unref);
  g_clear_pointer (&plan->deletes, g_array_unref);
}

OrmaMapperWork *
_orma_flush_work_for (OrmaFlushPlan *plan,
                      OrmaMapper    *mapper)
{
  OrmaMapperWork *work = g_hash_table_lookup (plan->work, mapper);

  if (work == NULL)
    {
      work = g_new0 (OrmaMapperWork, 1);
      work->mapper = mapper;
      work->inserts = g_ptr_array_new ();
      work->updates = g_ptr_array_new ();
      work->deletes = g_ptr_array_new ();
      g_hash_table_insert (plan->work, mapper, work);
      g_ptr_array_add (plan->mappers, mapper);
      if (mapper->relationships != NULL && mapper->relationships->len > 0)
        plan->relationships = TRUE;
    }
  return work;
}

/* An object added with the primary key of another object of the session
 * would become a second object for one row, unless that one is being
 * deleted: then the new object takes over its row (@plan->replaced). */
static gboolean
check_identity_conflicts (OrmaSession    *session,
                          OrmaFlushPlan  *plan,
                          GError        **error)
{
  for (guint i = 0; i < session->new_objects->len; i++)
    {
      OrmaInstanceState *state = _orma_instance_state_get (g_ptr_array_index (session->new_objects, i));
      OrmaEntity *other;

      if (!_orma_identity_compute (state))
        continue;
      other = _orma_identity_map_lookup_state (session->identity_map, state);
      if (other == NULL || other == state->entity)
        continue;
      /* One new object takes over a deleted row; a second one with the
       * same key is a conflict like any other. */
      if (_orma_instance_state_get (other)->in_deleted &&
          (plan->taken_over == NULL || !g_hash_table_contains (plan->taken_over, other)))
        {
          if (plan->replaced == NULL)
            {
              plan->replaced = g_hash_table_new (NULL, NULL);
              plan->taken_over = g_hash_table_new (NULL, NULL);
            }
          g_hash_table_insert (plan->replaced, state->entity, other);
          g_hash_table_add (plan->taken_over, other);
          continue;
        }
      _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                       "a new %s has the primary key of an object already in the session",
                       G_OBJECT_TYPE_NAME (state->entity));
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_replaced (OrmaFlushPlan *plan,
             OrmaEntity    *old)
{
  return plan->taken_over != NULL && g_hash_table_contains (plan->taken_over, old);
}

static gboolean
build_plan (OrmaSession    *session,
            OrmaFlushPlan  *plan,
            GError        **error)
{
  for (guint i = 0; i < session->new_objects->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (session->new_objects, i);
      OrmaMapperWork *work = _orma_flush_work_for (plan, _orma_entity_get_mapper (entity));

      if (plan->replaced != NULL && g_hash_table_contains (plan->replaced, entity))
        g_ptr_array_add (work->updates, entity);
      else
        g_ptr_array_add (work->inserts, entity);
    }
  for (guint i = 0; i < session->dirty->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (session->dirty, i);
      OrmaInstanceState *state = _orma_instance_state_get (entity);

      /* A change set back to its original value writes nothing. */
      if (!state->in_deleted && _orma_entity_modified_mask (entity) != 0)
        g_ptr_array_add (_orma_flush_work_for (plan, state->mapper)->updates, entity);
    }
  for (guint i = 0; i < session->deleted->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (session->deleted, i);

      if (is_replaced (plan, entity))
        continue;
      g_ptr_array_add (_orma_flush_work_for (plan, _orma_entity_get_mapper (entity))->deletes, entity);
      g_hash_table_add (plan->deleting, entity);
    }
  if (plan->relationships || session->changed->len > 0)
    {
      _orma_flush_collect_sync (plan, session);
      _orma_flush_collect_secondary (plan, session);
    }
  return _orma_flush_sort (plan, error);
}

static gboolean
plan_has_work (OrmaFlushPlan *plan)
{
  return plan->saves->len > 0 || plan->deletes->len > 0 || plan->post_sync->len > 0 ||
         _orma_flush_secondary_has_work (plan);
}

/* A new object taking over a deleted row matches that row's version. */
static void
prepare_replacements (OrmaFlushContext *ctx)
{
  GHashTableIter iter;
  gpointer entity, old;

  if (ctx->plan->replaced == NULL)
    return;
  g_hash_table_iter_init (&iter, ctx->plan->replaced);
  while (g_hash_table_iter_next (&iter, &entity, &old))
    {
      OrmaMapper *mapper = _orma_entity_get_mapper (entity);
      if (mapper->version >= 0)
        _orma_flush_write_value (ctx, entity, mapper->version,
                                 _orma_entity_peek_committed (old, mapper->version));
    }
}

static gboolean
execute_steps (OrmaFlushContext  *ctx,
               GArray            *steps,
               GError           **error)
{
  for (guint i = 0; i < steps->len; i++)
    {
      OrmaFlushStep *step = &g_array_index (steps, OrmaFlushStep, i);
      gboolean ok;

      if (step->kind != ORMA_FLUSH_DELETE && ctx->plan->sync != NULL)
        _orma_flush_apply_sync (ctx, step->rows);
      switch (step->kind)
        {
        case ORMA_FLUSH_INSERT:
          ok = _orma_flush_insert (ctx, step->mapper, step->rows, error);
          break;
        case ORMA_FLUSH_UPDATE:
          ok = _orma_flush_update (ctx, step->mapper, step->rows, error);
          break;
        case ORMA_FLUSH_DELETE:
        default:
          ok = _orma_flush_delete (ctx, step->mapper, step->rows, error);
          break;
        }
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
execute_plan (OrmaFlushContext  *ctx,
              GError           **error)
{
  prepare_replacements (ctx);
  return execute_steps (ctx, ctx->plan->saves, error) &&
         _orma_flush_post_update (ctx, error) &&
         _orma_flush_secondary_execute (ctx, error) &&
         _orma_flush_post_update_deletes (ctx, error) &&
         execute_steps (ctx, ctx->plan->deletes, error);
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

/* Two loaded many-to-many collections that hold each other's owner are
 * a reference cycle nothing would break. Once the rows are written, the
 * side whose relationship sorts last (by table and name) lets go: it
 * is emptied and unloaded, and reads the database on its next access. */
static void
release_many_to_many (OrmaEntity       *owner,
                      OrmaRelationship *rel,
                      OrmaRelSlot      *slot)
{
  OrmaCollection *collection;
  GPtrArray *items;
  gboolean cycle = FALSE;

  if (rel->direction != ORMA_REL_MANY_TO_MANY || rel->reverse == NULL ||
      !rel->reverse->is_collection || slot->value == NULL || !ORMA_IS_COLLECTION (slot->value))
    return;
  if (g_strcmp0 (orma_table_get_name (rel->owner->table), orma_table_get_name (rel->target->table)) < 0 ||
      (rel->owner == rel->target && g_strcmp0 (rel->name, rel->reverse->name) < 0))
    return;
  collection = ORMA_COLLECTION (slot->value);
  if (!_orma_collection_peek_loaded (collection))
    return;
  items = _orma_collection_peek_items (collection);
  for (guint i = 0; items != NULL && i < items->len && !cycle; i++)
    {
      OrmaRelSlot *back = _orma_flush_peek_slot (g_ptr_array_index (items, i), rel->reverse);
      cycle = back != NULL && back->value != NULL && ORMA_IS_COLLECTION (back->value) &&
              g_ptr_array_find (_orma_collection_peek_items (ORMA_COLLECTION (back->value)),
                                owner, NULL);
    }
  if (!cycle)
    return;
  _orma_collection_set_loaded (collection, NULL);
  _orma_entity_relationship_unload (owner, rel);
}

/* After a successful flush: the relationship history of the changed
 * objects is what the database holds now, and a many-to-one whose
 * target has a row holds it weakly (its foreign key says who it is). */
static void
accept_relationships (OrmaSession *session)
{
  for (guint i = 0; i < session->changed->len; i++)
    {
      OrmaEntity *entity = g_ptr_array_index (session->changed, i);
      GPtrArray *rels = _orma_entity_get_mapper (entity)->relationships;

      for (guint r = 0; rels != NULL && r < rels->len; r++)
        {
          OrmaRelationship *rel = g_ptr_array_index (rels, r);
          OrmaRelSlot *slot = _orma_flush_peek_slot (entity, rel);
          OrmaInstanceState *target;

          if (slot == NULL || !rel->resolved)
            continue;
          _orma_entity_relationship_accept (entity, rel);
          if (_orma_instance_state_get (entity)->state == ORMA_STATE_PERSISTENT)
            release_many_to_many (entity, rel, slot);
          if (rel->is_collection || slot->weak || slot->value == NULL ||
              !ORMA_IS_ENTITY (slot->value))
            continue;
          target = _orma_instance_state_get (ORMA_ENTITY (slot->value));
          if (rel->direction == ORMA_REL_MANY_TO_ONE && target != NULL &&
              target->state == ORMA_STATE_PERSISTENT)
            _orma_entity_relationship_weaken (entity, rel);
        }
    }
  _orma_session_clear_changed (session);
}

gboolean
_orma_flush_run (OrmaSession  *session,
                 GError      **error)
{
  OrmaFlushContext ctx = { 0 };
  OrmaFlushPlan plan = { 0 };
  gboolean savepoint, ok;

  ctx.session = session;
  ctx.connection = _orma_session_connection (session, error);
  if (ctx.connection == NULL)
    return FALSE;
  flush_plan_init (&plan);
  /* Step 1 may load relationships: it needs the transaction. */
  if (!_orma_flush_cascade (session, &plan, error) ||
      !check_identity_conflicts (session, &plan, error) ||
      !build_plan (session, &plan, error))
    {
      flush_plan_clear (&plan);
      return FALSE;
    }
  ctx.plan = &plan;
  ctx.dialect = _orma_connection_get_dialect (ctx.connection);
  ctx.undo = g_array_new (FALSE, TRUE, sizeof (OrmaUndoEntry));
  g_array_set_clear_func (ctx.undo, (GDestroyNotify) undo_entry_clear);

  savepoint = plan_has_work (&plan) && _orma_session_current_level (session)->has_writes;
  ok = !savepoint || orma_connection_savepoint (ctx.connection, FLUSH_SAVEPOINT, error);
  if (ok)
    {
      ok = execute_plan (&ctx, error);
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
  g_clear_pointer (&ctx.sync_masks, g_hash_table_unref);

  if (ok)
    {
      if (ctx.n_statements > 0)
        _orma_session_current_level (session)->has_writes = TRUE;
      finish (session);
      accept_relationships (session);
    }
  return ok;
}
