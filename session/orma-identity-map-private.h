/* orma-identity-map-private.h: one object per (mapper, primary key).
 *
 * The map holds no references: a clean object leaves it from its dispose
 * (the tracker's disposed callback), so dropping the application's last
 * reference frees it. Objects with a single integer primary key are kept
 * in a per-mapper table keyed by the integer itself; others by a key of
 * copied GValues.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-instance-state-private.h"

G_BEGIN_DECLS

typedef struct _OrmaIdentityMap OrmaIdentityMap;

struct _OrmaIdentityKey
{
  guint   hash;
  guint   n_values;
  GValue  values[];
};

OrmaIdentityMap *_orma_identity_map_new      (void);
void             _orma_identity_map_free     (OrmaIdentityMap   *map);
guint            _orma_identity_map_size     (OrmaIdentityMap   *map);

void             _orma_identity_key_free     (OrmaIdentityKey   *key);

/* TRUE when the mapper's identity is one integer column. */
gboolean         _orma_identity_is_int       (OrmaMapper        *mapper);

/* Computes the state's key from the entity's current primary key values
 * (int_key or key). FALSE if a key column is NULL. */
gboolean         _orma_identity_compute      (OrmaInstanceState *state);

OrmaEntity      *_orma_identity_map_lookup_int (OrmaIdentityMap *map,
                                              OrmaMapper        *mapper,
                                              gint64             id);
/* The same, with the generation the object was loaded in (G_MAXUINT64
 * when it was expired on its own), read from the map itself. */
OrmaEntity      *_orma_identity_map_lookup_int_loaded (OrmaIdentityMap *map,
                                              OrmaMapper        *mapper,
                                              gint64             id,
                                              guint64           *loaded);
/* Copies the state's generation and expiry into the map; called whenever
 * they change. */
void             _orma_identity_map_update_loaded (OrmaIdentityMap *map,
                                              OrmaInstanceState *state);
/* values: n_pk values in primary key order */
OrmaEntity      *_orma_identity_map_lookup   (OrmaIdentityMap   *map,
                                              OrmaMapper        *mapper,
                                              const GValue      *values);
/* The object with the same identity as @state's entity, if any. */
OrmaEntity      *_orma_identity_map_lookup_state (OrmaIdentityMap *map,
                                              OrmaInstanceState *state);
/* Inserts the state's entity (key computed); sets state->in_map. */
void             _orma_identity_map_insert   (OrmaIdentityMap   *map,
                                              OrmaInstanceState *state);
void             _orma_identity_map_remove   (OrmaIdentityMap   *map,
                                              OrmaInstanceState *state);
/* Calls @func for each entity (no references taken; do not modify the
 * map from @func). */
void             _orma_identity_map_foreach  (OrmaIdentityMap   *map,
                                              GFunc              func,
                                              gpointer           user_data);
/* Every entity in the map, referenced. */
GPtrArray       *_orma_identity_map_dup_all  (OrmaIdentityMap   *map);
/* The entities that ever had a relationship value (their slots are
 * allocated), referenced: one pointer test per other entity. */
GPtrArray       *_orma_identity_map_dup_related (OrmaIdentityMap *map);

G_END_DECLS
