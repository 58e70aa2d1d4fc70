/* orma-entity.h: OrmaEntity, the base class of mapped GObjects.
 *
 * A subclass declares its table and columns in class_init; each column
 * becomes a GObject property whose storage the entity owns, so the
 * subclass writes no get_property/set_property code for it. Property
 * changes are seen by the session that holds the object.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (ORMA_INSIDE) && !defined (ORMA_COMPILATION)
#error "Only <orma/orma.h> can be included directly."
#endif

#include <orma/orma-types.h>
#include <orma/orma-table.h>

G_BEGIN_DECLS

#define ORMA_TYPE_ENTITY (orma_entity_get_type ())
ORMA_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (OrmaEntity, orma_entity, ORMA, ENTITY, GObject)

/**
 * OrmaEntityClass:
 * @parent_class: the parent class
 *
 * The class of mapped objects. Subclasses call the
 * `orma_entity_class_*` functions from their class_init.
 */
struct _OrmaEntityClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer mapper;
  gpointer padding[7];
};

ORMA_AVAILABLE_IN_ALL
void      orma_entity_class_set_table       (OrmaEntityClass      *klass,
                                             const char           *table);
ORMA_AVAILABLE_IN_ALL
void      orma_entity_class_add_column      (OrmaEntityClass      *klass,
                                             const char           *name,
                                             GType                 type,
                                             OrmaColumnFlags       flags);
ORMA_AVAILABLE_IN_ALL
void      orma_entity_class_add_foreign_key (OrmaEntityClass      *klass,
                                             const char           *columns,
                                             const char           *ref_table,
                                             const char           *ref_columns,
                                             OrmaForeignKeyAction  on_delete);
ORMA_AVAILABLE_IN_ALL
void      orma_entity_class_add_index       (OrmaEntityClass      *klass,
                                             const char           *columns,
                                             gboolean              unique);
ORMA_AVAILABLE_IN_ALL
OrmaTable *orma_entity_class_get_table      (OrmaEntityClass      *klass);

ORMA_AVAILABLE_IN_ALL
gboolean  orma_entity_is_null               (OrmaEntity           *self,
                                             const char           *property);
ORMA_AVAILABLE_IN_ALL
gboolean  orma_entity_set_null              (OrmaEntity           *self,
                                             const char           *property,
                                             GError              **error);
ORMA_AVAILABLE_IN_ALL
gboolean  orma_entity_set_value             (OrmaEntity           *self,
                                             const char           *property,
                                             const GValue         *value,
                                             GError              **error);
ORMA_AVAILABLE_IN_ALL
gboolean  orma_entity_get_value             (OrmaEntity           *self,
                                             const char           *property,
                                             GValue               *value,
                                             GError              **error);
ORMA_AVAILABLE_IN_ALL
gboolean  orma_entity_set                   (OrmaEntity           *self,
                                             GError              **error,
                                             const char           *first_property,
                                             ...) G_GNUC_NULL_TERMINATED;

ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_col                          (GType                 entity_type,
                                             const char           *property);

G_END_DECLS
