/* test-query.c: ORM queries: ordering, limit and offset,
 * first/one/one_or_none/count, the identity map and autoflush as queries
 * see them, streaming in chunks, and the errors a query reports instead
 * of crashing or running bad SQL. The filter operators have their own
 * program, test-query-filter.c; both use the data set of query-data.c.
 *
 * Results are compared as the names (users) or labels (items) of the
 * rows found; a query without ORDER BY is compared as a sorted set.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "query-data.h"

/* -------------------------------------------------- ordering and limits */

typedef struct {
  const char *description;
  const char *key;
  gboolean    descending;
  gint64      limit;      /* -1: none */
  gint64      offset;     /* 0: none */
  const char *expected;   /* in order */
} OrderCase;

static const OrderCase order_cases[] = {
  { "by name",                 "name",     FALSE, -1, 0, "ed,fred,jack,mary,wendy" },
  { "by name descending",      "name",     TRUE,  -1, 0, "wendy,mary,jack,fred,ed" },
  { "limit 2",                 "name",     FALSE,  2, 0, "ed,fred" },
  { "offset 3",                "name",     FALSE, -1, 3, "mary,wendy" },
  { "limit 2 offset 1",        "name",     FALSE,  2, 1, "fred,jack" },
  { "descending limit 2 offset 1", "name", TRUE,   2, 1, "mary,jack" },
  { "limit 10",                "name",     FALSE, 10, 0, "ed,fred,jack,mary,wendy" },
  { "limit 0",                 "name",     FALSE,  0, 0, "" },
  { "offset past the end",     "name",     FALSE, -1, 10, "" },
  { "limit 1 offset 4",        "name",     FALSE,  1, 4, "wendy" },
};

START_TEST (test_order_limit_offset)
{
  const OrderCase *c = &order_cases[_i];
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autofree char *found = NULL;

  add_users ();
  session = orma_session_new (query_engine);
  query = orma_session_query (session, TEST_TYPE_USER);
  orma_query_order_by (query, c->descending ? orma_desc (USER_COL (c->key))
                                            : orma_asc (USER_COL (c->key)));
  if (c->limit >= 0)
    orma_query_limit (query, c->limit);
  if (c->offset > 0)
    orma_query_offset (query, c->offset);
  found = user_names (query);
  ck_assert_msg (g_str_equal (found, c->expected), "%s: expected [%s], found [%s]",
                 c->description, c->expected, found);
}
END_TEST

START_TEST (test_order_by_plain_column_is_ascending)
{
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autofree char *found = NULL;

  add_users ();
  session = orma_session_new (query_engine);
  query = orma_session_query (session, TEST_TYPE_USER);
  orma_query_order_by (query, USER_COL ("name"));
  found = user_names (query);
  ck_assert_str_eq (found, "ed,fred,jack,mary,wendy");
}
END_TEST

/* Items with two sort keys, i and s, labelled "<i><s>". */
static void
add_sort_items (void)
{
  static const struct { int i; const char *s; } rows[] = {
    { 1, "b" }, { 2, "a" }, { 1, "a" }, { 2, "c" }, { 1, "c" }, { 3, "a" },
  };
  g_autoptr (OrmaSession) session = orma_session_new (query_engine);

  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      g_autoptr (TestItem) item = g_object_new (TEST_TYPE_ITEM,
                                                "i", rows[r].i, "s", rows[r].s, NULL);
      orma_session_add (session, ORMA_ENTITY (item));
    }
  commit_session (session);
}

