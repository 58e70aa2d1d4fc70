/* orma-identity-map.c: one object per (mapper, primary key) per session.
 *
 * Lookups by integer key are the hot path (orma_session_get() answered
 * from memory, every loaded row checked against the map), so each mapper
 * with a single integer key gets its own table keyed by the integer,
 * stored inline in the instance state: no key allocation per object.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-identity-map-private.h"
#include "orma-value-private.h"

struct _OrmaIdentityMap
{
  /* OrmaMapper* -> GHashTable* (gint64* -> OrmaEntity*, or
   * OrmaIdentityKey* -> OrmaEntity*) */
  GHashTable *by_mapper;
  /* one-entry cache of the last mapper looked up */
  OrmaMapper *last_mapper;
  GHashTable *last_table;
  guint       size;
};

static guint
identity_key_hash (gconstpointer key)
{
  return ((const OrmaIdentityKey *) key)->hash;
}

static gboolean
identity_key_equal (gconstpointer a,
                    gconstpointer b)
{
  const OrmaIdentityKey *ka = a, *kb = b;

  if (ka->hash != kb->hash || ka->n_values != kb->n_values)
    return FALSE;
  for (guint i = 0; i < ka->n_values; i++)
    if (!_orma_value_equal (&ka->values[i], &kb->values[i]))
      return FALSE;
  return TRUE;
}

gboolean
_orma_identity_is_int (OrmaMapper *mapper)
{
  GType storage;

  if (mapper->n_pk != 1)
    return FALSE;
  storage = _orma_mapper_column (mapper, mapper->pk[0])->storage;
  return storage == G_TYPE_INT64 || storage == G_TYPE_INT || storage == G_TYPE_UINT;
}

static gint64
value_as_int64 (const GValue *value)
{
  switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value)))
    {
    case G_TYPE_INT:
      return g_value_get_int (value);
    case G_TYPE_UINT:
      return g_value_get_uint (value);
    default:
      return g_value_get_int64 (value);
    }
}

static OrmaIdentityKey *
identity_key_new (const GValue *values,
                  guint         n_values)
{
  OrmaIdentityKey *key;
  guint hash = 17;

  key = g_malloc0 (sizeof (OrmaIdentityKey) + n_values * sizeof (GValue));
  key->n_values = n_values;
  for (guint i = 0; i < n_values; i++)
    {
      g_value_init (&key->values[i], G_VALUE_TYPE (&values[i]));
      g_value_copy (&values[i], &key->values[i]);
      hash = hash * 31 + _orma_value_hash (&values[i]);
    }
  key->hash = hash;
  return key;
}

void
_orma_identity_key_free (OrmaIdentityKey *key)
{
  for (guint i = 0; i < key->n_values; i++)
    g_value_unset (&key->values[i]);
  g_free (key);
}

gboolean
_orma_identity_compute (OrmaInstanceState *state)
{
  OrmaMapper *mapper = state->mapper;
  g_autofree GValue *values = NULL;

  for (guint i = 0; i < mapper->n_pk; i++)
    if (_orma_entity_is_null_at (state->entity, mapper->pk[i]))
      return FALSE;

  if (_orma_identity_is_int (mapper))
    {
      state->int_key = value_as_int64 (_orma_entity_peek (state->entity, mapper->pk[0]));
      return TRUE;
    }

  values = g_new0 (GValue, mapper->n_pk);
  for (guint i = 0; i < mapper->n_pk; i++)
    values[i] = *_orma_entity_peek (state->entity, mapper->pk[i]);
  g_clear_pointer (&state->key, _orma_identity_key_free);
  state->key = identity_key_new (values, mapper->n_pk);
  return TRUE;
}

OrmaIdentityMap *
_orma_identity_map_new (void)
{
  OrmaIdentityMap *map = g_new0 (OrmaIdentityMap, 1);

  map->by_mapper = g_hash_table_new_full (NULL, NULL, NULL,
                                          (GDestroyNotify) g_hash_table_unref);
  return map;
}

void
_orma_identity_map_free (OrmaIdentityMap *map)
{
  if (map == NULL)
    return;
  g_hash_table_unref (map->by_mapper);
  g_free (map);
}

guint
_orma_identity_map_size (OrmaIdentityMap *map)
{
  return map->size;
}

