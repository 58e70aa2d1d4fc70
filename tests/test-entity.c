/* test-entity.c: mapped classes as GObjects: their properties, the
 * storage and NULL state of attributes, notification, change tracking
 * through the private tracker, column expressions and the registry's
 * checks of a mapping.
 *
 * The classes with broken mappings are defined here and touched only by
 * the tests about them, in the last test case: the default registry
 * walks every initialized entity class, so once one of them is
 * initialized (in the same process, when Check does not fork) every
 * later configure fails.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "fixtures.h"
#include "test-models.h"
#include "orma-entity-private.h"
#include "orma-expr-private.h"
#include "orma-value-private.h"

/* ------------------------------------------------------------ classes */

/* people: a column whose name has an underscore */
#define TEST_TYPE_PERSON (test_person_get_type ())
G_DECLARE_FINAL_TYPE (TestPerson, test_person, TEST, PERSON, OrmaEntity)
struct _TestPerson { OrmaEntity parent_instance; };
G_DEFINE_FINAL_TYPE (TestPerson, test_person, ORMA_TYPE_ENTITY)

static void
test_person_class_init (TestPersonClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "people");
  orma_entity_class_add_column (entity_class, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (entity_class, "full_name", G_TYPE_STRING, 0);
}

static void test_person_init (TestPerson *self) { }

/* bases: a mapped class meant to be subclassed; TestDerived maps
 * nothing of its own. */
#define TEST_TYPE_BASE (test_base_get_type ())
G_DECLARE_DERIVABLE_TYPE (TestBase, test_base, TEST, BASE, OrmaEntity)
struct _TestBaseClass { OrmaEntityClass parent_class; };
G_DEFINE_TYPE (TestBase, test_base, ORMA_TYPE_ENTITY)

static void
test_base_class_init (TestBaseClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "bases");
  orma_entity_class_add_column (entity_class, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (entity_class, "name", G_TYPE_STRING, 0);
}

static void test_base_init (TestBase *self) { }

#define TEST_TYPE_DERIVED (test_derived_get_type ())
G_DECLARE_FINAL_TYPE (TestDerived, test_derived, TEST, DERIVED, TestBase)
struct _TestDerived { TestBase parent_instance; };
G_DEFINE_FINAL_TYPE (TestDerived, test_derived, TEST_TYPE_BASE)

static void test_derived_class_init (TestDerivedClass *klass) { }
static void test_derived_init (TestDerived *self) { }

/* Broken mappings, one mistake each. */
#define TEST_TYPE_BAD_NO_PK (test_bad_no_pk_get_type ())
G_DECLARE_FINAL_TYPE (TestBadNoPk, test_bad_no_pk, TEST, BAD_NO_PK, OrmaEntity)
struct _TestBadNoPk { OrmaEntity parent_instance; };
G_DEFINE_FINAL_TYPE (TestBadNoPk, test_bad_no_pk, ORMA_TYPE_ENTITY)

static void
test_bad_no_pk_class_init (TestBadNoPkClass *klass)
{
  orma_entity_class_set_table (ORMA_ENTITY_CLASS (klass), "bad_no_pk");
  orma_entity_class_add_column (ORMA_ENTITY_CLASS (klass), "name", G_TYPE_STRING, 0);
}

static void test_bad_no_pk_init (TestBadNoPk *self) { }

#define TEST_TYPE_BAD_POINTER (test_bad_pointer_get_type ())
G_DECLARE_FINAL_TYPE (TestBadPointer, test_bad_pointer, TEST, BAD_POINTER, OrmaEntity)
struct _TestBadPointer { OrmaEntity parent_instance; };
G_DEFINE_FINAL_TYPE (TestBadPointer, test_bad_pointer, ORMA_TYPE_ENTITY)

static void
test_bad_pointer_class_init (TestBadPointerClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "bad_pointer");
  orma_entity_class_add_column (entity_class, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (entity_class, "data", G_TYPE_POINTER, 0);
  orma_entity_class_add_column (entity_class, "after", G_TYPE_STRING, 0);
}

static void test_bad_pointer_init (TestBadPointer *self) { }

#define TEST_TYPE_BAD_DUPLICATE (test_bad_duplicate_get_type ())
G_DECLARE_FINAL_TYPE (TestBadDuplicate, test_bad_duplicate, TEST, BAD_DUPLICATE, OrmaEntity)
struct _TestBadDuplicate { OrmaEntity parent_instance; };
G_DEFINE_FINAL_TYPE (TestBadDuplicate, test_bad_duplicate, ORMA_TYPE_ENTITY)

static void
test_bad_duplicate_class_init (TestBadDuplicateClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "bad_duplicate");
  orma_entity_class_add_column (entity_class, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (entity_class, "name", G_TYPE_STRING, 0);
  orma_entity_class_add_column (entity_class, "name", G_TYPE_INT, 0);
}

static void test_bad_duplicate_init (TestBadDuplicate *self) { }

#define TEST_TYPE_BAD_NO_TABLE (test_bad_no_table_get_type ())
G_DECLARE_FINAL_TYPE (TestBadNoTable, test_bad_no_table, TEST, BAD_NO_TABLE, OrmaEntity)
struct _TestBadNoTable { OrmaEntity parent_instance; };
G_DEFINE_FINAL_TYPE (TestBadNoTable, test_bad_no_table, ORMA_TYPE_ENTITY)