static char *
sort_labels (OrmaQuery *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = orma_query_all (query, &error);
  g_autoptr (GString) out = g_string_new (NULL);

  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (results);
  for (guint r = 0; r < results->len; r++)
    {
      g_autofree char *s = NULL;
      int i = 0;

      g_object_get (g_ptr_array_index (results, r), "i", &i, "s", &s, NULL);
      g_string_append_printf (out, "%s%d%s", r > 0 ? "," : "", i, s);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

START_TEST (test_order_by_several_keys)
{
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) asc_desc = NULL;
  g_autoptr (OrmaQuery) desc_asc = NULL;
  g_autoptr (OrmaQuery) s_then_i = NULL;
  g_autofree char *found_asc_desc = NULL;
  g_autofree char *found_desc_asc = NULL;
  g_autofree char *found_s_then_i = NULL;

  add_sort_items ();
  session = orma_session_new (query_engine);

  asc_desc = orma_session_query (session, TEST_TYPE_ITEM);
  orma_query_order_by (asc_desc, orma_asc (ITEM_COL ("i")));
  orma_query_order_by (asc_desc, orma_desc (ITEM_COL ("s")));
  found_asc_desc = sort_labels (asc_desc);
  ck_assert_str_eq (found_asc_desc, "1c,1b,1a,2c,2a,3a");

  desc_asc = orma_session_query (session, TEST_TYPE_ITEM);
  orma_query_order_by (desc_asc, orma_desc (ITEM_COL ("i")));
  orma_query_order_by (desc_asc, orma_asc (ITEM_COL ("s")));
  found_desc_asc = sort_labels (desc_asc);
  ck_assert_str_eq (found_desc_asc, "3a,2a,2c,1a,1b,1c");

  s_then_i = orma_session_query (session, TEST_TYPE_ITEM);
  orma_query_order_by (s_then_i, orma_asc (ITEM_COL ("s")));
  orma_query_order_by (s_then_i, orma_desc (ITEM_COL ("i")));
  orma_query_limit (s_then_i, 4);
  orma_query_offset (s_then_i, 1);
  found_s_then_i = sort_labels (s_then_i);
  ck_assert_str_eq (found_s_then_i, "2a,1a,1b,2c");
}
END_TEST

/* ------------------------------------------- first, one, one_or_none */

START_TEST (test_first)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) empty_table = NULL;
  g_autoptr (OrmaQuery) no_match = NULL;
  g_autoptr (OrmaQuery) ordered = NULL;
  g_autoptr (TestItem) no_item = NULL;
  g_autoptr (TestUser) no_user = NULL;
  g_autoptr (TestUser) last = NULL;
  g_autofree char *name = NULL;

  add_users ();
  session = orma_session_new (query_engine);

  /* an empty table: NULL, and no error */
  empty_table = orma_session_query (session, TEST_TYPE_ITEM);
  no_item = orma_query_first (empty_table, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_null (no_item);

  no_match = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter (no_match, orma_eq (USER_COL ("name"), orma_str ("nobody")));
  no_user = orma_query_first (no_match, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_null (no_user);

  ordered = orma_session_query (session, TEST_TYPE_USER);
  orma_query_order_by (ordered, orma_desc (USER_COL ("name")));
  last = orma_query_first (ordered, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (last);
  g_object_get (last, "name", &name, NULL);
  ck_assert_str_eq (name, "wendy");
}
END_TEST

typedef struct {
  const char *description;
  const char *like;         /* a pattern for name */
  gboolean    or_none;      /* one_or_none() rather than one() */
  int         code;         /* the error expected, or -1 */
  const char *expected;     /* the name found, or NULL */
} OneCase;

static const OneCase one_cases[] = {
  { "one, none",          "nobody%", FALSE, ORMA_ERROR_NOT_FOUND,        NULL },
  { "one, exactly one",   "wen%",    FALSE, -1,                          "wendy" },
  { "one, several",       "%e%",     FALSE, ORMA_ERROR_MULTIPLE_RESULTS, NULL },
  { "one, all",           "%",       FALSE, ORMA_ERROR_MULTIPLE_RESULTS, NULL },
  { "one_or_none, none",  "nobody%", TRUE,  -1,                          NULL },
  { "one_or_none, one",   "ja%",     TRUE,  -1,                          "jack" },
  { "one_or_none, several", "%r%",   TRUE,  ORMA_ERROR_MULTIPLE_RESULTS, NULL },
};

START_TEST (test_one_and_one_or_none)
{
  const OneCase *c = &one_cases[_i];
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autoptr (TestUser) user = NULL;

  add_users ();
  session = orma_session_new (query_engine);
  query = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter (query, orma_like (USER_COL ("name"), orma_str (c->like)));
  user = c->or_none ? orma_query_one_or_none (query, &error) : orma_query_one (query, &error);

  if (c->code >= 0)
    {
      ck_assert_msg (user == NULL, "%s: an object was returned with the error", c->description);
      orma_assert_error (error, c->code);
    }
  else if (c->expected == NULL)
    {
      orma_assert_no_error (error);
      ck_assert_ptr_null (user);
    }
  else
    {
      g_autofree char *name = NULL;

      orma_assert_no_error (error);
      ck_assert_ptr_nonnull (user);
      g_object_get (user, "name", &name, NULL);
      ck_assert_str_eq (name, c->expected);
    }
}
END_TEST

/* --------------------------------------------------------------- count */

typedef struct {
  const char *description;
  const char *like;       /* a pattern for name, or NULL */
  gint64      limit;      /* -1: none */
  gint64      offset;
  gint64      expected;
} CountCase;

static const CountCase count_cases[] = {
  { "all",                    NULL,      -1, 0, 5 },
  { "filtered",               "%e%",     -1, 0, 3 },
  { "filtered, none",         "nobody%", -1, 0, 0 },
  { "limit below the total",  NULL,       2, 0, 2 },
  { "limit above the total",  NULL,      10, 0, 5 },
  { "limit 0",                NULL,       0, 0, 0 },
  { "offset only",            NULL,      -1, 3, 2 },
  { "offset past the end",    NULL,      -1, 9, 0 },
  { "limit and offset",       NULL,       2, 4, 1 },
  { "filtered, limit",        "%e%",      2, 0, 2 },
  { "filtered, offset",       "%e%",     -1, 1, 2 },
};

START_TEST (test_count)
{
  const CountCase *c = &count_cases[_i];
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = NULL;
  gint64 count;

  add_users ();
  session = orma_session_new (query_engine);
  query = orma_session_query (session, TEST_TYPE_USER);
  if (c->like != NULL)
    orma_query_filter (query, orma_like (USER_COL ("name"), orma_str (c->like)));
  if (c->limit >= 0)
    orma_query_limit (query, c->limit);
  if (c->offset > 0)
    orma_query_offset (query, c->offset);
  orma_query_order_by (query, USER_COL ("name"));

  count = query_count (query);
  ck_assert_msg (count == c->expected, "%s: expected %" G_GINT64_FORMAT ", counted %"
                 G_GINT64_FORMAT, c->description, c->expected, count);

  /* the count agrees with the rows the same query returns */
  all = orma_query_all (query, &error);
  orma_assert_no_error (error);
  ck_assert_int_eq (all->len, c->expected);
}
END_TEST

/* ----------------------------------------------------- identity map */

START_TEST (test_identity_across_queries)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) by_name = NULL;
  g_autoptr (OrmaQuery) all = NULL;
  g_autoptr (OrmaQuery) by_fullname = NULL;
  g_autoptr (TestUser) ed = NULL;
  g_autoptr (TestUser) again = NULL;
  g_autoptr (TestUser) got = NULL;
  g_autoptr (GPtrArray) everyone = NULL;
  gint64 id = 0;
  guint seen = 0;

  add_users ();
  session = orma_session_new (query_engine);

  by_name = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter_by (by_name, "name", "ed", NULL);
  ed = orma_query_one (by_name, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (ed);

  all = orma_session_query (session, TEST_TYPE_USER);
  everyone = orma_query_all (all, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (everyone->len, G_N_ELEMENTS (user_rows));
  for (guint i = 0; i < everyone->len; i++)
    {
      if (g_ptr_array_index (everyone, i) == (gpointer) ed)
        seen++;
    }
  ck_assert_uint_eq (seen, 1);

  by_fullname = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter (by_fullname, orma_eq (USER_COL ("fullname"), orma_str ("Ed Jones")));
  again = orma_query_first (by_fullname, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (again, ed);

  g_object_get (ed, "id", &id, NULL);
  ck_assert_int_gt (id, 0);
  got = orma_session_get (session, TEST_TYPE_USER, id, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (got, ed);

  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (ed)), ORMA_STATE_PERSISTENT);
  ck_assert_ptr_eq (orma_entity_get_session (ORMA_ENTITY (ed)), session);
}
END_TEST

START_TEST (test_other_session_other_object)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) first = NULL;
  g_autoptr (OrmaSession) second = NULL;
  g_autoptr (OrmaQuery) q1 = NULL;
  g_autoptr (OrmaQuery) q2 = NULL;
  g_autoptr (TestUser) a = NULL;
  g_autoptr (TestUser) b = NULL;

  add_users ();
  first = orma_session_new (query_engine);
  second = orma_session_new (query_engine);
  q1 = orma_session_query (first, TEST_TYPE_USER);
  orma_query_filter_by (q1, "name", "mary", NULL);
  q2 = orma_session_query (second, TEST_TYPE_USER);
  orma_query_filter_by (q2, "name", "mary", NULL);
  a = orma_query_one (q1, &error);
  orma_assert_no_error (error);
  b = orma_query_one (q2, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (a);
  ck_assert_ptr_nonnull (b);
  ck_assert_ptr_ne (a, b);
}
END_TEST

START_TEST (test_unflushed_changes_survive_query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) load = NULL;
  g_autoptr (OrmaQuery) by_old_value = NULL;
  g_autoptr (OrmaQuery) everyone = NULL;
  g_autoptr (TestUser) ed = NULL;
  g_autoptr (TestUser) found = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autofree char *fullname = NULL;
  g_autofree char *password = NULL;

  add_users ();
  session = orma_session_new (query_engine);
  /* without autoflush the change stays in memory only */
  orma_session_set_autoflush (session, FALSE);

  load = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter_by (load, "name", "ed", NULL);
  ed = orma_query_one (load, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_nonnull (ed);

  g_object_set (ed, "fullname", "Edward Jones", NULL);
  ck_assert (orma_entity_is_modified (ORMA_ENTITY (ed)));

  /* the row still holds the old value, so the query on it finds ed;
   * the object returned keeps the unflushed value */
  by_old_value = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter (by_old_value, orma_eq (USER_COL ("fullname"), orma_str ("Ed Jones")));
  found = orma_query_one (by_old_value, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (found, ed);
  g_object_get (found, "fullname", &fullname, "password", &password, NULL);
  ck_assert_str_eq (fullname, "Edward Jones");
  ck_assert_str_eq (password, "secret");
  ck_assert (orma_entity_is_modified (ORMA_ENTITY (ed)));

  everyone = orma_session_query (session, TEST_TYPE_USER);
  all = orma_query_all (everyone, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (all->len, G_N_ELEMENTS (user_rows));
  g_clear_pointer (&fullname, g_free);
  g_object_get (ed, "fullname", &fullname, NULL);
  ck_assert_str_eq (fullname, "Edward Jones");

  /* the change was not written; a commit writes it */
  ck_assert_int_eq (orma_test_count_rows (query_engine, "users", "fullname = 'Edward Jones'"), 0);
  commit_session (session);
  ck_assert_int_eq (orma_test_count_rows (query_engine, "users", "fullname = 'Edward Jones'"), 1);
}
END_TEST

/* ------------------------------------------------------------ autoflush */

START_TEST (test_autoflush_pending_found)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autoptr (OrmaQuery) count = NULL;
  g_autoptr (TestUser) zoe = g_object_new (TEST_TYPE_USER, "name", "zoe", NULL);
  g_autoptr (TestUser) found = NULL;

  add_users ();
  session = orma_session_new (query_engine);
  ck_assert (orma_session_get_autoflush (session));
  orma_session_add (session, ORMA_ENTITY (zoe));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (zoe)), ORMA_STATE_PENDING);

  query = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter_by (query, "name", "zoe", NULL);
  found = orma_query_one (query, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (found, zoe);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (zoe)), ORMA_STATE_PERSISTENT);

  count = orma_session_query (session, TEST_TYPE_USER);
  ck_assert_int_eq (query_count (count), G_N_ELEMENTS (user_rows) + 1);
}
END_TEST

