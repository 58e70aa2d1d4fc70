/* test-cycles.c: the unit of work where the mapper graph has a cycle:
 * the self-referential tree (rows of one table sorted one by one, in
 * levels that keep batching), rows that reference each other through a
 * post-update relationship, a cycle between rows that nothing breaks,
 * and the same statements, in the same order, for the same work.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "fixtures.h"
#include "rel-models.h"

#define INS(sql) (orma_test_is_postgresql () ? sql " RETURNING id" : sql)

#define INSERT_NODE   INS ("INSERT INTO nodes (parent_id, name) VALUES (?, ?)")
#define INSERT_WIDGET INS ("INSERT INTO widgets (name, favorite_entry_id) VALUES (?, ?)")
#define INSERT_ENTRY  INS ("INSERT INTO entries (name, widget_id) VALUES (?, ?)")
#define SELECT_CHILDREN \
  "SELECT nodes.id, nodes.parent_id, nodes.name FROM nodes WHERE nodes.parent_id = ? ORDER BY nodes.id"
#define SELECT_CHILDREN_OF_2 \
  "SELECT nodes.id, nodes.parent_id, nodes.name FROM nodes WHERE nodes.parent_id IN (?, ?) " \
  "ORDER BY nodes.id"

/* ------------------------------------------------------------ helpers */

static void
append (gpointer    owner,
        const char *name,
        gpointer    member)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaCollection) members = orma_entity_get_collection (owner, name, &error);

  orma_assert_no_error (error);
  ck_assert (orma_collection_append (members, member, &error));
  orma_assert_no_error (error);
}

static void
set_related (gpointer    owner,
             const char *name,
             gpointer    value)
{
  g_autoptr (GError) error = NULL;

  ck_assert (orma_entity_set_related (owner, name, value, &error));
  orma_assert_no_error (error);
}

static void
flush_ok (OrmaSession *session)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (orma_session_flush (session, &error), "flush failed: %s",
                 error ? error->message : "");
}

static void
commit_ok (OrmaSession *session)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (orma_session_commit (session, &error), "commit failed: %s",
                 error ? error->message : "");
}

static guint
batch_rows (OrmaEngine *engine,
            guint       statement)
{
  return g_array_index (orma_test_log_rows (engine), guint, statement);
}

static gint64
parent_id (gpointer node)
{
  gint64 value = 0;

  if (orma_entity_is_null (node, "parent-id"))
    return -1;
  g_object_get (node, "parent-id", &value, NULL);
  return value;
}

/* root -> (a, b), a -> (a1, a2), b -> (b1, b2), built bottom-up and in
 * a mixed order so that the order of appending is not the answer.
 * @nodes gets the 7 nodes: root, a, b, a1, a2, b1, b2 (referenced). */
static RelNode *
build_tree (RelNode **nodes)
{
  const char *names[] = { "root", "a", "b", "a1", "a2", "b1", "b2" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    nodes[i] = rel_node_new (names[i]);
  append (nodes[1], "children", nodes[3]);
  append (nodes[2], "children", nodes[5]);
  set_related (nodes[4], "parent", nodes[1]);
  append (nodes[2], "children", nodes[6]);
  append (nodes[0], "children", nodes[1]);
  set_related (nodes[2], "parent", nodes[0]);
  return nodes[0];
}

static void
unref_nodes (RelNode **nodes,
             guint     n)
{
  for (guint i = 0; i < n; i++)
    g_clear_object (&nodes[i]);
}

/* ------------------------------------------------------------ the tree */

/* A three-level tree in one flush: one INSERT batch per level. */
START_TEST (test_tree_insert_in_levels)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  RelNode *nodes[7];

  orma_session_add (session, ORMA_ENTITY (build_tree (nodes)));
  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine, "BEGIN", INSERT_NODE, INSERT_NODE, INSERT_NODE, NULL);
  ck_assert_uint_eq (batch_rows (engine, 1), 1);
  ck_assert_uint_eq (batch_rows (engine, 2), 2);
  ck_assert_uint_eq (batch_rows (engine, 3), 4);

  ck_assert_int_eq (parent_id (nodes[0]), -1);
  ck_assert_int_eq (parent_id (nodes[1]), rel_get_id (nodes[0]));
  ck_assert_int_eq (parent_id (nodes[2]), rel_get_id (nodes[0]));
  ck_assert_int_eq (parent_id (nodes[3]), rel_get_id (nodes[1]));
  ck_assert_int_eq (parent_id (nodes[4]), rel_get_id (nodes[1]));
  ck_assert_int_eq (parent_id (nodes[5]), rel_get_id (nodes[2]));
  ck_assert_int_eq (parent_id (nodes[6]), rel_get_id (nodes[2]));
  commit_ok (session);
  ck_assert_int_eq (orma_test_count_rows (engine, "nodes", NULL), 7);
  ck_assert_int_eq (orma_test_count_rows (engine, "nodes", "parent_id IS NULL"), 1);
  unref_nodes (nodes, 7);
}
END_TEST