static GHashTable *
table_for (OrmaIdentityMap *map,
           OrmaMapper      *mapper,
           gboolean         create)
{
  GHashTable *table;

  if (mapper == map->last_mapper)
    return map->last_table;

  table = g_hash_table_lookup (map->by_mapper, mapper);
  if (table == NULL && create)
    {
      if (_orma_identity_is_int (mapper))
        table = g_hash_table_new (g_int64_hash, g_int64_equal);
      else
        table = g_hash_table_new (identity_key_hash, identity_key_equal);
      g_hash_table_insert (map->by_mapper, mapper, table);
    }
  if (table != NULL)
    {
      map->last_mapper = mapper;
      map->last_table = table;
    }
  return table;
}

OrmaEntity *
_orma_identity_map_lookup_int (OrmaIdentityMap *map,
                               OrmaMapper      *mapper,
                               gint64           id)
{
  GHashTable *table = table_for (map, mapper, FALSE);

  return table ? g_hash_table_lookup (table, &id) : NULL;
}

OrmaEntity *
_orma_identity_map_lookup (OrmaIdentityMap *map,
                           OrmaMapper      *mapper,
                           const GValue    *values)
{
  GHashTable *table;
  OrmaEntity *found;
  OrmaIdentityKey *key;

  if (_orma_identity_is_int (mapper))
    return _orma_identity_map_lookup_int (map, mapper, value_as_int64 (&values[0]));

  table = table_for (map, mapper, FALSE);
  if (table == NULL)
    return NULL;
  key = identity_key_new (values, mapper->n_pk);
  found = g_hash_table_lookup (table, key);
  _orma_identity_key_free (key);
  return found;
}

OrmaEntity *
_orma_identity_map_lookup_state (OrmaIdentityMap   *map,
                                 OrmaInstanceState *state)
{
  GHashTable *table = table_for (map, state->mapper, FALSE);

  if (table == NULL)
    return NULL;
  if (_orma_identity_is_int (state->mapper))
    return g_hash_table_lookup (table, &state->int_key);
  return state->key ? g_hash_table_lookup (table, state->key) : NULL;
}

void
_orma_identity_map_insert (OrmaIdentityMap   *map,
                           OrmaInstanceState *state)
{
  GHashTable *table = table_for (map, state->mapper, TRUE);
  gpointer key = _orma_identity_is_int (state->mapper)
                   ? (gpointer) &state->int_key : (gpointer) state->key;

  g_assert (!state->in_map);
  /* replace, not insert: the stored key must be this state's own */
  if (!g_hash_table_replace (table, key, state->entity))
    {
      /* Another state was displaced: it no longer lives in the map. */
      g_warn_if_reached ();
    }
  state->in_map = TRUE;
  map->size++;
}

void
_orma_identity_map_remove (OrmaIdentityMap   *map,
                           OrmaInstanceState *state)
{
  GHashTable *table;
  gconstpointer key;

  if (!state->in_map)
    return;
  table = table_for (map, state->mapper, FALSE);
  key = _orma_identity_is_int (state->mapper)
          ? (gconstpointer) &state->int_key : (gconstpointer) state->key;
  /* Only remove the entry if it is this object (a displaced state must
   * not remove its successor). */
  if (table != NULL && g_hash_table_lookup (table, key) == state->entity)
    g_hash_table_remove (table, key);
  state->in_map = FALSE;
  map->size--;
}

typedef struct {
  GFunc    func;
  gpointer user_data;
} ForeachData;

static void
foreach_entity (gpointer key,
                gpointer value,
                gpointer user_data)
{
  ForeachData *data = user_data;

  data->func (value, data->user_data);
}

static void
foreach_table (gpointer key,
               gpointer value,
               gpointer user_data)
{
  g_hash_table_foreach (value, foreach_entity, user_data);
}

void
_orma_identity_map_foreach (OrmaIdentityMap *map,
                            GFunc            func,
                            gpointer         user_data)
{
  ForeachData data = { func, user_data };

  g_hash_table_foreach (map->by_mapper, foreach_table, &data);
}

static void
collect (gpointer entity,
         gpointer array)
{
  g_ptr_array_add (array, g_object_ref (entity));
}

GPtrArray *
_orma_identity_map_dup_all (OrmaIdentityMap *map)
{
  GPtrArray *all = g_ptr_array_new_with_free_func (g_object_unref);

  _orma_identity_map_foreach (map, collect, all);
  return all;
}