START_TEST (test_autoflush_dirty_found)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) load = NULL;
  g_autoptr (OrmaQuery) by_new_value = NULL;
  g_autoptr (TestUser) fred = NULL;
  g_autoptr (TestUser) found = NULL;

  add_users ();
  session = orma_session_new (query_engine);
  load = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter_by (load, "name", "fred", NULL);
  fred = orma_query_one (load, &error);
  orma_assert_no_error (error);

  g_object_set (fred, "fullname", "Fred Flintstone", NULL);
  by_new_value = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter (by_new_value,
                     orma_eq (USER_COL ("fullname"), orma_str ("Fred Flintstone")));
  found = orma_query_one (by_new_value, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (found, fred);
  ck_assert (!orma_entity_is_modified (ORMA_ENTITY (fred)));
}
END_TEST

START_TEST (test_no_autoflush_pending_not_found)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autoptr (OrmaQuery) count = NULL;
  g_autoptr (OrmaQuery) after_flush = NULL;
  g_autoptr (TestUser) yan = g_object_new (TEST_TYPE_USER, "name", "yan", NULL);
  g_autoptr (TestUser) found = NULL;
  g_autoptr (TestUser) found_later = NULL;

  add_users ();
  session = orma_session_new (query_engine);
  orma_session_set_autoflush (session, FALSE);
  ck_assert (!orma_session_get_autoflush (session));
  orma_session_add (session, ORMA_ENTITY (yan));

  query = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter_by (query, "name", "yan", NULL);
  found = orma_query_first (query, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_null (found);
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (yan)), ORMA_STATE_PENDING);

  count = orma_session_query (session, TEST_TYPE_USER);
  ck_assert_int_eq (query_count (count), G_N_ELEMENTS (user_rows));
  ck_assert_int_eq (orma_entity_get_state (ORMA_ENTITY (yan)), ORMA_STATE_PENDING);

  /* an explicit flush writes it, and the same query finds it */
  ck_assert (orma_session_flush (session, &error));
  orma_assert_no_error (error);
  after_flush = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter_by (after_flush, "name", "yan", NULL);
  found_later = orma_query_one (after_flush, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (found_later, yan);
}
END_TEST

