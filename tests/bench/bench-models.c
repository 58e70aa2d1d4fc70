/* bench-models.c: the mapped class the benchmark measures.
 *
 * Declared the way an application declares its classes; nothing here is
 * tuned for the benchmark.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "bench-models.h"

struct _BenchUser
{
  OrmaEntity parent_instance;
};

G_DEFINE_FINAL_TYPE (BenchUser, bench_user, ORMA_TYPE_ENTITY)

static void
bench_user_class_init (BenchUserClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (entity_class, "users");
  orma_entity_class_add_column (entity_class, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (entity_class, "name", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_column (entity_class, "fullname", G_TYPE_STRING, ORMA_COLUMN_NONE);
  orma_entity_class_add_column (entity_class, "password", G_TYPE_STRING, ORMA_COLUMN_NONE);
}

static void
bench_user_init (BenchUser *self)
{
}

void
bench_models_ensure (void)
{
  g_type_ensure (BENCH_TYPE_USER);
}
