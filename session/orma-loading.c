/* orma-loading.c: rows become objects here, through the identity map.
 *
 * A row whose object is already in the session yields that object, with
 * its unflushed changes intact; only an expired object is overwritten
 * from the row. Otherwise a new object is created and its attribute
 * storage filled straight from the cursor, without property notification
 * or change tracking: loading is not a change.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-loading-private.h"
#include "orma-eager-private.h"
#include "orma-error-private.h"
#include "orma-value-private.h"

/* Overwrites the attribute storage of @entity from the row. */
static gboolean
populate (OrmaEntity  *entity,
          OrmaMapper  *mapper,
          OrmaCursor  *cursor,
          guint        offset,
          GError     **error)
{
  for (guint i = 0; i < mapper->n_columns; i++)
    {
      GValue *slot = _orma_entity_slot (entity, i);

      if (_orma_cursor_is_null (cursor, offset + i))
        {
          g_value_reset (slot);
          _orma_entity_set_null_bit (entity, i, TRUE);
        }
      else if (_orma_cursor_get (cursor, offset + i, slot, error))
        _orma_entity_set_null_bit (entity, i, FALSE);
      else
        {
          g_prefix_error (error, "%s.%s: ", orma_table_get_name (mapper->table),
                          _orma_mapper_column (mapper, i)->name);
          return FALSE;
        }
    }
  return TRUE;
}

/* An expired object's row is being read again: the relationship
 * attributes it got before it had a row (stamped unsaved, current until
 * the object expired) are stale from now on, like every other loaded
 * one, and so is every attribute of an object expired on its own (its
 * stamps cannot tell); those with unflushed changes stay. The slots are
 * not allocated here if the object never touched a relationship. */
static void
expire_unsaved_relationships (OrmaEntity *entity)
{
  OrmaInstanceState *state = _orma_instance_state_get (entity);
  gboolean all = state != NULL && state->expired;
  OrmaEntityPrivate *priv = _orma_entity_get_private (entity);
  GPtrArray *rels = priv->mapper->relationships;

  for (guint i = 0; rels != NULL && i < priv->n_rels && i < rels->len; i++)
    {
      OrmaRelationship *rel = g_ptr_array_index (rels, i);
      OrmaRelSlot *slot = &priv->rels[i];

      if (slot->loaded && (all || slot->stamp == ORMA_LOADER_STAMP_UNSAVED) &&
          !_orma_loader_slot_has_changes (slot, rel))
        _orma_entity_relationship_unload (entity, rel);
    }
}

/* Looks the row's identity up. *has_key is FALSE when the key columns are
 * NULL (no row, as in an outer join). */
static OrmaEntity *
lookup_row (OrmaSession  *session,
            OrmaMapper   *mapper,
            OrmaCursor   *cursor,
            guint         offset,
            gboolean     *has_key,
            GError      **error)
{
  GValue key[ORMA_MAX_COLUMNS];
  OrmaEntity *found = NULL;
  guint n = 0;

  *has_key = FALSE;
  /* only the key's own slots: zeroing all of them costs more than the
   * lookup */
  memset (key, 0, mapper->n_pk * sizeof (GValue));
  for (; n < mapper->n_pk; n++)
    {
      guint column = offset + mapper->pk[n];

      if (_orma_cursor_is_null (cursor, column))
        goto out;
      g_value_init (&key[n], _orma_identity_is_int (mapper) ? G_TYPE_INT64
                                                           : _orma_mapper_column (mapper, mapper->pk[n])->type);
      if (!_orma_cursor_get (cursor, column, &key[n], error))
        {
          n++;
          goto out;
        }
    }
  *has_key = TRUE;
  found = _orma_identity_is_int (mapper)
            ? _orma_identity_map_lookup_int (session->identity_map, mapper, g_value_get_int64 (&key[0]))
            : _orma_identity_map_lookup (session->identity_map, mapper, key);
out:
  for (guint i = 0; i < n; i++)
    g_value_unset (&key[i]);
  return found;
}

gboolean
_orma_loading_row_is (OrmaSession *session,
                      OrmaMapper  *mapper,
                      OrmaCursor  *cursor,
                      guint        offset,
                      OrmaEntity  *entity)
{
  OrmaInstanceState *state = _orma_instance_state_get (entity);
  GValue key = G_VALUE_INIT;
  gboolean same;
  guint column;

  /* The common single integer key only; the others take the lookup. */
  if (state == NULL || state->session != session || !state->in_map ||
      state->mapper != mapper || !_orma_identity_is_int (mapper))
    return FALSE;
  column = offset + mapper->pk[0];
  if (_orma_cursor_is_null (cursor, column))
    return FALSE;
  g_value_init (&key, G_TYPE_INT64);
  same = _orma_cursor_get (cursor, column, &key, NULL) &&
         g_value_get_int64 (&key) == state->int_key;
  g_value_unset (&key);
  return same;
}

