/* orma-session-private.h: the session's internals, shared by the files of
 * session/ (flush, loading, query).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-session.h"
#include "orma-connection-private.h"
#include "orma-identity-map-private.h"

G_BEGIN_DECLS

/* One level of the transaction stack: the root transaction, then one per
 * begin_nested savepoint. Objects deleted by flushes within a level are
 * kept so that rolling it back can restore them; objects inserted are
 * marked with the level's serial (OrmaInstanceState.inserted_serial)
 * rather than referenced, so that a commit costs nothing per row. */
typedef struct {
  char      *savepoint;   /* NULL for the root transaction */
  guint32    serial;
  GPtrArray *deleted;     /* OrmaEntity, referenced */
  GPtrArray *rekeyed;     /* OrmaRekey*: primary keys changed by flushes */
  gboolean   has_writes;  /* a flush wrote since the level began */
} OrmaTransactionLevel;

struct _OrmaSession
{
  GObject          parent_instance;

  OrmaEngine      *engine;
  OrmaConnection  *connection;     /* while a transaction is open */
  GPtrArray       *levels;         /* OrmaTransactionLevel*, root first */
  guint            savepoint_serial;
  guint32          level_serial;   /* the last serial given to a level */

  OrmaIdentityMap *identity_map;
  GPtrArray       *new_objects;    /* referenced, in add() order */
  GPtrArray       *dirty;          /* referenced */
  GPtrArray       *deleted;        /* referenced, in delete() order */
  /* Objects whose relationship attributes changed since the last flush
   * (OrmaInstanceState.in_changed), and pending objects of mappers with
   * relationships: the flush reads their relationship history. */
  GPtrArray       *changed;        /* referenced, in order of change */
  /* Objects removed from a delete-orphan relationship since the last
   * flush: the flush deletes (or expunges) those left without a parent. */
  GArray          *orphans;        /* OrmaOrphanCandidate */
  GError          *deferred_error; /* from add(), reported by the next flush */
  /* Objects detached while the INSERT of their row is not committed yet:
   * a rollback must still make them transient. Referenced. */
  GPtrArray       *detached_inserts;

  /* the mapper of the last class looked up, for get() in a loop */
  GType            last_type;
  OrmaMapper      *last_mapper;

  guint64          generation;
  gboolean         autoflush;
  gboolean         expire_on_commit;
  gboolean         closed;
  gboolean         flushing;
  guint            no_autoflush;   /* > 0 while autoflush is suspended */
};

extern const OrmaEntityTracker _orma_session_tracker;

typedef struct {
  OrmaEntity               *entity;   /* referenced */
  struct _OrmaRelationship *rel;      /* the delete-orphan relationship */
} OrmaOrphanCandidate;

/* An object whose primary key a flush changed, with the key it had. */
typedef struct {
  OrmaEntity *entity;     /* referenced */
  GValue     *old_key;    /* mapper->n_pk values */
} OrmaRekey;

void                  _orma_rekey_free (OrmaRekey *rekey);
OrmaTransactionLevel *_orma_transaction_level_new (OrmaSession *self,
                                                   const char  *savepoint);

/* The connection of the current transaction, begun on first use. */
OrmaConnection *_orma_session_connection (OrmaSession  *self,
                                          GError      **error);
gboolean        _orma_session_check_open (OrmaSession  *self,
                                          GError      **error);
gboolean        _orma_session_autoflush  (OrmaSession  *self,
                                          GError      **error);
OrmaMapper     *_orma_session_mapper     (GType         type,
                                          GError      **error);
gboolean        _orma_session_is_expired (OrmaSession       *self,
                                          OrmaInstanceState *state);
/* The object's attributes were just loaded from its row. */
void            _orma_session_mark_loaded (OrmaSession      *self,
                                          OrmaInstanceState *state);
/* Makes a persistent object of a state: into the identity map, tracked. */
void            _orma_session_attach     (OrmaSession       *self,
                                          OrmaInstanceState *state,
                                          OrmaState          state_value);
OrmaTransactionLevel *_orma_session_current_level (OrmaSession *self);

void            _orma_session_expire_all_internal (OrmaSession *self);
void            _orma_session_detach_state (OrmaSession       *self,
                                            OrmaInstanceState *state);
void            _orma_session_emit       (OrmaSession  *self,
                                          const char   *signal);
/* Drops the connection after a commit or a rollback of the whole
 * transaction; deleted objects become detached. */
void            _orma_session_end_transaction (OrmaSession *self);
void            _orma_session_reset      (OrmaSession  *self);
void            _orma_session_abandon_transaction (OrmaSession *self);

/* Relationship callbacks of the session's tracker.
 * orma-loader.c: loads the attribute with its strategy if it is not
 * loaded or was loaded before the session's last expiry. */
gboolean        _orma_session_load_relationship (OrmaEntity *entity,
                                          struct _OrmaRelationship *rel,
                                          gpointer      data,
                                          GError      **error);
/* orma-loader.c: whether the read of a loaded attribute can skip
 * _orma_session_load_relationship() (it would do nothing). */
gboolean        _orma_session_relationship_is_current (OrmaEntity *entity,
                                          struct _OrmaRelationship  *rel,
                                          const struct _OrmaRelSlot *slot,
                                          gpointer                   data);
/* orma-session-relations.c: save-update cascade of @added into the
 * session, and @entity noted for the next flush. */
void            _orma_session_relationship_changed (OrmaEntity *entity,
                                          struct _OrmaRelationship *rel,
                                          OrmaEntity   *added,
                                          OrmaEntity   *removed,
                                          gpointer      data);

/* orma-session-relations.c: the changed set and the cascades that
 * happen outside a flush. */
/* Notes @state's object in the changed set (no-op if it is there). */
void            _orma_session_note_changed (OrmaSession       *self,
                                          OrmaInstanceState *state);
/* orma_session_add() of one object without the cascade: TRUE if it
 * joined the session (was transient or detached). */
gboolean        _orma_session_add_one      (OrmaSession  *self,
                                          OrmaEntity   *entity);
/* Appends the related objects of @entity through @rel, without loading
 * (a scalar's value, or a collection's members), to @out. */
void            _orma_session_peek_related (OrmaEntity   *entity,
                                          struct _OrmaRelationship *rel,
                                          GPtrArray    *out);
/* Adds the objects reachable from @entity along loaded relationships
 * with save-update cascade (recursively) to the session. */
void            _orma_session_cascade_add  (OrmaSession  *self,
                                          OrmaEntity   *entity);
/* Expunges along relationships with the expunge cascade. */
void            _orma_session_cascade_expunge (OrmaSession *self,
                                          OrmaEntity   *entity);
/* Takes @state's object out of the changed set and the orphan
 * candidates (expunge, detach). */
void            _orma_session_forget_changed (OrmaSession      *self,
                                          OrmaInstanceState *state);
/* Empties the changed set and the orphan candidates (after a flush). */
void            _orma_session_clear_changed (OrmaSession *self);
/* A rollback: the relationship history of the changed objects is
 * dropped and their relationship attributes reload on next access. */
void            _orma_session_discard_relationship_changes (OrmaSession *self);
void            _orma_orphan_candidate_clear (OrmaOrphanCandidate *candidate);

/* orma-flush.c */
gboolean        _orma_flush_run          (OrmaSession  *self,
                                          GError      **error);

G_END_DECLS
