/* orma-loader-select.c: the SELECT that loads one relationship for a set
 * of owners: one owner for a lazy load, every owner of a query's rows
 * for selectin.
 *
 * The owners are grouped by their key (the values the target's rows are
 * found by: the owner's referenced columns of a one-to-many or
 * many-to-many, its foreign key columns of a many-to-one), and each
 * chunk of up to LOAD_CHUNK distinct keys costs one statement:
 *
 *   one-to-many   SELECT t.* FROM t WHERE t.fk IN (...) ORDER BY <order-by>
 *   many-to-one   SELECT t.* FROM t WHERE t.pk IN (...)
 *   many-to-many  SELECT t.*, s.owner_fk FROM t JOIN s ON t.pk = s.target_fk
 *                 WHERE s.owner_fk IN (...) ORDER BY <order-by>
 *
 * One key is "= ?" rather than "IN (?)"; a composite key is
 * "(a = ? AND b = ?) OR ...", which every backend accepts and plans well
 * (row-value IN is not understood by all the SQLite versions we meet).
 * The rows are grouped back by the key columns they carry (the foreign
 * key of a child, the secondary's column of a many-to-many) so the order
 * within each owner is the statement's order.
 *
 * A many-to-one whose target is already in the identity map needs no
 * SQL at all. Rows become objects through the identity map: an object
 * already in the session is reused with its unflushed changes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-eager-private.h"
#include "orma-loading-private.h"
#include "orma-collection-private.h"
#include "orma-error-private.h"
#include "orma-value-private.h"

/* Bound parameters per statement stay far below every backend's limit
 * (SQLite 32766, PostgreSQL 65535) even for composite keys. */
#define LOAD_CHUNK 500

/* ------------------------------------------------------------------ */
/* Keys                                                                */

typedef struct {
  guint  hash;
  guint  n;
  GValue values[];
} Key;

static Key *
key_new (guint n)
{
  Key *key = g_malloc0 (sizeof (Key) + n * sizeof (GValue));

  key->n = n;
  return key;
}

static void
key_clear (Key *key)
{
  for (guint i = 0; i < key->n; i++)
    if (G_IS_VALUE (&key->values[i]))
      g_value_unset (&key->values[i]);
}

static void
key_free (Key *key)
{
  key_clear (key);
  g_free (key);
}

static void
key_finish (Key *key)
{
  guint hash = 17;

  for (guint i = 0; i < key->n; i++)
    hash = hash * 31 + _orma_value_hash (&key->values[i]);
  key->hash = hash;
}

static guint
key_hash (gconstpointer key)
{
  return ((const Key *) key)->hash;
}

static gboolean
key_equal (gconstpointer a,
           gconstpointer b)
{
  const Key *ka = a, *kb = b;

  if (ka->hash != kb->hash || ka->n != kb->n)
    return FALSE;
  for (guint i = 0; i < ka->n; i++)
    if (!_orma_value_equal (&ka->values[i], &kb->values[i]))
      return FALSE;
  return TRUE;
}

/* The owner's side of the join (rel->local), or NULL when a column is
 * NULL: such an owner has nothing to load. */
static Key *
owner_key (OrmaEntity       *owner,
           OrmaRelationship *rel)
{
  Key *key = key_new (rel->n_pairs);

  for (guint i = 0; i < rel->n_pairs; i++)
    {
      const GValue *value = _orma_entity_peek (owner, rel->local[i]);

      if (value == NULL || _orma_value_is_null (value))
        {
          key_free (key);
          return NULL;
        }
      g_value_init (&key->values[i], G_VALUE_TYPE (value));
      g_value_copy (value, &key->values[i]);
    }
  key_finish (key);
  return key;
}

/* The result column that carries the owner's key value @i in a row. */
static guint
row_key_column (OrmaRelationship *rel,
                guint             i)
{
  if (rel->direction == ORMA_REL_MANY_TO_MANY)
    return rel->target->n_columns + i;
  return rel->remote[i];
}

/* Room for a key on the stack: a row's key is only looked up, and a
 * malloc per row is a cost the rows of a large load feel. */
