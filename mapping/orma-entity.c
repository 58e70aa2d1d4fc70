/* orma-entity.c: OrmaEntity, the base class of mapped objects.
 *
 * A mapped class declares its table and columns from class_init; each
 * column becomes a GObject property whose storage lives here, in one
 * GValue array per object, with a NULL bit per column. Every write that
 * the application makes (g_object_set, orma_entity_set_value, ...) goes
 * through one function, entity_write(), which compares with the current
 * value, keeps the committed value on the first change while a session's
 * tracker is attached, stores, and notifies. Loading rows goes around it
 * (_orma_entity_load, _orma_entity_slot): no tracking, no notify.
 *
 * Creating an entity and filling its columns is on the hot path of
 * loading rows, so instance_init makes one allocation and looks nothing
 * up by name or in a hash table.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <gobject/gvaluecollector.h>

#include "orma-entity-private.h"
#include "orma-relationship-private.h"
#include "orma-collection-private.h"
#include "orma-error-private.h"
#include "orma-expr-private.h"
#include "orma-value-private.h"

#define COLUMN_BIT(column) (G_GUINT64_CONSTANT (1) << (column))

/* The type is registered by hand rather than with G_DEFINE_TYPE because
 * instance_init needs the class being instantiated: while a parent's
 * instance_init runs, GObject points the instance at the parent's class,
 * so only the g_class argument knows the subclass and its mapper. */
static gpointer orma_entity_parent_class = NULL;
static gint OrmaEntity_private_offset = 0;

static inline OrmaEntityPrivate *
orma_entity_get_instance_private (OrmaEntity *self)
{
  return G_STRUCT_MEMBER_P (self, OrmaEntity_private_offset);
}

OrmaEntityPrivate *
_orma_entity_get_private (OrmaEntity *self)
{
  return orma_entity_get_instance_private (self);
}

/* ------------------------------------------------------------ storage */

static inline guint64
all_columns_mask (guint n_columns)
{
  return n_columns >= 64 ? G_MAXUINT64 : COLUMN_BIT (n_columns) - 1;
}

static inline void
tracker_before_access (OrmaEntity *self, OrmaEntityPrivate *priv)
{
  if (priv->tracker != NULL && priv->tracker->before_access != NULL)
    priv->tracker->before_access (self, priv->tracker_data);
}

/* Moves the current value into committed[]: it is about to be
 * overwritten, so there is nothing to copy. The slot keeps its type. */
static void
save_committed (OrmaEntityPrivate *priv, guint column)
{
  guint64 bit = COLUMN_BIT (column);
  GValue *slot = &priv->values[column];

  if (priv->committed == NULL)
    priv->committed = g_new0 (GValue, priv->mapper->n_columns);

  priv->committed[column] = *slot;
  memset (slot->data, 0, sizeof slot->data);

  if (priv->null_mask & bit)
    priv->committed_null_mask |= bit;
  else
    priv->committed_null_mask &= ~bit;
  priv->changed_mask |= bit;
}

/* @value is NULL or holds a value of the column's own type. */
static void
store (OrmaEntityPrivate *priv, guint column, const GValue *value)
{
  guint64 bit = COLUMN_BIT (column);

  if (value == NULL)
    {
      /* A NULL column holds the zero value, so that a string or boxed
       * property reads back as NULL and nothing stale is kept alive. */
      g_value_reset (&priv->values[column]);
      priv->null_mask |= bit;
    }
  else
    {
      g_value_copy (value, &priv->values[column]);
      priv->null_mask &= ~bit;
    }
}

/* The one path of an application's write: @value is NULL (SQL NULL) or
 * holds a value of the column's type. */
static void
entity_write (OrmaEntity        *self,
              OrmaEntityPrivate *priv,
              guint              column,
              const GValue      *value)
{
  OrmaMappedColumn *col = _orma_mapper_column (priv->mapper, column);
  gboolean first_change = FALSE;

  if (value != NULL && _orma_value_is_null (value))
    value = NULL;

  if (_orma_value_equal (_orma_entity_peek (self, column), value))
    return;

  if (priv->tracker != NULL && !(priv->changed_mask & COLUMN_BIT (column)))
    {
      save_committed (priv, column);
      first_change = TRUE;
    }

  store (priv, column, value);

  /* Told after the store, so that the tracker sees a consistent object:
   * the committed value saved, the new one in place. */
  if (first_change && priv->tracker->changed != NULL)
    priv->tracker->changed (self, column, priv->tracker_data);

  g_object_notify_by_pspec (G_OBJECT (self), col->pspec);
}

/* Brings @value to the column's type into @out (which is left unset when
 * nothing needs converting). Returns the value to store: @value itself,
 * @out, or NULL for SQL NULL. */
static gboolean
convert_for_column (OrmaMappedColumn  *col,
                    const GValue      *value,
                    GValue            *out,
                    const GValue     **result,
                    GError           **error)
{
  if (value == NULL || _orma_value_is_null (value))
    {
      *result = NULL;
      return TRUE;
    }

  if (G_VALUE_TYPE (value) == col->type)
    {
      *result = value;
      return TRUE;
    }

  g_value_init (out, col->type);
  if (!_orma_value_convert (value, out, error))
    {
      g_value_unset (out);
      return FALSE;
    }

  *result = out;
  return TRUE;
}

/* Column of @property in @self's mapping, or -1 with
 * ORMA_ERROR_UNKNOWN_PROPERTY. */
static int
lookup_column (OrmaEntity  *self,
               const char  *property,
               GError     **error)
{
  OrmaMapper *mapper = _orma_entity_get_mapper (self);
  int column = -1;

  if (mapper != NULL && property != NULL)
    column = _orma_mapper_find_column (mapper, property);

  if (column < 0)
    _orma_set_error (error, ORMA_ERROR_UNKNOWN_PROPERTY,
                     "%s has no mapped property '%s'",
                     G_OBJECT_TYPE_NAME (self), property ? property : "(null)");
  return column;
}