static void
test_bad_no_table_class_init (TestBadNoTableClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_add_column (entity_class, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_set_table (entity_class, "bad_no_table");
}

static void test_bad_no_table_init (TestBadNoTable *self) { }

#define TEST_TYPE_BAD_NAME (test_bad_name_get_type ())
G_DECLARE_FINAL_TYPE (TestBadName, test_bad_name, TEST, BAD_NAME, OrmaEntity)
struct _TestBadName { OrmaEntity parent_instance; };
G_DEFINE_FINAL_TYPE (TestBadName, test_bad_name, ORMA_TYPE_ENTITY)

static void
test_bad_name_class_init (TestBadNameClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "bad_name");
  orma_entity_class_add_column (entity_class, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (entity_class, "two words", G_TYPE_STRING, 0);
}

static void test_bad_name_init (TestBadName *self) { }

/* ------------------------------------------------------------ helpers */

static int
column_of (GType type, const char *property)
{
  OrmaMapper *mapper = _orma_mapper_for_type (type);

  ck_assert_ptr_nonnull (mapper);
  return _orma_mapper_find_column (mapper, property);
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (*(guint *) data)++;
}

/* A counter of @property's notifications, freed with @object. */
static guint *
watch_counter (gpointer object, const char *property)
{
  g_autofree char *signal = g_strdup_printf ("notify::%s", property);
  guint *count = g_new0 (guint, 1);

  g_object_set_data_full (G_OBJECT (object), signal, count, g_free);
  g_signal_connect (object, signal, G_CALLBACK (count_notify), count);
  return count;
}

static char *
get_string (gpointer object, const char *property)
{
  char *value = NULL;

  g_object_get (object, property, &value, NULL);
  return value;
}

static int
get_int (gpointer object, const char *property)
{
  int value = -1;

  g_object_get (object, property, &value, NULL);
  return value;
}

typedef struct {
  guint   before_access;
  guint   changed;
  guint64 changed_columns;
  guint   disposed;
} TrackerLog;

static void
log_before_access (OrmaEntity *entity, gpointer data)
{
  ((TrackerLog *) data)->before_access++;
}

static void
log_changed (OrmaEntity *entity, guint column, gpointer data)
{
  TrackerLog *log = data;

  /* The committed value is saved by the time the tracker hears of it. */
  ck_assert (_orma_entity_get_private (entity)->changed_mask & (G_GUINT64_CONSTANT (1) << column));
  log->changed++;
  log->changed_columns |= G_GUINT64_CONSTANT (1) << column;
}

static void
log_disposed (OrmaEntity *entity, gpointer data)
{
  ((TrackerLog *) data)->disposed++;
}

static const OrmaEntityTracker test_tracker = {
  .before_access = log_before_access,
  .changed = log_changed,
  .disposed = log_disposed,
};

#define BIT(column) (G_GUINT64_CONSTANT (1) << (column))


/* ------------------------------------------------------------ properties */

typedef struct {
  const char *name;
  const char *type_name;
} ExpectedColumn;

typedef struct {
  GType (*get_type) (void);
  const char *table;
  ExpectedColumn columns[12];
} ExpectedClass;

static const ExpectedClass expected_classes[] = {
  { test_user_get_type, "users",
    { { "id", "gint64" }, { "name", "gchararray" }, { "fullname", "gchararray" },
      { "password", "gchararray" } } },
  { test_item_get_type, "items",
    { { "id", "gint64" }, { "i", "gint" }, { "i64", "gint64" }, { "u", "guint" },
      { "b", "gboolean" }, { "d", "gdouble" }, { "s", "gchararray" },
      { "blob", "GBytes" }, { "ts", "GDateTime" }, { "color", "TestColor" },
      { "perms", "TestPerms" } } },
  { test_doc_get_type, "docs",
    { { "id", "gint64" }, { "title", "gchararray" }, { "version", "gint64" } } },
  { test_tag_get_type, "tags",
    { { "name", "gchararray" }, { "description", "gchararray" } } },
  { test_pair_get_type, "pairs",
    { { "a", "gint64" }, { "b", "gint64" }, { "label", "gchararray" } } },
};

START_TEST (test_properties_of_models)
{
  for (guint c = 0; c < G_N_ELEMENTS (expected_classes); c++)
    {
      const ExpectedClass *expected = &expected_classes[c];
      GType type = expected->get_type ();
      g_autoptr (GTypeClass) klass = g_type_class_ref (type);
      OrmaMapper *mapper = _orma_mapper_for_type (type);
      OrmaTable *table = orma_entity_class_get_table (ORMA_ENTITY_CLASS (klass));
      guint n = 0;

      ck_assert_ptr_nonnull (mapper);
      ck_assert_ptr_eq (table, mapper->table);
      ck_assert_str_eq (orma_table_get_name (table), expected->table);

      for (; expected->columns[n].name != NULL; n++)
        {
          const ExpectedColumn *column = &expected->columns[n];
          GParamSpec *pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), column->name);

          ck_assert_msg (pspec != NULL, "%s has no property %s", g_type_name (type), column->name);
          ck_assert_str_eq (g_type_name (pspec->value_type), column->type_name);
          ck_assert_uint_eq (pspec->param_id, n + 1);
          ck_assert_uint_eq (pspec->flags & G_PARAM_READWRITE, G_PARAM_READWRITE);
          ck_assert (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
          ck_assert_int_eq (_orma_mapper_find_column (mapper, column->name), (int) n);
          ck_assert_ptr_eq (_orma_mapper_column (mapper, n)->pspec, pspec);
          ck_assert_int_eq (orma_table_find_column (table, column->name), (int) n);
        }

      ck_assert_uint_eq (mapper->n_columns, n);
      ck_assert_uint_eq (orma_table_get_n_columns (table), n);
    }
}
END_TEST