typedef union {
  Key    key;
  guint8 room[sizeof (Key) + ORMA_MAX_COLUMNS * sizeof (GValue)];
} KeyRoom;

/* The key of the current row, in the owner's column types so that it
 * compares equal to owner_key(), written into @room (clear it with
 * key_clear()). NULL when a column is NULL. */
static Key *
row_key (OrmaCursor        *cursor,
         OrmaRelationship  *rel,
         KeyRoom           *room,
         GError           **error)
{
  Key *key = &room->key;

  g_assert (rel->n_pairs <= ORMA_MAX_COLUMNS);
  memset (key, 0, sizeof (Key) + rel->n_pairs * sizeof (GValue));
  key->n = rel->n_pairs;
  for (guint i = 0; i < rel->n_pairs; i++)
    {
      guint column = row_key_column (rel, i);

      g_value_init (&key->values[i], _orma_mapper_column (rel->owner, rel->local[i])->type);
      if (_orma_cursor_is_null (cursor, column) ||
          !_orma_cursor_get (cursor, column, &key->values[i], error))
        {
          key_clear (key);
          return NULL;
        }
    }
  key_finish (key);
  return key;
}

/* ------------------------------------------------------------------ */
/* Slots                                                               */

gboolean
_orma_loader_slot_has_changes (OrmaRelSlot      *slot,
                               OrmaRelationship *rel)
{
  if (!rel->is_collection)
    return slot->changed;
  return slot->value != NULL && ORMA_IS_COLLECTION (slot->value) &&
         _orma_collection_has_changes (ORMA_COLLECTION (slot->value));
}

gboolean
_orma_loader_slot_is_current (OrmaSession *session,
                              OrmaEntity  *entity,
                              OrmaRelSlot *slot)
{
  OrmaInstanceState *state = _orma_instance_state_get (entity);

  if (!slot->loaded)
    return FALSE;
  if (slot->stamp == ORMA_LOADER_STAMP_UNSAVED)
    {
      /* What the application put in before the row existed is what the
       * flush wrote: current until the object expires, then stamped
       * like a load so that the expiry is seen. */
      if (state != NULL && state->session == session &&
          state->state == ORMA_STATE_PERSISTENT && !_orma_session_is_expired (session, state))
        slot->stamp = session->generation;
      return slot->stamp != ORMA_LOADER_STAMP_UNSAVED ||
             state == NULL || state->state != ORMA_STATE_PERSISTENT;
    }
  return slot->stamp >= session->generation;
}

void
_orma_loader_store (OrmaSession      *session,
                    OrmaEntity       *owner,
                    OrmaRelationship *rel,
                    OrmaEntity       *target,
                    GPtrArray        *items)
{
  if (rel->is_collection)
    {
      _orma_entity_relationship_load (owner, rel, NULL, items, FALSE, session->generation);
      return;
    }
  if (target == NULL && items != NULL && items->len > 0)
    target = g_ptr_array_index (items, 0);
  /* A many-to-one target is held weakly (the child-parent reference
   * cycle); the one-to-one child of a parent is held like a member. */
  if (target != NULL && rel->direction == ORMA_REL_MANY_TO_ONE)
    _orma_loader_keep_alive (session, target);
  _orma_entity_relationship_load (owner, rel, target, NULL,
                                  rel->direction == ORMA_REL_MANY_TO_ONE, session->generation);
}

/* ------------------------------------------------------------------ */
/* The statement                                                       */

/* The owners that share one key, and what their rows brought. */
typedef struct {
  Key        *key;
  GPtrArray  *owners;   /* OrmaEntity*, no references (the caller's) */
  GPtrArray  *items;    /* OrmaEntity*, referenced */
} Group;

static void
group_free (Group *group)
{
  key_free (group->key);
  g_ptr_array_unref (group->owners);
  g_ptr_array_unref (group->items);
  g_free (group);
}

typedef struct {
  OrmaSession      *session;
  OrmaRelationship *rel;
  GHashTable       *groups;   /* Key* -> Group* (owns the groups) */
  GPtrArray        *order;    /* Group*, in the owners' order */
  GPtrArray        *loaded;   /* nullable, the caller's */
} Job;