/* ------------------------------------------------------------ GObject */

/* The column a property id names for this object. The id indexes the
 * mapper of the class that installed the property; that is the object's
 * own mapper except when a subclass maps a table of its own and inherits
 * its parent's properties, where the column is found by name. */
static int
property_column (OrmaEntityPrivate *priv,
                 guint              prop_id,
                 GParamSpec        *pspec)
{
  OrmaMapper *mapper = priv->mapper;

  if (mapper == NULL)
    return -1;

  if (pspec->owner_type == mapper->type)
    return prop_id >= 1 && prop_id <= mapper->n_columns ? (int) prop_id - 1 : -1;

  return _orma_mapper_find_column (mapper, pspec->name);
}

/* ---- relationship properties ---- */

/* The relationship a property id above ORMA_MAX_COLUMNS names, found as
 * property_column() finds columns; the mapper is configured first, so
 * that the relationship is resolved. NULL with a warning otherwise. */
static OrmaRelationship *
property_relationship (OrmaEntity *self,
                       guint       prop_id,
                       GParamSpec *pspec)
{
  OrmaMapper *mapper = _orma_entity_get_mapper (self);
  g_autoptr (GError) error = NULL;
  OrmaRelationship *rel;

  if (mapper == NULL)
    return NULL;

  if (!mapper->configured && !_orma_mapper_configure (mapper, &error))
    {
      g_warning ("%s.%s: %s", G_OBJECT_TYPE_NAME (self), pspec->name, error->message);
      return NULL;
    }

  if (pspec->owner_type == mapper->type)
    rel = _orma_mapper_relationship_by_prop (mapper, prop_id);
  else
    rel = _orma_mapper_find_relationship (mapper, pspec->name);

  if (rel != NULL && !rel->resolved)
    {
      g_warning ("%s.%s: the relationship is not resolved (configure the registry)",
                 G_OBJECT_TYPE_NAME (self), pspec->name);
      return NULL;
    }
  return rel;
}

static void
get_relationship_property (OrmaEntity       *self,
                           OrmaRelationship *rel,
                           GValue           *value)
{
  g_autoptr (GError) error = NULL;
  GObject *related = NULL;

  /* A dynamic relationship's value is whatever the session's
   * load_relationship callback put in the slot (a query). */
  if (!_orma_entity_relationship_get (self, rel, &related, &error))
    {
      g_warning ("%s.%s: %s", G_OBJECT_TYPE_NAME (self), rel->name, error->message);
      related = NULL;
    }

  if (related != NULL && !g_type_is_a (G_OBJECT_TYPE (related), G_VALUE_TYPE (value)))
    {
      g_warning ("%s.%s: a %s does not fit the property's type %s",
                 G_OBJECT_TYPE_NAME (self), rel->name, G_OBJECT_TYPE_NAME (related),
                 G_VALUE_TYPE_NAME (value));
      related = NULL;
    }
  g_value_set_object (value, related);
}

/* Setting a collection property: @model (a GListModel of the target's
 * class, or NULL for none) becomes the members. */
static gboolean
set_collection_property (OrmaEntity       *self,
                         OrmaRelationship *rel,
                         GObject          *model,
                         GError          **error)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  GObject *collection = NULL;
  guint n = 0;

  if (model != NULL && !G_IS_LIST_MODEL (model))
    {
      _orma_set_error (error, ORMA_ERROR_TYPE_MISMATCH,
                       "%s.%s takes a GListModel, not a %s", G_OBJECT_TYPE_NAME (self),
                       rel->name, G_OBJECT_TYPE_NAME (model));
      return FALSE;
    }

  if (model != NULL)
    n = g_list_model_get_n_items (G_LIST_MODEL (model));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (model), i));

  if (!_orma_entity_relationship_get (self, rel, &collection, error))
    return FALSE;
  /* Replacing a collection with itself changes nothing. */
  if (collection == model)
    return TRUE;

  return orma_collection_replace (ORMA_COLLECTION (collection),
                                  (OrmaEntity **) items->pdata, items->len, error);
}

static void
set_relationship_property (OrmaEntity       *self,
                           OrmaRelationship *rel,
                           const GValue     *value)
{
  g_autoptr (GError) error = NULL;
  GObject *object = g_value_get_object (value);

  if (rel->lazy == ORMA_LOAD_DYNAMIC)
    _orma_set_error (&error, ORMA_ERROR_INVALID_QUERY,
                     "a dynamic relationship cannot be set");
  else if (rel->is_collection)
    set_collection_property (self, rel, object, &error);
  else if (object != NULL && !ORMA_IS_ENTITY (object))
    _orma_set_error (&error, ORMA_ERROR_TYPE_MISMATCH, "a %s is not a mapped object",
                     G_OBJECT_TYPE_NAME (object));
  else
    _orma_entity_relationship_set (self, rel, (OrmaEntity *) object, &error);

  if (error != NULL)
    g_warning ("%s.%s: %s", G_OBJECT_TYPE_NAME (self), rel->name, error->message);
}

static void
orma_entity_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  OrmaEntity *self = (OrmaEntity *) object;
  OrmaEntityPrivate *priv = orma_entity_get_instance_private (self);
  int column;

  if (prop_id > ORMA_MAX_COLUMNS)
    {
      OrmaRelationship *rel = property_relationship (self, prop_id, pspec);

      if (rel != NULL)
        get_relationship_property (self, rel, value);
      else if (priv->mapper != NULL && priv->mapper->configured)
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  column = property_column (priv, prop_id, pspec);

  if (column < 0)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  tracker_before_access (self, priv);
  g_value_copy (&priv->values[column], value);
}

static void
orma_entity_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  OrmaEntity *self = (OrmaEntity *) object;
  OrmaEntityPrivate *priv = orma_entity_get_instance_private (self);
  int column;

  if (prop_id > ORMA_MAX_COLUMNS)
    {
      OrmaRelationship *rel = property_relationship (self, prop_id, pspec);

      if (rel != NULL)
        set_relationship_property (self, rel, value);
      else if (priv->mapper != NULL && priv->mapper->configured)
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  column = property_column (priv, prop_id, pspec);

  if (column < 0)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  tracker_before_access (self, priv);
  entity_write (self, priv, column, value);
}

