/* test-relationship-config.c: declaring relationships and resolving them
 * when the mapping is configured: direction, columns, secondary table,
 * pairing of the two sides, options, and the errors of mappings that
 * cannot be resolved.
 *
 * The classes with broken relationships are defined here and touched
 * only by the tests about them, in the last test cases: the default
 * registry configures every initialized entity class, so once one of
 * them is initialized (in the same process, when Check does not fork)
 * every later orma_registry_configure() fails. Those tests configure the
 * broken class's mapper directly.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "fixtures.h"
#include "rel-models.h"
#include "orma-relationship-private.h"

/* ------------------------------------------------------------ helpers */

static OrmaMapper *
mapper_of (GType type)
{
  OrmaMapper *mapper = _orma_mapper_for_type (type);

  ck_assert_ptr_nonnull (mapper);
  return mapper;
}

static OrmaRelationship *
rel_of (GType type, const char *name)
{
  OrmaRelationship *rel = _orma_mapper_find_relationship (mapper_of (type), name);

  ck_assert_msg (rel != NULL, "%s has no relationship %s", g_type_name (type), name);
  ck_assert_msg (rel->resolved, "%s.%s is not resolved", g_type_name (type), name);
  return rel;
}

static int
column (GType type, const char *name)
{
  int index = _orma_mapper_find_column (mapper_of (type), name);

  ck_assert_msg (index >= 0, "%s has no column %s", g_type_name (type), name);
  return index;
}

/* The join pairs, as "owner_column=target_column" names, comma
 * separated: easy to compare and to read when it fails. */
static char *
describe_pairs (OrmaRelationship *rel)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < rel->n_pairs; i++)
    {
      if (rel->direction == ORMA_REL_MANY_TO_MANY)
        g_string_append_printf (out, "%s%s=%s.%s", i > 0 ? "," : "",
                                _orma_mapper_column (rel->owner, rel->local[i])->name,
                                orma_table_get_name (rel->secondary),
                                _orma_table_column (rel->secondary, rel->sec_local[i])->name);
      else
        g_string_append_printf (out, "%s%s=%s", i > 0 ? "," : "",
                                _orma_mapper_column (rel->owner, rel->local[i])->name,
                                _orma_mapper_column (rel->target, rel->remote[i])->name);
    }
  for (guint j = 0; rel->direction == ORMA_REL_MANY_TO_MANY && j < rel->n_sec_remote; j++)
    {
      ck_assert_uint_eq (rel->remote[j], rel->remote_for_sec[j]);
      g_string_append_printf (out, ";%s.%s=%s", orma_table_get_name (rel->secondary),
                              _orma_table_column (rel->secondary, rel->sec_remote[j])->name,
                              _orma_mapper_column (rel->target, rel->remote_for_sec[j])->name);
    }
  return g_string_free (out, FALSE);
}

static void
assert_rel (GType             type,
            const char       *name,
            GType             target,
            OrmaRelDirection  direction,
            gboolean          is_collection,
            const char       *pairs,
            const char       *reverse)
{
  OrmaRelationship *rel = rel_of (type, name);
  g_autofree char *described = describe_pairs (rel);

  ck_assert_ptr_eq (rel->owner, mapper_of (type));
  ck_assert_ptr_eq (rel->target, mapper_of (target));
  ck_assert_int_eq (rel->direction, direction);
  ck_assert_int_eq (rel->is_collection, is_collection);
  ck_assert_str_eq (described, pairs);
  ck_assert_int_eq (rel->self_referential, type == target);
  if (reverse == NULL)
    {
      ck_assert_ptr_null (rel->reverse);
    }
  else
    {
      ck_assert_ptr_nonnull (rel->reverse);
      ck_assert_ptr_eq (rel->reverse, _orma_mapper_find_relationship (mapper_of (target), reverse));
      ck_assert_ptr_eq (rel->reverse->reverse, rel);
    }
}

static void
assert_order (OrmaRelationship *rel, const char *column_name, gboolean desc)
{
  ck_assert_uint_eq (rel->n_order, 1);
  ck_assert_int_eq (rel->order_columns[0], column (rel->target->type, column_name));
  ck_assert_int_eq (rel->order_desc[0], desc);
}

/* ------------------------------------------------------------ rel-models */

START_TEST (test_users_addresses)
{
  OrmaRelationship *rel;

  rel_models_ensure ();
  ck_assert (mapper_of (REL_TYPE_USER)->configured);
  ck_assert (mapper_of (REL_TYPE_ADDRESS)->configured);

  assert_rel (REL_TYPE_USER, "addresses", REL_TYPE_ADDRESS, ORMA_REL_ONE_TO_MANY, TRUE,
              "id=user_id", "user");
  assert_rel (REL_TYPE_ADDRESS, "user", REL_TYPE_USER, ORMA_REL_MANY_TO_ONE, FALSE,
              "user_id=id", "addresses");

  rel = rel_of (REL_TYPE_USER, "addresses");
  assert_order (rel, "id", FALSE);
  ck_assert_int_eq (rel->cascade, ORMA_CASCADE_SAVE_UPDATE | ORMA_CASCADE_MERGE);
  ck_assert_int_eq (rel->lazy, ORMA_LOAD_LAZY);
  ck_assert_ptr_null (rel->secondary);
  ck_assert_uint_eq (rel->index, 0);
  ck_assert_uint_eq (rel->prop_id, ORMA_MAX_COLUMNS + 1);

  rel = rel_of (REL_TYPE_ADDRESS, "user");
  ck_assert_uint_eq (rel->n_order, 0);
  ck_assert (!rel->self_referential);
}
END_TEST

