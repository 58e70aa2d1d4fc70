/* test-collection.c: relationship attributes in memory: OrmaCollection as
 * a GListModel (items-changed with exact positions), its errors and
 * history, pending changes of a collection that is not loaded, the
 * back-populates sync of both sides of a pair (one-to-many, many-to-one,
 * many-to-many, the self-referential tree), weakly held targets, and the
 * GObject properties.
 *
 * No session: the objects are transient, and where a test needs what a
 * session does (load a collection, receive the change events), a small
 * tracker below stands in for it.
 *
 * A transient parent and child reference each other (collection one
 * way, many-to-one the other), so tests break those cycles explicitly
 * with g_object_run_dispose() before dropping their references.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "fixtures.h"
#include "rel-models.h"
#include "orma-entity-private.h"
#include "orma-collection-private.h"
#include "orma-relationship-private.h"

/* ------------------------------------------------------------ classes */

/* A one-to-one pair (a many-to-one whose other side has uselist false)
 * and a pair declared with backref on one side only:
 *   coll_people (id, name)      "passport": CollPassport, uselist false,
 *                                 back-populates "person"
 *   coll_passports (id, name, person_id -> coll_people.id)
 *                               "person": CollPerson, back-populates
 *                                 "passport"
 *   coll_shelves (id, name)     "books": CollBook, backref "shelf"
 *   coll_books (id, name, shelf_id -> coll_shelves.id) */
#define COLL_CLASS(Name, name)                                      \
  G_DECLARE_FINAL_TYPE (Coll##Name, coll_##name, COLL, Name, OrmaEntity) \
  struct _Coll##Name { OrmaEntity parent_instance; };               \
  G_DEFINE_FINAL_TYPE (Coll##Name, coll_##name, ORMA_TYPE_ENTITY)   \
  static void coll_##name##_init (Coll##Name *self) { }

COLL_CLASS (Person, person)
COLL_CLASS (Passport, passport)
COLL_CLASS (Shelf, shelf)
COLL_CLASS (Book, book)

static void
add_id_and_name (OrmaEntityClass *c, const char *table)
{
  orma_entity_class_set_table (c, table);
  orma_entity_class_add_column (c, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (c, "name", G_TYPE_STRING, 0);
}

static void
coll_person_class_init (CollPersonClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  add_id_and_name (c, "coll_people");
  orma_entity_class_add_relationship (c, "passport", "CollPassport",
                                      "uselist", "false",
                                      "back-populates", "person",
                                      NULL);
}

static void
coll_passport_class_init (CollPassportClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  add_id_and_name (c, "coll_passports");
  orma_entity_class_add_column (c, "person_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "person_id", "coll_people", "id", ORMA_FK_NO_ACTION);
  orma_entity_class_add_relationship (c, "person", "CollPerson",
                                      "back-populates", "passport",
                                      NULL);
}

static void
coll_shelf_class_init (CollShelfClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  add_id_and_name (c, "coll_shelves");
  orma_entity_class_add_relationship (c, "books", "CollBook", "backref", "shelf", NULL);
}

static void
coll_book_class_init (CollBookClass *klass)
{
  OrmaEntityClass *c = ORMA_ENTITY_CLASS (klass);

  add_id_and_name (c, "coll_books");
  orma_entity_class_add_column (c, "shelf_id", G_TYPE_INT64, 0);
  orma_entity_class_add_foreign_key (c, "shelf_id", "coll_shelves", "id", ORMA_FK_NO_ACTION);
}

static gpointer
named (GType type, const char *name)
{
  return g_object_new (type, "name", name, NULL);
}

/* ------------------------------------------------------------ helpers */

/* The name a test gives an object: its name, email, title or keyword. */
static char *
label (gpointer entity)
{
  static const char *const props[] = { "name", "email", "title", "keyword" };
  char *text = NULL;

  if (entity == NULL)
    return g_strdup ("NULL");
  for (guint i = 0; i < G_N_ELEMENTS (props); i++)
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (entity), props[i]) != NULL)
      {
        g_object_get (entity, props[i], &text, NULL);
        return text;
      }
  return g_strdup ("?");
}

/* The members' labels, comma separated. */
static char *
members (OrmaCollection *collection)
{
  GString *out = g_string_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (collection));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (G_LIST_MODEL (collection), i);
      g_autofree char *name = label (item);

      g_string_append_printf (out, "%s%s", i ? "," : "", name);
    }
  return g_string_free (out, FALSE);
}

static char *
array_labels (GPtrArray *array)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < array->len; i++)
    {
      g_autofree char *name = label (g_ptr_array_index (array, i));

      g_string_append_printf (out, "%s%s", i ? "," : "", name);
    }
  return g_string_free (out, FALSE);
}

#define assert_members(collection, expected) G_STMT_START {      \
    g_autofree char *_got = members (collection);                 \
    ck_assert_str_eq (_got, expected);                            \
  } G_STMT_END

#define assert_array(array, expected) G_STMT_START {             \
    g_autofree char *_got = array_labels (array);                 \
    ck_assert_str_eq (_got, expected);                            \
  } G_STMT_END

/* The collection @name of @entity (borrowed: the entity holds it). */
static OrmaCollection *
coll (gpointer entity, const char *name)
{
  g_autoptr (GError) error = NULL;
  OrmaCollection *collection = orma_entity_get_collection (entity, name, &error);

  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (collection);
  g_object_unref (collection);
  return collection;
}

/* The related object (borrowed), or NULL. */
static gpointer
related (gpointer entity, const char *name)
{
  g_autoptr (GError) error = NULL;
  gpointer value = orma_entity_get_related (entity, name, &error);

  orma_assert_no_error (error);
  if (value != NULL)
    g_object_unref (value);
  return value;
}

static void
set_related (gpointer entity, const char *name, gpointer value)
{
  g_autoptr (GError) error = NULL;

  ck_assert (orma_entity_set_related (entity, name, value, &error));
  orma_assert_no_error (error);
}

static void
append (OrmaCollection *collection, gpointer entity)
{
  g_autoptr (GError) error = NULL;

  ck_assert (orma_collection_append (collection, entity, &error));
  orma_assert_no_error (error);
}

static void
remove_member (OrmaCollection *collection, gpointer entity)
{
  g_autoptr (GError) error = NULL;

  ck_assert (orma_collection_remove (collection, entity, &error));
  orma_assert_no_error (error);
}

static OrmaRelationship *
rel_of (GType type, const char *name)
{
  OrmaRelationship *rel = _orma_mapper_find_relationship (_orma_mapper_for_type (type), name);

  ck_assert_ptr_nonnull (rel);
  return rel;
}

static void
break_cycles (gpointer first, ...)
{
  va_list args;

  va_start (args, first);
  for (gpointer object = first; object != NULL; object = va_arg (args, gpointer))
    g_object_run_dispose (object);
  va_end (args);
}

/* items-changed, recorded as "position:removed:added;" */
static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GString    *log)
{
  g_string_append_printf (log, "%u:%u:%u;", position, removed, added);
}

static GString *
watch (OrmaCollection *collection)
{
  GString *log = g_string_new (NULL);

  g_signal_connect (collection, "items-changed", G_CALLBACK (on_items_changed), log);
  return log;
}

