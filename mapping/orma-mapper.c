/* orma-mapper.c: finding and validating the mapping of a class.
 *
 * A mapper is built by the orma_entity_class_* calls of a class_init
 * (see orma-entity.c) and lives as long as the class, that is as long as
 * the program. Declaring cannot fail, so mistakes are kept in the mapper
 * and its table and come out here, when the mapper is configured: the
 * registry configures every mapped class, and the session configures a
 * class it meets before using it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-mapper-private.h"
#include "orma-relationship-private.h"
#include "orma-registry.h"
#include "orma-error-private.h"

/* Configuration may be asked for from several threads at once (two
 * sessions meeting a class for the first time); it is rare and short.
 * Recursive, because configuring one mapper configures the columns of
 * the classes its relationships name, and the registry holds it while
 * it configures every mapper (see orma-mapper-private.h). */
static GRecMutex configure_lock;

void
_orma_mapping_lock (void)
{
  g_rec_mutex_lock (&configure_lock);
}

void
_orma_mapping_unlock (void)
{
  g_rec_mutex_unlock (&configure_lock);
}

/* _orma_mapper_for_type:
 *
 * The mapper of a class that called orma_entity_class_set_table() itself.
 * A subclass that did not has its parent's pointer in its class structure
 * (class structures start as copies of the parent's), which is not its
 * own mapping. NULL if @type is not mapped.
 */
OrmaMapper *
_orma_mapper_for_type (GType type)
{
  OrmaEntityClass *klass;
  OrmaMapper *mapper;

  if (type == G_TYPE_INVALID || !g_type_is_a (type, ORMA_TYPE_ENTITY))
    return NULL;

  /* Static classes are never finalized once initialized, so a reference
   * taken only to run class_init can be dropped at once. */
  klass = g_type_class_peek (type);
  if (klass == NULL)
    {
      klass = g_type_class_ref (type);
      g_type_class_unref (klass);
    }

  mapper = klass->mapper;
  return mapper != NULL && mapper->type == type ? mapper : NULL;
}

/* Property names and column names match with '-' and '_' alike, as
 * GObject matches property names. */
gboolean
_orma_names_match (const char *a, const char *b)
{
  for (; *a != '\0' && *b != '\0'; a++, b++)
    {
      char ca = *a == '_' ? '-' : *a;
      char cb = *b == '_' ? '-' : *b;

      if (ca != cb)
        return FALSE;
    }

  return *a == *b;
}

int
_orma_mapper_find_column (OrmaMapper *mapper,
                          const char *property)
{
  g_return_val_if_fail (mapper != NULL, -1);

  if (property == NULL)
    return -1;

  for (guint i = 0; i < mapper->n_columns; i++)
    if (_orma_names_match (_orma_mapper_column (mapper, i)->name, property))
      return (int) i;

  return -1;
}

static gboolean
check_mapping (OrmaMapper  *mapper,
               GError     **error)
{
  const char *class_name = g_type_name (mapper->type);
  OrmaTable *table = mapper->table;

  if (mapper->error != NULL)
    {
      g_propagate_error (error, g_error_copy (mapper->error));
      return FALSE;
    }

  if (table->error != NULL)
    {
      g_propagate_error (error, g_error_copy (table->error));
      g_prefix_error (error, "%s: ", class_name);
      return FALSE;
    }

  if (mapper->n_columns > ORMA_MAX_COLUMNS)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_MAPPING,
                       "%s (table %s) has %u columns, more than %d",
                       class_name, table->name, mapper->n_columns, ORMA_MAX_COLUMNS);
      return FALSE;
    }

  /* Column indexes are shared by the table, the mapper and the objects'
   * storage; a column added to the table behind the class's back would
   * break that. */
  if (orma_table_get_n_columns (table) != mapper->n_columns)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_MAPPING,
                       "%s (table %s) has %u columns but maps %u",
                       class_name, table->name, orma_table_get_n_columns (table),
                       mapper->n_columns);
      return FALSE;
    }

  if (table->primary_key == NULL || table->primary_key->len == 0)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_MAPPING,
                       "%s (table %s) has no primary key", class_name, table->name);
      return FALSE;
    }

  return TRUE;
}

