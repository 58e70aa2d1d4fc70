/* orma-registry.c: the registry of mapped classes.
 *
 * GObject already knows every class: the registry walks the subtypes of
 * OrmaEntity that have been registered (a type is registered by calling
 * its _get_type() function), makes sure their class_init has run, and
 * configures each class that declared a table. The tables of the
 * configured classes make up the registry's metadata, from which
 * create_all and drop_all issue the DDL, together with the tables added
 * without a class (the secondary tables of many-to-many relationships).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-registry.h"
#include "orma-mapper-private.h"
#include "orma-error-private.h"

struct _OrmaRegistry
{
  GObject       parent_instance;

  /* Guarded by the mapping lock (_orma_mapping_lock()), which resolving
   * relationships also holds while it reads the metadata. */
  GPtrArray    *mappers;   /* OrmaMapper*, configured and in metadata */
  OrmaMetadata *metadata;
};

G_DEFINE_FINAL_TYPE (OrmaRegistry, orma_registry, G_TYPE_OBJECT)

static void
orma_registry_finalize (GObject *object)
{
  OrmaRegistry *self = ORMA_REGISTRY (object);

  g_clear_pointer (&self->mappers, g_ptr_array_unref);
  g_clear_pointer (&self->metadata, orma_metadata_unref);

  G_OBJECT_CLASS (orma_registry_parent_class)->finalize (object);
}

static void
orma_registry_class_init (OrmaRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = orma_registry_finalize;
}

static void
orma_registry_init (OrmaRegistry *self)
{
  self->mappers = g_ptr_array_new ();
  self->metadata = orma_metadata_new ();
}

/**
 * orma_registry_get_default:
 *
 * Gets the registry of every mapped class of the program.
 *
 * Returns: (transfer none): the default registry
 */
OrmaRegistry *
orma_registry_get_default (void)
{
  static gsize registry = 0;

  if (g_once_init_enter (&registry))
    g_once_init_leave (&registry, (gsize) g_object_new (ORMA_TYPE_REGISTRY, NULL));

  return (OrmaRegistry *) registry;
}

/* Depth first, parents before children, in registration order, so that
 * the metadata lists tables in a stable order. */
static void
collect_mappers (GType      type,
                 GPtrArray *found)
{
  g_autofree GType *children = NULL;
  guint n_children = 0;

  children = g_type_children (type, &n_children);
  for (guint i = 0; i < n_children; i++)
    {
      OrmaMapper *mapper = _orma_mapper_for_type (children[i]);

      if (mapper != NULL)
        g_ptr_array_add (found, mapper);
      collect_mappers (children[i], found);
    }
}

/* Called with the mapping lock held. A class whose columns or
 * relationships are invalid stays out of the metadata. */
static gboolean
register_mapper (OrmaRegistry  *self,
                 OrmaMapper    *mapper,
                 GError       **error)
{
  if (g_ptr_array_find (self->mappers, mapper, NULL))
    return TRUE;

  if (!_orma_mapper_configure (mapper, error))
    return FALSE;

  if (!orma_metadata_add_table (self->metadata, mapper->table, error))
    {
      g_prefix_error (error, "%s: ", g_type_name (mapper->type));
      return FALSE;
    }

  g_ptr_array_add (self->mappers, mapper);
  return TRUE;
}

/**
 * orma_registry_configure:
 * @self: a registry
 * @error: return location for a #GError
 *
 * Configures every mapped class: runs the class_init of each registered
 * subclass of #OrmaEntity that has not run yet, checks each mapping,
 * resolves its relationships (target classes, foreign keys, secondary
 * tables added with orma_registry_add_table()) and adds its table to
 * the registry's metadata. A class whose mapping or relationships are
 * invalid is left out until a later call succeeds for it. A class is known once its
 * `_get_type()` function has been called (for instance by
 * g_type_ensure()). Calling this again picks up classes registered
 * since; the ones already configured cost nothing.
 *
 * Every class is tried, and the first mistake found is reported.
 *
 * Returns: %TRUE if every mapping is valid; %FALSE with
 *   %ORMA_ERROR_INVALID_MAPPING otherwise
 */
gboolean
orma_registry_configure (OrmaRegistry  *self,
                         GError       **error)
{
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) first_error = NULL;

  g_return_val_if_fail (ORMA_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  _orma_mapping_lock ();
  found = g_ptr_array_new ();
  collect_mappers (ORMA_TYPE_ENTITY, found);

  for (guint i = 0; i < found->len; i++)
    register_mapper (self, g_ptr_array_index (found, i),
                     first_error == NULL ? &first_error : NULL);
  _orma_mapping_unlock ();

  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }

  return TRUE;
}

/**
 * orma_registry_get_metadata:
 * @self: a registry
 *
 * Gets the metadata holding the table of every mapped class. The
 * registry is configured first; classes whose mapping is invalid are
 * left out (orma_registry_configure() says why).
 *
 * Returns: (transfer none): the registry's metadata
 */
OrmaMetadata *
orma_registry_get_metadata (OrmaRegistry *self)
{
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (ORMA_IS_REGISTRY (self), NULL);

  if (!orma_registry_configure (self, &error))
    g_debug ("Mapping left out of the metadata: %s", error->message);

  return self->metadata;
}

/**
 * orma_registry_add_table:
 * @self: a registry
 * @table: a table no class maps, e.g. the secondary table of a
 *   many-to-many relationship
 * @error: return location for a #GError
 *
 * Adds @table to the registry's metadata, so that relationships can name
 * it and orma_registry_create_all() creates it.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_registry_add_table (OrmaRegistry  *self,
                         OrmaTable     *table,
                         GError       **error)
{
  gboolean added;

  g_return_val_if_fail (ORMA_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  _orma_mapping_lock ();
  added = orma_metadata_add_table (self->metadata, table, error);
  _orma_mapping_unlock ();
  return added;
}

OrmaMetadata *
_orma_registry_peek_metadata (OrmaRegistry *self)
{
  g_return_val_if_fail (ORMA_IS_REGISTRY (self), NULL);

  return self->metadata;
}

/**
 * orma_registry_create_all:
 * @self: a registry
 * @engine: the database to create the tables in
 * @error: return location for a #GError
 *
 * Configures the registry, then creates the table and indexes of every
 * mapped class, referenced tables first.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_registry_create_all (OrmaRegistry  *self,
                          OrmaEngine    *engine,
                          GError       **error)
{
  g_return_val_if_fail (ORMA_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (engine != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!orma_registry_configure (self, error))
    return FALSE;

  return orma_metadata_create_all (self->metadata, engine, error);
}

/**
 * orma_registry_drop_all:
 * @self: a registry
 * @engine: the database to drop the tables from
 * @error: return location for a #GError
 *
 * Configures the registry, then drops the table of every mapped class,
 * referencing tables first.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_registry_drop_all (OrmaRegistry  *self,
                        OrmaEngine    *engine,
                        GError       **error)
{
  g_return_val_if_fail (ORMA_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (engine != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!orma_registry_configure (self, error))
    return FALSE;

  return orma_metadata_drop_all (self->metadata, engine, error);
}
