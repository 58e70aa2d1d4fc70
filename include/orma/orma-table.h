/* orma-table.h: table metadata (columns, keys, indexes) and DDL.
 *
 * Mapped classes declare their table through OrmaEntityClass; tables
 * without a class (association tables, tables only queried) are built
 * here directly.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (ORMA_INSIDE) && !defined (ORMA_COMPILATION)
#error "Only <orma/orma.h> can be included directly."
#endif

#include <orma/orma-types.h>

G_BEGIN_DECLS

/**
 * OrmaForeignKeyAction:
 * @ORMA_FK_NO_ACTION: the database refuses to delete a referenced row
 * @ORMA_FK_CASCADE: deleting the referenced row deletes this one
 * @ORMA_FK_SET_NULL: deleting the referenced row sets the key to NULL
 *
 * What the database does to a referencing row when its target is deleted.
 */
typedef enum {
  ORMA_FK_NO_ACTION,
  ORMA_FK_CASCADE,
  ORMA_FK_SET_NULL,
} OrmaForeignKeyAction;

#define ORMA_TYPE_TABLE (orma_table_get_type ())
ORMA_AVAILABLE_IN_ALL
GType       orma_table_get_type        (void) G_GNUC_CONST;
ORMA_AVAILABLE_IN_ALL
OrmaTable  *orma_table_new             (const char           *name);
ORMA_AVAILABLE_IN_ALL
OrmaTable  *orma_table_ref             (OrmaTable            *table);
ORMA_AVAILABLE_IN_ALL
void        orma_table_unref           (OrmaTable            *table);
ORMA_AVAILABLE_IN_ALL
const char *orma_table_get_name        (OrmaTable            *table);
ORMA_AVAILABLE_IN_ALL
guint       orma_table_get_n_columns   (OrmaTable            *table);
ORMA_AVAILABLE_IN_ALL
int         orma_table_find_column     (OrmaTable            *table,
                                        const char           *name);
ORMA_AVAILABLE_IN_ALL
guint       orma_table_add_column      (OrmaTable            *table,
                                        const char           *name,
                                        GType                 type,
                                        OrmaColumnFlags       flags);
ORMA_AVAILABLE_IN_ALL
void        orma_table_add_foreign_key (OrmaTable            *table,
                                        const char           *columns,
                                        const char           *ref_table,
                                        const char           *ref_columns,
                                        OrmaForeignKeyAction  on_delete);
ORMA_AVAILABLE_IN_ALL
void        orma_table_add_index       (OrmaTable            *table,
                                        const char           *columns,
                                        gboolean              unique);

#define ORMA_TYPE_METADATA (orma_metadata_get_type ())
ORMA_AVAILABLE_IN_ALL
GType         orma_metadata_get_type   (void) G_GNUC_CONST;
ORMA_AVAILABLE_IN_ALL
OrmaMetadata *orma_metadata_new        (void);
ORMA_AVAILABLE_IN_ALL
OrmaMetadata *orma_metadata_ref        (OrmaMetadata  *metadata);
ORMA_AVAILABLE_IN_ALL
void          orma_metadata_unref      (OrmaMetadata  *metadata);
ORMA_AVAILABLE_IN_ALL
gboolean      orma_metadata_add_table  (OrmaMetadata  *metadata,
                                        OrmaTable     *table,
                                        GError       **error);
ORMA_AVAILABLE_IN_ALL
OrmaTable    *orma_metadata_get_table  (OrmaMetadata  *metadata,
                                        const char    *name);
ORMA_AVAILABLE_IN_ALL
gboolean      orma_metadata_create_all (OrmaMetadata  *metadata,
                                        OrmaEngine    *engine,
                                        GError       **error);
ORMA_AVAILABLE_IN_ALL
gboolean      orma_metadata_drop_all   (OrmaMetadata  *metadata,
                                        OrmaEngine    *engine,
                                        GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OrmaTable, orma_table_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OrmaMetadata, orma_metadata_unref)

G_END_DECLS