/* ------------------------------------------------------ foreach_chunk */

#define N_CHUNK_ROWS 2500

static void
add_numbered_items (void)
{
  g_autoptr (OrmaSession) session = orma_session_new (query_engine);

  for (int i = 0; i < N_CHUNK_ROWS; i++)
    {
      g_autoptr (TestItem) item = g_object_new (TEST_TYPE_ITEM, "i", i, NULL);
      orma_session_add (session, ORMA_ENTITY (item));
    }
  commit_session (session);
  ck_assert_int_eq (orma_test_count_rows (query_engine, "items", NULL), N_CHUNK_ROWS);
}

typedef struct {
  GArray   *sizes;        /* guint, one per call */
  int       next_i;       /* the i the next object must have */
  guint     stop_after;   /* return FALSE on this call (1-based); 0: never */
  gpointer  watched;      /* weak: the first object of the first chunk */
  gboolean  watched_gone_at_second_call;
} ChunkLog;

static gboolean
record_chunk (GPtrArray *entities,
              gpointer   user_data)
{
  ChunkLog *log = user_data;
  guint call;

  g_array_append_val (log->sizes, entities->len);
  call = log->sizes->len;

  for (guint k = 0; k < entities->len; k++)
    {
      int i = -1;

      ck_assert (TEST_IS_ITEM (g_ptr_array_index (entities, k)));
      g_object_get (g_ptr_array_index (entities, k), "i", &i, NULL);
      ck_assert_int_eq (i, log->next_i);
      log->next_i++;
    }

  if (call == 1)
    {
      log->watched = g_ptr_array_index (entities, 0);
      g_object_add_weak_pointer (log->watched, &log->watched);
    }
  else if (call == 2)
    log->watched_gone_at_second_call = log->watched == NULL;

  return call != log->stop_after;
}

