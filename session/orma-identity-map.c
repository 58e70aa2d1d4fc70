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
#include "orma-entity-private.h"
#include "orma-value-private.h"

/* Objects with one integer key live in an open-addressing table whose
 * slots hold the key itself: a lookup reads one slot, not a key behind a
 * pointer. Linear probing; removal shifts the following slots back, so
 * there are no tombstones. */
typedef struct {
  gint64      key;
  OrmaEntity *entity;      /* NULL: empty slot */
  /* A copy of the state's generation (G_MAXUINT64 when it was expired on
   * its own), so that get() can tell a fresh object without touching
   * the object's memory before it takes its reference. */
  guint64     loaded;
} IntSlot;

typedef struct {
  IntSlot *slots;
  gsize    mask;           /* capacity - 1; capacity is a power of two */
  gsize    used;
} IntTable;

/* The objects of one mapper. */
typedef struct {
  gboolean    is_int;
  IntTable    ints;
  GHashTable *keys;        /* OrmaIdentityKey* -> OrmaEntity* */
} MapperTable;

struct _OrmaIdentityMap
{
  GHashTable  *by_mapper;  /* OrmaMapper* -> MapperTable* */
  /* one-entry cache of the last mapper looked up */
  OrmaMapper  *last_mapper;
  MapperTable *last_table;
  guint        size;
};

static inline gsize
int_hash (gint64 key)
{
  guint64 h = (guint64) key * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  return (gsize) (h ^ (h >> 29));
}

static IntSlot *
int_table_find (const IntTable *table,
                gint64          key)
{
  gsize i;

  if (table->slots == NULL)
    return NULL;
  for (i = int_hash (key) & table->mask; table->slots[i].entity != NULL; i = (i + 1) & table->mask)
    if (table->slots[i].key == key)
      return &table->slots[i];
  return NULL;
}

static OrmaEntity *
int_table_lookup (const IntTable *table,
                  gint64          key)
{
  IntSlot *slot = int_table_find (table, key);

  return slot ? slot->entity : NULL;
}

static gboolean int_table_insert (IntTable *table, gint64 key, OrmaEntity *entity, guint64 loaded);

static void
int_table_grow (IntTable *table)
{
  IntSlot *old = table->slots;
  gsize old_capacity = old ? table->mask + 1 : 0;

  table->mask = old_capacity ? old_capacity * 2 - 1 : 63;
  table->slots = g_new0 (IntSlot, table->mask + 1);
  table->used = 0;
  for (gsize i = 0; i < old_capacity; i++)
    if (old[i].entity != NULL)
      int_table_insert (table, old[i].key, old[i].entity, old[i].loaded);
  g_free (old);
}

/* Inserts or replaces; TRUE for a new key. */
static gboolean
int_table_insert (IntTable   *table,
                  gint64      key,
                  OrmaEntity *entity,
                  guint64     loaded)
{
  gsize i;

  /* keep the load under 3/4 so probes stay short */
  if (table->slots == NULL || (table->used + 1) * 4 > (table->mask + 1) * 3)
    int_table_grow (table);
  for (i = int_hash (key) & table->mask; table->slots[i].entity != NULL; i = (i + 1) & table->mask)
    if (table->slots[i].key == key)
      {
        table->slots[i].entity = entity;
        table->slots[i].loaded = loaded;
        return FALSE;
      }
  table->slots[i].key = key;
  table->slots[i].entity = entity;
  table->slots[i].loaded = loaded;
  table->used++;
  return TRUE;
}

/* Removes @key if it maps to @entity. */
static void
int_table_remove (IntTable   *table,
                  gint64      key,
                  OrmaEntity *entity)
{
  gsize i, j;

  if (table->slots == NULL)
    return;
  for (i = int_hash (key) & table->mask; table->slots[i].key != key || table->slots[i].entity == NULL;
       i = (i + 1) & table->mask)
    if (table->slots[i].entity == NULL)
      return;
  if (table->slots[i].entity != entity)
    return;

  /* Backward-shift: move later members of the probe run into the hole
   * when their home slot is not between the hole and them. */
  table->slots[i].entity = NULL;
  table->used--;
  for (j = (i + 1) & table->mask; table->slots[j].entity != NULL; j = (j + 1) & table->mask)
    {
      gsize home = int_hash (table->slots[j].key) & table->mask;
      gboolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);

      if (movable)
        {
          table->slots[i] = table->slots[j];
          table->slots[j].entity = NULL;
          i = j;
        }
    }
}

static void
mapper_table_free (MapperTable *table)
{
  g_free (table->ints.slots);
  g_clear_pointer (&table->keys, g_hash_table_unref);
  g_free (table);
}

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
                                          (GDestroyNotify) mapper_table_free);
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

static inline guint64
state_loaded (OrmaInstanceState *state)
{
  return state->expired ? G_MAXUINT64 : state->generation;
}

