/* orma-mapper-private.h: the mapping of one OrmaEntity subclass to its
 * table, built by the orma_entity_class_* calls of its class_init and
 * validated when the registry configures.
 *
 * A mapped column's index is the same in the table, in the mapper and in
 * the entity's value storage; its GObject property id is index + 1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-entity.h"
#include "orma-table-private.h"

G_BEGIN_DECLS

/* Bit masks over column indexes limit a mapped class to 64 columns. */
#define ORMA_MAX_COLUMNS 64

typedef struct {
  guint        index;
  const char  *name;       /* the column name (owned by the table) */
  GType        type;       /* the property's value type */
  GType        storage;    /* _orma_value_storage_type (type) */
  OrmaColumnFlags flags;
  GParamSpec  *pspec;
} OrmaMappedColumn;

typedef struct _OrmaMapper OrmaMapper;

struct _OrmaMapper
{
  GType             type;
  OrmaTable        *table;
  GArray           *columns;     /* OrmaMappedColumn */
  guint             n_columns;
  const guint      *pk;          /* the table's primary key columns */
  guint             n_pk;
  int               autoincrement;
  int               version;
  GError           *error;       /* first declaration error */
  gboolean          configured;
  /* The columns are checked and pk/autoincrement/version filled in: what
   * another class's relationships need of this one to be resolved. */
  gboolean          columns_configured;
  /* SQL text of the flush statements, by a key the session builds
   * (statement kind and column mask); owned here because it lives as
   * long as the mapping. */
  GHashTable       *sql_cache;
  /* OrmaRelationship*, in declaration order, then those made by backrefs
   * of other classes (see orma-relationship-private.h). Configured means
   * the columns are valid and every relationship is resolved. */
  GPtrArray        *relationships;
};

static inline OrmaMappedColumn *
_orma_mapper_column (OrmaMapper *mapper, guint index)
{
  return &g_array_index (mapper->columns, OrmaMappedColumn, index);
}

/* NULL if @type is not a mapped class. Initializes the class. */
OrmaMapper *_orma_mapper_for_type     (GType       type);
/* -1 if @property names no column ("full-name" and "full_name" alike) */
int         _orma_mapper_find_column  (OrmaMapper *mapper,
                                       const char *property);
/* Validates the mapping and resolves its relationships (against the
 * default registry's metadata); sets mapper->configured. */
gboolean    _orma_mapper_configure    (OrmaMapper *mapper,
                                       GError    **error);
/* Validates the columns only (not the relationships); sets
 * mapper->columns_configured. Call with the mapping lock held. */
gboolean    _orma_mapper_configure_columns (OrmaMapper *mapper,
                                            GError    **error);
/* Appends a relationship (taking it), creating the array on first use. */
void        _orma_mapper_add_relationship  (OrmaMapper *mapper,
                                            gpointer    rel);
/* Property and column names match with '-' and '_' alike. */
gboolean    _orma_names_match         (const char *a,
                                       const char *b);

/* One recursive lock serializes configuring mappers, resolving their
 * relationships and changing a registry: resolving a relationship
 * configures another mapper's columns and reads the registry's
 * metadata, so a single lock cannot be taken in two orders. */
void        _orma_mapping_lock        (void);
void        _orma_mapping_unlock      (void);

/* orma-registry.c: the metadata of @registry, for reading with the
 * mapping lock held (no configure). */
OrmaMetadata *_orma_registry_peek_metadata (OrmaRegistry *registry);

G_END_DECLS