static void
chunk_log_clear (ChunkLog *log)
{
  if (log->watched != NULL)
    g_object_remove_weak_pointer (log->watched, &log->watched);
  g_clear_pointer (&log->sizes, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChunkLog, chunk_log_clear)

static void
run_chunks (OrmaSession *session,
            ChunkLog    *log)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaQuery) query = orma_session_query (session, TEST_TYPE_ITEM);

  orma_query_order_by (query, ITEM_COL ("i"));
  ck_assert (orma_query_foreach_chunk (query, 1000, record_chunk, log, &error));
  orma_assert_no_error (error);
}

START_TEST (test_foreach_chunk)
{
  g_autoptr (OrmaSession) session = NULL;
  g_auto (ChunkLog) log = { g_array_new (FALSE, FALSE, sizeof (guint)), 0, 0, NULL, FALSE };

  add_numbered_items ();
  session = orma_session_new (query_engine);
  run_chunks (session, &log);

  ck_assert_uint_eq (log.sizes->len, 3);
  ck_assert_uint_eq (g_array_index (log.sizes, guint, 0), 1000);
  ck_assert_uint_eq (g_array_index (log.sizes, guint, 1), 1000);
  ck_assert_uint_eq (g_array_index (log.sizes, guint, 2), 500);
  ck_assert_int_eq (log.next_i, N_CHUNK_ROWS);

  /* the objects of a chunk are released once its call returned */
  ck_assert_msg (log.watched_gone_at_second_call,
                 "an object of the first chunk was still alive during the second");
  ck_assert_ptr_null (log.watched);
}
END_TEST

START_TEST (test_foreach_chunk_stops_early)
{
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) count = NULL;
  g_auto (ChunkLog) first_only = { g_array_new (FALSE, FALSE, sizeof (guint)), 0, 1, NULL, FALSE };
  g_auto (ChunkLog) two = { g_array_new (FALSE, FALSE, sizeof (guint)), 0, 2, NULL, FALSE };

  add_numbered_items ();
  session = orma_session_new (query_engine);

  run_chunks (session, &first_only);
  ck_assert_uint_eq (first_only.sizes->len, 1);
  ck_assert_uint_eq (g_array_index (first_only.sizes, guint, 0), 1000);

  /* the session is usable again after a stream stopped early */
  run_chunks (session, &two);
  ck_assert_uint_eq (two.sizes->len, 2);
  ck_assert_uint_eq (g_array_index (two.sizes, guint, 1), 1000);
  ck_assert_int_eq (two.next_i, 2000);

  count = orma_session_query (session, TEST_TYPE_ITEM);
  ck_assert_int_eq (query_count (count), N_CHUNK_ROWS);
}
END_TEST