/* Deleting a subtree: its rows are loaded a level at a time and deleted
 * children first; the rest of the tree stays. */
START_TEST (test_delete_subtree)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) seed = orma_session_new (engine);
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (RelNode) a = NULL;
  g_autoptr (GError) error = NULL;
  RelNode *nodes[7];
  gint64 a_id;
  g_autofree char *where = NULL;

  orma_session_add (seed, ORMA_ENTITY (build_tree (nodes)));
  flush_ok (seed);
  a_id = rel_get_id (nodes[1]);
  commit_ok (seed);
  unref_nodes (nodes, 7);

  session = orma_session_new (engine);
  a = orma_session_get (session, REL_TYPE_NODE, a_id, &error);
  orma_assert_no_error (error);
  orma_test_log_attach (engine);
  ck_assert (orma_session_delete (session, ORMA_ENTITY (a), &error));
  flush_ok (session);
  orma_test_assert_log (engine,
                        SELECT_CHILDREN,
                        SELECT_CHILDREN_OF_2,
                        "DELETE FROM nodes WHERE id = ?",
                        "DELETE FROM nodes WHERE id = ?",
                        NULL);
  ck_assert_uint_eq (batch_rows (engine, 2), 2);
  ck_assert_uint_eq (batch_rows (engine, 3), 1);
  commit_ok (session);
  ck_assert_int_eq (orma_test_count_rows (engine, "nodes", NULL), 4);
  where = g_strdup_printf ("id = %" G_GINT64_FORMAT " OR parent_id = %" G_GINT64_FORMAT, a_id, a_id);
  ck_assert_int_eq (orma_test_count_rows (engine, "nodes", where), 0);
}
END_TEST

/* An orphan of the tree (delete-orphan) goes with its own children. */
START_TEST (test_orphan_subtree)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaCollection) children = NULL;
  RelNode *nodes[7];

  orma_session_add (session, ORMA_ENTITY (build_tree (nodes)));
  flush_ok (session);
  children = orma_entity_get_collection (ORMA_ENTITY (nodes[0]), "children", &error);
  ck_assert (orma_collection_remove (children, nodes[2], &error));
  orma_test_log_attach (engine);
  flush_ok (session);
  /* b's children are in memory; theirs were never loaded, so one
   * SELECT makes sure they have none */
  orma_test_assert_log (engine,
                        SELECT_CHILDREN_OF_2,
                        "SAVEPOINT orma_flush",
                        "DELETE FROM nodes WHERE id = ?",
                        "DELETE FROM nodes WHERE id = ?",
                        "RELEASE SAVEPOINT orma_flush",
                        NULL);
  ck_assert_uint_eq (batch_rows (engine, 2), 2);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (nodes[6])), ORMA_STATE_DELETED);
  commit_ok (session);
  ck_assert_int_eq (orma_test_count_rows (engine, "nodes", NULL), 4);
  unref_nodes (nodes, 7);
}
END_TEST

/* ------------------------------------------------------------ post-update */

/* A widget and its favorite entry reference each other: INSERT, INSERT,
 * then an UPDATE writes the widget's key; deleting both first sets the
 * widget's key to NULL. */
