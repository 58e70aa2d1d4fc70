/* orma-relationship-private.h: a relationship between two mapped
 * classes, as declared in class_init and as resolved when the registry
 * configures.
 *
 *   orma-relationship-config.c   options, resolution against the foreign
 *                                keys, back-populates/backref pairing
 *   orma-relationship-attr.c     the attribute values in each entity,
 *                                back-populates sync, events to the session
 *   orma-collection.c            OrmaCollection, the GListModel value of a
 *                                one-to-many or many-to-many attribute
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-mapper-private.h"

G_BEGIN_DECLS

typedef enum {
  ORMA_REL_MANY_TO_ONE,   /* the foreign key is on the owner's table */
  ORMA_REL_ONE_TO_MANY,   /* the foreign key is on the target's table */
  ORMA_REL_MANY_TO_MANY,  /* both are referenced from a secondary table */
} OrmaRelDirection;

typedef enum {
  ORMA_CASCADE_NONE           = 0,
  ORMA_CASCADE_SAVE_UPDATE    = 1 << 0,
  ORMA_CASCADE_MERGE          = 1 << 1,
  ORMA_CASCADE_DELETE         = 1 << 2,
  ORMA_CASCADE_DELETE_ORPHAN  = 1 << 3,
  ORMA_CASCADE_EXPUNGE        = 1 << 4,
  ORMA_CASCADE_REFRESH_EXPIRE = 1 << 5,
  /* "all" is every one but delete-orphan, as in SQLAlchemy */
  ORMA_CASCADE_ALL            = ORMA_CASCADE_SAVE_UPDATE | ORMA_CASCADE_MERGE |
                                ORMA_CASCADE_DELETE | ORMA_CASCADE_EXPUNGE |
                                ORMA_CASCADE_REFRESH_EXPIRE,
  ORMA_CASCADE_DEFAULT        = ORMA_CASCADE_SAVE_UPDATE | ORMA_CASCADE_MERGE,
} OrmaCascade;

typedef struct _OrmaRelationship OrmaRelationship;

struct _OrmaRelationship
{
  /* ---- declared (class_init) ---- */
  char             *name;           /* canonical property name ("-" not "_") */
  guint             index;          /* in owner->relationships */
  guint             prop_id;        /* ORMA_MAX_COLUMNS + 1 + index; 0 for a backref */
  GParamSpec       *pspec;          /* NULL for a relationship made by a backref */
  char             *target_name;    /* the target's type name */
  char             *back_populates; /* nullable */
  char             *backref;        /* nullable */
  char             *secondary_name; /* nullable */
  char            **foreign_keys;   /* nullable, column names */
  char            **remote_side;    /* nullable, column names */
  char             *order_by_text;  /* nullable */
  OrmaCascade       cascade;
  OrmaLoadStrategy  lazy;           /* never ORMA_LOAD_DEFAULT after declaring */
  int               uselist;        /* -1 unset, 0, 1 */
  gboolean          passive_deletes;
  gboolean          post_update;
  gboolean          single_parent;
  guint             join_depth;     /* 0: not set */
  GError           *error;          /* the first declaration mistake */

  /* ---- resolved (registry configure) ---- */
  gboolean          resolved;       /* everything below, pairing included */
  gboolean          join_resolved;  /* target, direction and columns only */
  gboolean          resolving;      /* being resolved, further up the stack */
  OrmaMapper       *owner;          /* the mapper that declares it (set when declared) */
  OrmaMapper       *target;
  OrmaRelDirection  direction;
  gboolean          is_collection;  /* uselist after defaults */
  OrmaRelationship *reverse;        /* the back-populates/backref partner */
  gboolean          self_referential; /* owner->table == target->table */

  /* The join, as pairs of column indexes:
   *   MANY_TO_ONE:  local[i] is a foreign key column of the owner's table,
   *                 remote[i] the column of the target it references.
   *   ONE_TO_MANY:  local[i] is the owner's referenced column (its key),
   *                 remote[i] the target's foreign key column.
   *   MANY_TO_MANY: local[i] is the owner's referenced column and
   *                 sec_local[i] the secondary column referencing it;
   *                 remote[j] is the target's referenced column and
   *                 sec_remote[j] the secondary column referencing it;
   *                 remote and remote_for_sec then hold the same
   *                 n_sec_remote columns.
   * The arrays of a relationship made by a backref are its own (the
   * partner's, swapped). */
  guint             n_pairs;
  guint            *local;
  guint            *remote;
  OrmaTable        *secondary;      /* MANY_TO_MANY, referenced */
  guint            *sec_local;      /* n_pairs */
  guint             n_sec_remote;
  guint            *sec_remote;
  guint            *remote_for_sec; /* n_sec_remote: the target's columns */

  /* ORDER BY of a loaded collection: target column indexes */
  guint             n_order;
  guint            *order_columns;
  gboolean         *order_desc;
};

/* The relationship named @name ("-" and "_" alike), or NULL. */
OrmaRelationship *_orma_mapper_find_relationship (OrmaMapper  *mapper,
                                                  const char  *name);
/* The relationship whose GObject property id is @prop_id, or NULL. */
OrmaRelationship *_orma_mapper_relationship_by_prop (OrmaMapper *mapper,
                                                     guint       prop_id);

/* orma-relationship-config.c */

/* Records a declaration (from orma_entity_class_add_relationship()). */
void     _orma_relationship_declare  (OrmaMapper  *mapper,
                                      const char  *name,
                                      const char  *target,
                                      const char  *first_option,
                                      va_list      options);
/* Resolves every relationship of @mapper: target class, direction, join
 * columns, secondary table (looked up in @metadata), pairing with the
 * reverse side, order-by. A failure is a GError of
 * ORMA_ERROR_INVALID_MAPPING naming the classes and columns; it is not
 * remembered, so a later call (after the missing class or table was
 * registered) can succeed. Idempotent. */
gboolean _orma_relationships_resolve (OrmaMapper   *mapper,
                                      OrmaMetadata *metadata,
                                      GError      **error);
void     _orma_relationship_free     (OrmaRelationship *rel);

G_END_DECLS
