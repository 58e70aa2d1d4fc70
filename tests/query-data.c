/* query-data.c: the small data set the query tests run against, and
 * helpers that run a query and render what it found.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "query-data.h"

const UserRow user_rows[] = {
  { "ed",    "Ed Jones",       "secret" },
  { "wendy", "Wendy Williams", NULL },
  { "mary",  "Mary Contrary",  "secret" },
  { "fred",  NULL,             "hunter2" },
  { "jack",  "Jack Bean",      NULL },
};

const ItemRow item_rows[] = {
  { "one",   1,        10,       0.5,         TRUE,  TEST_COLOR_RED },
  { "two",   2,        20,       1.5,         FALSE, TEST_COLOR_GREEN },
  { "three", 3,        30,       NULL_DOUBLE, TRUE,  TEST_COLOR_BLUE },
  { "minus", -5,       NULL_INT, -2.25,       FALSE, TEST_COLOR_BLUE },
  { "none",  NULL_INT, NULL_INT, NULL_DOUBLE, -1,    TEST_COLOR_RED },
};

OrmaEngine *query_engine;

void
query_setup (void)
{
  query_engine = orma_test_engine_new_with_tables ();
}

void
query_teardown (void)
{
  g_clear_object (&query_engine);
}

void
commit_session (OrmaSession *session)
{
  g_autoptr (GError) error = NULL;

  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
}

/* Stores the users of user_rows, in their own session. */
void
add_users (void)
{
  g_autoptr (OrmaSession) session = orma_session_new (query_engine);

  for (guint i = 0; i < G_N_ELEMENTS (user_rows); i++)
    {
      g_autoptr (TestUser) user = g_object_new (TEST_TYPE_USER,
                                                "name", user_rows[i].name,
                                                "fullname", user_rows[i].fullname,
                                                "password", user_rows[i].password,
                                                NULL);
      orma_session_add (session, ORMA_ENTITY (user));
    }
  commit_session (session);
  ck_assert_int_eq (orma_test_count_rows (query_engine, "users", NULL), G_N_ELEMENTS (user_rows));
}

/* Stores the items of item_rows, in their own session. */
void
add_items (void)
{
  g_autoptr (OrmaSession) session = orma_session_new (query_engine);

  for (guint r = 0; r < G_N_ELEMENTS (item_rows); r++)
    {
      const ItemRow *row = &item_rows[r];
      g_autoptr (TestItem) item = g_object_new (TEST_TYPE_ITEM,
                                                "s", row->label,
                                                "color", row->color,
                                                NULL);
      if (row->i != NULL_INT)
        g_object_set (item, "i", (int) row->i, NULL);
      if (row->i64 != NULL_INT)
        g_object_set (item, "i64", row->i64, NULL);
      if (row->d != NULL_DOUBLE)
        g_object_set (item, "d", row->d, NULL);
      if (row->b >= 0)
        g_object_set (item, "b", row->b, NULL);
      orma_session_add (session, ORMA_ENTITY (item));
    }
  commit_session (session);
}

char *
user_names (OrmaQuery *query)
{
  return orma_test_run_all (query, "name", FALSE);
}

char *
user_names_sorted (OrmaQuery *query)
{
  return orma_test_run_all (query, "name", TRUE);
}

gint64
query_count (OrmaQuery *query)
{
  g_autoptr (GError) error = NULL;
  gint64 count = -1;

  ck_assert (orma_query_count (query, &count, &error));
  orma_assert_no_error (error);
  return count;
}