START_TEST (test_users_posts_dynamic)
{
  rel_models_ensure ();
  assert_rel (REL_TYPE_USER, "posts", REL_TYPE_POST, ORMA_REL_ONE_TO_MANY, TRUE,
              "id=user_id", "author");
  assert_rel (REL_TYPE_POST, "author", REL_TYPE_USER, ORMA_REL_MANY_TO_ONE, FALSE,
              "user_id=id", "posts");
  ck_assert_int_eq (rel_of (REL_TYPE_USER, "posts")->lazy, ORMA_LOAD_DYNAMIC);
  ck_assert_uint_eq (rel_of (REL_TYPE_USER, "posts")->index, 1);
}
END_TEST

START_TEST (test_customers_orders_cascade)
{
  OrmaRelationship *rel;

  rel_models_ensure ();
  assert_rel (REL_TYPE_CUSTOMER, "orders", REL_TYPE_ORDER, ORMA_REL_ONE_TO_MANY, TRUE,
              "id=customer_id", "customer");
  assert_rel (REL_TYPE_ORDER, "customer", REL_TYPE_CUSTOMER, ORMA_REL_MANY_TO_ONE, FALSE,
              "customer_id=id", "orders");

  rel = rel_of (REL_TYPE_CUSTOMER, "orders");
  ck_assert_int_eq (rel->cascade, ORMA_CASCADE_ALL | ORMA_CASCADE_DELETE_ORPHAN);
  ck_assert (rel->cascade & ORMA_CASCADE_DELETE);
  assert_order (rel, "id", FALSE);
  ck_assert_int_eq (rel_of (REL_TYPE_ORDER, "customer")->cascade, ORMA_CASCADE_DEFAULT);
}
END_TEST

START_TEST (test_posts_keywords_many_to_many)
{
  OrmaRelationship *keywords, *posts;
  OrmaTable *secondary;

  rel_models_ensure ();
  assert_rel (REL_TYPE_POST, "keywords", REL_TYPE_KEYWORD, ORMA_REL_MANY_TO_MANY, TRUE,
              "id=post_keywords.post_id;post_keywords.keyword_id=id", "posts");
  assert_rel (REL_TYPE_KEYWORD, "posts", REL_TYPE_POST, ORMA_REL_MANY_TO_MANY, TRUE,
              "id=post_keywords.keyword_id;post_keywords.post_id=id", "keywords");

  keywords = rel_of (REL_TYPE_POST, "keywords");
  posts = rel_of (REL_TYPE_KEYWORD, "posts");
  secondary = orma_metadata_get_table (orma_registry_get_metadata (orma_registry_get_default ()),
                                       "post_keywords");
  ck_assert_ptr_nonnull (secondary);
  ck_assert_ptr_eq (keywords->secondary, secondary);
  ck_assert_ptr_eq (posts->secondary, secondary);
  ck_assert_uint_eq (keywords->n_pairs, 1);
  ck_assert_uint_eq (keywords->n_sec_remote, 1);
  assert_order (keywords, "id", FALSE);
  assert_order (posts, "id", FALSE);
}
END_TEST

START_TEST (test_nodes_self_referential)
{
  OrmaRelationship *children, *parent;

  rel_models_ensure ();
  assert_rel (REL_TYPE_NODE, "children", REL_TYPE_NODE, ORMA_REL_ONE_TO_MANY, TRUE,
              "id=parent_id", "parent");
  assert_rel (REL_TYPE_NODE, "parent", REL_TYPE_NODE, ORMA_REL_MANY_TO_ONE, FALSE,
              "parent_id=id", "children");

  children = rel_of (REL_TYPE_NODE, "children");
  parent = rel_of (REL_TYPE_NODE, "parent");
  ck_assert (children->self_referential);
  ck_assert (parent->self_referential);
  ck_assert_uint_eq (children->join_depth, 2);
  ck_assert_uint_eq (parent->join_depth, 0);
  ck_assert_int_eq (children->cascade, ORMA_CASCADE_ALL | ORMA_CASCADE_DELETE_ORPHAN);
  ck_assert_str_eq (parent->remote_side[0], "id");
  ck_assert_ptr_null (parent->remote_side[1]);
}
END_TEST

START_TEST (test_widgets_entries_foreign_keys)
{
  OrmaRelationship *favorite;

  rel_models_ensure ();
  assert_rel (REL_TYPE_WIDGET, "entries", REL_TYPE_ENTRY, ORMA_REL_ONE_TO_MANY, TRUE,
              "id=widget_id", "widget");
  assert_rel (REL_TYPE_ENTRY, "widget", REL_TYPE_WIDGET, ORMA_REL_MANY_TO_ONE, FALSE,
              "widget_id=id", "entries");
  assert_rel (REL_TYPE_WIDGET, "favorite-entry", REL_TYPE_ENTRY, ORMA_REL_MANY_TO_ONE, FALSE,
              "favorite_entry_id=id", NULL);

  favorite = rel_of (REL_TYPE_WIDGET, "favorite_entry");
  ck_assert_ptr_eq (favorite, rel_of (REL_TYPE_WIDGET, "favorite-entry"));
  ck_assert_str_eq (favorite->name, "favorite-entry");
  ck_assert (favorite->post_update);
  ck_assert (!rel_of (REL_TYPE_WIDGET, "entries")->post_update);
}
END_TEST