START_TEST (test_enum_default_is_first_value)
{
  g_autoptr (GTypeClass) klass = g_type_class_ref (TEST_TYPE_ITEM);
  GParamSpec *color = g_object_class_find_property (G_OBJECT_CLASS (klass), "color");
  GParamSpec *perms = g_object_class_find_property (G_OBJECT_CLASS (klass), "perms");

  ck_assert_int_eq (G_PARAM_SPEC_ENUM (color)->default_value, TEST_COLOR_RED);
  ck_assert_uint_eq (G_PARAM_SPEC_FLAGS (perms)->default_value, 0);
}
END_TEST

START_TEST (test_round_trip_every_type)
{
  g_autoptr (TestItem) item = g_object_new (TEST_TYPE_ITEM, NULL);
  g_autoptr (TestItem) copy = g_object_new (TEST_TYPE_ITEM, NULL);
  g_autoptr (GBytes) blob = g_bytes_new_static ("a\0b", 3);
  g_autoptr (GDateTime) ts = g_date_time_new_utc (2024, 2, 29, 12, 30, 45.25);
  g_autoptr (GBytes) blob_out = NULL;
  g_autoptr (GDateTime) ts_out = NULL;
  g_autofree char *s_out = NULL;
  gint64 id_out, i64_out;
  int i_out, color_out;
  guint u_out, perms_out;
  gboolean b_out;
  double d_out;
  OrmaMapper *mapper = _orma_mapper_for_type (TEST_TYPE_ITEM);

  g_object_set (item,
                "id", (gint64) 7,
                "i", -42,
                "i64", G_GINT64_CONSTANT (1) << 40,
                "u", 4000000000u,
                "b", TRUE,
                "d", 2.5,
                "s", "h\xc3\xa9llo",
                "blob", blob,
                "ts", ts,
                "color", TEST_COLOR_BLUE,
                "perms", TEST_PERM_READ | TEST_PERM_EXEC,
                NULL);
  g_object_get (item,
                "id", &id_out, "i", &i_out, "i64", &i64_out, "u", &u_out,
                "b", &b_out, "d", &d_out, "s", &s_out, "blob", &blob_out,
                "ts", &ts_out, "color", &color_out, "perms", &perms_out,
                NULL);

  ck_assert_int_eq (id_out, 7);
  ck_assert_int_eq (i_out, -42);
  ck_assert_int_eq (i64_out, G_GINT64_CONSTANT (1) << 40);
  ck_assert_uint_eq (u_out, 4000000000u);
  ck_assert (b_out);
  ck_assert_double_eq (d_out, 2.5);
  ck_assert_str_eq (s_out, "h\xc3\xa9llo");
  ck_assert (g_bytes_equal (blob_out, blob));
  ck_assert (g_date_time_equal (ts_out, ts));
  ck_assert_int_eq (color_out, TEST_COLOR_BLUE);
  ck_assert_uint_eq (perms_out, TEST_PERM_READ | TEST_PERM_EXEC);

  /* The same through GValues, into a second object. */
  for (guint i = 0; i < mapper->n_columns; i++)
    {
      const char *name = _orma_mapper_column (mapper, i)->name;
      g_auto (GValue) value = G_VALUE_INIT;
      g_auto (GValue) again = G_VALUE_INIT;
      g_autoptr (GError) error = NULL;

      ck_assert (!orma_entity_is_null (ORMA_ENTITY (item), name));
      ck_assert (orma_entity_get_value (ORMA_ENTITY (item), name, &value, &error));
      orma_assert_no_error (error);
      ck_assert (G_VALUE_TYPE (&value) == _orma_mapper_column (mapper, i)->type);
      ck_assert (orma_entity_set_value (ORMA_ENTITY (copy), name, &value, &error));
      orma_assert_no_error (error);
      ck_assert (orma_entity_get_value (ORMA_ENTITY (copy), name, &again, &error));
      ck_assert_msg (_orma_value_equal (&value, &again), "%s differs", name);
    }
}
END_TEST

START_TEST (test_underscore_names)
{
  g_autoptr (TestPerson) person = g_object_new (TEST_TYPE_PERSON, "full-name", "Ed", NULL);
  g_autofree char *name = NULL;
  OrmaMapper *mapper = _orma_mapper_for_type (TEST_TYPE_PERSON);

  ck_assert_int_eq (_orma_mapper_find_column (mapper, "full_name"), 1);
  ck_assert_int_eq (_orma_mapper_find_column (mapper, "full-name"), 1);
  ck_assert_int_eq (_orma_mapper_find_column (mapper, "fullname"), -1);
  ck_assert_int_eq (_orma_mapper_find_column (mapper, "full_name_"), -1);
  ck_assert_str_eq (_orma_mapper_column (mapper, 1)->name, "full_name");

  g_object_get (person, "full_name", &name, NULL);
  ck_assert_str_eq (name, "Ed");
  ck_assert (!orma_entity_is_null (ORMA_ENTITY (person), "full_name"));
  ck_assert (orma_entity_is_null (ORMA_ENTITY (person), "id"));
}
END_TEST