static void
unwatch (OrmaCollection *collection, GString *log)
{
  g_signal_handlers_disconnect_by_data (collection, log);
  g_string_free (log, TRUE);
}

#define assert_signals(log, expected) G_STMT_START { \
    ck_assert_str_eq ((log)->str, expected);          \
    g_string_truncate (log, 0);                       \
  } G_STMT_END

/* ------------------------------------------------------------ tracker */

/* What a session would do, in miniature: relationship_changed events go
 * to a log ("owner.rel+added-removed;"), and a collection that is read
 * while not loaded gets the rows stored for its owner (a "database"). */
typedef struct {
  GString    *events;
  GHashTable *rows;    /* owner -> GPtrArray of members */
  guint       loads;
} FakeSession;

static FakeSession fake;

static gboolean
fake_load (OrmaEntity *entity, OrmaRelationship *rel, gpointer data, GError **error)
{
  GPtrArray *rows;

  if (!rel->is_collection || _orma_entity_rel_slot (entity, rel)->loaded)
    return TRUE;
  rows = g_hash_table_lookup (fake.rows, entity);
  fake.loads++;
  _orma_entity_relationship_load (entity, rel, NULL, rows, FALSE, 1);
  return TRUE;
}

static void
fake_changed (OrmaEntity *entity, OrmaRelationship *rel, OrmaEntity *added,
              OrmaEntity *removed, gpointer data)
{
  g_autofree char *owner = label (entity);
  g_autofree char *a = added ? label (added) : NULL;
  g_autofree char *r = removed ? label (removed) : NULL;

  g_string_append_printf (fake.events, "%s.%s", owner, rel->name);
  if (a != NULL)
    g_string_append_printf (fake.events, "+%s", a);
  if (r != NULL)
    g_string_append_printf (fake.events, "-%s", r);
  g_string_append_c (fake.events, ';');
}

static const OrmaEntityTracker events_tracker = {
  .relationship_changed = fake_changed,
};

static const OrmaEntityTracker loading_tracker = {
  .load_relationship = fake_load,
  .relationship_changed = fake_changed,
};

static void
track (const OrmaEntityTracker *tracker, gpointer first, ...)
{
  va_list args;

  va_start (args, first);
  for (gpointer object = first; object != NULL; object = va_arg (args, gpointer))
    _orma_entity_set_tracker (object, tracker, NULL);
  va_end (args);
}

#define assert_events(expected) G_STMT_START {     \
    ck_assert_str_eq (fake.events->str, expected);  \
    g_string_truncate (fake.events, 0);             \
  } G_STMT_END

static void
setup (void)
{
  g_type_ensure (coll_person_get_type ());
  g_type_ensure (coll_passport_get_type ());
  g_type_ensure (coll_shelf_get_type ());
  g_type_ensure (coll_book_get_type ());
  rel_models_ensure ();
  fake.events = g_string_new (NULL);
  fake.rows = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  fake.loads = 0;
}

static void
teardown (void)
{
  g_string_free (fake.events, TRUE);
  g_hash_table_unref (fake.rows);
}

/* Stores rows for @owner's collection in the fake database. */
static void
fake_rows (gpointer owner, gpointer first, ...)
{
  GPtrArray *rows = g_ptr_array_new ();
  va_list args;

  va_start (args, first);
  for (gpointer object = first; object != NULL; object = va_arg (args, gpointer))
    g_ptr_array_add (rows, object);
  va_end (args);
  g_hash_table_insert (fake.rows, owner, rows);
}

/* ------------------------------------------------------------ list model */

START_TEST (test_list_model_positions)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  g_autoptr (RelAddress) a2 = rel_address_new ("a2");
  g_autoptr (RelAddress) a3 = rel_address_new ("a3");
  g_autoptr (GError) error = NULL;
  OrmaCollection *addresses = coll (ed, "addresses");
  GString *log = watch (addresses);

  ck_assert (g_type_is_a (ORMA_TYPE_COLLECTION, G_TYPE_LIST_MODEL));
  ck_assert (g_list_model_get_item_type (G_LIST_MODEL (addresses)) == REL_TYPE_ADDRESS);
  ck_assert (orma_collection_get_item_type (addresses) == REL_TYPE_ADDRESS);
  ck_assert_str_eq (orma_collection_get_name (addresses), "addresses");
  ck_assert_ptr_eq (orma_collection_get_owner (addresses), ed);
  ck_assert (orma_collection_is_loaded (addresses));
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (addresses)), 0);

  append (addresses, a1);
  assert_signals (log, "0:0:1;");
  append (addresses, a2);
  assert_signals (log, "1:0:1;");
  ck_assert (orma_collection_insert (addresses, 1, a3, &error));
  orma_assert_no_error (error);
  assert_signals (log, "1:0:1;");
  assert_members (addresses, "a1,a3,a2");
  ck_assert_uint_eq (orma_collection_get_size (addresses), 3);
  ck_assert_ptr_eq (orma_collection_get (addresses, 2), a2);
  ck_assert_ptr_null (orma_collection_get (addresses, 3));
  ck_assert_ptr_null (g_list_model_get_item (G_LIST_MODEL (addresses), 3));
  ck_assert (orma_collection_contains (addresses, a3));

  remove_member (addresses, a3);
  assert_signals (log, "1:1:0;");
  remove_member (addresses, a1);
  assert_signals (log, "0:1:0;");
  assert_members (addresses, "a2");
  ck_assert (!orma_collection_contains (addresses, a1));

  /* The collection is the entity's own, the same object every time. */
  ck_assert_ptr_eq (coll (ed, "addresses"), addresses);

  unwatch (addresses, log);
  break_cycles (ed, NULL);
}
END_TEST

START_TEST (test_clear_and_replace_signals)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  g_autoptr (RelAddress) a2 = rel_address_new ("a2");
  g_autoptr (RelAddress) a3 = rel_address_new ("a3");
  g_autoptr (GError) error = NULL;
  OrmaCollection *addresses = coll (ed, "addresses");
  OrmaEntity *list[] = { ORMA_ENTITY (a3), ORMA_ENTITY (a1) };
  GString *log;

  append (addresses, a1);
  append (addresses, a2);
  log = watch (addresses);

  /* One splice for the whole replacement; the orphan lets go of ed, the
   * newcomer names it. */
  ck_assert (orma_collection_replace (addresses, list, 2, &error));
  orma_assert_no_error (error);
  assert_signals (log, "0:2:2;");
  assert_members (addresses, "a3,a1");
  ck_assert_ptr_null (related (a2, "user"));
  ck_assert_ptr_eq (related (a3, "user"), ed);
  ck_assert_ptr_eq (related (a1, "user"), ed);

  /* The same members again: nothing to announce. */
  ck_assert (orma_collection_replace (addresses, list, 2, &error));
  assert_signals (log, "");

  ck_assert (orma_collection_clear (addresses, &error));
  orma_assert_no_error (error);
  assert_signals (log, "0:2:0;");
  assert_members (addresses, "");
  ck_assert_ptr_null (related (a1, "user"));
  ck_assert_ptr_null (related (a3, "user"));

  /* Clearing an empty collection is quiet. */
  ck_assert (orma_collection_clear (addresses, &error));
  assert_signals (log, "");

  unwatch (addresses, log);
}
END_TEST