START_TEST (test_post_update)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelWidget) widget = g_object_new (REL_TYPE_WIDGET, "name", "w", NULL);
  g_autoptr (RelEntry) e1 = g_object_new (REL_TYPE_ENTRY, "name", "e1", NULL);
  g_autoptr (RelEntry) e2 = g_object_new (REL_TYPE_ENTRY, "name", "e2", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *where = NULL;
  gint64 favorite = 0;

  append (widget, "entries", e1);
  append (widget, "entries", e2);
  set_related (widget, "favorite-entry", e1);
  orma_session_add (session, ORMA_ENTITY (widget));
  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine, "BEGIN", INSERT_WIDGET, INSERT_ENTRY,
                        "UPDATE widgets SET favorite_entry_id = ? WHERE id = ?", NULL);
  ck_assert_uint_eq (batch_rows (engine, 2), 2);
  g_object_get (widget, "favorite-entry-id", &favorite, NULL);
  ck_assert_int_eq (favorite, rel_get_id (e1));
  commit_ok (session);
  where = g_strdup_printf ("favorite_entry_id = %" G_GINT64_FORMAT, rel_get_id (e1));
  ck_assert_int_eq (orma_test_count_rows (engine, "widgets", where), 1);

  ck_assert (orma_session_delete (session, ORMA_ENTITY (e1), &error));
  ck_assert (orma_session_delete (session, ORMA_ENTITY (e2), &error));
  ck_assert (orma_session_delete (session, ORMA_ENTITY (widget), &error));
  orma_test_log_clear (engine);
  flush_ok (session);
  /* the commit expired the widget's entries: loaded to see them all */
  orma_test_assert_log (engine,
                        "SELECT entries.id, entries.name, entries.widget_id FROM entries "
                        "WHERE entries.widget_id = ? ORDER BY entries.id",
                        "UPDATE widgets SET favorite_entry_id = ? WHERE id = ?",
                        "DELETE FROM entries WHERE id = ?",
                        "DELETE FROM widgets WHERE id = ?",
                        NULL);
  ck_assert_str_eq (g_ptr_array_index (orma_test_log_params (engine), 1), "(NULL, 1)");
  commit_ok (session);
  ck_assert_int_eq (orma_test_count_rows (engine, "widgets", NULL), 0);
  ck_assert_int_eq (orma_test_count_rows (engine, "entries", NULL), 0);
}
END_TEST

/* ------------------------------------------------------------ errors */

/* Two new nodes, each the other's parent: nothing can go first. The
 * error names the rows; nothing is written; breaking the cycle lets the
 * same flush through. (Setting b's parent to NULL would not do: b
 * would be an orphan of the delete-orphan "children", and expunged.) */
START_TEST (test_unbreakable_cycle)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelNode) a = rel_node_new ("a");
  g_autoptr (RelNode) b = rel_node_new ("b");
  g_autoptr (RelNode) c = rel_node_new ("c");
  g_autoptr (GError) error = NULL;

  set_related (a, "parent", b);
  set_related (b, "parent", a);
  orma_session_add (session, ORMA_ENTITY (a));
  ck_assert (orma_session_contains (session, ORMA_ENTITY (b)));
  orma_test_log_attach (engine);
  ck_assert (!orma_session_flush (session, &error));
  orma_assert_error (error, ORMA_ERROR_INVALID_STATE);
  ck_assert_msg (strstr (error->message, "RelNode (pending) -> RelNode (pending)") != NULL,
                 "%s", error->message);
  orma_test_assert_log (engine, "BEGIN", NULL);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (a)), ORMA_STATE_PENDING);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (b)), ORMA_STATE_PENDING);

  /* b under a new root c (which joins the session with it) */
  set_related (b, "parent", c);
  ck_assert (orma_session_contains (session, ORMA_ENTITY (c)));
  orma_test_log_clear (engine);
  flush_ok (session);
  orma_test_assert_log (engine, INSERT_NODE, INSERT_NODE, INSERT_NODE, NULL);
  ck_assert_int_eq (parent_id (c), -1);
  ck_assert_int_eq (parent_id (b), rel_get_id (c));
  ck_assert_int_eq (parent_id (a), rel_get_id (b));
  commit_ok (session);
  ck_assert_int_eq (orma_test_count_rows (engine, "nodes", NULL), 3);
}
END_TEST