START_TEST (test_subclass_without_table)
{
  g_autoptr (TestDerived) derived = g_object_new (TEST_TYPE_DERIVED, "name", "d", NULL);
  g_autoptr (GTypeClass) klass = g_type_class_ref (TEST_TYPE_DERIVED);
  g_autofree char *name = get_string (derived, "name");

  ck_assert_ptr_nonnull (_orma_mapper_for_type (TEST_TYPE_BASE));
  ck_assert_ptr_null (_orma_mapper_for_type (TEST_TYPE_DERIVED));
  ck_assert_ptr_null (orma_entity_class_get_table (ORMA_ENTITY_CLASS (klass)));
  ck_assert_ptr_eq (_orma_entity_get_mapper (ORMA_ENTITY (derived)),
                    _orma_mapper_for_type (TEST_TYPE_BASE));
  ck_assert_str_eq (name, "d");
  ck_assert (orma_entity_is_null (ORMA_ENTITY (derived), "id"));

  ck_assert_ptr_null (_orma_mapper_for_type (ORMA_TYPE_ENTITY));
  ck_assert_ptr_null (_orma_mapper_for_type (G_TYPE_OBJECT));
  ck_assert_ptr_null (_orma_mapper_for_type (G_TYPE_INT));
}
END_TEST

/* ------------------------------------------------------------ notify, NULL */

START_TEST (test_notify_once_per_change)
{
  g_autoptr (TestItem) item = g_object_new (TEST_TYPE_ITEM, NULL);
  guint *s = watch_counter (item, "s");
  guint *i = watch_counter (item, "i");
  g_autoptr (GError) error = NULL;

  g_object_set (item, "s", "a", NULL);
  ck_assert_uint_eq (*s, 1);
  g_object_set (item, "s", "a", NULL);
  ck_assert_uint_eq (*s, 1);
  g_object_set (item, "s", "b", NULL);
  ck_assert_uint_eq (*s, 2);
  ck_assert (orma_entity_set_null (ORMA_ENTITY (item), "s", &error));
  ck_assert_uint_eq (*s, 3);
  ck_assert (orma_entity_set_null (ORMA_ENTITY (item), "s", &error));
  g_object_set (item, "s", NULL, NULL);
  ck_assert_uint_eq (*s, 3);

  /* NULL to 0 is a change; 0 to 0 is not. */
  g_object_set (item, "i", 0, NULL);
  ck_assert_uint_eq (*i, 1);
  g_object_set (item, "i", 0, NULL);
  ck_assert_uint_eq (*i, 1);
  ck_assert (orma_entity_set (ORMA_ENTITY (item), &error, "i", 5, "s", "c", NULL));
  ck_assert_uint_eq (*i, 2);
  ck_assert_uint_eq (*s, 4);
  ck_assert (orma_entity_set (ORMA_ENTITY (item), &error, "i", 5, "s", "c", NULL));
  ck_assert_uint_eq (*i, 2);
  ck_assert_uint_eq (*s, 4);
  orma_assert_no_error (error);
}
END_TEST

START_TEST (test_null_state)
{
  g_autoptr (TestItem) item = g_object_new (TEST_TYPE_ITEM, NULL);
  OrmaMapper *mapper = _orma_mapper_for_type (TEST_TYPE_ITEM);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) blob = g_bytes_new_static ("x", 1);
  g_autoptr (GBytes) blob_out = NULL;
  g_autofree char *s = NULL;
  gboolean b = TRUE;

  /* A fresh object is all NULL. */
  for (guint c = 0; c < mapper->n_columns; c++)
    {
      ck_assert (orma_entity_is_null (ORMA_ENTITY (item), _orma_mapper_column (mapper, c)->name));
      ck_assert_ptr_null (_orma_entity_peek (ORMA_ENTITY (item), c));
    }
  s = get_string (item, "s");
  ck_assert_ptr_null (s);
  ck_assert_int_eq (get_int (item, "i"), 0);

  /* Setting, even to a zero value, clears the NULL bit. */
  g_object_set (item, "i", 0, "b", FALSE, "s", "", NULL);
  ck_assert (!orma_entity_is_null (ORMA_ENTITY (item), "i"));
  ck_assert (!orma_entity_is_null (ORMA_ENTITY (item), "b"));
  ck_assert (!orma_entity_is_null (ORMA_ENTITY (item), "s"));

  /* orma_entity_set_null() sets it, and the value reads as zero. */
  g_object_set (item, "i", 9, NULL);
  ck_assert (orma_entity_set_null (ORMA_ENTITY (item), "i", &error));
  ck_assert (orma_entity_is_null (ORMA_ENTITY (item), "i"));
  ck_assert_int_eq (get_int (item, "i"), 0);
  ck_assert (orma_entity_set_null (ORMA_ENTITY (item), "b", &error));
  g_object_get (item, "b", &b, NULL);
  ck_assert (!b);

  /* A string or boxed set to NULL is NULL. */
  g_object_set (item, "s", NULL, NULL);
  ck_assert (orma_entity_is_null (ORMA_ENTITY (item), "s"));
  g_object_set (item, "blob", blob, NULL);
  ck_assert (!orma_entity_is_null (ORMA_ENTITY (item), "blob"));
  g_object_set (item, "blob", NULL, NULL);
  ck_assert (orma_entity_is_null (ORMA_ENTITY (item), "blob"));
  g_object_get (item, "blob", &blob_out, NULL);
  ck_assert_ptr_null (blob_out);

  /* An unset GValue is NULL too. */
  g_object_set (item, "d", 1.0, NULL);
  {
    GValue unset = G_VALUE_INIT;

    ck_assert (orma_entity_set_value (ORMA_ENTITY (item), "d", &unset, &error));
    ck_assert (orma_entity_is_null (ORMA_ENTITY (item), "d"));
    g_object_set (item, "d", 1.0, NULL);
    ck_assert (orma_entity_set_value (ORMA_ENTITY (item), "d", NULL, &error));
    ck_assert (orma_entity_is_null (ORMA_ENTITY (item), "d"));
  }

  ck_assert (!orma_entity_set_null (ORMA_ENTITY (item), "nope", &error));
  orma_assert_error (error, ORMA_ERROR_UNKNOWN_PROPERTY);
}
END_TEST