START_TEST (test_errors_change_nothing)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  g_autoptr (RelAddress) a2 = rel_address_new ("a2");
  g_autoptr (RelNode) node = rel_node_new ("n");
  g_autoptr (GError) error = NULL;
  OrmaCollection *addresses = coll (ed, "addresses");
  OrmaEntity *dup[] = { ORMA_ENTITY (a2), ORMA_ENTITY (a2) };
  OrmaEntity *wrong[] = { ORMA_ENTITY (a2), ORMA_ENTITY (node) };
  GString *log;

  append (addresses, a1);
  _orma_collection_accept (addresses);
  track (&events_tracker, ed, a1, a2, NULL);
  log = watch (addresses);

  ck_assert (!orma_collection_append (addresses, node, &error));
  orma_assert_error (error, ORMA_ERROR_TYPE_MISMATCH);
  ck_assert_msg (strstr (error->message, "RelNode") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert (!orma_collection_insert (addresses, 0, node, &error));
  orma_assert_error (error, ORMA_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  ck_assert (!orma_collection_append (addresses, a1, &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);
  ck_assert (!orma_collection_remove (addresses, a2, &error));
  orma_assert_error (error, ORMA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ck_assert (!orma_collection_remove (addresses, node, &error));
  orma_assert_error (error, ORMA_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  ck_assert (!orma_collection_replace (addresses, dup, 2, &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);
  ck_assert (!orma_collection_replace (addresses, wrong, 2, &error));
  orma_assert_error (error, ORMA_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);

  /* Scalars: a wrong class, a collection, an unknown name. */
  ck_assert (!orma_entity_set_related (ORMA_ENTITY (a2), "user", node, &error));
  orma_assert_error (error, ORMA_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  ck_assert (!orma_entity_set_related (ORMA_ENTITY (ed), "addresses", a2, &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  g_clear_error (&error);
  ck_assert_ptr_null (orma_entity_get_related (ORMA_ENTITY (ed), "addresses", &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  ck_assert_msg (strstr (error->message, "orma_entity_get_collection") != NULL, "%s",
                 error->message);
  g_clear_error (&error);
  ck_assert_ptr_null (orma_entity_get_collection (ORMA_ENTITY (a1), "user", &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  g_clear_error (&error);
  ck_assert_ptr_null (orma_entity_get_collection (ORMA_ENTITY (ed), "friends", &error));
  orma_assert_error (error, ORMA_ERROR_UNKNOWN_PROPERTY);
  ck_assert_msg (strstr (error->message, "RelUser") && strstr (error->message, "friends"),
                 "%s", error->message);
  g_clear_error (&error);
  ck_assert (!orma_entity_set_related (ORMA_ENTITY (a1), "owner", ed, &error));
  orma_assert_error (error, ORMA_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (a1), "owner"));

  /* Nothing moved: members, history, signals, events, the scalars. */
  assert_members (addresses, "a1");
  ck_assert (!_orma_collection_has_changes (addresses));
  assert_signals (log, "");
  assert_events ("");
  ck_assert_ptr_eq (related (a1, "user"), ed);
  ck_assert_ptr_null (related (a2, "user"));

  unwatch (addresses, log);
  track (NULL, ed, a1, a2, NULL);
  break_cycles (ed, NULL);
}
END_TEST

/* ------------------------------------------------------------ back-populates */

START_TEST (test_many_to_one_moves_between_collections)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelUser) wendy = rel_user_new ("wendy");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  g_autoptr (RelAddress) a2 = rel_address_new ("a2");
  OrmaCollection *eds = coll (ed, "addresses");
  OrmaCollection *wendys = coll (wendy, "addresses");
  GString *ed_log = watch (eds);
  GString *wendy_log = watch (wendys);

  track (&events_tracker, ed, wendy, a1, a2, NULL);

  set_related (a1, "user", ed);
  set_related (a2, "user", ed);
  assert_members (eds, "a1,a2");
  assert_signals (ed_log, "0:0:1;1:0:1;");
  /* Each side that changed is told, the collection's side first: the
   * scalar's event comes once everything is in place. */
  assert_events ("ed.addresses+a1;a1.user+ed;ed.addresses+a2;a2.user+ed;");

  /* Setting the same value again does nothing at all. */
  set_related (a1, "user", ed);
  assert_signals (ed_log, "");
  assert_events ("");

  set_related (a1, "user", wendy);
  assert_members (eds, "a2");
  assert_members (wendys, "a1");
  assert_signals (ed_log, "0:1:0;");
  assert_signals (wendy_log, "0:0:1;");
  assert_events ("ed.addresses-a1;wendy.addresses+a1;a1.user+wendy-ed;");

  set_related (a2, "user", NULL);
  assert_members (eds, "");
  assert_signals (ed_log, "0:1:0;");
  assert_events ("ed.addresses-a2;a2.user-ed;");

  unwatch (eds, ed_log);
  unwatch (wendys, wendy_log);
  track (NULL, ed, wendy, a1, a2, NULL);
  set_related (a1, "user", NULL);
}
END_TEST

START_TEST (test_one_to_many_sets_the_many_to_one)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelUser) wendy = rel_user_new ("wendy");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  OrmaCollection *eds = coll (ed, "addresses");
  OrmaCollection *wendys = coll (wendy, "addresses");
  OrmaRelSlot *slot;

  track (&events_tracker, ed, wendy, a1, NULL);

  append (eds, a1);
  ck_assert_ptr_eq (related (a1, "user"), ed);
  assert_events ("a1.user+ed;ed.addresses+a1;");

  /* Appending elsewhere moves it: the old owner loses it. */
  append (wendys, a1);
  ck_assert_ptr_eq (related (a1, "user"), wendy);
  assert_members (eds, "");
  assert_members (wendys, "a1");
  assert_events ("a1.user+wendy-ed;ed.addresses-a1;wendy.addresses+a1;");

  /* The many-to-one keeps its own history: committed is the first value. */
  slot = _orma_entity_rel_slot (ORMA_ENTITY (a1), rel_of (REL_TYPE_ADDRESS, "user"));
  ck_assert (slot->changed && slot->committed_set && !slot->committed_unknown);
  ck_assert_ptr_null (slot->committed);

  remove_member (wendys, a1);
  ck_assert_ptr_null (related (a1, "user"));
  assert_events ("a1.user-wendy;wendy.addresses-a1;");

  /* Removing a member whose many-to-one names someone else leaves it. */
  append (eds, a1);
  set_related (a1, "user", wendy);
  g_string_truncate (fake.events, 0);
  ck_assert_ptr_eq (related (a1, "user"), wendy);
  assert_members (eds, "");

  track (NULL, ed, wendy, a1, NULL);
  break_cycles (wendy, a1, NULL);
}
END_TEST

START_TEST (test_many_to_many_mirrors)
{
  g_autoptr (RelPost) p1 = g_object_new (REL_TYPE_POST, "title", "p1", NULL);
  g_autoptr (RelPost) p2 = g_object_new (REL_TYPE_POST, "title", "p2", NULL);
  g_autoptr (RelKeyword) k1 = g_object_new (REL_TYPE_KEYWORD, "keyword", "k1", NULL);
  g_autoptr (RelKeyword) k2 = g_object_new (REL_TYPE_KEYWORD, "keyword", "k2", NULL);

  track (&events_tracker, p1, p2, k1, k2, NULL);

  append (coll (p1, "keywords"), k1);
  append (coll (p1, "keywords"), k2);
  append (coll (k1, "posts"), p2);
  assert_members (coll (p1, "keywords"), "k1,k2");
  assert_members (coll (p2, "keywords"), "k1");
  assert_members (coll (k1, "posts"), "p1,p2");
  assert_members (coll (k2, "posts"), "p1");
  assert_events ("k1.posts+p1;p1.keywords+k1;k2.posts+p1;p1.keywords+k2;"
                 "p2.keywords+k1;k1.posts+p2;");

  remove_member (coll (k1, "posts"), p1);
  assert_members (coll (p1, "keywords"), "k2");
  assert_members (coll (k1, "posts"), "p2");
  assert_events ("p1.keywords-k1;k1.posts-p1;");

  /* History on both sides: what the secondary rows need. */
  assert_array (_orma_collection_get_added (coll (p1, "keywords")), "k2");
  assert_array (_orma_collection_get_added (coll (k1, "posts")), "p2");
  assert_array (_orma_collection_get_removed (coll (k1, "posts")), "");

  track (NULL, p1, p2, k1, k2, NULL);
  /* Many-to-many collections reference each other both ways. */
  break_cycles (p1, p2, k1, k2, NULL);
}
END_TEST

START_TEST (test_tree_moves_a_subtree)
{
  g_autoptr (RelNode) root = rel_node_new ("root");
  g_autoptr (RelNode) other = rel_node_new ("other");
  g_autoptr (RelNode) child = rel_node_new ("child");
  g_autoptr (RelNode) grandchild = rel_node_new ("grandchild");

  set_related (child, "parent", root);
  append (coll (child, "children"), grandchild);
  ck_assert_ptr_eq (related (grandchild, "parent"), child);
  assert_members (coll (root, "children"), "child");
  assert_members (coll (child, "children"), "grandchild");
  ck_assert_ptr_null (related (root, "parent"));

  /* The subtree moves as a whole: only child's parent changes. */
  append (coll (other, "children"), child);
  ck_assert_ptr_eq (related (child, "parent"), other);
  assert_members (coll (root, "children"), "");
  assert_members (coll (other, "children"), "child");
  assert_members (coll (child, "children"), "grandchild");

  set_related (grandchild, "parent", root);
  assert_members (coll (child, "children"), "");
  assert_members (coll (root, "children"), "grandchild");

  set_related (grandchild, "parent", NULL);
  set_related (child, "parent", NULL);
  assert_members (coll (other, "children"), "");
  assert_members (coll (root, "children"), "");
}
END_TEST

START_TEST (test_one_to_one_keeps_both_scalars)
{
  g_autoptr (CollPerson) ann = named (coll_person_get_type (), "ann");
  g_autoptr (CollPerson) bob = named (coll_person_get_type (), "bob");
  g_autoptr (CollPassport) x1 = named (coll_passport_get_type (), "x1");
  g_autoptr (CollPassport) x2 = named (coll_passport_get_type (), "x2");
  g_autoptr (GError) error = NULL;

  ck_assert (!rel_of (coll_person_get_type (), "passport")->is_collection);
  ck_assert_ptr_null (orma_entity_get_collection (ORMA_ENTITY (ann), "passport", &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  track (&events_tracker, ann, bob, x1, x2, NULL);

  set_related (ann, "passport", x1);
  ck_assert_ptr_eq (related (x1, "person"), ann);
  assert_events ("x1.person+ann;ann.passport+x1;");

  /* ann takes another passport: the first one lets go of her. */
  set_related (ann, "passport", x2);
  ck_assert_ptr_null (related (x1, "person"));
  ck_assert_ptr_eq (related (x2, "person"), ann);
  assert_events ("x1.person-ann;x2.person+ann;ann.passport+x2-x1;");

  /* From the other side: x2 goes to bob, ann has none. */
  set_related (x2, "person", bob);
  ck_assert_ptr_null (related (ann, "passport"));
  ck_assert_ptr_eq (related (bob, "passport"), x2);
  assert_events ("ann.passport-x2;bob.passport+x2;x2.person+bob-ann;");

  /* x1 to bob: bob's previous passport (x2) no longer names him. */
  set_related (x1, "person", bob);
  ck_assert_ptr_eq (related (bob, "passport"), x1);
  ck_assert_ptr_null (related (x2, "person"));
  assert_events ("x2.person-bob;bob.passport+x1-x2;x1.person+bob;");

  set_related (bob, "passport", NULL);
  ck_assert_ptr_null (related (x1, "person"));
  assert_events ("x1.person-bob;bob.passport-x1;");

  track (NULL, ann, bob, x1, x2, NULL);
}
END_TEST

START_TEST (test_backref_side)
{
  g_autoptr (CollShelf) top = named (coll_shelf_get_type (), "top");
  g_autoptr (CollShelf) low = named (coll_shelf_get_type (), "low");
  g_autoptr (CollBook) book = named (coll_book_get_type (), "book");

  /* The side a backref made has no GObject property (the class was
   * initialized before), only the calls by name. */
  ck_assert_ptr_null (g_object_class_find_property (G_OBJECT_GET_CLASS (book), "shelf"));
  ck_assert_ptr_nonnull (g_object_class_find_property (G_OBJECT_GET_CLASS (top), "books"));

  append (coll (top, "books"), book);
  ck_assert_ptr_eq (related (book, "shelf"), top);
  set_related (book, "shelf", low);
  assert_members (coll (top, "books"), "");
  assert_members (coll (low, "books"), "book");
  ck_assert (orma_entity_is_loaded (ORMA_ENTITY (book), "shelf"));

  set_related (book, "shelf", NULL);
  assert_members (coll (low, "books"), "");
}
END_TEST

START_TEST (test_dynamic_side_is_left_to_the_session)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelPost) p1 = g_object_new (REL_TYPE_POST, "title", "p1", NULL);
  g_autoptr (GObject) posts = NULL;
  g_autoptr (GError) error = NULL;
  OrmaRelationship *posts_rel = rel_of (REL_TYPE_USER, "posts");

  /* ed.posts is a query, not a collection: setting p1.author leaves it
   * alone (the foreign key on p1 says it all). */
  track (&events_tracker, ed, p1, NULL);
  set_related (p1, "author", ed);
  assert_events ("p1.author+ed;");
  ck_assert_ptr_null (_orma_entity_rel_slot (ORMA_ENTITY (ed), posts_rel)->value);

  ck_assert_ptr_null (orma_entity_get_collection (ORMA_ENTITY (ed), "posts", &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_QUERY);
  g_clear_error (&error);
  /* Without a session nothing fills it. */
  g_object_get (ed, "posts", &posts, NULL);
  ck_assert_ptr_null (posts);

  track (NULL, ed, p1, NULL);
}
END_TEST

/* ------------------------------------------------------------ history */

START_TEST (test_history)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  g_autoptr (RelAddress) a2 = rel_address_new ("a2");
  g_autoptr (RelAddress) a3 = rel_address_new ("a3");
  OrmaCollection *addresses = coll (ed, "addresses");
  OrmaRelationship *user = rel_of (REL_TYPE_ADDRESS, "user");
  OrmaRelSlot *slot;

  ck_assert (!_orma_collection_has_changes (addresses));
  append (addresses, a1);
  append (addresses, a2);
  append (addresses, a3);
  assert_array (_orma_collection_get_added (addresses), "a1,a2,a3");

  /* Added then removed: in neither. */
  remove_member (addresses, a2);
  assert_array (_orma_collection_get_added (addresses), "a1,a3");
  assert_array (_orma_collection_get_removed (addresses), "");

  _orma_collection_accept (addresses);
  ck_assert (!_orma_collection_has_changes (addresses));
  _orma_entity_relationship_accept (ORMA_ENTITY (a1), user);
  slot = _orma_entity_rel_slot (ORMA_ENTITY (a1), user);
  ck_assert (!slot->changed && !slot->committed_set);

  remove_member (addresses, a1);
  assert_array (_orma_collection_get_removed (addresses), "a1");
  ck_assert (_orma_collection_has_changes (addresses));
  /* The scalar side keeps the value it had at the last accept. */
  slot = _orma_entity_rel_slot (ORMA_ENTITY (a1), user);
  ck_assert (slot->changed && slot->committed_set);
  ck_assert_ptr_eq (slot->committed, ed);
  ck_assert_ptr_null (slot->value);

  /* Removed then added again: in neither. */
  append (addresses, a1);
  assert_array (_orma_collection_get_removed (addresses), "");
  assert_array (_orma_collection_get_added (addresses), "");
  ck_assert (!_orma_collection_has_changes (addresses));
  assert_members (addresses, "a3,a1");

  /* Forgetting (a deleted row) leaves no trace but in the model. */
  remove_member (addresses, a3);
  _orma_collection_forget (addresses, ORMA_ENTITY (a3));
  assert_array (_orma_collection_get_removed (addresses), "");
  _orma_collection_forget (addresses, ORMA_ENTITY (a1));
  assert_members (addresses, "");
  ck_assert (!_orma_collection_has_changes (addresses));

  set_related (a1, "user", NULL);
}
END_TEST

/* Past a few dozen members, membership and history are kept in hash
 * sets as well: the answers must not change. Pending (not loaded) and
 * loaded alike. */
START_TEST (test_large_collections)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelUser) wendy = rel_user_new ("wendy");
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  OrmaRelationship *addresses_rel = rel_of (REL_TYPE_USER, "addresses");
  g_autoptr (GError) error = NULL;
  OrmaCollection *eds = coll (ed, "addresses");
  OrmaCollection *wendys;

  track (&loading_tracker, wendy, NULL);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *email = g_strdup_printf ("a%u", i);

      g_ptr_array_add (all, rel_address_new (email));
      append (eds, all->pdata[i]);
    }
  ck_assert (!orma_collection_append (eds, all->pdata[50], &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);
  remove_member (eds, all->pdata[50]);
  ck_assert (!orma_collection_contains (eds, all->pdata[50]));
  ck_assert (orma_collection_contains (eds, all->pdata[99]));
  ck_assert (!orma_collection_remove (eds, all->pdata[50], &error));
  orma_assert_error (error, ORMA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  append (eds, all->pdata[50]);
  ck_assert_ptr_eq (orma_collection_get (eds, 99), all->pdata[50]);
  ck_assert_uint_eq (_orma_collection_get_added (eds)->len, 100);

  /* wendy's collection is not loaded: every move is pending. */
  for (guint i = 0; i < 100; i++)
    set_related (all->pdata[i], "user", wendy);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (eds)), 0);
  wendys = ORMA_COLLECTION (_orma_entity_rel_slot (ORMA_ENTITY (wendy), addresses_rel)->value);
  ck_assert (!orma_collection_is_loaded (wendys));
  ck_assert_uint_eq (_orma_collection_peek_items (wendys)->len, 100);
  ck_assert (!orma_collection_append (wendys, all->pdata[70], &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);
  set_related (all->pdata[70], "user", NULL);
  ck_assert_uint_eq (_orma_collection_get_added (wendys)->len, 99);
  ck_assert_uint_eq (_orma_collection_get_removed (wendys)->len, 0);
  _orma_collection_accept (wendys);
  set_related (all->pdata[70], "user", wendy);
  set_related (all->pdata[71], "user", NULL);
  assert_array (_orma_collection_get_added (wendys), "a70");
  assert_array (_orma_collection_get_removed (wendys), "a71");

  /* Loaded: the rows, less the pending removal, plus the pending add. */
  fake_rows (wendy, all->pdata[71], all->pdata[72], NULL);
  assert_members (wendys, "a72,a70");

  track (NULL, wendy, NULL);
  for (guint i = 0; i < 100; i++)
    set_related (all->pdata[i], "user", NULL);
}
END_TEST

/* ------------------------------------------------------------ loading */

START_TEST (test_pending_changes_merge_on_load)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  g_autoptr (RelAddress) a2 = rel_address_new ("a2");
  g_autoptr (RelAddress) a3 = rel_address_new ("a3");
  g_autoptr (RelAddress) a4 = rel_address_new ("a4");
  OrmaRelationship *addresses_rel = rel_of (REL_TYPE_USER, "addresses");
  OrmaRelationship *user_rel = rel_of (REL_TYPE_ADDRESS, "user");
  g_autoptr (GError) error = NULL;
  OrmaCollection *addresses;
  GString *log;

  /* ed is "persistent" with a1, a2 in the database. */
  track (&loading_tracker, ed, a1, a2, a3, a4, NULL);
  fake_rows (ed, a1, a2, NULL);

  /* Changes through either side do not load it. */
  set_related (a3, "user", ed);
  addresses = ORMA_COLLECTION (_orma_entity_rel_slot (ORMA_ENTITY (ed), addresses_rel)->value);
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (ed), "addresses"));
  log = watch (addresses);
  append (addresses, a2);
  append (addresses, a4);
  ck_assert (!orma_collection_append (addresses, a4, &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_STATE);
  g_clear_error (&error);
  remove_member (addresses, a4);
  remove_member (addresses, a1);
  ck_assert (!orma_collection_remove (addresses, a1, &error));
  orma_assert_error (error, ORMA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ck_assert_uint_eq (fake.loads, 0);
  ck_assert (!orma_collection_is_loaded (addresses));
  assert_signals (log, "");
  assert_array (_orma_collection_peek_items (addresses), "a3,a2");
  assert_array (_orma_collection_get_removed (addresses), "a1");
  assert_events ("ed.addresses+a3;a3.user+ed;a2.user+ed;ed.addresses+a2;"
                 "a4.user+ed;ed.addresses+a4;a4.user-ed;ed.addresses-a4;"
                 "ed.addresses-a1;");

  /* Reading loads: the rows, without the pending removal, then the
   * pending additions not already there, in one splice. */
  assert_members (addresses, "a2,a3");
  ck_assert_uint_eq (fake.loads, 1);
  assert_signals (log, "0:0:2;");
  ck_assert (orma_entity_is_loaded (ORMA_ENTITY (ed), "addresses"));
  /* The history is still there for the flush. */
  assert_array (_orma_collection_get_added (addresses), "a3,a2");
  assert_array (_orma_collection_get_removed (addresses), "a1");
  /* a1's many-to-one was not loaded and is not loaded by its removal. */
  ck_assert (!_orma_entity_rel_slot (ORMA_ENTITY (a1), user_rel)->loaded);

  /* Expired and loaded again with other rows: one splice; the history
   * not flushed yet is merged again. */
  _orma_entity_relationship_unload (ORMA_ENTITY (ed), addresses_rel);
  ck_assert (!orma_collection_is_loaded (addresses));
  _orma_collection_accept (addresses);
  fake_rows (ed, a2, a3, a4, NULL);
  assert_members (addresses, "a2,a3,a4");
  assert_signals (log, "0:2:3;");
  ck_assert_uint_eq (fake.loads, 2);

  /* A reload with the same contents is silent. */
  _orma_collection_unload (addresses);
  _orma_collection_set_loaded (addresses, g_hash_table_lookup (fake.rows, ed));
  assert_signals (log, "");

  unwatch (addresses, log);
  track (NULL, ed, a1, a2, a3, a4, NULL);
  break_cycles (ed, NULL);
}
END_TEST

START_TEST (test_load_sets_reverse_weakly)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelUser) wendy = rel_user_new ("wendy");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  g_autoptr (RelAddress) a2 = rel_address_new ("a2");
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  OrmaRelationship *addresses_rel = rel_of (REL_TYPE_USER, "addresses");
  OrmaRelationship *user_rel = rel_of (REL_TYPE_ADDRESS, "user");
  OrmaRelSlot *slot;
  RelUser *alive;
  GWeakRef wendy_ref;

  /* a2's parent was loaded already (it says wendy): left alone. */
  _orma_entity_relationship_load (ORMA_ENTITY (a2), user_rel, ORMA_ENTITY (wendy), NULL, TRUE, 3);
  g_ptr_array_add (rows, a1);
  g_ptr_array_add (rows, a2);
  _orma_entity_relationship_load (ORMA_ENTITY (ed), addresses_rel, NULL, rows, FALSE, 7);

  slot = _orma_entity_rel_slot (ORMA_ENTITY (ed), addresses_rel);
  ck_assert (slot->loaded);
  ck_assert_uint_eq (slot->stamp, 7);
  assert_members (coll (ed, "addresses"), "a1,a2");
  ck_assert (!_orma_collection_has_changes (coll (ed, "addresses")));

  slot = _orma_entity_rel_slot (ORMA_ENTITY (a1), user_rel);
  ck_assert (slot->loaded && slot->weak && !slot->changed);
  ck_assert_ptr_eq (slot->value, ed);
  ck_assert_uint_eq (slot->stamp, 7);
  ck_assert_ptr_eq (related (a2, "user"), wendy);

  /* wendy's collection does not hold a2 (not loaded): no cycle, so a2
   * holds wendy strongly and wendy lives as long as a2 does. */
  slot = _orma_entity_rel_slot (ORMA_ENTITY (a2), user_rel);
  ck_assert (slot->loaded && !slot->weak);
  g_weak_ref_init (&wendy_ref, wendy);
  g_clear_object (&wendy);
  alive = g_weak_ref_get (&wendy_ref);
  ck_assert_ptr_nonnull (alive);
  ck_assert_ptr_eq (related (a2, "user"), alive);
  g_clear_object (&alive);

  /* Held weakly: when ed goes, a1's parent reads as not loaded. */
  g_clear_object (&ed);
  slot = _orma_entity_rel_slot (ORMA_ENTITY (a1), user_rel);
  ck_assert (!slot->loaded);
  ck_assert_ptr_null (slot->value);
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (a1), "user"));
  /* Without a session an unloaded attribute reads as empty. */
  ck_assert_ptr_null (related (a1, "user"));
  ck_assert (orma_entity_is_loaded (ORMA_ENTITY (a1), "user"));

  /* a2 lets go of wendy when it goes. */
  g_clear_object (&a2);
  ck_assert_ptr_null (g_weak_ref_get (&wendy_ref));
  g_weak_ref_clear (&wendy_ref);
}
END_TEST