static void
orma_entity_dispose (GObject *object)
{
  OrmaEntity *self = (OrmaEntity *) object;
  OrmaEntityPrivate *priv = orma_entity_get_instance_private (self);

  /* The session holds clean objects weakly and forgets them here. */
  if (priv->tracker != NULL && priv->tracker->disposed != NULL)
    priv->tracker->disposed (self, priv->tracker_data);

  /* Related objects are let go now rather than at finalize: dispose is
   * what breaks a reference cycle between a parent and its children. */
  if (priv->rels != NULL)
    _orma_entity_relationships_dispose (self);

  G_OBJECT_CLASS (orma_entity_parent_class)->dispose (object);
}

static inline gboolean
storage_holds_pointer (GType storage)
{
  return storage == G_TYPE_STRING || storage == G_TYPE_BYTES || storage == G_TYPE_DATE_TIME;
}

/* Freeing objects is on the hot path too (loading 100,000 rows frees
 * as many): only values that own memory are unset; the others hold
 * nothing to free. */
static void
free_values (OrmaMapper *mapper, GValue *values, gboolean owned)
{
  if (values == NULL)
    return;

  for (guint i = 0; i < mapper->n_columns; i++)
    if (storage_holds_pointer (_orma_mapper_column (mapper, i)->storage) &&
        values[i].data[0].v_pointer != NULL)
      g_value_unset (&values[i]);
  if (owned)
    g_free (values);
}

static void
orma_entity_finalize (GObject *object)
{
  OrmaEntity *self = (OrmaEntity *) object;
  OrmaEntityPrivate *priv = orma_entity_get_instance_private (self);

  if (priv->rels != NULL)
    _orma_entity_relationships_finalize (self);

  if (priv->mapper != NULL)
    {
      free_values (priv->mapper, priv->values, priv->values != priv->inline_values);
      free_values (priv->mapper, priv->committed, TRUE);
    }

  G_OBJECT_CLASS (orma_entity_parent_class)->finalize (object);
}

static void
orma_entity_class_init (OrmaEntityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = orma_entity_get_property;
  object_class->set_property = orma_entity_set_property;
  object_class->dispose = orma_entity_dispose;
  object_class->finalize = orma_entity_finalize;
}

static void
orma_entity_class_intern_init (gpointer klass,
                               gpointer class_data)
{
  orma_entity_parent_class = g_type_class_peek_parent (klass);
  if (OrmaEntity_private_offset != 0)
    g_type_class_adjust_private_offset (klass, &OrmaEntity_private_offset);
  orma_entity_class_init (klass);
}

static void
orma_entity_instance_init (GTypeInstance *instance,
                           gpointer       g_class)
{
  OrmaEntityPrivate *priv = orma_entity_get_instance_private ((OrmaEntity *) instance);
  OrmaMapper *mapper = ((OrmaEntityClass *) g_class)->mapper;
  guint n_columns;

  priv->mapper = mapper;
  if (mapper == NULL || mapper->n_columns == 0)
    return;

  n_columns = mapper->n_columns;
  priv->values = n_columns <= ORMA_INLINE_VALUES ? priv->inline_values
                                                 : g_new0 (GValue, n_columns);
  /* Every storage type Orma maps (integers, boolean, double, string,
   * enum, flags, boxed) starts as all-zero data, which is exactly what
   * g_value_init() would produce; setting the type is all it takes. */
  for (guint i = 0; i < n_columns; i++)
    priv->values[i].g_type = _orma_mapper_column (mapper, i)->type;

  /* A fresh object's attributes are all NULL until set. */
  priv->null_mask = all_columns_mask (n_columns);
}

GType
orma_entity_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      const GTypeInfo info = {
        .class_size = sizeof (OrmaEntityClass),
        .class_init = orma_entity_class_intern_init,
        .instance_size = sizeof (OrmaEntity),
        .instance_init = orma_entity_instance_init,
      };
      GType id;

      id = g_type_register_static (G_TYPE_OBJECT,
                                   g_intern_static_string ("OrmaEntity"),
                                   &info, G_TYPE_FLAG_ABSTRACT);
      OrmaEntity_private_offset = g_type_add_instance_private (id, sizeof (OrmaEntityPrivate));
      g_once_init_leave (&type_id, id);
    }

  return type_id;
}

/* ------------------------------------------------------------ class API */

/* The mapper this class created itself. A subclass's class structure
 * starts as a copy of its parent's, so an inherited pointer is not it. */
static OrmaMapper *
class_own_mapper (OrmaEntityClass *klass)
{
  OrmaMapper *mapper = klass->mapper;

  return mapper != NULL && mapper->type == G_TYPE_FROM_CLASS (klass) ? mapper : NULL;
}

static OrmaMapper *
mapper_new (GType type, const char *table_name)
{
  OrmaMapper *mapper = g_new0 (OrmaMapper, 1);

  mapper->type = type;
  mapper->table = orma_table_new (table_name);
  mapper->columns = g_array_new (FALSE, TRUE, sizeof (OrmaMappedColumn));
  mapper->autoincrement = -1;
  mapper->version = -1;
  mapper->sql_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return mapper;
}

/* GObject does not inherit get_property/set_property: every class that
 * installs properties needs its own. A mapped class gets OrmaEntity's,
 * unless it set its own before declaring its table. */
static void
claim_property_vfuncs (OrmaEntityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  if (object_class->get_property == NULL)
    object_class->get_property = orma_entity_get_property;
  if (object_class->set_property == NULL)
    object_class->set_property = orma_entity_set_property;
}

/* Declaration mistakes are kept, the first one only, and reported by
 * the registry when it configures: class_init has no way to fail. */