/* ------------------------------------------------------------ GValue API */

START_TEST (test_set_value_errors_change_nothing)
{
  g_autoptr (TestItem) item = g_object_new (TEST_TYPE_ITEM, "i", 5, NULL);
  guint *notified = watch_counter (item, "i");
  guint *blob_notified = watch_counter (item, "blob");
  g_autoptr (GError) error = NULL;
  g_auto (GValue) big = G_VALUE_INIT;
  g_auto (GValue) small = G_VALUE_INIT;
  g_auto (GValue) out = G_VALUE_INIT;
  g_auto (GValue) number = G_VALUE_INIT;

  g_value_init (&big, G_TYPE_INT64);
  g_value_set_int64 (&big, G_GINT64_CONSTANT (1) << 40);
  g_value_init (&small, G_TYPE_INT64);
  g_value_set_int64 (&small, 42);
  g_value_init (&number, G_TYPE_INT);
  g_value_set_int (&number, 3);

  ck_assert (!orma_entity_set_value (ORMA_ENTITY (item), "nope", &number, &error));
  orma_assert_error (error, ORMA_ERROR_UNKNOWN_PROPERTY);
  ck_assert_ptr_nonnull (strstr (error->message, "TestItem"));
  ck_assert_ptr_nonnull (strstr (error->message, "nope"));
  g_clear_error (&error);

  /* An int64 that does not fit into an int. */
  ck_assert (!orma_entity_set_value (ORMA_ENTITY (item), "i", &big, &error));
  orma_assert_error (error, ORMA_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  ck_assert_int_eq (get_int (item, "i"), 5);

  /* An integer is no byte string. */
  ck_assert (!orma_entity_set_value (ORMA_ENTITY (item), "blob", &number, &error));
  orma_assert_error (error, ORMA_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  ck_assert (orma_entity_is_null (ORMA_ENTITY (item), "blob"));

  ck_assert_uint_eq (*notified, 0);
  ck_assert_uint_eq (*blob_notified, 0);

  /* One that fits converts. */
  ck_assert (orma_entity_set_value (ORMA_ENTITY (item), "i", &small, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (get_int (item, "i"), 42);
  ck_assert_uint_eq (*notified, 1);

  /* Reading into a value of another type converts too. */
  g_value_init (&out, G_TYPE_INT64);
  ck_assert (orma_entity_get_value (ORMA_ENTITY (item), "i", &out, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (g_value_get_int64 (&out), 42);

  ck_assert (!orma_entity_get_value (ORMA_ENTITY (item), "nope", &out, &error));
  orma_assert_error (error, ORMA_ERROR_UNKNOWN_PROPERTY);
  ck_assert_int_eq (g_value_get_int64 (&out), 42);
}
END_TEST

START_TEST (test_set_checks_all_names_first)
{
  g_autoptr (TestItem) item = g_object_new (TEST_TYPE_ITEM, "i", 5, NULL);
  guint *notified = watch_counter (item, "i");
  g_autoptr (GError) error = NULL;
  g_autofree char *s = NULL;

  ck_assert (!orma_entity_set (ORMA_ENTITY (item), &error,
                               "i", 9, "s", "new", "nope", 1, NULL));
  orma_assert_error (error, ORMA_ERROR_UNKNOWN_PROPERTY);
  ck_assert_int_eq (get_int (item, "i"), 5);
  ck_assert (orma_entity_is_null (ORMA_ENTITY (item), "s"));
  ck_assert_uint_eq (*notified, 0);
  g_clear_error (&error);

  ck_assert (orma_entity_set (ORMA_ENTITY (item), &error,
                              "i", 9, "s", "new", "i64", (gint64) 3, NULL));
  orma_assert_no_error (error);
  s = get_string (item, "s");
  ck_assert_int_eq (get_int (item, "i"), 9);
  ck_assert_str_eq (s, "new");
  ck_assert_uint_eq (*notified, 1);
}
END_TEST

/* ------------------------------------------------------------ tracking */

/* An item as if loaded from a row: id 1, s 'old', i 10, the rest NULL. */
static TestItem *
loaded_item (void)
{
  TestItem *item = g_object_new (TEST_TYPE_ITEM, NULL);
  g_auto (GValue) id = G_VALUE_INIT;
  g_auto (GValue) s = G_VALUE_INIT;
  g_auto (GValue) i = G_VALUE_INIT;
  g_autoptr (GError) error = NULL;

  g_value_init (&id, G_TYPE_INT64);
  g_value_set_int64 (&id, 1);
  g_value_init (&s, G_TYPE_STRING);
  g_value_set_string (&s, "old");
  g_value_init (&i, G_TYPE_INT);
  g_value_set_int (&i, 10);
  ck_assert (_orma_entity_load (ORMA_ENTITY (item), column_of (TEST_TYPE_ITEM, "id"), &id, &error));
  ck_assert (_orma_entity_load (ORMA_ENTITY (item), column_of (TEST_TYPE_ITEM, "s"), &s, &error));
  ck_assert (_orma_entity_load (ORMA_ENTITY (item), column_of (TEST_TYPE_ITEM, "i"), &i, &error));
  orma_assert_no_error (error);
  return item;
}

START_TEST (test_load_does_not_track)
{
  g_autoptr (TestItem) item = g_object_new (TEST_TYPE_ITEM, NULL);
  OrmaEntity *entity = ORMA_ENTITY (item);
  guint *notified = watch_counter (item, "i");
  TrackerLog log = { 0 };
  g_auto (GValue) wide = G_VALUE_INIT;
  g_autoptr (GError) error = NULL;
  int i = column_of (TEST_TYPE_ITEM, "i");

  _orma_entity_set_tracker (entity, &test_tracker, &log);
  g_value_init (&wide, G_TYPE_INT64);
  g_value_set_int64 (&wide, 77);

  /* Converted to the column's type, without notify or tracking. */
  ck_assert (_orma_entity_load (entity, i, &wide, &error));
  orma_assert_no_error (error);
  ck_assert (G_VALUE_HOLDS_INT (_orma_entity_peek (entity, i)));
  ck_assert_int_eq (g_value_get_int (_orma_entity_peek (entity, i)), 77);
  ck_assert_uint_eq (*notified, 0);
  ck_assert_uint_eq (log.changed, 0);
  ck_assert_uint_eq (_orma_entity_modified_mask (entity), 0);

  ck_assert (_orma_entity_load (entity, i, NULL, &error));
  ck_assert (_orma_entity_is_null_at (entity, i));

  /* Writing into the slot directly. */
  g_value_set_int (_orma_entity_slot (entity, i), 5);
  _orma_entity_set_null_bit (entity, i, FALSE);
  ck_assert_int_eq (g_value_get_int (_orma_entity_peek (entity, i)), 5);
  _orma_entity_set_null_bit (entity, i, TRUE);
  ck_assert_ptr_null (_orma_entity_peek (entity, i));

  g_value_set_int64 (&wide, G_GINT64_CONSTANT (1) << 40);
  ck_assert (!_orma_entity_load (entity, i, &wide, &error));
  orma_assert_error (error, ORMA_ERROR_TYPE_MISMATCH);
  ck_assert_uint_eq (*notified, 0);

  _orma_entity_set_tracker (entity, NULL, NULL);
}
END_TEST

START_TEST (test_tracker_sees_first_change)
{
  g_autoptr (TestItem) item = loaded_item ();
  OrmaEntity *entity = ORMA_ENTITY (item);
  TrackerLog log = { 0 };
  int s = column_of (TEST_TYPE_ITEM, "s");
  int i = column_of (TEST_TYPE_ITEM, "i");
  int d = column_of (TEST_TYPE_ITEM, "d");
  g_autofree char *value = NULL;

  _orma_entity_set_tracker (entity, &test_tracker, &log);
  ck_assert_ptr_eq (_orma_entity_get_tracker_data (entity), &log);

  g_object_set (item, "s", "new", NULL);
  ck_assert_uint_eq (log.changed, 1);
  ck_assert_uint_eq (log.changed_columns, BIT (s));
  ck_assert_uint_ge (log.before_access, 1);
  ck_assert_str_eq (g_value_get_string (_orma_entity_peek_committed (entity, s)), "old");
  ck_assert_str_eq (g_value_get_string (_orma_entity_peek (entity, s)), "new");

  /* Later changes keep the committed value and are not reported. */
  g_object_set (item, "s", "newer", NULL);
  ck_assert_uint_eq (log.changed, 1);
  ck_assert_str_eq (g_value_get_string (_orma_entity_peek_committed (entity, s)), "old");

  /* A same-value set is no change at all. */
  g_object_set (item, "i", 10, NULL);
  ck_assert_uint_eq (log.changed, 1);
  g_object_set (item, "i", 11, NULL);
  ck_assert_uint_eq (log.changed, 2);
  ck_assert_uint_eq (_orma_entity_modified_mask (entity), BIT (s) | BIT (i));

  /* A NULL committed value is kept as NULL. */
  g_object_set (item, "d", 1.5, NULL);
  ck_assert_uint_eq (log.changed, 3);
  ck_assert_ptr_null (_orma_entity_peek_committed (entity, d));

  /* Unchanged columns answer with the current value. */
  ck_assert_int_eq (g_value_get_int64 (_orma_entity_peek_committed (entity, column_of (TEST_TYPE_ITEM, "id"))), 1);

  /* Reads go through before_access too. */
  log.before_access = 0;
  value = get_string (item, "s");
  ck_assert_uint_eq (log.before_access, 1);

  _orma_entity_set_tracker (entity, NULL, NULL);
}
END_TEST

START_TEST (test_modified_mask_ignores_change_back)
{
  g_autoptr (TestItem) item = loaded_item ();
  OrmaEntity *entity = ORMA_ENTITY (item);
  TrackerLog log = { 0 };
  int s = column_of (TEST_TYPE_ITEM, "s");
  int i = column_of (TEST_TYPE_ITEM, "i");
  int d = column_of (TEST_TYPE_ITEM, "d");
  g_autoptr (GError) error = NULL;

  _orma_entity_set_tracker (entity, &test_tracker, &log);

  g_object_set (item, "s", "new", "i", 11, "d", 2.0, NULL);
  ck_assert_uint_eq (_orma_entity_modified_mask (entity), BIT (s) | BIT (i) | BIT (d));

  g_object_set (item, "s", "old", NULL);
  ck_assert_uint_eq (_orma_entity_modified_mask (entity), BIT (i) | BIT (d));
  ck_assert (orma_entity_set_null (entity, "d", &error));
  ck_assert_uint_eq (_orma_entity_modified_mask (entity), BIT (i));

  /* _orma_entity_assign tracks as the application does. */
  {
    g_auto (GValue) ten = G_VALUE_INIT;

    g_value_init (&ten, G_TYPE_INT64);
    g_value_set_int64 (&ten, 10);
    ck_assert (_orma_entity_assign (entity, i, &ten, &error));
    orma_assert_no_error (error);
    ck_assert_uint_eq (_orma_entity_modified_mask (entity), 0);
  }

  _orma_entity_set_tracker (entity, NULL, NULL);
}
END_TEST

START_TEST (test_accept_and_revert)
{
  g_autoptr (TestItem) item = loaded_item ();
  OrmaEntity *entity = ORMA_ENTITY (item);
  TrackerLog log = { 0 };
  guint *s_notified = watch_counter (item, "s");
  guint *i_notified = watch_counter (item, "i");
  int s = column_of (TEST_TYPE_ITEM, "s");
  g_autofree char *text = NULL;

  _orma_entity_set_tracker (entity, &test_tracker, &log);

  /* Accepting makes the current values the committed ones. */
  g_object_set (item, "s", "new", NULL);
  _orma_entity_accept_changes (entity);
  ck_assert_uint_eq (_orma_entity_modified_mask (entity), 0);
  ck_assert_str_eq (g_value_get_string (_orma_entity_peek_committed (entity, s)), "new");

  /* The next change is a first change again. */
  g_object_set (item, "s", "newer", "i", 12, NULL);
  ck_assert_uint_eq (log.changed, 3);
  ck_assert_str_eq (g_value_get_string (_orma_entity_peek_committed (entity, s)), "new");
  ck_assert_uint_eq (*s_notified, 2);
  ck_assert_uint_eq (*i_notified, 1);

  /* Reverting puts the committed values back, and says so. */
  _orma_entity_revert_changes (entity);
  text = get_string (item, "s");
  ck_assert_str_eq (text, "new");
  ck_assert_int_eq (get_int (item, "i"), 10);
  ck_assert_uint_eq (*s_notified, 3);
  ck_assert_uint_eq (*i_notified, 2);
  ck_assert_uint_eq (_orma_entity_modified_mask (entity), 0);

  /* A NULL committed value comes back as NULL. */
  g_object_set (item, "d", 3.0, NULL);
  _orma_entity_revert_changes (entity);
  ck_assert (orma_entity_is_null (entity, "d"));

  _orma_entity_set_tracker (entity, NULL, NULL);
  g_object_set (item, "i", 13, NULL);
  ck_assert_uint_eq (_orma_entity_get_private (entity)->changed_mask, 0);
}
END_TEST

START_TEST (test_tracker_told_of_dispose)
{
  TestItem *item = loaded_item ();
  TrackerLog log = { 0 };

  _orma_entity_set_tracker (ORMA_ENTITY (item), &test_tracker, &log);
  g_object_set (item, "s", "dirty", NULL);
  g_object_unref (item);
  ck_assert_uint_eq (log.disposed, 1);
}
END_TEST

/* ------------------------------------------------------------ orma_col */

START_TEST (test_col)
{
  g_autoptr (OrmaExpr) col = orma_expr_ref_sink (orma_col (TEST_TYPE_ITEM, "s"));
  g_autoptr (OrmaExpr) dashed = orma_expr_ref_sink (orma_col (TEST_TYPE_PERSON, "full-name"));
  OrmaMapper *mapper = _orma_mapper_for_type (TEST_TYPE_ITEM);

  ck_assert_int_eq (col->kind, ORMA_EXPR_COLUMN);
  ck_assert_ptr_eq (col->table, mapper->table);
  ck_assert_uint_eq (col->column, (guint) column_of (TEST_TYPE_ITEM, "s"));
  ck_assert (col->entity_type == TEST_TYPE_ITEM);
  ck_assert_int_eq (dashed->kind, ORMA_EXPR_COLUMN);
  ck_assert_uint_eq (dashed->column, 1);
}
END_TEST

START_TEST (test_col_errors)
{
  g_autoptr (OrmaExpr) unknown = orma_expr_ref_sink (orma_col (TEST_TYPE_ITEM, "nope"));
  g_autoptr (OrmaExpr) not_entity = orma_expr_ref_sink (orma_col (G_TYPE_OBJECT, "name"));
  g_autoptr (OrmaExpr) base = orma_expr_ref_sink (orma_col (ORMA_TYPE_ENTITY, "id"));

  ck_assert_int_eq (unknown->kind, ORMA_EXPR_ERROR);
  ck_assert_int_eq (unknown->error_code, ORMA_ERROR_UNKNOWN_PROPERTY);
  ck_assert_ptr_nonnull (strstr (unknown->name, "nope"));
  ck_assert_ptr_nonnull (strstr (unknown->name, "TestItem"));
  ck_assert_int_eq (not_entity->kind, ORMA_EXPR_ERROR);
  ck_assert_int_eq (not_entity->error_code, ORMA_ERROR_UNKNOWN_PROPERTY);
  ck_assert_int_eq (base->kind, ORMA_EXPR_ERROR);
}
END_TEST

/* ------------------------------------------------------------ registry */

START_TEST (test_configure_fills_keys)
{
  g_autoptr (GError) error = NULL;
  OrmaMapper *user, *doc, *pair, *tag;

  test_models_ensure ();
  ck_assert (orma_registry_configure (orma_registry_get_default (), &error));
  orma_assert_no_error (error);

  user = _orma_mapper_for_type (TEST_TYPE_USER);
  doc = _orma_mapper_for_type (TEST_TYPE_DOC);
  pair = _orma_mapper_for_type (TEST_TYPE_PAIR);
  tag = _orma_mapper_for_type (TEST_TYPE_TAG);

  ck_assert (user->configured);
  ck_assert_uint_eq (user->n_pk, 1);
  ck_assert_uint_eq (user->pk[0], 0);
  ck_assert_int_eq (user->autoincrement, 0);
  ck_assert_int_eq (user->version, -1);
  ck_assert_ptr_nonnull (user->sql_cache);

  ck_assert_int_eq (doc->version, 2);

  ck_assert_uint_eq (pair->n_pk, 2);
  ck_assert_uint_eq (pair->pk[0], 0);
  ck_assert_uint_eq (pair->pk[1], 1);
  ck_assert_int_eq (pair->autoincrement, -1);

  ck_assert_uint_eq (tag->n_pk, 1);
  ck_assert_int_eq (tag->autoincrement, -1);

  ck_assert_ptr_eq (orma_metadata_get_table (orma_registry_get_metadata (orma_registry_get_default ()), "users"),
                    user->table);
  ck_assert (_orma_mapper_configure (user, &error));
}
END_TEST

START_TEST (test_create_all)
{
  g_autoptr (OrmaEngine) engine = orma_test_engine_new ();
  g_autoptr (GError) error = NULL;
  const char *tables[] = { "users", "items", "docs", "tags", "pairs" };

  test_models_ensure ();
  ck_assert (orma_registry_create_all (orma_registry_get_default (), engine, &error));
  orma_assert_no_error (error);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    ck_assert_int_eq (orma_test_count_rows (engine, tables[t], "1 = 1"), 0);

  ck_assert (orma_registry_drop_all (orma_registry_get_default (), engine, &error));
  orma_assert_no_error (error);
}
END_TEST

/* Checks the class's own mapper says @message, and that the registry
 * refuses to configure. Which class's error the registry reports first
 * depends on which broken classes this process has initialized. */
static void
assert_bad_mapping (GType type, const char *message)
{
  g_autoptr (GError) error = NULL;
  OrmaMapper *mapper = _orma_mapper_for_type (type);

  ck_assert_ptr_nonnull (mapper);
  ck_assert (!_orma_mapper_configure (mapper, &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_MAPPING);
  ck_assert_str_eq (error->message, message);
  ck_assert (!mapper->configured);
  g_clear_error (&error);

  ck_assert (!orma_registry_configure (orma_registry_get_default (), &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_MAPPING);
}

START_TEST (test_bad_no_primary_key)
{
  assert_bad_mapping (TEST_TYPE_BAD_NO_PK, "TestBadNoPk (table bad_no_pk) has no primary key");
}
END_TEST

START_TEST (test_bad_column_type)
{
  g_autoptr (GTypeClass) klass = g_type_class_ref (TEST_TYPE_BAD_POINTER);

  assert_bad_mapping (TEST_TYPE_BAD_POINTER,
                      "TestBadPointer.data: unsupported column type gpointer");
  /* The class is still usable for what it declared right. */
  ck_assert_ptr_null (g_object_class_find_property (G_OBJECT_CLASS (klass), "data"));
  ck_assert_ptr_nonnull (g_object_class_find_property (G_OBJECT_CLASS (klass), "after"));
}
END_TEST

START_TEST (test_bad_duplicate_column)
{
  assert_bad_mapping (TEST_TYPE_BAD_DUPLICATE,
                      "TestBadDuplicate: column 'name' is declared twice");
}
END_TEST

START_TEST (test_bad_column_before_table)
{
  assert_bad_mapping (TEST_TYPE_BAD_NO_TABLE,
                      "TestBadNoTable: orma_entity_class_add_column() called before "
                      "orma_entity_class_set_table()");
}
END_TEST

START_TEST (test_bad_column_name)
{
  assert_bad_mapping (TEST_TYPE_BAD_NAME, "TestBadName: 'two words' is not a valid column name");
}
END_TEST

static Suite *
entity_suite (void)
{
  Suite *suite = suite_create ("entity");
  TCase *tc;

  tc = tcase_create ("properties");
  tcase_add_test (tc, test_properties_of_models);
  tcase_add_test (tc, test_enum_default_is_first_value);
  tcase_add_test (tc, test_round_trip_every_type);
  tcase_add_test (tc, test_underscore_names);
  tcase_add_test (tc, test_subclass_without_table);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("values");
  tcase_add_test (tc, test_notify_once_per_change);
  tcase_add_test (tc, test_null_state);
  tcase_add_test (tc, test_set_value_errors_change_nothing);
  tcase_add_test (tc, test_set_checks_all_names_first);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("tracking");
  tcase_add_test (tc, test_load_does_not_track);
  tcase_add_test (tc, test_tracker_sees_first_change);
  tcase_add_test (tc, test_modified_mask_ignores_change_back);
  tcase_add_test (tc, test_accept_and_revert);
  tcase_add_test (tc, test_tracker_told_of_dispose);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("col");
  tcase_add_test (tc, test_col);
  tcase_add_test (tc, test_col_errors);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("registry");
  tcase_add_test (tc, test_configure_fills_keys);
  tcase_add_test (tc, test_create_all);
  suite_add_tcase (suite, tc);

  /* Last: see the top of the file. */
  tc = tcase_create ("bad-mappings");
  tcase_add_test (tc, test_bad_no_primary_key);
  tcase_add_test (tc, test_bad_column_type);
  tcase_add_test (tc, test_bad_duplicate_column);
  tcase_add_test (tc, test_bad_column_before_table);
  tcase_add_test (tc, test_bad_column_name);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return orma_test_run (entity_suite ());
}