START_TEST (test_regions_cities_composite)
{
  rel_models_ensure ();
  assert_rel (REL_TYPE_REGION, "cities", REL_TYPE_CITY, ORMA_REL_ONE_TO_MANY, TRUE,
              "country=country,code=region_code", "region");
  assert_rel (REL_TYPE_CITY, "region", REL_TYPE_REGION, ORMA_REL_MANY_TO_ONE, FALSE,
              "country=country,region_code=code", "cities");
  ck_assert_uint_eq (rel_of (REL_TYPE_CITY, "region")->n_pairs, 2);
}
END_TEST

/* Every relationship has a GObject property of type GObject whose id
 * leads back to it. */
START_TEST (test_properties)
{
  const struct { GType type; const char *name; } rels[] = {
    { REL_TYPE_USER, "addresses" }, { REL_TYPE_USER, "posts" },
    { REL_TYPE_ADDRESS, "user" }, { REL_TYPE_POST, "keywords" },
    { REL_TYPE_NODE, "children" }, { REL_TYPE_NODE, "parent" },
    { REL_TYPE_WIDGET, "favorite-entry" }, { REL_TYPE_CITY, "region" },
  };

  rel_models_ensure ();
  for (gsize i = 0; i < G_N_ELEMENTS (rels); i++)
    {
      g_autoptr (GTypeClass) klass = g_type_class_ref (rels[i].type);
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), rels[i].name);
      OrmaMapper *mapper = mapper_of (rels[i].type);
      OrmaRelationship *rel = rel_of (rels[i].type, rels[i].name);

      ck_assert_msg (pspec != NULL, "no property %s", rels[i].name);
      ck_assert_ptr_eq (pspec, rel->pspec);
      ck_assert_int_eq (pspec->value_type, G_TYPE_OBJECT);
      ck_assert_int_eq (pspec->owner_type, rels[i].type);
      ck_assert (pspec->flags & G_PARAM_READABLE);
      ck_assert (pspec->flags & G_PARAM_WRITABLE);
      ck_assert (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
      ck_assert_uint_eq (pspec->param_id, ORMA_MAX_COLUMNS + 1 + rel->index);
      ck_assert_ptr_eq (_orma_mapper_relationship_by_prop (mapper, pspec->param_id), rel);
      ck_assert_ptr_eq (g_ptr_array_index (mapper->relationships, rel->index), rel);
    }

  ck_assert_ptr_null (_orma_mapper_relationship_by_prop (mapper_of (REL_TYPE_USER), 1));
  ck_assert_ptr_null (_orma_mapper_relationship_by_prop (mapper_of (REL_TYPE_USER),
                                                          ORMA_MAX_COLUMNS + 10));
  ck_assert_ptr_null (_orma_mapper_find_relationship (mapper_of (REL_TYPE_USER), "nothing"));
}
END_TEST

/* Configuring again finds everything done; the tables are in the
 * metadata once. */
START_TEST (test_configure_idempotent)
{
  g_autoptr (GError) error = NULL;
  OrmaRegistry *registry = orma_registry_get_default ();
  OrmaMetadata *metadata;
  OrmaRelationship *rel;

  rel_models_ensure ();
  rel = rel_of (REL_TYPE_USER, "addresses");
  ck_assert (orma_registry_configure (registry, &error));
  orma_assert_no_error (error);
  ck_assert (_orma_mapper_configure (mapper_of (REL_TYPE_USER), &error));
  orma_assert_no_error (error);
  ck_assert_ptr_eq (rel_of (REL_TYPE_USER, "addresses"), rel);
  ck_assert_uint_eq (mapper_of (REL_TYPE_USER)->relationships->len, 2);

  metadata = orma_registry_get_metadata (registry);
  ck_assert_ptr_eq (orma_metadata_get_table (metadata, "users"), mapper_of (REL_TYPE_USER)->table);
  ck_assert_ptr_eq (orma_metadata_get_table (metadata, "cities"), mapper_of (REL_TYPE_CITY)->table);
}
END_TEST

/* ------------------------------------------------------------ other classes */

/* A class with nothing but a type, a table and an "id" key; its
 * class_init declares the rest. */
#define TEST_CLASS(Name, name, NAME)                                  \
  G_DECLARE_FINAL_TYPE (Name, name, TEST, NAME, OrmaEntity)           \
  struct _##Name { OrmaEntity parent_instance; };                     \
  G_DEFINE_FINAL_TYPE (Name, name, ORMA_TYPE_ENTITY)                  \
  static void name##_init (Name *self) { }                            \
  static void name##_declare (OrmaEntityClass *c);                    \
  static void name##_class_init (Name##Class *klass)                  \
  {                                                                   \
    OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);                   \
    orma_entity_class_set_table (c, #name);                           \
    orma_entity_class_add_column (c, "id", G_TYPE_INT64,              \
                                  ORMA_COLUMN_PRIMARY_KEY);           \
    name##_declare (c);                                               \
  }                                                                   \
  static void name##_declare (OrmaEntityClass *c)

#define TEST_TYPE_BACKREF_PARENT (backref_parents_get_type ())
#define TEST_TYPE_BACKREF_KID (backref_kids_get_type ())
#define TEST_TYPE_BACKREF_TAG (backref_tags_get_type ())
#define TEST_TYPE_BACKREF_ITEM (backref_items_get_type ())
#define TEST_TYPE_FK_CHOICE_TEAM (fk_choice_teams_get_type ())
#define TEST_TYPE_FK_CHOICE_GAME (fk_choice_games_get_type ())
#define TEST_TYPE_FRIEND_PERSON (friend_people_get_type ())

