/* hello.c: the smallest complete Orma program.
 *
 * One mapped class, User (id, name, fullname), and a session that adds
 * users, queries them with a filter, changes one, deletes another and
 * commits, printing each step. Run it with ORMA_ECHO=1 to see the SQL
 * every step sends.
 *
 *   orma-hello [URL]      default: sqlite:///hello.db
 *
 * The tables are dropped and created anew on every run, so the program
 * can be run again and again on the same database.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>

#include <orma/orma.h>

/* ---------------------------------------------------------------- User */

#define HELLO_TYPE_USER (hello_user_get_type ())
G_DECLARE_FINAL_TYPE (HelloUser, hello_user, HELLO, USER, OrmaEntity)

struct _HelloUser
{
  OrmaEntity parent_instance;
};

G_DEFINE_FINAL_TYPE (HelloUser, hello_user, ORMA_TYPE_ENTITY)

static void
hello_user_class_init (HelloUserClass *klass)
{
  OrmaEntityClass *entity_class = ORMA_ENTITY_CLASS (klass);

  /* Each column becomes a GObject property of the same name. */
  orma_entity_class_set_table (entity_class, "users");
  orma_entity_class_add_column (entity_class, "id", G_TYPE_INT64, ORMA_COLUMN_PRIMARY_KEY);
  orma_entity_class_add_column (entity_class, "name", G_TYPE_STRING,
                                ORMA_COLUMN_NOT_NULL | ORMA_COLUMN_UNIQUE);
  orma_entity_class_add_column (entity_class, "fullname", G_TYPE_STRING, 0);
}

static void
hello_user_init (HelloUser *self)
{
}

static HelloUser *
hello_user_new (const char *name,
                const char *fullname)
{
  return g_object_new (HELLO_TYPE_USER, "name", name, "fullname", fullname, NULL);
}

static void
print_user (const char *prefix,
            HelloUser  *user)
{
  g_autofree char *name = NULL;
  g_autofree char *fullname = NULL;
  gint64 id = 0;

  g_object_get (user, "id", &id, "name", &name, "fullname", &fullname, NULL);
  g_print ("%s#%" G_GINT64_FORMAT " %s (%s)\n", prefix, id, name,
           fullname != NULL ? fullname : "no full name");
}

static const char *
state_name (OrmaState state)
{
  switch (state)
    {
    case ORMA_STATE_TRANSIENT:  return "transient";
    case ORMA_STATE_PENDING:    return "pending";
    case ORMA_STATE_PERSISTENT: return "persistent";
    case ORMA_STATE_DELETED:    return "deleted";
    case ORMA_STATE_DETACHED:   return "detached";
    default:                    return "?";
    }
}

static int
fail (const char *what,
      GError     *error)
{
  g_printerr ("orma-hello: %s: %s\n", what, error != NULL ? error->message : "failed");
  return EXIT_FAILURE;
}

/* ---------------------------------------------------------------- main */

int
main (int   argc,
      char *argv[])
{
  const char *url = argc > 1 ? argv[1] : "sqlite:///hello.db";
  OrmaRegistry *registry = orma_registry_get_default ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaEngine) engine = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (HelloUser) ed = NULL;
  g_autoptr (HelloUser) wendy = NULL;
  g_autoptr (HelloUser) mary = NULL;
  g_autoptr (HelloUser) fred = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (HelloUser) again = NULL;
  g_autoptr (OrmaQuery) count_query = NULL;
  gint64 ed_id = 0;
  gint64 count = 0;

  /* The registry learns about a class when the class is initialized. */
  g_type_ensure (HELLO_TYPE_USER);

  engine = orma_engine_new (url, &error);
  if (engine == NULL)
    return fail (url, error);
  g_print ("database: %s (%s)\n", orma_engine_get_url (engine),
           orma_engine_get_backend_name (engine));

  if (!orma_registry_drop_all (registry, engine, &error) ||
      !orma_registry_create_all (registry, engine, &error))
    return fail ("creating the tables", error);

  session = orma_session_new (engine);

  /* Adding sends nothing yet: the objects are pending until a flush. */
  ed = hello_user_new ("ed", "Ed Jones");
  wendy = hello_user_new ("wendy", "Wendy Williams");
  mary = hello_user_new ("mary", "Mary Contrary");
  fred = hello_user_new ("fred", NULL);
  orma_session_add (session, ORMA_ENTITY (ed));
  orma_session_add (session, ORMA_ENTITY (wendy));
  orma_session_add (session, ORMA_ENTITY (mary));
  orma_session_add (session, ORMA_ENTITY (fred));
  g_print ("\nadded 4 users; ed is %s\n", state_name (orma_entity_get_state (ORMA_ENTITY (ed))));

  if (!orma_session_commit (session, &error))
    return fail ("committing the new users", error);
  g_object_get (ed, "id", &ed_id, NULL);
  g_print ("committed; ed is %s with id %" G_GINT64_FORMAT "\n",
           state_name (orma_entity_get_state (ORMA_ENTITY (ed))), ed_id);

  /* A query with a filter, in name order. Expressions are floating:
   * the query takes them. */
  query = orma_session_query (session, HELLO_TYPE_USER);
  orma_query_filter (query, orma_is_not_null (orma_col (HELLO_TYPE_USER, "fullname")));
  orma_query_order_by (query, orma_asc (orma_col (HELLO_TYPE_USER, "name")));
  found = orma_query_all (query, &error);
  if (found == NULL)
    return fail ("querying users with a full name", error);
  g_print ("\nusers with a full name:\n");
  for (guint i = 0; i < found->len; i++)
    print_user ("  ", g_ptr_array_index (found, i));

  /* The identity map: asking for ed's key gives back the same object. */
  again = orma_session_get (session, HELLO_TYPE_USER, ed_id, &error);
  if (again == NULL)
    return fail ("getting ed by primary key", error);
  g_print ("\nget(%" G_GINT64_FORMAT ") returned %s object\n", ed_id,
           again == ed ? "the same" : "ANOTHER");

  /* A change is tracked: the commit UPDATEs only the changed column. */
  g_object_set (ed, "fullname", "Edward Jones", NULL);
  g_print ("\nrenamed ed; session dirty: %s\n",
           orma_session_is_dirty (session) ? "yes" : "no");

  /* And a delete. */
  if (!orma_session_delete (session, ORMA_ENTITY (fred), &error))
    return fail ("deleting fred", error);

  if (!orma_session_commit (session, &error))
    return fail ("committing the changes", error);
  print_user ("committed: ", ed);
  g_print ("fred is %s\n", state_name (orma_entity_get_state (ORMA_ENTITY (fred))));

  count_query = orma_session_query (session, HELLO_TYPE_USER);
  if (!orma_query_count (count_query, &count, &error))
    return fail ("counting users", error);
  g_print ("\n%" G_GINT64_FORMAT " users left in the table\n", count);

  return EXIT_SUCCESS;
}