/* "col = ?" for each key column, ANDed: the target's columns, or the
 * secondary's for a many-to-many. */
static OrmaExpr *
key_match (Job  *job,
           Key  *key)
{
  OrmaRelationship *rel = job->rel;
  OrmaExpr *parts[ORMA_MAX_COLUMNS];

  for (guint i = 0; i < key->n; i++)
    {
      OrmaExpr *column = rel->direction == ORMA_REL_MANY_TO_MANY
                         ? _orma_expr_new_column (rel->secondary, rel->sec_local[i], 0)
                         : _orma_expr_new_column (rel->target->table, rel->remote[i],
                                                  rel->target->type);
      parts[i] = orma_eq (column, orma_value (&key->values[i]));
    }
  return _orma_expr_new_junction (ORMA_EXPR_AND, parts, key->n);
}

/* The WHERE clause for @n groups: = for one, IN for a one-column key,
 * an OR of ANDs for a composite one. */
static OrmaExpr *
keys_condition (Job    *job,
                Group **groups,
                guint   n)
{
  OrmaRelationship *rel = job->rel;
  g_autofree OrmaExpr **items = NULL;

  if (n == 1 || rel->n_pairs > 1)
    {
      if (n == 1)
        return key_match (job, groups[0]->key);
      items = g_new (OrmaExpr *, n);
      for (guint i = 0; i < n; i++)
        items[i] = key_match (job, groups[i]->key);
      return _orma_expr_new_junction (ORMA_EXPR_OR, items, n);
    }

  items = g_new (OrmaExpr *, n);
  for (guint i = 0; i < n; i++)
    items[i] = orma_value (&groups[i]->key->values[0]);
  return orma_in_array (rel->direction == ORMA_REL_MANY_TO_MANY
                        ? _orma_expr_new_column (rel->secondary, rel->sec_local[0], 0)
                        : _orma_expr_new_column (rel->target->table, rel->remote[0],
                                                 rel->target->type),
                        items, n);
}

/* Everything one statement borrows, kept until it has run. */
typedef struct {
  GPtrArray  *exprs;      /* OrmaExpr*, owned */
  OrmaAlias  *secondary;
  OrmaJoin    join;
  OrmaSelect  select;
  GPtrArray  *params;
  GArray     *scratch;
  char       *sql;
} Statement;