START_TEST (test_weaken)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  OrmaRelationship *user_rel = rel_of (REL_TYPE_ADDRESS, "user");
  GWeakRef ed_ref;

  set_related (a1, "user", ed);
  _orma_entity_relationship_accept (ORMA_ENTITY (a1), user_rel);
  _orma_entity_relationship_weaken (ORMA_ENTITY (a1), user_rel);
  ck_assert (_orma_entity_rel_slot (ORMA_ENTITY (a1), user_rel)->weak);
  ck_assert_ptr_eq (related (a1, "user"), ed);

  /* Only the application's reference and nothing else keeps ed: its
   * collection holds a1, a1 no longer holds ed. */
  g_weak_ref_init (&ed_ref, ed);
  g_clear_object (&ed);
  ck_assert_ptr_null (g_weak_ref_get (&ed_ref));
  g_weak_ref_clear (&ed_ref);
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (a1), "user"));
}
END_TEST

/* ------------------------------------------------------------ holding */

static gboolean
is_weak (gpointer entity, OrmaRelationship *rel)
{
  return _orma_entity_rel_slot (ORMA_ENTITY (entity), rel)->weak;
}

/* A many-to-one holds its parent weakly exactly while the parent's
 * collection holds the child (the cycle), strongly otherwise: a child
 * that leaves without its many-to-one changing keeps its parent alive. */