START_TEST (test_foreach_chunk_with_filter_and_limit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_auto (ChunkLog) log = { g_array_new (FALSE, FALSE, sizeof (guint)), 100, 0, NULL, FALSE };

  add_numbered_items ();
  session = orma_session_new (query_engine);
  query = orma_session_query (session, TEST_TYPE_ITEM);
  orma_query_filter (query, orma_ge (ITEM_COL ("i"), orma_int (100)));
  orma_query_order_by (query, ITEM_COL ("i"));
  orma_query_limit (query, 250);
  ck_assert (orma_query_foreach_chunk (query, 100, record_chunk, &log, &error));
  orma_assert_no_error (error);

  ck_assert_uint_eq (log.sizes->len, 3);
  ck_assert_uint_eq (g_array_index (log.sizes, guint, 0), 100);
  ck_assert_uint_eq (g_array_index (log.sizes, guint, 1), 100);
  ck_assert_uint_eq (g_array_index (log.sizes, guint, 2), 50);
  ck_assert_int_eq (log.next_i, 350);
}
END_TEST

/* -------------------------------------------------------------- errors */

START_TEST (test_query_on_closed_session)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) made_before = NULL;
  g_autoptr (OrmaQuery) made_after = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (TestUser) first = NULL;
  g_autoptr (TestUser) one = NULL;
  gint64 count = -1;

  add_users ();
  session = orma_session_new (query_engine);
  made_before = orma_session_query (session, TEST_TYPE_USER);
  orma_session_close (session);
  made_after = orma_session_query (session, TEST_TYPE_USER);

  all = orma_query_all (made_before, &error);
  ck_assert_ptr_null (all);
  orma_assert_error (error, ORMA_ERROR_SESSION_CLOSED);
  g_clear_error (&error);

  first = orma_query_first (made_after, &error);
  ck_assert_ptr_null (first);
  orma_assert_error (error, ORMA_ERROR_SESSION_CLOSED);
  g_clear_error (&error);

  one = orma_query_one (made_after, &error);
  ck_assert_ptr_null (one);
  orma_assert_error (error, ORMA_ERROR_SESSION_CLOSED);
  g_clear_error (&error);

  ck_assert (!orma_query_count (made_after, &count, &error));
  orma_assert_error (error, ORMA_ERROR_SESSION_CLOSED);
  ck_assert_int_eq (count, -1);
}
END_TEST

/* Builds a broken query on @query. */
typedef void (*BreakFunc) (OrmaQuery *query);

typedef struct {
  const char *description;
  BreakFunc   breaker;
  int         code;
} BadQueryCase;

static void
unknown_column_in_filter (OrmaQuery *query)
{
  orma_query_filter (query, orma_eq (USER_COL ("no_such_column"), orma_str ("x")));
}

static void
unknown_column_nested (OrmaQuery *query)
{
  orma_query_filter (query, orma_or (orma_eq (USER_COL ("name"), orma_str ("ed")),
                                     orma_not (orma_is_null (USER_COL ("nickname"))),
                                     NULL));
}

static void
unknown_column_in_order_by (OrmaQuery *query)
{
  orma_query_order_by (query, orma_desc (USER_COL ("age")));
}

static void
unknown_property_in_filter_by (OrmaQuery *query)
{
  orma_query_filter_by (query, "name", "ed", "no_such_property", "x", NULL);
}

static void
wrong_type_in_filter_by_value (OrmaQuery *query)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, "not a number");
  orma_query_filter_by_value (query, "id", &value);
}

static void
not_whole_in_filter_by_value (OrmaQuery *query)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_DOUBLE);
  g_value_set_double (&value, 1.5);
  orma_query_filter_by_value (query, "id", &value);
}

static void
null_left_operand (OrmaQuery *query)
{
  orma_query_filter (query, orma_eq (NULL, orma_int (1)));
}

static void
null_right_operand (OrmaQuery *query)
{
  orma_query_filter (query, orma_like (USER_COL ("name"), NULL));
}

static void
null_under_not (OrmaQuery *query)
{
  orma_query_filter (query, orma_not (NULL));
}

static void
null_under_is_null (OrmaQuery *query)
{
  orma_query_filter (query, orma_is_null (NULL));
}

static void
null_deep_inside (OrmaQuery *query)
{
  orma_query_filter (query, orma_and (orma_eq (USER_COL ("name"), orma_str ("ed")),
                                      orma_or (orma_lt (NULL, orma_int (3)),
                                               orma_is_null (USER_COL ("fullname")),
                                               NULL),
                                      NULL));
}

static void
null_in_order_by (OrmaQuery *query)
{
  orma_query_order_by (query, orma_desc (NULL));
}