/* ------------------------------------------------------------ determinism */

/* The statements of a flush of several related classes, with their
 * first parameters. */
static GPtrArray *
mixed_flush_log (void)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelAddress) address = rel_address_new ("x@y");
  g_autoptr (RelUser) user = rel_user_new ("ed");
  g_autoptr (RelPost) post = g_object_new (REL_TYPE_POST, "title", "t", NULL);
  g_autoptr (RelKeyword) keyword = g_object_new (REL_TYPE_KEYWORD, "keyword", "k", NULL);
  g_autoptr (RelCustomer) customer = g_object_new (REL_TYPE_CUSTOMER, "name", "c", NULL);
  g_autoptr (RelOrder) order = g_object_new (REL_TYPE_ORDER, "item", "i", NULL);
  GPtrArray *log = g_ptr_array_new_with_free_func (g_free);
  RelNode *nodes[7];

  /* children added before their parents */
  orma_session_add (session, ORMA_ENTITY (address));
  set_related (address, "user", user);
  orma_session_add (session, ORMA_ENTITY (order));
  set_related (order, "customer", customer);
  orma_session_add (session, ORMA_ENTITY (build_tree (nodes)));
  orma_session_add (session, ORMA_ENTITY (post));
  set_related (post, "author", user);
  append (post, "keywords", keyword);
  orma_test_log_attach (engine);
  flush_ok (session);
  for (guint i = 0; i < orma_test_log_statements (engine)->len; i++)
    g_ptr_array_add (log, g_strdup_printf ("%s %s",
                                           (char *) g_ptr_array_index (orma_test_log_statements (engine), i),
                                           (char *) g_ptr_array_index (orma_test_log_params (engine), i)));
  unref_nodes (nodes, 7);
  return log;
}

START_TEST (test_deterministic_order)
{
  g_autoptr (GPtrArray) first = mixed_flush_log ();
  g_autoptr (GPtrArray) second = mixed_flush_log ();
  g_autofree char *users = orma_test_sql (INS ("INSERT INTO users (name, fullname) VALUES (?, ?)"));
  g_autofree char *addresses = orma_test_sql (INS ("INSERT INTO addresses (email, user_id) VALUES (?, ?)"));
  gint user_at = -1, address_at = -1;

  ck_assert_uint_eq (first->len, second->len);
  for (guint i = 0; i < first->len; i++)
    ck_assert_str_eq (g_ptr_array_index (first, i), g_ptr_array_index (second, i));
  /* parents first, whatever the order of add */
  for (guint i = 0; i < first->len; i++)
    {
      if (g_str_has_prefix (g_ptr_array_index (first, i), users))
        user_at = (gint) i;
      if (g_str_has_prefix (g_ptr_array_index (first, i), addresses))
        address_at = (gint) i;
    }
  ck_assert_int_ge (user_at, 0);
  ck_assert_int_gt (address_at, user_at);
  /* BEGIN, users, addresses, customers, orders, 3 node levels, posts,
   * keywords, post_keywords */
  ck_assert_uint_eq (first->len, 11);
}
END_TEST

/* ------------------------------------------------------------ review cases */

static RelNode *
get_node (OrmaSession *session,
          gint64       id)
{
  g_autoptr (GError) error = NULL;
  RelNode *node = orma_session_get (session, REL_TYPE_NODE, id, &error);

  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (node);
  return node;
}

/* root -> a -> b, committed; their ids in @ids. */
static void
seed_chain (OrmaEngine *engine,
            gint64     *ids)
{
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelNode) root = rel_node_new ("root");
  g_autoptr (RelNode) a = rel_node_new ("a");
  g_autoptr (RelNode) b = rel_node_new ("b");

  append (root, "children", a);
  append (a, "children", b);
  orma_session_add (session, ORMA_ENTITY (root));
  flush_ok (session);
  ids[0] = rel_get_id (root);
  ids[1] = rel_get_id (a);
  ids[2] = rel_get_id (b);
  commit_ok (session);
}