START_TEST (test_hold_follows_the_collection)
{
  RelUser *ed = rel_user_new ("ed");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  g_autoptr (RelAddress) a2 = rel_address_new ("a2");
  OrmaRelationship *user_rel = rel_of (REL_TYPE_ADDRESS, "user");
  OrmaCollection *eds = coll (ed, "addresses");
  GWeakRef ed_ref;

  g_weak_ref_init (&ed_ref, ed);
  set_related (a1, "user", ed);
  ck_assert (is_weak (a1, user_rel));
  append (eds, a2);
  ck_assert (is_weak (a2, user_rel));
  ck_assert_ptr_eq (related (a2, "user"), ed);

  /* The flush forgets a1 (its row was deleted): a1 still names ed and
   * now holds it. */
  _orma_collection_forget (eds, ORMA_ENTITY (a1));
  assert_members (eds, "a2");
  ck_assert_ptr_eq (related (a1, "user"), ed);
  ck_assert (!is_weak (a1, user_rel));

  /* Back in the collection: weak again. */
  append (eds, a1);
  ck_assert (is_weak (a1, user_rel));

  /* Removed: the many-to-one follows to NULL; nothing holds ed but the
   * test, so no cycle is left. */
  remove_member (eds, a1);
  ck_assert_ptr_null (related (a1, "user"));
  ck_assert (!_orma_collection_holds (eds, ORMA_ENTITY (a1)));

  /* Replaced by a2 alone twice over, then emptied: a2 named ed all
   * along and is weak while held. */
  {
    OrmaEntity *only[] = { ORMA_ENTITY (a2) };

    ck_assert (orma_collection_replace (eds, only, 1, NULL));
    ck_assert (is_weak (a2, user_rel));
  }
  _orma_collection_forget (eds, ORMA_ENTITY (a2));
  ck_assert (!is_weak (a2, user_rel));

  /* Only a2 keeps ed alive now. */
  g_object_unref (ed);
  {
    g_autoptr (RelUser) alive = g_weak_ref_get (&ed_ref);

    ck_assert_ptr_nonnull (alive);
    ck_assert_ptr_eq (related (a2, "user"), alive);
  }
  g_clear_object (&a2);
  ck_assert_ptr_null (g_weak_ref_get (&ed_ref));
  g_weak_ref_clear (&ed_ref);
}
END_TEST