static void
error_after_good_filter (OrmaQuery *query)
{
  /* the first mistake counts even when later calls are fine */
  orma_query_filter (query, orma_eq (NULL, orma_int (1)));
  orma_query_filter (query, orma_eq (USER_COL ("name"), orma_str ("ed")));
  orma_query_limit (query, 1);
}

static const BadQueryCase bad_query_cases[] = {
  { "unknown column in filter",     unknown_column_in_filter,       ORMA_ERROR_UNKNOWN_PROPERTY },
  { "unknown column nested",        unknown_column_nested,          ORMA_ERROR_UNKNOWN_PROPERTY },
  { "unknown column in order_by",   unknown_column_in_order_by,     ORMA_ERROR_UNKNOWN_PROPERTY },
  { "unknown property in filter_by", unknown_property_in_filter_by, ORMA_ERROR_UNKNOWN_PROPERTY },
  { "string for an int64 key",      wrong_type_in_filter_by_value,  ORMA_ERROR_TYPE_MISMATCH },
  { "1.5 for an int64 key",         not_whole_in_filter_by_value, ORMA_ERROR_TYPE_MISMATCH },
  { "NULL left operand",            null_left_operand,              ORMA_ERROR_INVALID_QUERY },
  { "NULL right operand",           null_right_operand,             ORMA_ERROR_INVALID_QUERY },
  { "NULL under NOT",               null_under_not,                 ORMA_ERROR_INVALID_QUERY },
  { "NULL under IS NULL",           null_under_is_null,             ORMA_ERROR_INVALID_QUERY },
  { "NULL deep inside",             null_deep_inside,               ORMA_ERROR_INVALID_QUERY },
  { "NULL in order_by",             null_in_order_by,               ORMA_ERROR_INVALID_QUERY },
  { "error before good calls",      error_after_good_filter,        ORMA_ERROR_INVALID_QUERY },
};

/* Every way of running the query reports the error, and no SQL runs. */
START_TEST (test_bad_query)
{
  const BadQueryCase *c = &bad_query_cases[_i];
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (TestUser) first = NULL;
  g_autoptr (TestUser) one_or_none = NULL;
  gint64 count = -1;

  add_users ();
  session = orma_session_new (query_engine);
  query = orma_session_query (session, TEST_TYPE_USER);
  c->breaker (query);

  orma_test_log_attach (query_engine);
  orma_test_log_clear (query_engine);

  all = orma_query_all (query, &error);
  ck_assert_msg (all == NULL, "%s: the query ran", c->description);
  orma_assert_error (error, c->code);
  g_clear_error (&error);

  first = orma_query_first (query, &error);
  ck_assert_ptr_null (first);
  orma_assert_error (error, c->code);
  g_clear_error (&error);

  one_or_none = orma_query_one_or_none (query, &error);
  ck_assert_ptr_null (one_or_none);
  orma_assert_error (error, c->code);
  g_clear_error (&error);

  ck_assert_msg (!orma_query_count (query, &count, &error),
                 "%s: orma_query_count() ran and counted %" G_GINT64_FORMAT,
                 c->description, count);
  orma_assert_error (error, c->code);

  /* no SELECT reached the database */
  for (guint i = 0; i < orma_test_log_statements (query_engine)->len; i++)
    {
      const char *sql = g_ptr_array_index (orma_test_log_statements (query_engine), i);

      ck_assert_msg (!g_str_has_prefix (sql, "SELECT"), "%s: ran %s", c->description, sql);
    }
}
END_TEST

/* -------------------------------------------------------- bound values */

static const char *const hostile_values[] = {
  "x' OR '1'='1",
  "' OR 1=1 --",
  "ed' --",
  "ed'; DELETE FROM users; --",
  "%",
};