/* a re-parented under its former child b (b moves up to root), and a
 * new node under a: the INSERT, then one UPDATE of both rows. */
START_TEST (test_reparent_under_former_child)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (RelNode) root = NULL, a = NULL, b = NULL;
  g_autoptr (RelNode) c = rel_node_new ("c");
  gint64 ids[3];

  seed_chain (engine, ids);
  session = orma_session_new (engine);
  root = get_node (session, ids[0]);
  a = get_node (session, ids[1]);
  b = get_node (session, ids[2]);
  set_related (b, "parent", root);
  set_related (a, "parent", b);
  set_related (c, "parent", a);
  ck_assert (orma_session_contains (session, ORMA_ENTITY (c)));
  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine, INSERT_NODE, "UPDATE nodes SET parent_id = ? WHERE id = ?", NULL);
  ck_assert_uint_eq (batch_rows (engine, 1), 2);
  ck_assert_int_eq (parent_id (b), ids[0]);
  ck_assert_int_eq (parent_id (a), ids[2]);
  ck_assert_int_eq (parent_id (c), ids[1]);
  commit_ok (session);
  {
    g_autofree char *where = g_strdup_printf ("id = %" G_GINT64_FORMAT " AND parent_id = %"
                                              G_GINT64_FORMAT, ids[1], ids[2]);
    ck_assert_int_eq (orma_test_count_rows (engine, "nodes", where), 1);
  }
}
END_TEST

/* The same swap, then both deleted: the rows in the database still say
 * b is a's child, so b goes first; the swap in memory is no cycle. */
START_TEST (test_reparent_then_delete_both)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (RelNode) root = NULL, a = NULL, b = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *b_first = NULL;
  gint64 ids[3];

  seed_chain (engine, ids);
  session = orma_session_new (engine);
  root = get_node (session, ids[0]);
  a = get_node (session, ids[1]);
  b = get_node (session, ids[2]);
  set_related (b, "parent", root);
  set_related (a, "parent", b);
  ck_assert (orma_session_delete (session, ORMA_ENTITY (a), &error));
  ck_assert (orma_session_delete (session, ORMA_ENTITY (b), &error));
  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine, SELECT_CHILDREN_OF_2,
                        "DELETE FROM nodes WHERE id = ?", "DELETE FROM nodes WHERE id = ?", NULL);
  b_first = g_strdup_printf ("(%" G_GINT64_FORMAT ")", ids[2]);
  ck_assert_str_eq (g_ptr_array_index (orma_test_log_params (engine), 1), b_first);
  commit_ok (session);
  ck_assert_int_eq (orma_test_count_rows (engine, "nodes", NULL), 1);
}
END_TEST

/* root -> a -> b loaded, b moved up under root and a under b, both
 * deleted and flushed: the flush read a's children (b, by the rows)
 * before it wrote, and b's children hold a, so each holds the other. */
static void
delete_swapped_pair (OrmaEngine   *engine,
                     OrmaSession **session,
                     RelNode     **root,
                     RelNode     **a,
                     RelNode     **b)
{
  g_autoptr (GError) error = NULL;
  gint64 ids[3];

  seed_chain (engine, ids);
  *session = orma_session_new (engine);
  *root = get_node (*session, ids[0]);
  *a = get_node (*session, ids[1]);
  *b = get_node (*session, ids[2]);
  set_related (*b, "parent", *root);
  set_related (*a, "parent", *b);
  ck_assert (orma_session_delete (*session, ORMA_ENTITY (*a), &error));
  ck_assert (orma_session_delete (*session, ORMA_ENTITY (*b), &error));
  flush_ok (*session);
  ck_assert (orma_entity_is_loaded (ORMA_ENTITY (*a), "children"));
  ck_assert (orma_entity_is_loaded (ORMA_ENTITY (*b), "children"));
}

/* Drops the last references to @a and @b: both must be freed. */
static void
assert_freed (RelNode **a,
              RelNode **b)
{
  gpointer weak_a = *a, weak_b = *b;

  g_object_add_weak_pointer (G_OBJECT (weak_a), &weak_a);
  g_object_add_weak_pointer (G_OBJECT (weak_b), &weak_b);
  g_clear_object (a);
  g_clear_object (b);
  ck_assert_ptr_null (weak_a);
  ck_assert_ptr_null (weak_b);
}

