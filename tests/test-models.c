/* test-models.c: mapped classes shared by the tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-models.h"
#include "fixtures.h"

struct _TestUser { OrmaEntity parent_instance; };
G_DEFINE_FINAL_TYPE (TestUser, test_user, ORMA_TYPE_ENTITY)

static void
test_user_class_init (TestUserClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "users");
  orma_entity_class_add_column (entity_class, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (entity_class, "name", G_TYPE_STRING,
                                ORMA_COLUMN_NOT_NULL | ORMA_COLUMN_UNIQUE);
  orma_entity_class_add_column (entity_class, "fullname", G_TYPE_STRING, 0);
  orma_entity_class_add_column (entity_class, "password", G_TYPE_STRING, 0);
}

static void test_user_init (TestUser *self) { }

GType
test_color_get_type (void)
{
  static gsize type;
  static const GEnumValue values[] = {
    { TEST_COLOR_RED, "TEST_COLOR_RED", "red" },
    { TEST_COLOR_GREEN, "TEST_COLOR_GREEN", "green" },
    { TEST_COLOR_BLUE, "TEST_COLOR_BLUE", "blue" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("TestColor", values));
  return type;
}

GType
test_perms_get_type (void)
{
  static gsize type;
  static const GFlagsValue values[] = {
    { TEST_PERM_READ, "TEST_PERM_READ", "read" },
    { TEST_PERM_WRITE, "TEST_PERM_WRITE", "write" },
    { TEST_PERM_EXEC, "TEST_PERM_EXEC", "exec" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_flags_register_static ("TestPerms", values));
  return type;
}

struct _TestItem { OrmaEntity parent_instance; };
G_DEFINE_FINAL_TYPE (TestItem, test_item, ORMA_TYPE_ENTITY)

static void
test_item_class_init (TestItemClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "items");
  orma_entity_class_add_column (entity_class, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (entity_class, "i", G_TYPE_INT, 0);
  orma_entity_class_add_column (entity_class, "i64", G_TYPE_INT64, 0);
  orma_entity_class_add_column (entity_class, "u", G_TYPE_UINT, 0);
  orma_entity_class_add_column (entity_class, "b", G_TYPE_BOOLEAN, 0);
  orma_entity_class_add_column (entity_class, "d", G_TYPE_DOUBLE, 0);
  orma_entity_class_add_column (entity_class, "s", G_TYPE_STRING, 0);
  orma_entity_class_add_column (entity_class, "blob", G_TYPE_BYTES, 0);
  orma_entity_class_add_column (entity_class, "ts", G_TYPE_DATE_TIME, 0);
  orma_entity_class_add_column (entity_class, "color", TEST_TYPE_COLOR, 0);
  orma_entity_class_add_column (entity_class, "perms", TEST_TYPE_PERMS, 0);
}

static void test_item_init (TestItem *self) { }

struct _TestDoc { OrmaEntity parent_instance; };
G_DEFINE_FINAL_TYPE (TestDoc, test_doc, ORMA_TYPE_ENTITY)

static void
test_doc_class_init (TestDocClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "docs");
  orma_entity_class_add_column (entity_class, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (entity_class, "title", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_column (entity_class, "version", G_TYPE_INT64, ORMA_COLUMN_VERSION);
}

static void test_doc_init (TestDoc *self) { }

struct _TestTag { OrmaEntity parent_instance; };
G_DEFINE_FINAL_TYPE (TestTag, test_tag, ORMA_TYPE_ENTITY)

static void
test_tag_class_init (TestTagClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "tags");
  orma_entity_class_add_column (entity_class, "name", G_TYPE_STRING, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (entity_class, "description", G_TYPE_STRING, 0);
}

static void test_tag_init (TestTag *self) { }

struct _TestPair { OrmaEntity parent_instance; };
G_DEFINE_FINAL_TYPE (TestPair, test_pair, ORMA_TYPE_ENTITY)

static void
test_pair_class_init (TestPairClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "pairs");
  orma_entity_class_add_column (entity_class, "a", G_TYPE_INT64,
                                ORMA_COLUMN_PRIMARY_KEY | ORMA_COLUMN_NO_AUTOINCREMENT);
  orma_entity_class_add_column (entity_class, "b", G_TYPE_INT64,
                                ORMA_COLUMN_PRIMARY_KEY | ORMA_COLUMN_NO_AUTOINCREMENT);
  orma_entity_class_add_column (entity_class, "label", G_TYPE_STRING, 0);
}

static void test_pair_init (TestPair *self) { }

void
test_models_ensure (void)
{
  GType types[] = {
    TEST_TYPE_USER, TEST_TYPE_ITEM, TEST_TYPE_DOC, TEST_TYPE_TAG, TEST_TYPE_PAIR,
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_type_class_unref (g_type_class_ref (types[i]));
}

TestUser *
test_user_new (const char *name,
               const char *fullname)
{
  return g_object_new (TEST_TYPE_USER, "name", name, "fullname", fullname, NULL);
}

gint64
test_user_get_id (gpointer user)
{
  gint64 id = 0;

  g_object_get (user, "id", &id, NULL);
  return id;
}

const char *
test_user_insert_sql (void)
{
  return orma_test_is_postgresql ()
    ? "INSERT INTO users (name, fullname, password) VALUES (?, ?, ?) RETURNING id"
    : "INSERT INTO users (name, fullname, password) VALUES (?, ?, ?)";
}