START_TEST (test_values_are_bound)
{
  const char *hostile = hostile_values[_i];
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) by_filter = NULL;
  g_autoptr (OrmaQuery) by_filter_by = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (TestUser) found_by = NULL;
  GPtrArray *statements;

  add_users ();
  session = orma_session_new (query_engine);
  orma_test_log_attach (query_engine);
  orma_test_log_clear (query_engine);

  by_filter = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter (by_filter, orma_eq (USER_COL ("name"), orma_str (hostile)));
  found = orma_query_all (by_filter, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (found->len, 0);

  by_filter_by = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter_by (by_filter_by, "password", hostile, NULL);
  found_by = orma_query_first (by_filter_by, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_null (found_by);

  /* the value never became part of the SQL text */
  statements = orma_test_log_statements (query_engine);
  ck_assert_uint_gt (statements->len, 0);
  for (guint i = 0; i < statements->len; i++)
    {
      const char *sql = g_ptr_array_index (statements, i);

      ck_assert_msg (strstr (sql, hostile) == NULL, "the value is in the SQL: %s", sql);
    }

  ck_assert_int_eq (orma_test_count_rows (query_engine, "users", NULL), G_N_ELEMENTS (user_rows));
}
END_TEST

/* ------------------------------------------------------------ echo log */

START_TEST (test_echo_log_of_filtered_query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) filtered = NULL;
  g_autoptr (OrmaQuery) paged = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GPtrArray) page = NULL;
  GPtrArray *params;

  add_users ();
  session = orma_session_new (query_engine);
  /* a first query begins the session's transaction before the log is
   * attached: what follows is the statements of one query alone */
  {
    g_autoptr (OrmaQuery) warm = orma_session_query (session, TEST_TYPE_USER);
    g_autoptr (TestUser) nobody = NULL;

    orma_query_filter_by (warm, "name", "nobody", NULL);
    nobody = orma_query_first (warm, &error);
    orma_assert_no_error (error);
  }

  orma_test_log_attach (query_engine);
  orma_test_log_clear (query_engine);

  filtered = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter (filtered, orma_eq (USER_COL ("name"), orma_str ("ed")));
  found = orma_query_all (filtered, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (found->len, 1);

  orma_test_assert_log (query_engine,
                        "SELECT users.id, users.name, users.fullname, users.password "
                        "FROM users WHERE users.name = ?",
                        NULL);
  params = orma_test_log_params (query_engine);
  ck_assert_str_eq (g_ptr_array_index (params, 0), "('ed')");

  orma_test_log_clear (query_engine);
  paged = orma_session_query (session, TEST_TYPE_USER);
  orma_query_order_by (paged, orma_desc (USER_COL ("id")));
  orma_query_limit (paged, 2);
  orma_query_offset (paged, 1);
  page = orma_query_all (paged, &error);
  orma_assert_no_error (error);
  ck_assert_uint_eq (page->len, 2);

  orma_test_assert_log (query_engine,
                        "SELECT users.id, users.name, users.fullname, users.password "
                        "FROM users ORDER BY users.id DESC LIMIT ? OFFSET ?",
                        NULL);
  ck_assert_str_eq (g_ptr_array_index (orma_test_log_params (query_engine), 0), "(2, 1)");
}
END_TEST

/* ---------------------------------------------------------------- suite */

static Suite *
query_suite (void)
{
  Suite *suite = suite_create ("query");
  TCase *tc;

  tc = tcase_create ("order-limit");
  tcase_add_checked_fixture (tc, query_setup, query_teardown);
  tcase_add_loop_test (tc, test_order_limit_offset, 0, G_N_ELEMENTS (order_cases));
  tcase_add_test (tc, test_order_by_plain_column_is_ascending);
  tcase_add_test (tc, test_order_by_several_keys);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("results");
  tcase_add_checked_fixture (tc, query_setup, query_teardown);
  tcase_add_test (tc, test_first);
  tcase_add_loop_test (tc, test_one_and_one_or_none, 0, G_N_ELEMENTS (one_cases));
  tcase_add_loop_test (tc, test_count, 0, G_N_ELEMENTS (count_cases));
  suite_add_tcase (suite, tc);

  tc = tcase_create ("session");
  tcase_add_checked_fixture (tc, query_setup, query_teardown);
  tcase_add_test (tc, test_identity_across_queries);
  tcase_add_test (tc, test_other_session_other_object);
  tcase_add_test (tc, test_unflushed_changes_survive_query);
  tcase_add_test (tc, test_autoflush_pending_found);
  tcase_add_test (tc, test_autoflush_dirty_found);
  tcase_add_test (tc, test_no_autoflush_pending_not_found);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("chunks");
  tcase_add_checked_fixture (tc, query_setup, query_teardown);
  tcase_add_test (tc, test_foreach_chunk);
  tcase_add_test (tc, test_foreach_chunk_stops_early);
  tcase_add_test (tc, test_foreach_chunk_with_filter_and_limit);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("errors");
  tcase_add_checked_fixture (tc, query_setup, query_teardown);
  tcase_add_test (tc, test_query_on_closed_session);
  tcase_add_loop_test (tc, test_bad_query, 0, G_N_ELEMENTS (bad_query_cases));
  tcase_add_loop_test (tc, test_values_are_bound, 0, G_N_ELEMENTS (hostile_values));
  suite_add_tcase (suite, tc);

  tc = tcase_create ("echo");
  tcase_add_checked_fixture (tc, query_setup, query_teardown);
  tcase_add_test (tc, test_echo_log_of_filtered_query);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return orma_test_run (query_suite ());
}
