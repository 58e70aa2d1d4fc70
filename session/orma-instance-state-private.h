/* orma-instance-state-private.h: what a session knows about one object.
 *
 * An OrmaInstanceState is attached to an entity as its tracker data the
 * first time a session sees it, and stays with it for life (so that a
 * detached object still knows it has a row). The session's sets (new,
 * dirty, deleted) hold strong references; the identity map does not.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-session.h"
#include "orma-entity-private.h"

G_BEGIN_DECLS

typedef struct _OrmaIdentityKey OrmaIdentityKey;

/* It lives in the entity's tracker storage, just before the GObject
 * header: the fields a lookup in the identity map reads (the state and
 * its generation) come last, nearest the reference count it touches
 * next. */
typedef struct {
  OrmaEntity      *entity;       /* back pointer, no reference */
  OrmaMapper      *mapper;
  /* Identity: an integer key inline (the common single integer primary
   * key), or a full key for the other cases. */
  OrmaIdentityKey *key;
  gint64           int_key;
  /* The serial of the transaction level whose flush INSERTed the row, or
   * 0: a rollback of that level (or an outer one) makes the object
   * transient again. Levels get increasing serials, so "inserted within
   * level L or deeper" is inserted_serial >= L's serial. */
  guint32          inserted_serial;
  guint32          state;        /* OrmaState */
  OrmaSession     *session;      /* no reference; NULL when not attached */
  guint            in_new     : 1;
  guint            in_dirty   : 1;
  guint            in_deleted : 1;
  guint            in_map     : 1; /* present in the session's identity map */
  guint            expired    : 1; /* expired individually (expire()) */
  guint            refreshing : 1;
  guint            key_generated : 1; /* the database chose the key */
  guint            in_changed : 1; /* in the session's changed set */
  /* The session's generation when the attributes were last loaded; a
   * session bumps its generation to expire every object at once. */
  guint64          generation;
} OrmaInstanceState;

OrmaInstanceState *_orma_instance_state_get    (OrmaEntity        *entity);

/* The state of an object known to be tracked (found in an identity map):
 * no read of the entity needed to find it. */
static inline OrmaInstanceState *
_orma_instance_state_of_tracked (OrmaEntity *entity)
{
  return _orma_entity_tracker_storage (entity);
}
/* Attaches a fresh TRANSIENT state if the entity has none. */
OrmaInstanceState *_orma_instance_state_ensure (OrmaEntity        *entity);

G_END_DECLS