static void
statement_clear (Statement *st)
{
  g_clear_pointer (&st->exprs, g_ptr_array_unref);
  g_clear_pointer (&st->secondary, orma_alias_unref);
  g_clear_pointer (&st->join.on, orma_expr_unref);
  g_clear_pointer (&st->params, g_ptr_array_unref);
  g_clear_pointer (&st->scratch, g_array_unref);
  g_clear_pointer (&st->sql, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Statement, statement_clear)

static OrmaExpr *
keep (Statement *st,
      OrmaExpr  *expr)
{
  g_ptr_array_add (st->exprs, orma_expr_ref_sink (expr));
  return expr;
}

static gboolean
statement_build (Statement          *st,
                 Job                *job,
                 Group             **groups,
                 guint               n,
                 const OrmaDialect  *dialect,
                 GError            **error)
{
  OrmaRelationship *rel = job->rel;
  OrmaMapper *target = rel->target;
  guint first_order;

  st->exprs = g_ptr_array_new_with_free_func ((GDestroyNotify) orma_expr_unref);
  for (guint i = 0; i < target->n_columns; i++)
    keep (st, _orma_expr_new_column (target->table, i, target->type));
  if (rel->direction == ORMA_REL_MANY_TO_MANY)
    {
      OrmaExpr *on[ORMA_MAX_COLUMNS];

      for (guint i = 0; i < rel->n_pairs; i++)
        keep (st, _orma_expr_new_column (rel->secondary, rel->sec_local[i], 0));
      st->secondary = _orma_alias_new_table (rel->secondary, NULL, FALSE, 0);
      for (guint j = 0; j < rel->n_sec_remote; j++)
        on[j] = orma_eq (_orma_expr_new_column (target->table, rel->remote_for_sec[j], target->type),
                         _orma_expr_new_column (rel->secondary, rel->sec_remote[j], 0));
      st->join.kind = ORMA_JOIN_INNER;
      st->join.target = st->secondary;
      st->join.on = orma_expr_ref_sink (_orma_expr_new_junction (ORMA_EXPR_AND, on,
                                                                 rel->n_sec_remote));
      st->select.joins = &st->join;
      st->select.n_joins = 1;
    }
  st->select.columns = (OrmaExpr **) st->exprs->pdata;
  st->select.n_columns = st->exprs->len;

  /* The order of a collection; a many-to-one needs none. */
  first_order = st->exprs->len;
  for (guint k = 0; rel->direction != ORMA_REL_MANY_TO_ONE && k < rel->n_order; k++)
    {
      OrmaExpr *column = _orma_expr_new_column (target->table, rel->order_columns[k], target->type);

      keep (st, rel->order_desc[k] ? orma_desc (column) : column);
    }
  st->select.where = keep (st, keys_condition (job, groups, n));
  /* the array may have moved while growing */
  st->select.columns = (OrmaExpr **) st->exprs->pdata;
  st->select.order_by = (OrmaExpr **) st->exprs->pdata + first_order;
  st->select.n_order_by = st->exprs->len - 1 - first_order;
  st->select.from = target->table;
  st->select.limit = -1;

  st->params = g_ptr_array_new ();
  st->scratch = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (st->scratch, (GDestroyNotify) g_value_unset);
  st->sql = _orma_compile_select (dialect, &st->select, st->params, st->scratch, error);
  return st->sql != NULL;
}

/* Files the current row under the group of its key. */
static gboolean
take_row (Job         *job,
          OrmaCursor  *cursor,
          GError     **error)
{
  g_autoptr (OrmaEntity) entity = NULL;
  GError *local_error = NULL;
  KeyRoom room;
  Key *key;
  Group *group;

  entity = _orma_loading_instance (job->session, job->rel->target, cursor, 0, &local_error);
  if (entity == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      return TRUE;
    }
  key = row_key (cursor, job->rel, &room, &local_error);
  if (key == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      return TRUE;
    }
  group = g_hash_table_lookup (job->groups, key);
  key_clear (key);
  if (group == NULL)
    return TRUE;
  g_ptr_array_add (group->items, g_object_ref (entity));
  if (job->loaded != NULL)
    g_ptr_array_add (job->loaded, g_object_ref (entity));
  return TRUE;
}

static gboolean
run_chunk (Job     *job,
           Group  **groups,
           guint    n,
           GError **error)
{
  OrmaConnection *connection = _orma_session_connection (job->session, error);
  g_auto (Statement) st = { 0 };
  g_autoptr (OrmaCursor) cursor = NULL;
  GError *local_error = NULL;

  if (connection == NULL ||
      !statement_build (&st, job, groups, n, _orma_connection_get_dialect (connection), error))
    return FALSE;
  cursor = _orma_connection_query (connection, st.sql,
                                   (const GValue *const *) st.params->pdata, st.params->len,
                                   FALSE, NULL, error);
  if (cursor == NULL)
    return FALSE;

  /* Reading rows never flushes: a flush would write on the connection
   * the cursor reads from. */
  job->session->no_autoflush++;
  while (_orma_cursor_next (cursor, &local_error))
    if (!take_row (job, cursor, &local_error))
      break;
  job->session->no_autoflush--;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Owners                                                              */

/* The many-to-one's target by primary key from the identity map, when
 * the foreign key references the target's whole primary key. */
static OrmaEntity *
identity_target (OrmaSession      *session,
                 OrmaRelationship *rel,
                 Key              *key)
{
  OrmaMapper *target = rel->target;
  GValue values[ORMA_MAX_COLUMNS];
  OrmaEntity *found = NULL;
  guint done = 0;

  if (rel->direction != ORMA_REL_MANY_TO_ONE || rel->n_pairs != target->n_pk)
    return NULL;
  memset (values, 0, target->n_pk * sizeof (GValue));
  for (; done < target->n_pk; done++)
    {
      const GValue *value = NULL;
      GType type;

      for (guint i = 0; i < rel->n_pairs; i++)
        if (rel->remote[i] == target->pk[done])
          value = &key->values[i];
      if (value == NULL)
        goto out;
      type = _orma_identity_is_int (target) ? G_TYPE_INT64
                                            : _orma_mapper_column (target, target->pk[done])->type;
      g_value_init (&values[done], type);
      if (!_orma_value_convert (value, &values[done], NULL))
        {
          done++;
          goto out;
        }
    }
  found = _orma_identity_is_int (target)
          ? _orma_identity_map_lookup_int (session->identity_map, target,
                                           g_value_get_int64 (&values[0]))
          : _orma_identity_map_lookup (session->identity_map, target, values);
out:
  for (guint i = 0; i < done; i++)
    g_value_unset (&values[i]);
  return found;
}

/* Sorts the owners into groups by key; those answered without SQL (no
 * key, the target in the identity map) are stored at once. */
static void
group_owners (Job         *job,
              OrmaEntity **owners,
              guint        n_owners)
{
  OrmaRelationship *rel = job->rel;

  for (guint i = 0; i < n_owners; i++)
    {
      OrmaEntity *owner = owners[i];
      OrmaRelSlot *slot = _orma_entity_rel_slot (owner, rel);
      Key *key;
      Group *group;
      OrmaEntity *found;

      if (slot->loaded && _orma_loader_slot_has_changes (slot, rel))
        continue;
      key = owner_key (owner, rel);
      if (key == NULL)
        {
          _orma_loader_store (job->session, owner, rel, NULL, NULL);
          continue;
        }
      found = identity_target (job->session, rel, key);
      if (found != NULL)
        {
          key_free (key);
          _orma_loader_store (job->session, owner, rel, found, NULL);
          if (job->loaded != NULL)
            g_ptr_array_add (job->loaded, g_object_ref (found));
          continue;
        }
      group = g_hash_table_lookup (job->groups, key);
      if (group == NULL)
        {
          group = g_new0 (Group, 1);
          group->key = key;
          group->owners = g_ptr_array_new ();
          group->items = g_ptr_array_new_with_free_func (g_object_unref);
          g_hash_table_insert (job->groups, key, group);
          g_ptr_array_add (job->order, group);
        }
      else
        key_free (key);
      g_ptr_array_add (group->owners, owner);
    }
}

gboolean
_orma_loader_load_for_full (OrmaSession      *session,
                            OrmaRelationship *rel,
                            OrmaEntity      **owners,
                            guint             n_owners,
                            GPtrArray        *loaded,
                            GError          **error)
{
  Job job = { session, rel, NULL, NULL, loaded };
  gboolean ok = TRUE;

  g_return_val_if_fail (rel != NULL && rel->resolved, FALSE);
  g_return_val_if_fail (owners != NULL || n_owners == 0, FALSE);

  job.groups = g_hash_table_new_full (key_hash, key_equal, NULL, (GDestroyNotify) group_free);
  job.order = g_ptr_array_new ();
  group_owners (&job, owners, n_owners);

  for (guint first = 0; ok && first < job.order->len; first += LOAD_CHUNK)
    ok = run_chunk (&job, (Group **) job.order->pdata + first,
                    MIN (LOAD_CHUNK, job.order->len - first), error);

  /* Stored only when every chunk succeeded: a failed load leaves the
   * attributes as they were. */
  for (guint i = 0; ok && i < job.order->len; i++)
    {
      Group *group = g_ptr_array_index (job.order, i);

      for (guint k = 0; k < group->owners->len; k++)
        _orma_loader_store (session, g_ptr_array_index (group->owners, k), rel, NULL,
                            group->items);
    }
  g_ptr_array_unref (job.order);
  g_hash_table_unref (job.groups);
  return ok;
}

gboolean
_orma_loader_load_for (OrmaSession      *session,
                       OrmaRelationship *rel,
                       OrmaEntity      **owners,
                       guint             n_owners,
                       GError          **error)
{
  return _orma_loader_load_for_full (session, rel, owners, n_owners, NULL, error);
}