/* A many-to-one loaded first is strong; the parent's collection loaded
 * later with the child makes it weak; released, strong again. */
START_TEST (test_hold_follows_loads_and_release)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  OrmaRelationship *user_rel = rel_of (REL_TYPE_ADDRESS, "user");
  OrmaRelationship *addresses_rel = rel_of (REL_TYPE_USER, "addresses");
  OrmaCollection *eds;
  GString *log;

  _orma_entity_relationship_load (ORMA_ENTITY (a1), user_rel, ORMA_ENTITY (ed), NULL, TRUE, 1);
  ck_assert (!is_weak (a1, user_rel));
  g_ptr_array_add (rows, a1);
  _orma_entity_relationship_load (ORMA_ENTITY (ed), addresses_rel, NULL, rows, FALSE, 1);
  ck_assert (is_weak (a1, user_rel));

  /* Loaded again without a1 (it moved elsewhere in the database): a1
   * still names ed until it is reloaded, and holds it. */
  eds = coll (ed, "addresses");
  log = watch (eds);
  _orma_entity_relationship_load (ORMA_ENTITY (ed), addresses_rel, NULL, NULL, FALSE, 2);
  assert_signals (log, "0:1:0;");
  ck_assert (!is_weak (a1, user_rel));
  _orma_entity_relationship_load (ORMA_ENTITY (ed), addresses_rel, NULL, rows, FALSE, 3);
  assert_signals (log, "0:0:1;");
  ck_assert (is_weak (a1, user_rel));

  /* Released: the members are dropped with one signal, the collection
   * is not loaded, and a1 holds ed again. a1's own many-to-one is
   * released with a1. */
  _orma_entity_release_relationships (ORMA_ENTITY (ed), FALSE);
  assert_signals (log, "0:1:0;");
  ck_assert (!orma_collection_is_loaded (eds));
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (ed), "addresses"));
  ck_assert (!is_weak (a1, user_rel));
  ck_assert_ptr_eq (_orma_entity_rel_slot (ORMA_ENTITY (a1), user_rel)->value, ed);
  _orma_entity_release_relationships (ORMA_ENTITY (a1), FALSE);
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (a1), "user"));
  unwatch (eds, log);
}
END_TEST