/* backref: the reverse side made on the target, reachable by name.
 *   backref_parents: "kids" -> BackrefKid, backref "parent"
 *   backref_kids (parent_id -> backref_parents) */
TEST_CLASS (BackrefParent, backref_parents, BACKREF_PARENT)
{
  orma_entity_class_add_relationship (c, "kids", "BackrefKid", "backref", "parent",
                                      "order-by", "id desc", NULL);
}

TEST_CLASS (BackrefKid, backref_kids, BACKREF_KID)
{
  orma_entity_class_add_column (c, "parent_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "parent_id", "backref_parents", "id", ORMA_FK_NO_ACTION);
}

/* The same, many-to-many, configured from the target's side first:
 *   backref_tags: "items" -> BackrefItem, secondary backref_item_tags,
 *     backref "tags"
 *   backref_items
 *   backref_item_tags (item_id -> backref_items, tag_id -> backref_tags) */
TEST_CLASS (BackrefTag, backref_tags, BACKREF_TAG)
{
  orma_entity_class_add_relationship (c, "items", "BackrefItem", "secondary", "backref_item_tags",
                                      "backref", "tags", NULL);
}

TEST_CLASS (BackrefItem, backref_items, BACKREF_ITEM)
{
}

/* A choice between two foreign keys, made with foreign-keys:
 *   fk_choice_teams
 *   fk_choice_games (home_id, away_id -> fk_choice_teams)
 *     "home": foreign-keys home_id; "away": foreign-keys away-id */
TEST_CLASS (FkChoiceTeam, fk_choice_teams, FK_CHOICE_TEAM)
{
}

TEST_CLASS (FkChoiceGame, fk_choice_games, FK_CHOICE_GAME)
{
  orma_entity_class_add_column (c, "home_id", G_TYPE_INT64, 0);
  orma_entity_class_add_column (c, "away_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "home_id", "fk_choice_teams", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_foreign_key (c, "away_id", "fk_choice_teams", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "home", "FkChoiceTeam", "foreign-keys", "home_id",
                                      "lazy", "joined", NULL);
  orma_entity_class_add_relationship (c, "away", "FkChoiceTeam", "foreign-keys", "away-id",
                                      "uselist", "false", "single-parent", "true",
                                      "cascade", "all, delete-orphan",
                                      "passive-deletes", "true", NULL);
}

/* A self-referential many-to-many, chosen by foreign-keys:
 *   friend_people: "friends" -> FriendPerson, secondary friend_links,
 *     foreign-keys person_id
 *   friend_links (person_id, friend_id -> friend_people) */
TEST_CLASS (FriendPerson, friend_people, FRIEND_PERSON)
{
  orma_entity_class_add_relationship (c, "friends", "FriendPerson", "secondary", "friend_links",
                                      "foreign-keys", "person_id", NULL);
}

static void
add_table (const char *name,
           const char *column_a, const char *table_a,
           const char *column_b, const char *table_b)
{
  g_autoptr (OrmaTable) table = orma_table_new (name);
  g_autoptr (GError) error = NULL;

  orma_table_add_column (table, column_a, G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_column (table, column_b, G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_table_add_foreign_key (table, column_a, table_a, "id", ORMA_FK_NO_ACTION);
  orma_table_add_foreign_key (table, column_b, table_b, "id", ORMA_FK_NO_ACTION);
  ck_assert (orma_registry_add_table (orma_registry_get_default (), table, &error));
  orma_assert_no_error (error);
}

static void
configure (GType type)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (_orma_mapper_configure (mapper_of (type), &error),
                 "%s: %s", g_type_name (type), error->message);
}

START_TEST (test_backref)
{
  OrmaRelationship *kids, *parent;

  g_type_ensure (TEST_TYPE_BACKREF_KID);
  configure (TEST_TYPE_BACKREF_PARENT);

  /* the reverse is there as soon as the declaring side is configured */
  parent = _orma_mapper_find_relationship (mapper_of (TEST_TYPE_BACKREF_KID), "parent");
  ck_assert_ptr_nonnull (parent);
  ck_assert (parent->resolved);
  ck_assert_uint_eq (parent->prop_id, 0);
  ck_assert_ptr_null (parent->pspec);
  ck_assert_ptr_null (g_object_class_find_property (g_type_class_peek (TEST_TYPE_BACKREF_KID), "parent"));
  ck_assert_uint_eq (parent->index, 0);
  ck_assert_ptr_eq (g_ptr_array_index (mapper_of (TEST_TYPE_BACKREF_KID)->relationships, 0), parent);

  configure (TEST_TYPE_BACKREF_KID);
  assert_rel (TEST_TYPE_BACKREF_PARENT, "kids", TEST_TYPE_BACKREF_KID, ORMA_REL_ONE_TO_MANY, TRUE,
              "id=parent_id", "parent");
  assert_rel (TEST_TYPE_BACKREF_KID, "parent", TEST_TYPE_BACKREF_PARENT, ORMA_REL_MANY_TO_ONE, FALSE,
              "parent_id=id", "kids");
  kids = rel_of (TEST_TYPE_BACKREF_PARENT, "kids");
  assert_order (kids, "id", TRUE);
  ck_assert_ptr_nonnull (kids->pspec);
  ck_assert_int_eq (parent->lazy, ORMA_LOAD_LAZY);
  ck_assert_int_eq (parent->cascade, ORMA_CASCADE_DEFAULT);
}
END_TEST

/* Configuring the target first still gives it the reverse side. */
START_TEST (test_backref_from_target)
{
  g_type_ensure (TEST_TYPE_BACKREF_TAG);
  add_table ("backref_item_tags", "item_id", "backref_items", "tag_id", "backref_tags");

  configure (TEST_TYPE_BACKREF_ITEM);
  assert_rel (TEST_TYPE_BACKREF_ITEM, "tags", TEST_TYPE_BACKREF_TAG, ORMA_REL_MANY_TO_MANY, TRUE,
              "id=backref_item_tags.item_id;backref_item_tags.tag_id=id", "items");
  assert_rel (TEST_TYPE_BACKREF_TAG, "items", TEST_TYPE_BACKREF_ITEM, ORMA_REL_MANY_TO_MANY, TRUE,
              "id=backref_item_tags.tag_id;backref_item_tags.item_id=id", "tags");

  configure (TEST_TYPE_BACKREF_TAG);
  ck_assert_uint_eq (mapper_of (TEST_TYPE_BACKREF_ITEM)->relationships->len, 1);
}
END_TEST

START_TEST (test_foreign_keys_choice)
{
  OrmaRelationship *away;

  g_type_ensure (TEST_TYPE_FK_CHOICE_TEAM);
  configure (TEST_TYPE_FK_CHOICE_GAME);
  assert_rel (TEST_TYPE_FK_CHOICE_GAME, "home", TEST_TYPE_FK_CHOICE_TEAM, ORMA_REL_MANY_TO_ONE, FALSE,
              "home_id=id", NULL);
  assert_rel (TEST_TYPE_FK_CHOICE_GAME, "away", TEST_TYPE_FK_CHOICE_TEAM, ORMA_REL_MANY_TO_ONE, FALSE,
              "away_id=id", NULL);
  ck_assert_int_eq (rel_of (TEST_TYPE_FK_CHOICE_GAME, "home")->lazy, ORMA_LOAD_JOINED);

  away = rel_of (TEST_TYPE_FK_CHOICE_GAME, "away");
  ck_assert_int_eq (away->uselist, 0);
  ck_assert (away->single_parent);
  ck_assert (away->passive_deletes);
  ck_assert (!away->post_update);
  ck_assert_int_eq (away->cascade, ORMA_CASCADE_ALL | ORMA_CASCADE_DELETE_ORPHAN);
}
END_TEST

START_TEST (test_self_referential_many_to_many)
{
  add_table ("friend_links", "person_id", "friend_people", "friend_id", "friend_people");
  configure (TEST_TYPE_FRIEND_PERSON);
  assert_rel (TEST_TYPE_FRIEND_PERSON, "friends", TEST_TYPE_FRIEND_PERSON, ORMA_REL_MANY_TO_MANY, TRUE,
              "id=friend_links.person_id;friend_links.friend_id=id", NULL);
}
END_TEST

/* ------------------------------------------------------------ errors */

#define TEST_TYPE_BAD_UNKNOWN_TARGET (BadUnknownTarget_get_type ())
#define TEST_TYPE_BAD_NO_FK_A (BadNoFkA_get_type ())
#define TEST_TYPE_BAD_NO_FK_B (BadNoFkB_get_type ())
#define TEST_TYPE_BAD_TWO_FK_A (BadTwoFkA_get_type ())
#define TEST_TYPE_BAD_TWO_FK_B (BadTwoFkB_get_type ())
#define TEST_TYPE_BAD_BOTH_A (BadBothA_get_type ())
#define TEST_TYPE_BAD_BOTH_B (BadBothB_get_type ())
#define TEST_TYPE_BAD_OPTION (BadOption_get_type ())
#define TEST_TYPE_BAD_VALUES (BadValues_get_type ())
#define TEST_TYPE_BAD_NAMES (BadNames_get_type ())
#define TEST_TYPE_BAD_ORDER_BY (BadOrderBy_get_type ())
#define TEST_TYPE_BAD_ORDER_BY_KID (BadOrderByKid_get_type ())
#define TEST_TYPE_BAD_BP_PARENT (BadBpParent_get_type ())
#define TEST_TYPE_BAD_BP_KID (BadBpKid_get_type ())
#define TEST_TYPE_BAD_BP_OTHER (BadBpOther_get_type ())
#define TEST_TYPE_BAD_ORPHAN_PARENT (BadOrphanParent_get_type ())
#define TEST_TYPE_BAD_ORPHAN_KID (BadOrphanKid_get_type ())
#define TEST_TYPE_BAD_USELIST (BadUselist_get_type ())
#define TEST_TYPE_BAD_SEC_A (BadSecA_get_type ())
#define TEST_TYPE_BAD_SEC_B (BadSecB_get_type ())

/* The table names are the class names, so that each class has its own. */
TEST_CLASS (BadUnknownTarget, BadUnknownTarget, BAD_UNKNOWN_TARGET)
{
  orma_entity_class_add_relationship (c, "things", "NoSuchClass", "lazy", "select", NULL);
}

TEST_CLASS (BadNoFkA, BadNoFkA, BAD_NO_FK_A)
{
  orma_entity_class_add_relationship (c, "bs", "BadNoFkB", "lazy", "select", NULL);
}

TEST_CLASS (BadNoFkB, BadNoFkB, BAD_NO_FK_B)
{
  orma_entity_class_add_column (c, "a_id", G_TYPE_INT64, 0);
}

TEST_CLASS (BadTwoFkA, BadTwoFkA, BAD_TWO_FK_A)
{
  orma_entity_class_add_relationship (c, "bs", "BadTwoFkB", "lazy", "select", NULL);
}

TEST_CLASS (BadTwoFkB, BadTwoFkB, BAD_TWO_FK_B)
{
  orma_entity_class_add_column (c, "first_id", G_TYPE_INT64, 0);
  orma_entity_class_add_column (c, "second_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "first_id", "BadTwoFkA", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_foreign_key (c, "second_id", "BadTwoFkA", "id", ORMA_FK_NO_ACTION);
}

/* foreign keys both ways, as widgets/entries without "foreign-keys" */
TEST_CLASS (BadBothA, BadBothA, BAD_BOTH_A)
{
  orma_entity_class_add_column (c, "b_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "b_id", "BadBothB", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "b", "BadBothB", "lazy", "select", NULL);
}

TEST_CLASS (BadBothB, BadBothB, BAD_BOTH_B)
{
  orma_entity_class_add_column (c, "a_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "a_id", "BadBothA", "id", ORMA_FK_NO_ACTION);
}

TEST_CLASS (BadOption, BadOption, BAD_OPTION)
{
  orma_entity_class_add_column (c, "parent_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "parent_id", "BadOption", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "kids", "BadOption", "colour", "red", NULL);
}

/* One mistake a relationship; every target would resolve. */
TEST_CLASS (BadValues, BadValues, BAD_VALUES)
{
  orma_entity_class_add_column (c, "parent_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "parent_id", "BadValues", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "lazy-kids", "BadValues", "lazy", "sometimes", NULL);
  orma_entity_class_add_relationship (c, "cascade-kids", "BadValues",
                                      "cascade", "save-update, everything", NULL);
  orma_entity_class_add_relationship (c, "uselist-kids", "BadValues", "uselist", "yes", NULL);
  orma_entity_class_add_relationship (c, "depth-kids", "BadValues", "join-depth", "deep", NULL);
  orma_entity_class_add_relationship (c, "passive-kids", "BadValues", "passive_deletes", "1", NULL);
  orma_entity_class_add_relationship (c, "remote-kids", "BadValues", "remote-side", "id,", NULL);
  orma_entity_class_add_relationship (c, "both-kids", "BadValues", "backref", "x",
                                      "back-populates", "y", NULL);
  orma_entity_class_add_relationship (c, "no-value-kids", "BadValues", "lazy", NULL);
}

TEST_CLASS (BadNames, BadNames, BAD_NAMES)
{
  orma_entity_class_add_column (c, "parent_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "parent_id", "BadNames", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "kids", "BadNames", "lazy", "select", NULL);
  orma_entity_class_add_relationship (c, "parent_id", "BadNames", "lazy", "select", NULL);
  orma_entity_class_add_relationship (c, "kids", "BadNames", "lazy", "select", NULL);
  orma_entity_class_add_relationship (c, "9kids", "BadNames", "lazy", "select", NULL);
}

TEST_CLASS (BadOrderBy, BadOrderBy, BAD_ORDER_BY)
{
  orma_entity_class_add_relationship (c, "kids", "BadOrderByKid", "order-by", "id, position desc",
                                      NULL);
}

TEST_CLASS (BadOrderByKid, BadOrderByKid, BAD_ORDER_BY_KID)
{
  orma_entity_class_add_column (c, "parent_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "parent_id", "BadOrderBy", "id", ORMA_FK_NO_ACTION);
}

/* back-populates naming a missing relationship (BadBpParent.kids), one
 * that names another one back (BadBpKid.parent), one that relates to
 * another class (BadBpOther.parent) */
TEST_CLASS (BadBpParent, BadBpParent, BAD_BP_PARENT)
{
  orma_entity_class_add_relationship (c, "kids", "BadBpKid", "back-populates", "mother", NULL);
}

TEST_CLASS (BadBpKid, BadBpKid, BAD_BP_KID)
{
  orma_entity_class_add_column (c, "parent_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "parent_id", "BadBpParent", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "parent", "BadBpParent", "back-populates", "kids", NULL);
}

TEST_CLASS (BadBpOther, BadBpOther, BAD_BP_OTHER)
{
  orma_entity_class_add_column (c, "parent_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "parent_id", "BadBpParent", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "parent", "BadBpParent", "back-populates", "kids", NULL);
}

TEST_CLASS (BadOrphanParent, BadOrphanParent, BAD_ORPHAN_PARENT)
{
}

TEST_CLASS (BadOrphanKid, BadOrphanKid, BAD_ORPHAN_KID)
{
  orma_entity_class_add_column (c, "parent_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "parent_id", "BadOrphanParent", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "parent", "BadOrphanParent",
                                      "cascade", "all, delete-orphan", NULL);
}

TEST_CLASS (BadUselist, BadUselist, BAD_USELIST)
{
  orma_entity_class_add_column (c, "parent_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "parent_id", "BadUselist", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "parent", "BadUselist", "remote-side", "id",
                                      "uselist", "true", NULL);
}

TEST_CLASS (BadSecA, BadSecA, BAD_SEC_A)
{
  orma_entity_class_add_relationship (c, "bs", "BadSecB", "secondary", "BadSecLinks", NULL);
}

TEST_CLASS (BadSecB, BadSecB, BAD_SEC_B)
{
}

/* Configuring @type's mapper fails with @message, every time. */
static void
assert_configure_error (GType type, const char *message)
{
  OrmaMapper *mapper = mapper_of (type);

  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr (GError) error = NULL;

      ck_assert (!_orma_mapper_configure (mapper, &error));
      orma_assert_error (error, ORMA_ERROR_INVALID_MAPPING);
      ck_assert_str_eq (error->message, message);
      ck_assert (!mapper->configured);
    }
}

START_TEST (test_error_unknown_target)
{
  assert_configure_error (TEST_TYPE_BAD_UNKNOWN_TARGET,
                          "BadUnknownTarget.things: the target NoSuchClass is not a registered "
                          "mapped class: make sure the type is registered (e.g. call its "
                          "get_type function) before BadUnknownTarget is configured");
}
END_TEST

START_TEST (test_error_no_foreign_key)
{
  g_type_ensure (TEST_TYPE_BAD_NO_FK_B);
  assert_configure_error (TEST_TYPE_BAD_NO_FK_A,
                          "BadNoFkA.bs: no foreign key joins BadNoFkA (table BadNoFkA) and "
                          "BadNoFkB (table BadNoFkB)");
}
END_TEST

START_TEST (test_error_two_foreign_keys)
{
  g_type_ensure (TEST_TYPE_BAD_TWO_FK_B);
  assert_configure_error (TEST_TYPE_BAD_TWO_FK_A,
                          "BadTwoFkA.bs: several foreign keys join BadTwoFkA (table BadTwoFkA) "
                          "and BadTwoFkB (table BadTwoFkB): BadTwoFkB.first_id, "
                          "BadTwoFkB.second_id; name the one to use with \"foreign-keys\"");
}
END_TEST

START_TEST (test_error_foreign_keys_both_ways)
{
  g_type_ensure (TEST_TYPE_BAD_BOTH_B);
  assert_configure_error (TEST_TYPE_BAD_BOTH_A,
                          "BadBothA.b: several foreign keys join BadBothA (table BadBothA) "
                          "and BadBothB (table BadBothB): BadBothA.b_id, BadBothB.a_id; "
                          "name the one to use with \"foreign-keys\"");
}
END_TEST

START_TEST (test_error_bad_option)
{
  OrmaRelationship *rel;

  assert_configure_error (TEST_TYPE_BAD_OPTION,
                          "BadOption.kids: unknown relationship option 'colour'");
  /* the property is there all the same */
  rel = _orma_mapper_find_relationship (mapper_of (TEST_TYPE_BAD_OPTION), "kids");
  ck_assert_ptr_nonnull (rel->pspec);
  ck_assert (!rel->resolved);
}
END_TEST

START_TEST (test_error_bad_values)
{
  const struct { const char *rel; const char *message; } cases[] = {
    { "lazy-kids", "BadValues.lazy-kids: unknown lazy strategy \"sometimes\" (select, joined, "
                   "selectin, dynamic, raise or noload)" },
    { "cascade-kids", "BadValues.cascade-kids: unknown cascade \"everything\"" },
    { "uselist-kids", "BadValues.uselist-kids: option 'uselist' takes \"true\" or \"false\", not \"yes\"" },
    { "depth-kids", "BadValues.depth-kids: join-depth takes a number, not \"deep\"" },
    { "passive-kids", "BadValues.passive-kids: option 'passive-deletes' takes \"true\" or \"false\", "
                      "not \"1\"" },
    { "remote-kids", "BadValues.remote-kids: option 'remote-side' has an empty column name in \"id,\"" },
    { "both-kids", "BadValues.both-kids: \"backref\" and \"back-populates\" are exclusive" },
    { "no-value-kids", "BadValues.no-value-kids: option 'lazy' has no value" },
  };
  OrmaMapper *mapper = mapper_of (TEST_TYPE_BAD_VALUES);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      OrmaRelationship *rel = _orma_mapper_find_relationship (mapper, cases[i].rel);

      ck_assert_msg (rel != NULL, "no relationship %s", cases[i].rel);
      ck_assert_ptr_nonnull (rel->error);
      ck_assert_str_eq (rel->error->message, cases[i].message);
    }
  assert_configure_error (TEST_TYPE_BAD_VALUES, cases[0].message);
}
END_TEST

START_TEST (test_error_names)
{
  OrmaMapper *mapper = mapper_of (TEST_TYPE_BAD_NAMES);
  GPtrArray *rels = mapper->relationships;
  const char *messages[] = {
    NULL,
    "BadNames.parent-id: the relationship has the name of a column",
    "BadNames.kids: the relationship is declared twice",
    "BadNames.9kids: '9kids' is not a valid property name",
  };

  ck_assert_uint_eq (rels->len, G_N_ELEMENTS (messages));
  for (guint i = 0; i < rels->len; i++)
    {
      OrmaRelationship *rel = g_ptr_array_index (rels, i);

      ck_assert_uint_eq (rel->index, i);
      if (messages[i] == NULL)
        {
          ck_assert_ptr_null (rel->error);
          ck_assert_ptr_nonnull (rel->pspec);
          continue;
        }
      ck_assert_ptr_nonnull (rel->error);
      ck_assert_str_eq (rel->error->message, messages[i]);
      ck_assert_ptr_null (rel->pspec);
      ck_assert_uint_eq (rel->prop_id, 0);
    }
  ck_assert_ptr_eq (_orma_mapper_find_relationship (mapper, "kids"), g_ptr_array_index (rels, 0));
  assert_configure_error (TEST_TYPE_BAD_NAMES, messages[1]);
}
END_TEST

START_TEST (test_error_order_by)
{
  g_type_ensure (TEST_TYPE_BAD_ORDER_BY_KID);
  assert_configure_error (TEST_TYPE_BAD_ORDER_BY,
                          "BadOrderBy.kids: order-by names 'position', which is not a column "
                          "of BadOrderByKid");
}
END_TEST

START_TEST (test_error_back_populates)
{
  g_type_ensure (TEST_TYPE_BAD_BP_KID);
  g_type_ensure (TEST_TYPE_BAD_BP_OTHER);
  assert_configure_error (TEST_TYPE_BAD_BP_PARENT,
                          "BadBpParent.kids: back-populates names 'mother', which BadBpKid "
                          "does not have");
  assert_configure_error (TEST_TYPE_BAD_BP_KID,
                          "BadBpKid.parent: back-populates names BadBpParent.kids, which "
                          "back-populates 'mother'");
  assert_configure_error (TEST_TYPE_BAD_BP_OTHER,
                          "BadBpOther.parent: back-populates names BadBpParent.kids, which "
                          "relates to BadBpKid, not to BadBpOther");
}
END_TEST

START_TEST (test_error_delete_orphan_many_to_one)
{
  g_type_ensure (TEST_TYPE_BAD_ORPHAN_PARENT);
  assert_configure_error (TEST_TYPE_BAD_ORPHAN_KID,
                          "BadOrphanKid.parent: delete-orphan cascade on a many-to-one needs "
                          "\"single-parent\" \"true\"");
}
END_TEST

START_TEST (test_error_uselist_many_to_one)
{
  assert_configure_error (TEST_TYPE_BAD_USELIST,
                          "BadUselist.parent: uselist \"true\" on a many-to-one");
}
END_TEST

/* A missing secondary table is not remembered: once it is registered,
 * the relationship resolves. */
START_TEST (test_error_secondary_not_registered)
{
  g_type_ensure (TEST_TYPE_BAD_SEC_B);
  assert_configure_error (TEST_TYPE_BAD_SEC_A,
                          "BadSecA.bs: the secondary table BadSecLinks is not registered "
                          "(add it with orma_registry_add_table())");

  add_table ("BadSecLinks", "a_id", "BadSecA", "b_id", "BadSecB");
  configure (TEST_TYPE_BAD_SEC_A);
  assert_rel (TEST_TYPE_BAD_SEC_A, "bs", TEST_TYPE_BAD_SEC_B, ORMA_REL_MANY_TO_MANY, TRUE,
              "id=BadSecLinks.a_id;BadSecLinks.b_id=id", NULL);
}
END_TEST

/* The registry leaves a class whose relationships fail out of its
 * metadata, reports it, and does so again on the next call. */
START_TEST (test_error_registry_leaves_class_out)
{
  OrmaRegistry *registry = orma_registry_get_default ();
  OrmaMetadata *metadata = _orma_registry_peek_metadata (registry);

  g_type_ensure (TEST_TYPE_BAD_NO_FK_A);
  g_type_ensure (TEST_TYPE_BAD_NO_FK_B);
  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr (GError) error = NULL;

      ck_assert (!orma_registry_configure (registry, &error));
      orma_assert_error (error, ORMA_ERROR_INVALID_MAPPING);
      ck_assert_ptr_null (orma_metadata_get_table (metadata, "BadNoFkA"));
      ck_assert_ptr_eq (orma_metadata_get_table (metadata, "BadNoFkB"),
                        mapper_of (TEST_TYPE_BAD_NO_FK_B)->table);
      ck_assert (mapper_of (TEST_TYPE_BAD_NO_FK_B)->configured);
      ck_assert (!mapper_of (TEST_TYPE_BAD_NO_FK_A)->configured);
    }
}
END_TEST

/* ------------------------------------------------------------ suite */

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("relationship-config");
  TCase *tc;

  tc = tcase_create ("rel-models");
  tcase_add_test (tc, test_users_addresses);
  tcase_add_test (tc, test_users_posts_dynamic);
  tcase_add_test (tc, test_customers_orders_cascade);
  tcase_add_test (tc, test_posts_keywords_many_to_many);
  tcase_add_test (tc, test_nodes_self_referential);
  tcase_add_test (tc, test_widgets_entries_foreign_keys);
  tcase_add_test (tc, test_regions_cities_composite);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_configure_idempotent);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("declared-here");
  tcase_add_test (tc, test_backref);
  tcase_add_test (tc, test_backref_from_target);
  tcase_add_test (tc, test_foreign_keys_choice);
  tcase_add_test (tc, test_self_referential_many_to_many);
  suite_add_tcase (suite, tc);

  /* last: these initialize classes the registry cannot configure */
  tc = tcase_create ("errors");
  tcase_add_test (tc, test_error_unknown_target);
  tcase_add_test (tc, test_error_no_foreign_key);
  tcase_add_test (tc, test_error_two_foreign_keys);
  tcase_add_test (tc, test_error_foreign_keys_both_ways);
  tcase_add_test (tc, test_error_bad_option);
  tcase_add_test (tc, test_error_bad_values);
  tcase_add_test (tc, test_error_names);
  tcase_add_test (tc, test_error_order_by);
  tcase_add_test (tc, test_error_back_populates);
  tcase_add_test (tc, test_error_delete_orphan_many_to_one);
  tcase_add_test (tc, test_error_uselist_many_to_one);
  tcase_add_test (tc, test_error_secondary_not_registered);
  tcase_add_test (tc, test_error_registry_leaves_class_out);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return orma_test_run (make_suite ());
}
