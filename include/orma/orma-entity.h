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
/**
 * orma_entity_class_add_relationship:
 * @klass: the class being initialized
 * @name: the property name, e.g. "addresses"
 * @target: the type name of the related class, e.g. "BlogPost";
 *   resolved when the registry configures
 * @first_option: the name of the first option, then its value (a string),
 *   then more name/value pairs, ending with %NULL
 *
 * Declares a relationship: a GObject property of type #GObject holding
 * the related object (many-to-one, one-to-one) or an #OrmaCollection
 * (one-to-many, many-to-many). The direction comes from the foreign keys
 * between the two tables. Options (all values are strings):
 *
 * - "back-populates": the name of the relationship on @target that is
 *   the other side of this one; both are kept in sync in memory
 * - "backref": creates the other side on @target under this name
 *   (reachable with orma_entity_get_related() and
 *   orma_entity_get_collection(), not as a GObject property, since
 *   @target's class is already initialized)
 * - "secondary": the table (declared without a class, see
 *   orma_registry_add_table()) of a many-to-many relationship
 * - "foreign-keys": the column(s), comma separated, of the foreign key
 *   that joins the tables, when there are several candidates
 * - "remote-side": for a self-referential relationship, the column(s) of
 *   the remote (parent) row, e.g. "id": makes it many-to-one
 * - "order-by": columns of @target, comma separated, each optionally
 *   followed by "desc", e.g. "position, id desc"
 * - "cascade": comma separated from "save-update", "merge", "delete",
 *   "delete-orphan", "expunge", "refresh-expire", "all"; default
 *   "save-update, merge"
 * - "lazy": "select" (default), "joined", "selectin", "dynamic", "raise",
 *   "noload"
 * - "uselist": "false" makes a one-to-many a one-to-one
 * - "passive-deletes": "true": deleting the owner leaves the children
 *   to the database's ON DELETE rule
 * - "post-update": "true": the foreign key is written by a second
 *   UPDATE, for rows that reference each other
 * - "join-depth": how deep joined eager loading follows a
 *   self-referential relationship, e.g. "2"
 * - "single-parent": "true": an object may have one parent through this
 *   relationship (required for delete-orphan on a many-to-one)
 *
 * Mistakes (an unknown option, a bad value, a target without a foreign
 * key to this class) are reported by orma_registry_configure().
 */
ORMA_AVAILABLE_IN_ALL
void      orma_entity_class_add_relationship (OrmaEntityClass *klass,
                                             const char           *name,
                                             const char           *target,
                                             const char           *first_option,
                                             ...) G_GNUC_NULL_TERMINATED;
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

/* Relationship attributes. Reading one that is not loaded loads it with
 * the relationship's strategy (a SQL query for a persistent object); the
 * GObject property does the same but can only report a failure with a
 * warning, so these are the calls that return errors. */
ORMA_AVAILABLE_IN_ALL
gpointer  orma_entity_get_related           (OrmaEntity           *self,
                                             const char           *name,
                                             GError              **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
gboolean  orma_entity_set_related           (OrmaEntity           *self,
                                             const char           *name,
                                             gpointer              value,
                                             GError              **error);
ORMA_AVAILABLE_IN_ALL
OrmaCollection *orma_entity_get_collection  (OrmaEntity           *self,
                                             const char           *name,
                                             GError              **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
gboolean  orma_entity_is_loaded             (OrmaEntity           *self,
                                             const char           *name);

ORMA_AVAILABLE_IN_ALL
OrmaExpr *orma_col                          (GType                 entity_type,
                                             const char           *property);

G_END_DECLS