/* The one-to-one pair: the parent's scalar holds the child, the
 * child's many-to-one holds the parent weakly while it does. */
START_TEST (test_hold_one_to_one)
{
  g_autoptr (CollPerson) person = named (coll_person_get_type (), "p");
  g_autoptr (CollPassport) passport = named (coll_passport_get_type (), "pp");
  OrmaRelationship *person_rel = rel_of (coll_passport_get_type (), "person");
  OrmaRelationship *passport_rel = rel_of (coll_person_get_type (), "passport");

  set_related (passport, "person", person);
  ck_assert (is_weak (passport, person_rel));
  ck_assert (!is_weak (person, passport_rel));

  /* Not released while not flushed. */
  _orma_entity_release_relationships (ORMA_ENTITY (person), FALSE);
  ck_assert_ptr_eq (_orma_entity_rel_slot (ORMA_ENTITY (person), passport_rel)->value, passport);

  /* The parent's side let go (released): the child keeps its parent. */
  _orma_entity_relationship_accept (ORMA_ENTITY (person), passport_rel);
  _orma_entity_relationship_accept (ORMA_ENTITY (passport), person_rel);
  _orma_entity_release_relationships (ORMA_ENTITY (person), FALSE);
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (person), "passport"));
  ck_assert (!is_weak (passport, person_rel));
  ck_assert_ptr_eq (_orma_entity_rel_slot (ORMA_ENTITY (passport), person_rel)->value, person);

  set_related (person, "passport", passport);
  ck_assert (is_weak (passport, person_rel));
  set_related (passport, "person", NULL);
  ck_assert_ptr_null (related (person, "passport"));
}
END_TEST

/* A collection that is not loaded holds its pending additions only
 * until the flush accepts them: the members' many-to-one must then hold
 * the parent again, or the parent is freed while they still name it
 * (and reading it runs SQL, or fails under lazy raise). */
START_TEST (test_hold_after_accepting_pending)
{
  RelUser *ed = rel_user_new ("ed");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  OrmaRelationship *user_rel = rel_of (REL_TYPE_ADDRESS, "user");
  OrmaRelationship *addresses_rel = rel_of (REL_TYPE_USER, "addresses");
  OrmaCollection *eds;
  GWeakRef ed_ref;

  track (&loading_tracker, ed, a1, NULL);
  set_related (a1, "user", ed);
  eds = ORMA_COLLECTION (_orma_entity_rel_slot (ORMA_ENTITY (ed), addresses_rel)->value);
  ck_assert (!orma_collection_is_loaded (eds));
  ck_assert (is_weak (a1, user_rel));

  _orma_collection_accept (eds);
  ck_assert (!is_weak (a1, user_rel));
  g_weak_ref_init (&ed_ref, ed);
  g_object_unref (ed);
  {
    g_autoptr (RelUser) alive = g_weak_ref_get (&ed_ref);

    ck_assert_ptr_nonnull (alive);
    ck_assert_ptr_eq (_orma_entity_rel_slot (ORMA_ENTITY (a1), user_rel)->value, alive);
  }
  track (NULL, a1, NULL);
  g_clear_object (&a1);
  ck_assert_ptr_null (g_weak_ref_get (&ed_ref));
  g_weak_ref_clear (&ed_ref);
}
END_TEST

/* Loading the parent's side can leave the parent held by nothing: the
 * child it now holds stops holding it. The load must not touch the
 * parent after that (run under valgrind), and the parent is then
 * freed, its child's many-to-one not loaded. */
START_TEST (test_load_drops_the_last_hold)
{
  CollPerson *person = named (coll_person_get_type (), "p");
  g_autoptr (CollPassport) passport = named (coll_passport_get_type (), "pp");
  OrmaRelationship *person_rel = rel_of (coll_passport_get_type (), "person");
  OrmaRelationship *passport_rel = rel_of (coll_person_get_type (), "passport");
  GWeakRef person_ref;

  _orma_entity_relationship_load (ORMA_ENTITY (passport), person_rel, ORMA_ENTITY (person),
                                  NULL, TRUE, 1);
  ck_assert (!is_weak (passport, person_rel));
  g_weak_ref_init (&person_ref, person);
  g_object_unref (person);
  _orma_entity_relationship_load (ORMA_ENTITY (person), passport_rel, ORMA_ENTITY (passport),
                                  NULL, FALSE, 1);
  ck_assert_ptr_null (g_weak_ref_get (&person_ref));
  g_weak_ref_clear (&person_ref);
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (passport), "person"));
}
END_TEST

