/* orma-registry.h: the registry of mapped classes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (ORMA_INSIDE) && !defined (ORMA_COMPILATION)
#error "Only <orma/orma.h> can be included directly."
#endif

#include <orma/orma-types.h>

G_BEGIN_DECLS

#define ORMA_TYPE_REGISTRY (orma_registry_get_type ())
ORMA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OrmaRegistry, orma_registry, ORMA, REGISTRY, GObject)

ORMA_AVAILABLE_IN_ALL
OrmaRegistry *orma_registry_get_default (void);
ORMA_AVAILABLE_IN_ALL
gboolean      orma_registry_configure   (OrmaRegistry  *self,
                                         GError       **error);
ORMA_AVAILABLE_IN_ALL
OrmaMetadata *orma_registry_get_metadata(OrmaRegistry  *self);
/* Adds a table that no class maps, such as the secondary table of a
 * many-to-many relationship, so that relationships can name it and
 * create_all() creates it. */
ORMA_AVAILABLE_IN_ALL
gboolean      orma_registry_add_table   (OrmaRegistry  *self,
                                         OrmaTable     *table,
                                         GError       **error);
ORMA_AVAILABLE_IN_ALL
gboolean      orma_registry_create_all  (OrmaRegistry  *self,
                                         OrmaEngine    *engine,
                                         GError       **error);
ORMA_AVAILABLE_IN_ALL
gboolean      orma_registry_drop_all    (OrmaRegistry  *self,
                                         OrmaEngine    *engine,
                                         GError       **error);

G_END_DECLS