/* Committed, the two detached objects let go of what names each other
 * (a's children, b's children, a's parent): reading those fails as for
 * any detached object; b's parent, which survives, stays readable
 * without SQL; and nothing keeps either alive. */
START_TEST (test_deleted_pair_let_go_at_commit)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (RelNode) root = NULL, a = NULL, b = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RelNode) parent = NULL;
  g_autoptr (OrmaCollection) children = NULL;

  delete_swapped_pair (engine, &session, &root, &a, &b);
  commit_ok (session);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (a)), ORMA_STATE_DETACHED);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (b)), ORMA_STATE_DETACHED);
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (a), "children"));
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (b), "children"));
  ck_assert (!orma_entity_is_loaded (ORMA_ENTITY (a), "parent"));

  orma_test_log_attach (engine);
  parent = orma_entity_get_related (ORMA_ENTITY (b), "parent", &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (parent, root);
  children = orma_entity_get_collection (ORMA_ENTITY (a), "children", &error);
  orma_assert_error (error, ORMA_ERROR_DETACHED);
  orma_test_assert_no_sql (engine);

  assert_freed (&a, &b);
  ck_assert_int_eq (orma_test_count_rows (engine, "nodes", NULL), 1);
}
END_TEST

/* The session closed after the flush: the rollback puts both rows back
 * and detaches the objects, which let go of each other as well. */
START_TEST (test_deleted_pair_let_go_at_close)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (RelNode) root = NULL, a = NULL, b = NULL;

  delete_swapped_pair (engine, &session, &root, &a, &b);
  orma_session_close (session);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (a)), ORMA_STATE_DETACHED);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (b)), ORMA_STATE_DETACHED);
  assert_freed (&a, &b);
  ck_assert_int_eq (orma_test_count_rows (engine, "nodes", NULL), 3);
}
END_TEST

/* A rollback after the flush restores both: persistent again, and their
 * attributes read what the database holds (the original chain). */
START_TEST (test_deleted_pair_restored_by_rollback)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (RelNode) root = NULL, a = NULL, b = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RelNode) a_parent = NULL, b_parent = NULL, child = NULL;
  g_autoptr (OrmaCollection) children = NULL;

  delete_swapped_pair (engine, &session, &root, &a, &b);
  ck_assert (orma_session_rollback (session, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (a)), ORMA_STATE_PERSISTENT);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (b)), ORMA_STATE_PERSISTENT);
  a_parent = orma_entity_get_related (ORMA_ENTITY (a), "parent", &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (a_parent, root);
  b_parent = orma_entity_get_related (ORMA_ENTITY (b), "parent", &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (b_parent, a);
  children = orma_entity_get_collection (ORMA_ENTITY (a), "children", &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (children)), 1);
  child = g_list_model_get_item (G_LIST_MODEL (children), 0);
  ck_assert_ptr_eq (child, b);
  g_clear_object (&child);
  g_clear_object (&children);
  g_clear_object (&a_parent);
  g_clear_object (&b_parent);
  orma_session_close (session);
  assert_freed (&a, &b);
}
END_TEST

/* A widget whose favorite entry is deleted: the favorite set to NULL
 * (post-update) before the entry's DELETE; then the widget deleted with
 * its favorite: the widget's key to it NULL first, the other entry set
 * free. */