static MapperTable *
table_for (OrmaIdentityMap *map,
           OrmaMapper      *mapper,
           gboolean         create)
{
  MapperTable *table;

  if (mapper == map->last_mapper)
    return map->last_table;

  table = g_hash_table_lookup (map->by_mapper, mapper);
  if (table == NULL && create)
    {
      table = g_new0 (MapperTable, 1);
      table->is_int = _orma_identity_is_int (mapper);
      if (!table->is_int)
        table->keys = g_hash_table_new (identity_key_hash, identity_key_equal);
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
  MapperTable *table = table_for (map, mapper, FALSE);

  return table ? int_table_lookup (&table->ints, id) : NULL;
}

OrmaEntity *
_orma_identity_map_lookup_int_loaded (OrmaIdentityMap *map,
                                      OrmaMapper      *mapper,
                                      gint64           id,
                                      guint64         *loaded)
{
  MapperTable *table = table_for (map, mapper, FALSE);
  IntSlot *slot = table ? int_table_find (&table->ints, id) : NULL;

  if (slot == NULL)
    return NULL;
  *loaded = slot->loaded;
  return slot->entity;
}

void
_orma_identity_map_update_loaded (OrmaIdentityMap   *map,
                                  OrmaInstanceState *state)
{
  MapperTable *table;
  IntSlot *slot;

  if (!state->in_map || (table = table_for (map, state->mapper, FALSE)) == NULL || !table->is_int)
    return;
  slot = int_table_find (&table->ints, state->int_key);
  if (slot != NULL && slot->entity == state->entity)
    slot->loaded = state_loaded (state);
}

OrmaEntity *
_orma_identity_map_lookup (OrmaIdentityMap *map,
                           OrmaMapper      *mapper,
                           const GValue    *values)
{
  MapperTable *table;
  OrmaEntity *found;
  OrmaIdentityKey *key;

  if (_orma_identity_is_int (mapper))
    return _orma_identity_map_lookup_int (map, mapper, value_as_int64 (&values[0]));

  table = table_for (map, mapper, FALSE);
  if (table == NULL)
    return NULL;
  key = identity_key_new (values, mapper->n_pk);
  found = g_hash_table_lookup (table->keys, key);
  _orma_identity_key_free (key);
  return found;
}

OrmaEntity *
_orma_identity_map_lookup_state (OrmaIdentityMap   *map,
                                 OrmaInstanceState *state)
{
  MapperTable *table = table_for (map, state->mapper, FALSE);

  if (table == NULL)
    return NULL;
  if (table->is_int)
    return int_table_lookup (&table->ints, state->int_key);
  return state->key ? g_hash_table_lookup (table->keys, state->key) : NULL;
}

void
_orma_identity_map_insert (OrmaIdentityMap   *map,
                           OrmaInstanceState *state)
{
  MapperTable *table = table_for (map, state->mapper, TRUE);
  gboolean added;

  g_assert (!state->in_map);
  if (table->is_int)
    added = int_table_insert (&table->ints, state->int_key, state->entity, state_loaded (state));
  else
    /* replace, not insert: the stored key must be this state's own */
    added = g_hash_table_replace (table->keys, state->key, state->entity);
  state->in_map = TRUE;
  if (added)
    map->size++;
}

void
_orma_identity_map_remove (OrmaIdentityMap   *map,
                           OrmaInstanceState *state)
{
  MapperTable *table;

  if (!state->in_map)
    return;
  table = table_for (map, state->mapper, FALSE);
  state->in_map = FALSE;
  map->size--;
  if (table == NULL)
    return;
  /* Only the entry of this very object goes: a displaced state must not
   * remove its successor. */
  if (table->is_int)
    int_table_remove (&table->ints, state->int_key, state->entity);
  else if (g_hash_table_lookup (table->keys, state->key) == state->entity)
    g_hash_table_remove (table->keys, state->key);
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
  MapperTable *table = value;
  ForeachData *data = user_data;

  if (table->keys != NULL)
    {
      g_hash_table_foreach (table->keys, foreach_entity, user_data);
      return;
    }
  for (gsize i = 0; table->ints.slots != NULL && i <= table->ints.mask; i++)
    if (table->ints.slots[i].entity != NULL)
      data->func (table->ints.slots[i].entity, data->user_data);
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

static void
collect_related (gpointer entity,
                 gpointer array)
{
  if (_orma_entity_get_private (entity)->rels != NULL)
    g_ptr_array_add (array, g_object_ref (entity));
}

GPtrArray *
_orma_identity_map_dup_related (OrmaIdentityMap *map)
{
  GPtrArray *related = g_ptr_array_new_with_free_func (g_object_unref);

  _orma_identity_map_foreach (map, collect_related, related);
  return related;
}
