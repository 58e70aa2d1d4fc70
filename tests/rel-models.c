/* rel-models.c: mapped classes with relationships, shared by the tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "rel-models.h"
#include "fixtures.h"

#include <check.h>

#define REL_CLASS(Name, name)                                   \
  struct _Rel##Name { OrmaEntity parent_instance; };            \
  G_DEFINE_FINAL_TYPE (Rel##Name, rel_##name, ORMA_TYPE_ENTITY) \
  static void rel_##name##_init (Rel##Name *self) { }

REL_CLASS (User, user)
REL_CLASS (Address, address)
REL_CLASS (Customer, customer)
REL_CLASS (Order, order)
REL_CLASS (Post, post)
REL_CLASS (Keyword, keyword)
REL_CLASS (Node, node)
REL_CLASS (Widget, widget)
REL_CLASS (Entry, entry)
REL_CLASS (Region, region)
REL_CLASS (City, city)

static void
add_id (OrmaEntityClass *klass)
{
  orma_entity_class_add_column (klass, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
}

static void
rel_user_class_init (RelUserClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (c, "users");
  add_id (c);
  orma_entity_class_add_column (c, "name", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL | ORMA_COLUMN_UNIQUE);
  orma_entity_class_add_column (c, "fullname", G_TYPE_STRING, 0);
  orma_entity_class_add_relationship (c, "addresses", "RelAddress",
                                      "back-populates", "user",
                                      "order-by", "id",
                                      NULL);
  orma_entity_class_add_relationship (c, "posts", "RelPost",
                                      "back-populates", "author",
                                      "lazy", "dynamic",
                                      NULL);
}

static void
rel_address_class_init (RelAddressClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (c, "addresses");
  add_id (c);
  orma_entity_class_add_column (c, "email", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_column (c, "user_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "user_id", "users", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "user", "RelUser",
                                      "back-populates", "addresses",
                                      NULL);
}

static void
rel_customer_class_init (RelCustomerClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (c, "customers");
  add_id (c);
  orma_entity_class_add_column (c, "name", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_relationship (c, "orders", "RelOrder",
                                      "back-populates", "customer",
                                      "cascade", "all, delete-orphan",
                                      "order-by", "id",
                                      NULL);
}

static void
rel_order_class_init (RelOrderClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (c, "orders");
  add_id (c);
  orma_entity_class_add_column (c, "item", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_column (c, "customer_id", G_TYPE_INT64, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_foreign_key (c, "customer_id", "customers", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "customer", "RelCustomer",
                                      "back-populates", "orders",
                                      NULL);
}

static void
rel_post_class_init (RelPostClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (c, "posts");
  add_id (c);
  orma_entity_class_add_column (c, "title", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_column (c, "user_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "user_id", "users", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "author", "RelUser",
                                      "back-populates", "posts",
                                      NULL);
  orma_entity_class_add_relationship (c, "keywords", "RelKeyword",
                                      "secondary", "post_keywords",
                                      "back-populates", "posts",
                                      "order-by", "id",
                                      NULL);
}

static void
rel_keyword_class_init (RelKeywordClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (c, "keywords");
  add_id (c);
  orma_entity_class_add_column (c, "keyword", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL | ORMA_COLUMN_UNIQUE);
  orma_entity_class_add_relationship (c, "posts", "RelPost",
                                      "secondary", "post_keywords",
                                      "back-populates", "keywords",
                                      "order-by", "id",
                                      NULL);
}

static void
rel_node_class_init (RelNodeClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (c, "nodes");
  add_id (c);
  orma_entity_class_add_column (c, "parent_id", G_TYPE_INT64, 0);
  orma_entity_class_add_column (c, "name", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_foreign_key (c, "parent_id", "nodes", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "children", "RelNode",
                                      "back-populates", "parent",
                                      "cascade", "all, delete-orphan",
                                      "order-by", "id",
                                      "join-depth", "2",
                                      NULL);
  orma_entity_class_add_relationship (c, "parent", "RelNode",
                                      "remote-side", "id",
                                      "back-populates", "children",
                                      NULL);
}

static void
rel_widget_class_init (RelWidgetClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (c, "widgets");
  add_id (c);
  orma_entity_class_add_column (c, "name", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_column (c, "favorite_entry_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "favorite_entry_id", "entries", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "entries", "RelEntry",
                                      "foreign-keys", "widget_id",
                                      "back-populates", "widget",
                                      "order-by", "id",
                                      NULL);
  orma_entity_class_add_relationship (c, "favorite-entry", "RelEntry",
                                      "foreign-keys", "favorite_entry_id",
                                      "post-update", "true",
                                      NULL);
}

static void
rel_entry_class_init (RelEntryClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (c, "entries");
  add_id (c);
  orma_entity_class_add_column (c, "name", G_TYPE_STRING, ORMA_COLUMN_NOT_NULL);
  orma_entity_class_add_column (c, "widget_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "widget_id", "widgets", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "widget", "RelWidget",
                                      "foreign-keys", "widget_id",
                                      "back-populates", "entries",
                                      NULL);
}

static void
rel_region_class_init (RelRegionClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (c, "regions");
  orma_entity_class_add_column (c, "country", G_TYPE_STRING, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (c, "code", G_TYPE_STRING, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (c, "name", G_TYPE_STRING, 0);
  orma_entity_class_add_relationship (c, "cities", "RelCity",
                                      "back-populates", "region",
                                      "order-by", "id",
                                      NULL);
}

static void
rel_city_class_init (RelCityClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  orma_entity_class_set_table (c, "cities");
  add_id (c);
  orma_entity_class_add_column (c, "country", G_TYPE_STRING, 0);
  orma_entity_class_add_column (c, "region_code", G_TYPE_STRING, 0);
  orma_entity_class_add_column (c, "name", G_TYPE_STRING, 0);
  orma_entity_class_add_foreign_key (c, "country, region_code", "regions", "country, code",
                                     ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "region", "RelRegion",
                                      "back-populates", "cities",
                                      NULL);
}

static void
add_post_keywords (OrmaRegistry *registry)
{
  g_autoptr (OrmaTable) table = orma_table_new ("post_keywords");
  g_autoptr (GError) error = NULL;

  orma_table_add_column (table, "post_id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_column (table, "keyword_id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_foreign_key (table, "post_id", "posts", "id", ORMA_FK_NO_ACTION);
  orma_table_add_foreign_key (table, "keyword_id", "keywords", "id", ORMA_FK_NO_ACTION);
  if (!orma_registry_add_table (registry, table, &error))
    ck_abort_msg ("post_keywords: %s", error->message);
}

void
rel_models_ensure (void)
{
  static gsize done = 0;
  g_autoptr (GError) error = NULL;

  if (g_once_init_enter (&done))
    {
      OrmaRegistry *registry = orma_registry_get_default ();

      g_type_ensure (REL_TYPE_USER);
      g_type_ensure (REL_TYPE_ADDRESS);
      g_type_ensure (REL_TYPE_CUSTOMER);
      g_type_ensure (REL_TYPE_ORDER);
      g_type_ensure (REL_TYPE_POST);
      g_type_ensure (REL_TYPE_KEYWORD);
      g_type_ensure (REL_TYPE_NODE);
      g_type_ensure (REL_TYPE_WIDGET);
      g_type_ensure (REL_TYPE_ENTRY);
      g_type_ensure (REL_TYPE_REGION);
      g_type_ensure (REL_TYPE_CITY);
      add_post_keywords (registry);
      g_once_init_leave (&done, 1);
    }
  if (!orma_registry_configure (orma_registry_get_default (), &error))
    ck_abort_msg ("configure: %s", error->message);
}

OrmaEngine *
rel_models_engine_new (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaEngine) engine = NULL;

  rel_models_ensure ();
  engine = orma_test_engine_new ();
  if (!orma_registry_create_all (orma_registry_get_default (), engine, &error))
    ck_abort_msg ("create_all failed on %s: %s", orma_test_backend (), error->message);
  return g_steal_pointer (&engine);
}

RelUser *
rel_user_new (const char *name)
{
  return g_object_new (REL_TYPE_USER, "name", name, NULL);
}

RelAddress *
rel_address_new (const char *email)
{
  return g_object_new (REL_TYPE_ADDRESS, "email", email, NULL);
}

RelNode *
rel_node_new (const char *name)
{
  return g_object_new (REL_TYPE_NODE, "name", name, NULL);
}

gint64
rel_get_id (gpointer entity)
{
  gint64 id = 0;

  if (!orma_entity_is_null (entity, "id"))
    g_object_get (entity, "id", &id, NULL);
  return id;
}