/* Two loaded many-to-many collections hold each other's owner; only
 * releasing breaks that, and changes not flushed are never released. */
START_TEST (test_release_many_to_many)
{
  RelPost *p1 = g_object_new (REL_TYPE_POST, "title", "p1", NULL);
  RelKeyword *k1 = g_object_new (REL_TYPE_KEYWORD, "keyword", "k1", NULL);
  g_autoptr (GPtrArray) posts = g_ptr_array_new ();
  g_autoptr (GPtrArray) keywords = g_ptr_array_new ();
  OrmaRelationship *keywords_rel = rel_of (REL_TYPE_POST, "keywords");
  OrmaRelationship *posts_rel = rel_of (REL_TYPE_KEYWORD, "posts");
  GWeakRef p1_ref, k1_ref;

  g_ptr_array_add (posts, p1);
  g_ptr_array_add (keywords, k1);
  _orma_entity_relationship_load (ORMA_ENTITY (p1), keywords_rel, NULL, keywords, FALSE, 1);
  _orma_entity_relationship_load (ORMA_ENTITY (k1), posts_rel, NULL, posts, FALSE, 1);
  g_weak_ref_init (&p1_ref, p1);
  g_weak_ref_init (&k1_ref, k1);

  /* A change not flushed stays. */
  remove_member (coll (p1, "keywords"), k1);
  _orma_entity_release_relationships (ORMA_ENTITY (p1), TRUE);
  ck_assert (orma_entity_is_loaded (ORMA_ENTITY (p1), "keywords"));
  append (coll (p1, "keywords"), k1);
  ck_assert (!_orma_collection_has_changes (coll (p1, "keywords")));

  _orma_entity_release_relationships (ORMA_ENTITY (p1), TRUE);
  _orma_entity_release_relationships (ORMA_ENTITY (k1), TRUE);
  g_object_unref (p1);
  g_object_unref (k1);
  ck_assert_ptr_null (g_weak_ref_get (&p1_ref));
  ck_assert_ptr_null (g_weak_ref_get (&k1_ref));
  g_weak_ref_clear (&p1_ref);
  g_weak_ref_clear (&k1_ref);
}
END_TEST

/* ------------------------------------------------------------ properties */

static void
count_notify (GObject *object, GParamSpec *pspec, guint *count)
{
  (*count)++;
}

START_TEST (test_properties)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  g_autoptr (RelAddress) a2 = rel_address_new ("a2");
  g_autoptr (RelAddress) a3 = rel_address_new ("a3");
  g_autoptr (GListStore) store = g_list_store_new (REL_TYPE_ADDRESS);
  g_autoptr (OrmaCollection) addresses = NULL;
  g_autoptr (RelUser) user = NULL;
  guint notified = 0;
  GString *log;

  g_signal_connect (a1, "notify::user", G_CALLBACK (count_notify), &notified);
  g_object_set (a1, "user", ed, NULL);
  ck_assert_uint_eq (notified, 1);
  g_object_set (a1, "user", ed, NULL);
  ck_assert_uint_eq (notified, 1);
  g_object_get (a1, "user", &user, NULL);
  ck_assert_ptr_eq (user, ed);

  g_object_get (ed, "addresses", &addresses, NULL);
  ck_assert (ORMA_IS_COLLECTION (addresses));
  ck_assert (G_IS_LIST_MODEL (addresses));
  assert_members (addresses, "a1");
  log = watch (addresses);

  /* A collection property takes any GListModel of the target class. */
  g_list_store_append (store, a2);
  g_list_store_append (store, a3);
  g_object_set (ed, "addresses", store, NULL);
  assert_members (addresses, "a2,a3");
  assert_signals (log, "0:1:2;");
  ck_assert_ptr_null (related (a1, "user"));
  ck_assert_uint_eq (notified, 2);
  ck_assert_ptr_eq (related (a3, "user"), ed);

  /* NULL empties it. */
  g_object_set (ed, "addresses", NULL, NULL);
  assert_members (addresses, "");
  assert_signals (log, "0:2:0;");
  ck_assert_ptr_null (related (a2, "user"));

  unwatch (addresses, log);
}
END_TEST

/* ------------------------------------------------------------ lifetime */

START_TEST (test_collection_outlives_owner)
{
  g_autoptr (RelUser) ed = rel_user_new ("ed");
  g_autoptr (RelAddress) a1 = rel_address_new ("a1");
  g_autoptr (OrmaCollection) addresses = orma_entity_get_collection (ORMA_ENTITY (ed),
                                                                     "addresses", NULL);
  GWeakRef a1_ref;

  append (addresses, a1);
  set_related (a1, "user", NULL);
  assert_members (addresses, "");
  append (addresses, a1);
  /* Break ed <-> a1 from the collection's side this time. */
  g_object_run_dispose (G_OBJECT (a1));
  g_clear_object (&ed);
  ck_assert_ptr_null (orma_collection_get_owner (addresses));
  /* A view may still hold it: it is a plain list now. */
  assert_members (addresses, "a1");
  g_weak_ref_init (&a1_ref, a1);
  g_clear_object (&a1);
  {
    g_autoptr (GObject) alive = g_weak_ref_get (&a1_ref);

    ck_assert_ptr_nonnull (alive);
  }
  g_clear_object (&addresses);
  ck_assert_ptr_null (g_weak_ref_get (&a1_ref));
  g_weak_ref_clear (&a1_ref);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("collection");
  TCase *tc;

  tc = tcase_create ("list-model");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_list_model_positions);
  tcase_add_test (tc, test_clear_and_replace_signals);
  tcase_add_test (tc, test_errors_change_nothing);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("back-populates");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_many_to_one_moves_between_collections);
  tcase_add_test (tc, test_one_to_many_sets_the_many_to_one);
  tcase_add_test (tc, test_many_to_many_mirrors);
  tcase_add_test (tc, test_tree_moves_a_subtree);
  tcase_add_test (tc, test_one_to_one_keeps_both_scalars);
  tcase_add_test (tc, test_backref_side);
  tcase_add_test (tc, test_dynamic_side_is_left_to_the_session);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("history-and-loading");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_history);
  tcase_add_test (tc, test_pending_changes_merge_on_load);
  tcase_add_test (tc, test_large_collections);
  tcase_add_test (tc, test_load_sets_reverse_weakly);
  tcase_add_test (tc, test_weaken);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("holding");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_hold_follows_the_collection);
  tcase_add_test (tc, test_hold_follows_loads_and_release);
  tcase_add_test (tc, test_hold_one_to_one);
  tcase_add_test (tc, test_hold_after_accepting_pending);
  tcase_add_test (tc, test_load_drops_the_last_hold);
  tcase_add_test (tc, test_release_many_to_many);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("properties");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_collection_outlives_owner);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return orma_test_run (make_suite ());
}
