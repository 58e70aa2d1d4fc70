/* bench-models.c: the mapped classes the benchmark measures.
 *
 * Declared the way an application declares its classes; nothing here is
 * tuned for the benchmark. The foreign key of children is indexed, as an
 * application that loads children by parent indexes it; the hand-written
 * programs create the same index.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "bench.h"
#include "bench-models.h"

#define BENCH_CLASS(Name, name)                                   \
  struct _Bench##Name { OrmaEntity parent_instance; };            \
  G_DEFINE_FINAL_TYPE (Bench##Name, bench_##name, ORMA_TYPE_ENTITY) \
  static void bench_##name##_init (Bench##Name *self) { }

BENCH_CLASS (User, user)
BENCH_CLASS (Parent, parent)
BENCH_CLASS (Child, child)
BENCH_CLASS (Post, post)
BENCH_CLASS (Tag, tag)

static void
add_id (OrmaEntityClass *klass)
{
  orma_entity_class_add_column (klass, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
}

static void
bench_user_class_init (BenchUserClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "users");
  add_id (entity_class);
  orma_entity_class_add_column (entity_class, "name", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_column (entity_class, "fullname", G_TYPE_STRING, ORMA_COLUMN_NONE);
  orma_entity_class_add_column (entity_class, "password", G_TYPE_STRING, ORMA_COLUMN_NONE);
}

static void
bench_parent_class_init (BenchParentClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "parents");
  add_id (entity_class);
  orma_entity_class_add_column (entity_class, "name", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_relationship (entity_class, "children", "BenchChild",
                                      "back-populates", "parent",
                                      NULL);
}

static void
bench_child_class_init (BenchChildClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "children");
  add_id (entity_class);
  orma_entity_class_add_column (entity_class, "parent_id", G_TYPE_INT64,
                                ORMA_COLUMN_NOT_NULL | ORMA_COLUMN_INDEXED);
  orma_entity_class_add_column (entity_class, "name", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_foreign_key (entity_class, "parent_id", "parents", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (entity_class, "parent", "BenchParent",
                                      "back-populates", "children",
                                      NULL);
}

static void
bench_post_class_init (BenchPostClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "posts");
  add_id (entity_class);
  orma_entity_class_add_column (entity_class, "title", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_relationship (entity_class, "tags", "BenchTag",
                                      "secondary", "post_tags",
                                      "back-populates", "posts",
                                      NULL);
}

static void
bench_tag_class_init (BenchTagClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "tags");
  add_id (entity_class);
  orma_entity_class_add_column (entity_class, "name", G_TYPE_STRING,
                                ORMA_COLUMN_NOT_NULL | ORMA_COLUMN_UNIQUE);
  orma_entity_class_add_relationship (entity_class, "posts", "BenchPost",
                                      "secondary", "post_tags",
                                      "back-populates", "tags",
                                      NULL);
}

/* The secondary table of the many-to-many: no class maps it. */
static void
add_post_tags (OrmaRegistry *registry)
{
  g_autoptr (OrmaTable) table = orma_table_new ("post_tags");
  g_autoptr (GError) error = NULL;

  orma_table_add_column (table, "post_id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_column (table, "tag_id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_foreign_key (table, "post_id", "posts", "id", ORMA_FK_NO_ACTION);
  orma_table_add_foreign_key (table, "tag_id", "tags", "id", ORMA_FK_NO_ACTION);
  if (!orma_registry_add_table (registry, table, &error))
    bench_die ("orma: post_tags: %s", error->message);
}

gboolean
bench_models_ensure (GError **error)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_type_ensure (BENCH_TYPE_USER);
      g_type_ensure (BENCH_TYPE_PARENT);
      g_type_ensure (BENCH_TYPE_CHILD);
      g_type_ensure (BENCH_TYPE_POST);
      g_type_ensure (BENCH_TYPE_TAG);
      add_post_tags (orma_registry_get_default ());
      g_once_init_leave (&done, 1);
    }
  /* Cheap once configured; a class that failed is tried again. */
  return orma_registry_configure (orma_registry_get_default (), error);
}