START_TEST (test_post_update_one_deleted)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelWidget) widget = g_object_new (REL_TYPE_WIDGET, "name", "w", NULL);
  g_autoptr (RelEntry) e1 = g_object_new (REL_TYPE_ENTRY, "name", "e1", NULL);
  g_autoptr (RelEntry) e2 = g_object_new (REL_TYPE_ENTRY, "name", "e2", NULL);
  g_autoptr (RelEntry) e3 = g_object_new (REL_TYPE_ENTRY, "name", "e3", NULL);
  g_autoptr (GError) error = NULL;

  append (widget, "entries", e1);
  append (widget, "entries", e2);
  append (widget, "entries", e3);
  set_related (widget, "favorite-entry", e1);
  orma_session_add (session, ORMA_ENTITY (widget));
  flush_ok (session);

  /* the favorite deleted, another chosen */
  set_related (widget, "favorite-entry", e2);
  ck_assert (orma_session_delete (session, ORMA_ENTITY (e1), &error));
  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine, "SAVEPOINT orma_flush",
                        "UPDATE widgets SET favorite_entry_id = ? WHERE id = ?",
                        "DELETE FROM entries WHERE id = ?",
                        "RELEASE SAVEPOINT orma_flush", NULL);
  commit_ok (session);
  ck_assert_int_eq (orma_test_count_rows (engine, "entries", NULL), 2);

  /* the widget and its favorite deleted, e3 stays */
  ck_assert (orma_session_delete (session, ORMA_ENTITY (widget), &error));
  ck_assert (orma_session_delete (session, ORMA_ENTITY (e2), &error));
  orma_test_log_clear (engine);
  flush_ok (session);
  /* the commit ended the transaction and expired the entries */
  orma_test_assert_log (engine, "BEGIN",
                        "SELECT entries.id, entries.name, entries.widget_id FROM entries "
                        "WHERE entries.widget_id = ? ORDER BY entries.id",
                        "UPDATE entries SET widget_id = ? WHERE id = ?",
                        "UPDATE widgets SET favorite_entry_id = ? WHERE id = ?",
                        "DELETE FROM entries WHERE id = ?",
                        "DELETE FROM widgets WHERE id = ?",
                        NULL);
  commit_ok (session);
  ck_assert_int_eq (orma_test_count_rows (engine, "widgets", NULL), 0);
  ck_assert_int_eq (orma_test_count_rows (engine, "entries", "name = 'e3' AND widget_id IS NULL"), 1);
}
END_TEST

/* A wide tree: 1 root, n children, each with one child. The rows are
 * sorted in three levels, one batch each, in time linear in the rows
 * (placing a level used to scan every row for each row of the level
 * before: 100,000 x 2 rows took 16 s). */
START_TEST (test_wide_tree)
{
  g_autoptr (OrmaEngine) engine = rel_models_engine_new ();
  g_autoptr (OrmaSession) session = orma_session_new (engine);
  g_autoptr (RelNode) root = rel_node_new ("root");
  const guint n = 5000;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (RelNode) child = rel_node_new ("c");
      g_autoptr (RelNode) grandchild = rel_node_new ("g");

      set_related (grandchild, "parent", child);
      set_related (child, "parent", root);
    }
  orma_session_add (session, ORMA_ENTITY (root));
  orma_test_log_attach (engine);
  flush_ok (session);
  orma_test_assert_log (engine, "BEGIN", INSERT_NODE, INSERT_NODE, INSERT_NODE, NULL);
  ck_assert_uint_eq (batch_rows (engine, 2), n);
  ck_assert_uint_eq (batch_rows (engine, 3), n);
  commit_ok (session);
  ck_assert_int_eq (orma_test_count_rows (engine, "nodes", "parent_id IS NULL"), 1);
  ck_assert_int_eq (orma_test_count_rows (engine, "nodes", NULL), 2 * n + 1);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("cycles");
  TCase *tc = tcase_create ("cycles");

  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_tree_insert_in_levels);
  tcase_add_test (tc, test_delete_subtree);
  tcase_add_test (tc, test_orphan_subtree);
  tcase_add_test (tc, test_post_update);
  tcase_add_test (tc, test_unbreakable_cycle);
  tcase_add_test (tc, test_deterministic_order);
  tcase_add_test (tc, test_reparent_under_former_child);
  tcase_add_test (tc, test_reparent_then_delete_both);
  tcase_add_test (tc, test_deleted_pair_let_go_at_commit);
  tcase_add_test (tc, test_deleted_pair_let_go_at_close);
  tcase_add_test (tc, test_deleted_pair_restored_by_rollback);
  tcase_add_test (tc, test_post_update_one_deleted);
  tcase_add_test (tc, test_wide_tree);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return orma_test_run (make_suite ());
}