/* _orma_mapper_configure_columns:
 *
 * Checks the columns and fills in what the session reads from them (the
 * primary key, the generated key, the version column). This is all that
 * resolving another class's relationship to this one needs, so it runs
 * without looking at this class's own relationships.
 */
gboolean
_orma_mapper_configure_columns (OrmaMapper  *mapper,
                                GError     **error)
{
  OrmaTable *table;

  g_return_val_if_fail (mapper != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (mapper->columns_configured)
    return TRUE;

  if (!check_mapping (mapper, error))
    return FALSE;

  table = mapper->table;
  mapper->pk = (const guint *) (gpointer) table->primary_key->data;
  mapper->n_pk = table->primary_key->len;
  mapper->autoincrement = table->autoincrement;
  mapper->version = table->version;
  if (mapper->sql_cache == NULL)
    mapper->sql_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (mapper->relationships == NULL)
    mapper->relationships = g_ptr_array_new_with_free_func ((GDestroyNotify) _orma_relationship_free);

  mapper->columns_configured = TRUE;
  return TRUE;
}

/* _orma_mapper_configure:
 *
 * Checks the mapping, then resolves every relationship (the secondary
 * tables are looked up in the default registry's metadata). Doing it
 * again after a success costs nothing; after a failure it starts over
 * from what is left to do, so a class or table registered since can make
 * it succeed. Fails with ORMA_ERROR_INVALID_MAPPING, or with the table's
 * own error.
 */
gboolean
_orma_mapper_configure (OrmaMapper  *mapper,
                        GError     **error)
{
  g_autoptr (GRecMutexLocker) locker = NULL;
  OrmaMetadata *metadata;

  g_return_val_if_fail (mapper != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_atomic_int_get (&mapper->configured))
    return TRUE;

  locker = g_rec_mutex_locker_new (&configure_lock);
  if (mapper->configured)
    return TRUE;

  if (!_orma_mapper_configure_columns (mapper, error))
    return FALSE;

  metadata = _orma_registry_peek_metadata (orma_registry_get_default ());
  if (!_orma_relationships_resolve (mapper, metadata, error))
    return FALSE;

  g_atomic_int_set (&mapper->configured, TRUE);
  return TRUE;
}

void
_orma_mapper_add_relationship (OrmaMapper *mapper,
                               gpointer    rel)
{
  if (mapper->relationships == NULL)
    mapper->relationships = g_ptr_array_new_with_free_func ((GDestroyNotify) _orma_relationship_free);
  g_ptr_array_add (mapper->relationships, rel);
}

OrmaRelationship *
_orma_mapper_find_relationship (OrmaMapper *mapper,
                                const char *name)
{
  g_return_val_if_fail (mapper != NULL, NULL);

  if (name == NULL || mapper->relationships == NULL)
    return NULL;

  for (guint i = 0; i < mapper->relationships->len; i++)
    {
      OrmaRelationship *rel = g_ptr_array_index (mapper->relationships, i);

      if (_orma_names_match (rel->name, name))
        return rel;
    }

  return NULL;
}

/* Relationship properties have ids after every possible column id, so
 * the index comes straight from the id. */
OrmaRelationship *
_orma_mapper_relationship_by_prop (OrmaMapper *mapper,
                                   guint       prop_id)
{
  OrmaRelationship *rel;
  guint index;

  g_return_val_if_fail (mapper != NULL, NULL);

  if (mapper->relationships == NULL || prop_id <= ORMA_MAX_COLUMNS)
    return NULL;

  index = prop_id - ORMA_MAX_COLUMNS - 1;
  if (index >= mapper->relationships->len)
    return NULL;

  rel = g_ptr_array_index (mapper->relationships, index);
  return rel->prop_id == prop_id ? rel : NULL;
}