OrmaEntity *
_orma_loading_instance (OrmaSession  *session,
                        OrmaMapper   *mapper,
                        OrmaCursor   *cursor,
                        guint         offset,
                        GError      **error)
{
  g_autoptr (OrmaEntity) entity = NULL;
  OrmaInstanceState *state;
  gboolean has_key;
  GError *local_error = NULL;

  entity = lookup_row (session, mapper, cursor, offset, &has_key, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (!has_key)
    return NULL;

  if (entity != NULL)
    {
      g_object_ref (entity);
      state = _orma_instance_state_get (entity);
      if (!state->in_dirty && _orma_session_is_expired (session, state))
        {
          if (!populate (entity, mapper, cursor, offset, error))
            return NULL;
          expire_unsaved_relationships (entity);
          _orma_entity_accept_changes (entity);
          _orma_session_mark_loaded (session, state);
        }
      return g_steal_pointer (&entity);
    }

  entity = g_object_new (mapper->type, NULL);
  if (!populate (entity, mapper, cursor, offset, error))
    return NULL;
  state = _orma_instance_state_ensure (entity);
  _orma_session_attach (session, state, ORMA_STATE_PERSISTENT);
  return g_steal_pointer (&entity);
}

/* SELECT <all columns> FROM t WHERE t.k1 = ? AND t.k2 = ?, compiled once
 * per mapper and dialect; the key values are bound at each execution. */
static const char *
select_by_key_sql (OrmaMapper        *mapper,
                   const OrmaDialect *dialect,
                   GError           **error)
{
  g_autofree char *cache_key = g_strdup_printf ("%s:get", dialect->name);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autoptr (GArray) scratch = g_array_new (FALSE, TRUE, sizeof (GValue));
  OrmaSelect select = { 0 };
  g_autofree char *base = NULL;
  GString *sql;
  char *cached;

  cached = g_hash_table_lookup (mapper->sql_cache, cache_key);
  if (cached != NULL)
    return cached;

  g_array_set_clear_func (scratch, (GDestroyNotify) g_value_unset);
  select.from = mapper->table;
  select.limit = -1;
  base = _orma_compile_select (dialect, &select, params, scratch, error);
  if (base == NULL)
    return NULL;

  sql = g_string_new (base);
  for (guint i = 0; i < mapper->n_pk; i++)
    {
      g_string_append (sql, i == 0 ? " WHERE " : " AND ");
      _orma_dialect_append_identifier (dialect, sql, orma_table_get_name (mapper->table));
      g_string_append_c (sql, '.');
      _orma_dialect_append_identifier (dialect, sql, _orma_mapper_column (mapper, mapper->pk[i])->name);
      g_string_append (sql, " = ");
      _orma_dialect_append_param (dialect, sql, i + 1);
    }
  cached = g_string_free (sql, FALSE);
  g_hash_table_insert (mapper->sql_cache, g_steal_pointer (&cache_key), cached);
  return cached;
}

/* Runs the select-by-key query; returns the cursor positioned on the row,
 * or NULL (with no error) when there is none. */
static OrmaCursor *
fetch_row (OrmaSession   *session,
           OrmaMapper    *mapper,
           const GValue **key,
           GError       **error)
{
  OrmaConnection *connection = _orma_session_connection (session, error);
  g_autoptr (OrmaCursor) cursor = NULL;
  const char *sql;

  if (connection == NULL)
    return NULL;
  sql = select_by_key_sql (mapper, _orma_connection_get_dialect (connection), error);
  if (sql == NULL)
    return NULL;
  cursor = _orma_connection_query (connection, sql, key, mapper->n_pk, FALSE, NULL, error);
  if (cursor == NULL || !_orma_cursor_next (cursor, error))
    return NULL;
  return g_steal_pointer (&cursor);
}

OrmaEntity *
_orma_loading_by_key (OrmaSession   *session,
                      OrmaMapper    *mapper,
                      const GValue  *key,
                      GError       **error)
{
  const GValue *params[ORMA_MAX_COLUMNS];
  g_autoptr (OrmaCursor) cursor = NULL;

  for (guint i = 0; i < mapper->n_pk; i++)
    params[i] = &key[i];
  cursor = fetch_row (session, mapper, params, error);
  if (cursor == NULL)
    return NULL;
  return _orma_loading_instance (session, mapper, cursor, 0, error);
}

gboolean
_orma_loading_refresh (OrmaSession  *session,
                       OrmaEntity   *entity,
                       GError      **error)
{
  OrmaInstanceState *state = _orma_instance_state_get (entity);
  OrmaMapper *mapper = state->mapper;
  const GValue *params[ORMA_MAX_COLUMNS];
  g_autoptr (OrmaCursor) cursor = NULL;
  GError *local_error = NULL;

  for (guint i = 0; i < mapper->n_pk; i++)
    params[i] = _orma_entity_peek_committed (entity, mapper->pk[i]);

  state->refreshing = TRUE;
  cursor = fetch_row (session, mapper, params, &local_error);
  state->refreshing = FALSE;
  if (cursor == NULL)
    {
      if (local_error == NULL)
        {
          g_autofree char *key = _orma_value_to_echo (params[0]);
          _orma_set_error (&local_error, ORMA_ERROR_NOT_FOUND,
                           "the row of %s %s no longer exists",
                           G_OBJECT_TYPE_NAME (entity), key);
        }
      g_propagate_error (error, local_error);
      return FALSE;
    }

  /* A row that cannot be read leaves the object expired. */
  if (!populate (entity, mapper, cursor, 0, error))
    return FALSE;
  expire_unsaved_relationships (entity);
  /* Whatever was not flushed is gone: the row is the truth now. */
  _orma_entity_accept_changes (entity);
  _orma_session_mark_loaded (session, state);
  if (state->in_dirty)
    {
      /* the dirty set may hold the last reference: drop it last */
      state->in_dirty = FALSE;
      g_ptr_array_remove_fast (session->dirty, entity);
    }
  return TRUE;
}