G_GNUC_PRINTF (2, 3)
static void
mapper_record_error (OrmaMapper *mapper,
                     const char *format,
                     ...)
{
  va_list args;

  if (mapper->error != NULL)
    return;

  va_start (args, format);
  mapper->error = g_error_new_valist (ORMA_ERROR, ORMA_ERROR_INVALID_MAPPING, format, args);
  va_end (args);
}

/* The class's own mapper for a declaration. Declaring before
 * orma_entity_class_set_table() is a mistake, recorded in a mapper made
 * on the spot so that the rest of class_init still has somewhere to go. */
static OrmaMapper *
declaration_mapper (OrmaEntityClass *klass,
                    const char      *function)
{
  OrmaMapper *mapper = class_own_mapper (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  if (mapper != NULL)
    return mapper;

  mapper = mapper_new (type, g_type_name (type));
  claim_property_vfuncs (klass);
  mapper_record_error (mapper, "%s: %s() called before orma_entity_class_set_table()",
                       g_type_name (type), function);
  klass->mapper = mapper;
  return mapper;
}

/**
 * orma_entity_class_set_table:
 * @klass: the class being initialized
 * @table: the name of the table its objects are stored in
 *
 * Maps the class to @table. Call it first in class_init, before the
 * columns are declared.
 */
void
orma_entity_class_set_table (OrmaEntityClass *klass,
                             const char      *table)
{
  GType type;

  g_return_if_fail (ORMA_IS_ENTITY_CLASS (klass));
  g_return_if_fail (table != NULL);

  type = G_TYPE_FROM_CLASS (klass);
  if (class_own_mapper (klass) != NULL)
    {
      mapper_record_error (klass->mapper, "%s: the table is set twice", g_type_name (type));
      return;
    }

  klass->mapper = mapper_new (type, table);
  claim_property_vfuncs (klass);
  if (*table == '\0')
    mapper_record_error (klass->mapper, "%s: the table name is empty", g_type_name (type));
}

static GParamSpec *
column_pspec_new (const char *name,
                  GType       type,
                  GType       storage)
{
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                      G_PARAM_STATIC_NICK | G_PARAM_STATIC_BLURB;

  /* The column name lives as long as the table, that is as long as the
   * class; GObject only takes it as is when it is already canonical. */
  if (strchr (name, '_') == NULL)
    flags |= G_PARAM_STATIC_NAME;

  switch (storage)
    {
    case G_TYPE_BOOLEAN:
      return g_param_spec_boolean (name, NULL, NULL, FALSE, flags);
    case G_TYPE_INT:
      return g_param_spec_int (name, NULL, NULL, G_MININT, G_MAXINT, 0, flags);
    case G_TYPE_UINT:
      return g_param_spec_uint (name, NULL, NULL, 0, G_MAXUINT, 0, flags);
    case G_TYPE_INT64:
      return g_param_spec_int64 (name, NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
    case G_TYPE_DOUBLE:
      return g_param_spec_double (name, NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
    case G_TYPE_STRING:
      return g_param_spec_string (name, NULL, NULL, NULL, flags);
    case G_TYPE_ENUM:
      {
        GEnumClass *enum_class = g_type_class_ref (type);
        int first = enum_class->n_values > 0 ? enum_class->values[0].value : 0;
        GParamSpec *pspec = g_param_spec_enum (name, NULL, NULL, type, first, flags);

        g_type_class_unref (enum_class);
        return pspec;
      }
    case G_TYPE_FLAGS:
      return g_param_spec_flags (name, NULL, NULL, type, 0, flags);
    default:
      /* G_TYPE_BYTES, G_TYPE_DATE_TIME */
      return g_param_spec_boxed (name, NULL, NULL, type, flags);
    }
}

/* The property's value type: the declared type where GObject keeps it
 * (enums, flags, boxed), the storage type for plain values. */
static GType
column_value_type (GType type, GType storage)
{
  if (storage == G_TYPE_ENUM || storage == G_TYPE_FLAGS)
    return type;
  return storage;
}

static gboolean
check_new_column (OrmaMapper *mapper,
                  GObjectClass *object_class,
                  const char *name,
                  GType       type,
                  GType       storage)
{
  const char *class_name = g_type_name (mapper->type);
  GParamSpec *existing;

  if (name == NULL || !g_param_spec_is_valid_name (name))
    {
      mapper_record_error (mapper, "%s: '%s' is not a valid column name",
                           class_name, name ? name : "(null)");
      return FALSE;
    }

  if (storage == G_TYPE_INVALID)
    {
      mapper_record_error (mapper, "%s.%s: unsupported column type %s",
                           class_name, name, g_type_name (type));
      return FALSE;
    }

  existing = g_object_class_find_property (object_class, name);
  if (_orma_mapper_find_column (mapper, name) >= 0 ||
      (existing != NULL && existing->owner_type == mapper->type))
    {
      mapper_record_error (mapper, "%s: column '%s' is declared twice", class_name, name);
      return FALSE;
    }

  if (mapper->n_columns >= ORMA_MAX_COLUMNS)
    {
      mapper_record_error (mapper, "%s: more than %d columns", class_name, ORMA_MAX_COLUMNS);
      return FALSE;
    }

  return TRUE;
}

/**
 * orma_entity_class_add_column:
 * @klass: the class being initialized
 * @name: the column name, which is also the property name
 * @type: the value type: %G_TYPE_INT, %G_TYPE_INT64, %G_TYPE_UINT,
 *   %G_TYPE_BOOLEAN, %G_TYPE_DOUBLE, %G_TYPE_STRING, %G_TYPE_BYTES,
 *   %G_TYPE_DATE_TIME, an enum or a flags type
 * @flags: the column's constraints
 *
 * Adds a column to the class's table and installs a read-write GObject
 * property of the same name whose storage the entity owns. A mistake
 * (an unsupported type, a duplicate or invalid name, no table yet) is
 * reported by orma_registry_configure().
 */
void
orma_entity_class_add_column (OrmaEntityClass *klass,
                              const char      *name,
                              GType            type,
                              OrmaColumnFlags  flags)
{
  OrmaMapper *mapper;
  GType storage;
  guint index;
  OrmaMappedColumn col = { 0 };

  g_return_if_fail (ORMA_IS_ENTITY_CLASS (klass));

  mapper = declaration_mapper (klass, "orma_entity_class_add_column");
  storage = _orma_value_storage_type (type);
  if (!check_new_column (mapper, G_OBJECT_CLASS (klass), name, type, storage))
    return;

  index = orma_table_add_column (mapper->table, name, type, flags);
  if (index != mapper->n_columns ||
      orma_table_get_n_columns (mapper->table) != mapper->n_columns + 1)
    {
      /* The table refused it; its own error says why. */
      mapper_record_error (mapper, "%s: column '%s' could not be added to table %s",
                           g_type_name (mapper->type), name,
                           orma_table_get_name (mapper->table));
      return;
    }

  col.index = index;
  col.name = _orma_table_column (mapper->table, index)->name;
  col.storage = storage;
  col.type = column_value_type (type, storage);
  col.flags = flags;
  col.pspec = column_pspec_new (col.name, col.type, storage);
  g_array_append_val (mapper->columns, col);
  mapper->n_columns++;

  g_object_class_install_property (G_OBJECT_CLASS (klass), index + 1, col.pspec);
}

/**
 * orma_entity_class_add_foreign_key:
 * @klass: the class being initialized
 * @columns: the referencing columns, comma separated
 * @ref_table: the referenced table
 * @ref_columns: the referenced columns, comma separated
 * @on_delete: what the database does when the referenced row is deleted
 *
 * Declares a FOREIGN KEY constraint on the class's table.
 */
void
orma_entity_class_add_foreign_key (OrmaEntityClass      *klass,
                                   const char           *columns,
                                   const char           *ref_table,
                                   const char           *ref_columns,
                                   OrmaForeignKeyAction  on_delete)
{
  OrmaMapper *mapper;

  g_return_if_fail (ORMA_IS_ENTITY_CLASS (klass));

  mapper = declaration_mapper (klass, "orma_entity_class_add_foreign_key");
  orma_table_add_foreign_key (mapper->table, columns, ref_table, ref_columns, on_delete);
}

/**
 * orma_entity_class_add_index:
 * @klass: the class being initialized
 * @columns: the indexed columns, comma separated
 * @unique: whether the index is UNIQUE
 *
 * Declares an index on the class's table.
 */
void
orma_entity_class_add_index (OrmaEntityClass *klass,
                             const char      *columns,
                             gboolean         unique)
{
  OrmaMapper *mapper;

  g_return_if_fail (ORMA_IS_ENTITY_CLASS (klass));

  mapper = declaration_mapper (klass, "orma_entity_class_add_index");
  orma_table_add_index (mapper->table, columns, unique);
}

void
orma_entity_class_add_relationship (OrmaEntityClass *klass,
                                    const char      *name,
                                    const char      *target,
                                    const char      *first_option,
                                    ...)
{
  OrmaMapper *mapper;
  va_list options;

  g_return_if_fail (ORMA_IS_ENTITY_CLASS (klass));
  g_return_if_fail (name != NULL && target != NULL);

  mapper = declaration_mapper (klass, "orma_entity_class_add_relationship");
  va_start (options, first_option);
  _orma_relationship_declare (mapper, name, target, first_option, options);
  va_end (options);
}

/**
 * orma_entity_class_get_table:
 * @klass: a mapped class
 *
 * Gets the table the class declared with orma_entity_class_set_table().
 *
 * Returns: (transfer none) (nullable): the table, or %NULL if the class
 *   declared none itself
 */
OrmaTable *
orma_entity_class_get_table (OrmaEntityClass *klass)
{
  OrmaMapper *mapper;

  g_return_val_if_fail (ORMA_IS_ENTITY_CLASS (klass), NULL);

  mapper = class_own_mapper (klass);
  return mapper != NULL ? mapper->table : NULL;
}

/* ------------------------------------------------------------ public API */

/**
 * orma_entity_is_null:
 * @self: an entity
 * @property: the name of a mapped property
 *
 * Tells whether the attribute is NULL. A new object's attributes are all
 * NULL until they are set; setting one, even to 0 or %FALSE, makes it
 * not NULL.
 *
 * Returns: %TRUE if the attribute is NULL
 */
gboolean
orma_entity_is_null (OrmaEntity *self,
                     const char *property)
{
  int column;

  g_return_val_if_fail (ORMA_IS_ENTITY (self), FALSE);
  g_return_val_if_fail (property != NULL, FALSE);

  column = lookup_column (self, property, NULL);
  if (column < 0)
    {
      g_critical ("%s has no mapped property '%s'", G_OBJECT_TYPE_NAME (self), property);
      return FALSE;
    }

  tracker_before_access (self, orma_entity_get_instance_private (self));
  return _orma_entity_is_null_at (self, column);
}

/**
 * orma_entity_set_null:
 * @self: an entity
 * @property: the name of a mapped property
 * @error: return location for a #GError
 *
 * Sets the attribute to SQL NULL. For a string or boxed property this is
 * the same as setting it to %NULL.
 *
 * Returns: %TRUE on success, %FALSE if @property is not mapped
 */
gboolean
orma_entity_set_null (OrmaEntity  *self,
                      const char  *property,
                      GError     **error)
{
  OrmaEntityPrivate *priv;
  int column;

  g_return_val_if_fail (ORMA_IS_ENTITY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  column = lookup_column (self, property, error);
  if (column < 0)
    return FALSE;

  priv = orma_entity_get_instance_private (self);
  tracker_before_access (self, priv);
  entity_write (self, priv, column, NULL);
  return TRUE;
}

/**
 * orma_entity_set_value:
 * @self: an entity
 * @property: the name of a mapped property
 * @value: (nullable): the new value; %NULL or an unset #GValue for NULL
 * @error: return location for a #GError
 *
 * Sets a mapped attribute from a value of its type or of one that
 * converts to it without loss (an integer into an enum, an int64 that
 * fits into an int, ...). On error nothing changes.
 *
 * Returns: %TRUE on success; %FALSE with %ORMA_ERROR_UNKNOWN_PROPERTY or
 *   %ORMA_ERROR_TYPE_MISMATCH
 */
gboolean
orma_entity_set_value (OrmaEntity    *self,
                       const char    *property,
                       const GValue  *value,
                       GError       **error)
{
  OrmaEntityPrivate *priv;
  g_auto (GValue) converted = G_VALUE_INIT;
  const GValue *stored;
  int column;

  g_return_val_if_fail (ORMA_IS_ENTITY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  column = lookup_column (self, property, error);
  if (column < 0)
    return FALSE;

  priv = orma_entity_get_instance_private (self);
  if (!convert_for_column (_orma_mapper_column (priv->mapper, column),
                           value, &converted, &stored, error))
    {
      g_prefix_error (error, "%s.%s: ", G_OBJECT_TYPE_NAME (self), property);
      return FALSE;
    }

  tracker_before_access (self, priv);
  entity_write (self, priv, column, stored);
  return TRUE;
}

/**
 * orma_entity_get_value:
 * @self: an entity
 * @property: the name of a mapped property
 * @value: (out caller-allocates): a #GValue, either unset (it is then
 *   initialized to the property's type) or initialized to the type
 *   wanted
 * @error: return location for a #GError
 *
 * Gets a mapped attribute. When the attribute is NULL, @value is left
 * holding its type's default (%NULL for strings and boxed types).
 *
 * Returns: %TRUE on success; %FALSE with %ORMA_ERROR_UNKNOWN_PROPERTY or
 *   %ORMA_ERROR_TYPE_MISMATCH, @value unchanged
 */
gboolean
orma_entity_get_value (OrmaEntity  *self,
                       const char  *property,
                       GValue      *value,
                       GError     **error)
{
  OrmaEntityPrivate *priv;
  g_auto (GValue) converted = G_VALUE_INIT;
  const GValue *current;
  int column;

  g_return_val_if_fail (ORMA_IS_ENTITY (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  column = lookup_column (self, property, error);
  if (column < 0)
    return FALSE;

  priv = orma_entity_get_instance_private (self);
  tracker_before_access (self, priv);
  current = _orma_entity_peek (self, column);

  if (!G_IS_VALUE (value))
    g_value_init (value, _orma_mapper_column (priv->mapper, column)->type);

  if (current == NULL)
    {
      g_value_reset (value);
      return TRUE;
    }

  if (G_VALUE_TYPE (current) == G_VALUE_TYPE (value))
    {
      g_value_copy (current, value);
      return TRUE;
    }

  g_value_init (&converted, G_VALUE_TYPE (value));
  if (!_orma_value_convert (current, &converted, error))
    {
      g_prefix_error (error, "%s.%s: ", G_OBJECT_TYPE_NAME (self), property);
      return FALSE;
    }

  g_value_copy (&converted, value);
  return TRUE;
}

/* Unset values are skipped: a collect error leaves a value half made. */
static void
clear_collected (gpointer data)
{
  GValue *value = data;

  if (G_IS_VALUE (value))
    g_value_unset (value);
}

/**
 * orma_entity_set:
 * @self: an entity
 * @error: return location for a #GError
 * @first_property: the name of the first mapped property to set
 * @...: its value, then more name/value pairs, ending with %NULL
 *
 * Sets several mapped attributes, like g_object_set() but with an error
 * instead of a warning. Every name is checked before anything is set, so
 * on error the object is unchanged. The values are passed as
 * g_object_set() takes them: a `gint64` for an int64 property, a
 * `const char *` for a string, and so on.
 *
 * Returns: %TRUE on success; %FALSE with %ORMA_ERROR_UNKNOWN_PROPERTY
 */
gboolean
orma_entity_set (OrmaEntity  *self,
                 GError     **error,
                 const char  *first_property,
                 ...)
{
  OrmaEntityPrivate *priv;
  g_autoptr (GArray) columns = NULL;
  g_autoptr (GArray) values = NULL;
  const char *name;
  va_list args;

  g_return_val_if_fail (ORMA_IS_ENTITY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = orma_entity_get_instance_private (self);
  columns = g_array_new (FALSE, FALSE, sizeof (guint));
  values = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (values, clear_collected);

  va_start (args, first_property);
  for (name = first_property; name != NULL; name = va_arg (args, const char *))
    {
      GValue value = G_VALUE_INIT;
      g_autofree char *collect_error = NULL;
      int column = lookup_column (self, name, error);

      if (column < 0)
        break;

      /* NOCOPY: the values only live until they are stored, which copies. */
      G_VALUE_COLLECT_INIT (&value, _orma_mapper_column (priv->mapper, column)->type,
                            args, G_VALUE_NOCOPY_CONTENTS, &collect_error);
      if (collect_error != NULL)
        {
          _orma_set_error (error, ORMA_ERROR_TYPE_MISMATCH, "%s.%s: %s",
                           G_OBJECT_TYPE_NAME (self), name, collect_error);
          break;
        }

      g_array_append_val (columns, column);
      g_array_append_val (values, value);
    }
  va_end (args);

  if (name != NULL)
    return FALSE;
  if (columns->len == 0)
    return TRUE;

  tracker_before_access (self, priv);
  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < columns->len; i++)
    entity_write (self, priv, g_array_index (columns, guint, i),
                  &g_array_index (values, GValue, i));
  g_object_thaw_notify (G_OBJECT (self));

  return TRUE;
}

/* ---- relationship attributes ---- */

/* The resolved relationship @name of @self's class, configuring the
 * mapper first (backrefs of other classes exist only then). */
static OrmaRelationship *
lookup_relationship (OrmaEntity  *self,
                     const char  *name,
                     GError     **error)
{
  OrmaMapper *mapper = _orma_entity_get_mapper (self);
  OrmaRelationship *rel = NULL;

  if (mapper != NULL && !mapper->configured && !_orma_mapper_configure (mapper, error))
    return NULL;

  if (mapper != NULL && name != NULL)
    rel = _orma_mapper_find_relationship (mapper, name);
  if (rel == NULL)
    {
      _orma_set_error (error, ORMA_ERROR_UNKNOWN_PROPERTY, "%s has no relationship '%s'",
                       G_OBJECT_TYPE_NAME (self), name ? name : "(null)");
      return NULL;
    }

  if (!rel->resolved)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_MAPPING,
                       "%s.%s is not resolved: configure the registry first",
                       G_OBJECT_TYPE_NAME (self), rel->name);
      return NULL;
    }
  return rel;
}

/**
 * orma_entity_get_related:
 * @self: an entity
 * @name: the name of a many-to-one or one-to-one relationship
 * @error: return location for a #GError
 *
 * Gets the related object, loading it if needed (a lazy load may run a
 * query; a "raise" relationship that is not loaded fails).
 *
 * Returns: (transfer full) (nullable) (type OrmaEntity): the related
 *   object, or %NULL if there is none or on error (then @error is set)
 */
gpointer
orma_entity_get_related (OrmaEntity  *self,
                         const char  *name,
                         GError     **error)
{
  OrmaRelationship *rel;
  GObject *value = NULL;

  g_return_val_if_fail (ORMA_IS_ENTITY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rel = lookup_relationship (self, name, error);
  if (rel == NULL)
    return NULL;

  if (rel->is_collection || rel->lazy == ORMA_LOAD_DYNAMIC)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "%s.%s is a collection: use orma_entity_get_collection()",
                       G_OBJECT_TYPE_NAME (self), rel->name);
      return NULL;
    }

  if (!_orma_entity_relationship_get (self, rel, &value, error))
    return NULL;
  return value != NULL ? g_object_ref (value) : NULL;
}

/**
 * orma_entity_set_related:
 * @self: an entity
 * @name: the name of a many-to-one or one-to-one relationship
 * @value: (nullable) (type OrmaEntity): the related object, of the
 *   relationship's target class, or %NULL
 * @error: return location for a #GError
 *
 * Sets the related object, as setting the property does; the other side
 * of a back-populated pair follows. Setting the value it already has
 * does nothing.
 *
 * Returns: %TRUE on success; %FALSE with %ORMA_ERROR_UNKNOWN_PROPERTY,
 *   %ORMA_ERROR_TYPE_MISMATCH or %ORMA_ERROR_INVALID_QUERY (a
 *   collection), nothing changed
 */
gboolean
orma_entity_set_related (OrmaEntity  *self,
                         const char  *name,
                         gpointer     value,
                         GError     **error)
{
  OrmaRelationship *rel;

  g_return_val_if_fail (ORMA_IS_ENTITY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rel = lookup_relationship (self, name, error);
  if (rel == NULL)
    return FALSE;

  return _orma_entity_relationship_set (self, rel, value, error);
}

/**
 * orma_entity_get_collection:
 * @self: an entity
 * @name: the name of a one-to-many or many-to-many relationship
 * @error: return location for a #GError
 *
 * Gets the collection of related objects, loaded (a lazy load may run a
 * query). Unlike the GObject property, this reports a failure to load.
 *
 * Returns: (transfer full) (nullable): the collection, or %NULL on
 *   error
 */
OrmaCollection *
orma_entity_get_collection (OrmaEntity  *self,
                            const char  *name,
                            GError     **error)
{
  OrmaRelationship *rel;
  GObject *value = NULL;

  g_return_val_if_fail (ORMA_IS_ENTITY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rel = lookup_relationship (self, name, error);
  if (rel == NULL)
    return NULL;

  if (!rel->is_collection)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "%s.%s is not a collection: use orma_entity_get_related()",
                       G_OBJECT_TYPE_NAME (self), rel->name);
      return NULL;
    }
  if (rel->lazy == ORMA_LOAD_DYNAMIC)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "%s.%s is dynamic: use orma_entity_query_related()",
                       G_OBJECT_TYPE_NAME (self), rel->name);
      return NULL;
    }

  if (!_orma_entity_relationship_get (self, rel, &value, error))
    return NULL;
  return ORMA_COLLECTION (g_object_ref (value));
}

/**
 * orma_entity_is_loaded:
 * @self: an entity
 * @name: the name of a relationship
 *
 * Tells whether a relationship attribute is loaded, without loading it.
 * An attribute the application has set is loaded.
 *
 * Returns: %TRUE if reading it needs no loading; %FALSE if not, or if
 *   @name is not a relationship of @self's class
 */
gboolean
orma_entity_is_loaded (OrmaEntity *self,
                       const char *name)
{
  OrmaRelationship *rel;
  OrmaRelSlot *slot;

  g_return_val_if_fail (ORMA_IS_ENTITY (self), FALSE);

  rel = lookup_relationship (self, name, NULL);
  if (rel == NULL)
    return FALSE;

  slot = _orma_entity_rel_slot (self, rel);
  if (slot->value != NULL && ORMA_IS_COLLECTION (slot->value))
    return _orma_collection_peek_loaded (ORMA_COLLECTION (slot->value));
  return slot->loaded;
}

/**
 * orma_col:
 * @entity_type: a mapped class
 * @property: the name of one of its mapped properties
 *
 * Makes an expression naming a mapped column, for filters and ordering.
 * An unknown property or a type that is not mapped gives an expression
 * that makes the query fail with %ORMA_ERROR_UNKNOWN_PROPERTY.
 *
 * Returns: (transfer floating): a column expression
 */
OrmaExpr *
orma_col (GType       entity_type,
          const char *property)
{
  OrmaMapper *mapper = _orma_mapper_for_type (entity_type);
  int column;

  if (mapper == NULL)
    return _orma_expr_new_error (ORMA_ERROR_UNKNOWN_PROPERTY,
                                 "%s is not a mapped entity class (looking for '%s')",
                                 entity_type ? g_type_name (entity_type) : "(invalid type)",
                                 property ? property : "(null)");

  column = property != NULL ? _orma_mapper_find_column (mapper, property) : -1;
  if (column < 0)
    return _orma_expr_new_error (ORMA_ERROR_UNKNOWN_PROPERTY,
                                 "%s has no mapped property '%s'",
                                 g_type_name (entity_type), property ? property : "(null)");

  return _orma_expr_new_column (mapper->table, column, entity_type);
}

/* ------------------------------------------------------------ private API */

const GValue *
_orma_entity_peek_committed (OrmaEntity *self,
                             guint       column)
{
  OrmaEntityPrivate *priv = orma_entity_get_instance_private (self);
  guint64 bit = COLUMN_BIT (column);

  if (!(priv->changed_mask & bit))
    return _orma_entity_peek (self, column);

  return (priv->committed_null_mask & bit) ? NULL : &priv->committed[column];
}

/* A saved committed value is left alone: during a flush the session
 * loads generated keys and version counters, and a rollback must still
 * be able to put the old ones back. */
gboolean
_orma_entity_load (OrmaEntity    *self,
                   guint          column,
                   const GValue  *value,
                   GError       **error)
{
  OrmaEntityPrivate *priv = orma_entity_get_instance_private (self);
  OrmaMappedColumn *col;
  GValue *slot;

  g_return_val_if_fail (column < priv->mapper->n_columns, FALSE);

  col = _orma_mapper_column (priv->mapper, column);
  slot = &priv->values[column];

  if (value == NULL || _orma_value_is_null (value))
    {
      g_value_reset (slot);
      priv->null_mask |= COLUMN_BIT (column);
      return TRUE;
    }

  if (G_VALUE_TYPE (value) == col->type)
    {
      g_value_copy (value, slot);
    }
  else
    {
      GValue converted = G_VALUE_INIT;

      g_value_init (&converted, col->type);
      if (!_orma_value_convert (value, &converted, error))
        {
          g_value_unset (&converted);
          g_prefix_error (error, "%s.%s: ", G_OBJECT_TYPE_NAME (self), col->name);
          return FALSE;
        }
      g_value_unset (slot);
      *slot = converted;
    }

  priv->null_mask &= ~COLUMN_BIT (column);
  return TRUE;
}

void
_orma_entity_set_null_bit (OrmaEntity *self,
                           guint       column,
                           gboolean    is_null)
{
  OrmaEntityPrivate *priv = orma_entity_get_instance_private (self);

  if (is_null)
    {
      /* A loader may have left an earlier value in the slot. */
      g_value_reset (&priv->values[column]);
      priv->null_mask |= COLUMN_BIT (column);
    }
  else
    {
      priv->null_mask &= ~COLUMN_BIT (column);
    }
}

gboolean
_orma_entity_assign (OrmaEntity    *self,
                     guint          column,
                     const GValue  *value,
                     GError       **error)
{
  OrmaEntityPrivate *priv = orma_entity_get_instance_private (self);
  g_auto (GValue) converted = G_VALUE_INIT;
  const GValue *stored;

  g_return_val_if_fail (column < priv->mapper->n_columns, FALSE);

  if (!convert_for_column (_orma_mapper_column (priv->mapper, column),
                           value, &converted, &stored, error))
    return FALSE;

  entity_write (self, priv, column, stored);
  return TRUE;
}

guint64
_orma_entity_modified_mask (OrmaEntity *self)
{
  OrmaEntityPrivate *priv = orma_entity_get_instance_private (self);
  guint64 modified = 0;
  guint64 pending = priv->changed_mask;

  for (guint i = 0; pending != 0; i++, pending >>= 1)
    {
      if (!(pending & 1))
        continue;
      if (!_orma_value_equal (_orma_entity_peek_committed (self, i),
                              _orma_entity_peek (self, i)))
        modified |= COLUMN_BIT (i);
    }

  return modified;
}

void
_orma_entity_accept_changes (OrmaEntity *self)
{
  OrmaEntityPrivate *priv = orma_entity_get_instance_private (self);
  guint64 pending = priv->changed_mask;

  /* committed[] itself is kept for the next round of changes. */
  for (guint i = 0; pending != 0; i++, pending >>= 1)
    if ((pending & 1) && G_IS_VALUE (&priv->committed[i]))
      g_value_unset (&priv->committed[i]);

  priv->changed_mask = 0;
  priv->committed_null_mask = 0;
}

void
_orma_entity_revert_changes (OrmaEntity *self)
{
  OrmaEntityPrivate *priv = orma_entity_get_instance_private (self);
  guint64 pending = priv->changed_mask;

  if (pending == 0)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; pending != 0; i++, pending >>= 1)
    {
      guint64 bit = COLUMN_BIT (i);
      gboolean same;

      if (!(pending & 1))
        continue;

      same = _orma_value_equal (_orma_entity_peek_committed (self, i),
                                _orma_entity_peek (self, i));

      g_value_unset (&priv->values[i]);
      priv->values[i] = priv->committed[i];
      memset (&priv->committed[i], 0, sizeof (GValue));

      if (priv->committed_null_mask & bit)
        priv->null_mask |= bit;
      else
        priv->null_mask &= ~bit;

      if (!same)
        g_object_notify_by_pspec (G_OBJECT (self), _orma_mapper_column (priv->mapper, i)->pspec);
    }

  priv->changed_mask = 0;
  priv->committed_null_mask = 0;
  g_object_thaw_notify (G_OBJECT (self));
}

void
_orma_entity_set_tracker (OrmaEntity              *self,
                          const OrmaEntityTracker *tracker,
                          gpointer                 data)
{
  OrmaEntityPrivate *priv = orma_entity_get_instance_private (self);

  priv->tracker = tracker;
  priv->tracker_data = data;
}
