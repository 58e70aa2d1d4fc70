/* test-query-filter.c: every filter operator on the shared data set
 * (query-data.c), as tables of condition -> rows found, and filter_by.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "query-data.h"

/* ------------------------------------------------------------- filters */

typedef struct {
  const char *description;
  OrmaExpr *(*condition) (void);
  const char *expected;   /* sorted names */
} FilterCase;

static OrmaExpr *
user_eq (void)
{
  return orma_eq (USER_COL ("name"), orma_str ("ed"));
}

static OrmaExpr *
user_ne (void)
{
  return orma_ne (USER_COL ("name"), orma_str ("ed"));
}

static OrmaExpr *
user_ne_skips_null (void)
{
  /* NULL != 'secret' is not true: wendy and jack are not found */
  return orma_ne (USER_COL ("password"), orma_str ("secret"));
}

static OrmaExpr *
user_lt (void)
{
  return orma_lt (USER_COL ("name"), orma_str ("fred"));
}

static OrmaExpr *
user_le (void)
{
  return orma_le (USER_COL ("name"), orma_str ("fred"));
}

static OrmaExpr *
user_gt (void)
{
  return orma_gt (USER_COL ("name"), orma_str ("mary"));
}

static OrmaExpr *
user_ge (void)
{
  return orma_ge (USER_COL ("name"), orma_str ("mary"));
}

static OrmaExpr *
user_like_contains (void)
{
  return orma_like (USER_COL ("name"), orma_str ("%e%"));
}

static OrmaExpr *
user_like_prefix (void)
{
  return orma_like (USER_COL ("fullname"), orma_str ("Ma%"));
}

static OrmaExpr *
user_like_one_char (void)
{
  return orma_like (USER_COL ("name"), orma_str ("_d"));
}

static OrmaExpr *
user_in (void)
{
  return orma_in (USER_COL ("name"), orma_str ("ed"), orma_str ("mary"), orma_str ("nobody"),
                  NULL);
}

static OrmaExpr *
user_in_one (void)
{
  return orma_in (USER_COL ("name"), orma_str ("fred"), NULL);
}

static OrmaExpr *
user_in_array (void)
{
  OrmaExpr *items[] = { orma_str ("jack"), orma_str ("wendy") };

  return orma_in_array (USER_COL ("name"), items, G_N_ELEMENTS (items));
}

static OrmaExpr *
user_not_in (void)
{
  return orma_not_in (USER_COL ("name"), orma_str ("ed"), orma_str ("mary"), NULL);
}

static OrmaExpr *
user_not_in_array (void)
{
  OrmaExpr *items[] = { orma_str ("jack"), orma_str ("wendy"), orma_str ("fred") };

  return orma_not_in_array (USER_COL ("name"), items, G_N_ELEMENTS (items));
}

static OrmaExpr *
user_is_null (void)
{
  return orma_is_null (USER_COL ("fullname"));
}

static OrmaExpr *
user_is_not_null (void)
{
  return orma_is_not_null (USER_COL ("fullname"));
}

static OrmaExpr *
user_and (void)
{
  return orma_and (orma_eq (USER_COL ("password"), orma_str ("secret")),
                   orma_ne (USER_COL ("name"), orma_str ("ed")),
                   NULL);
}

static OrmaExpr *
user_and_three (void)
{
  return orma_and (orma_is_not_null (USER_COL ("fullname")),
                   orma_is_null (USER_COL ("password")),
                   orma_like (USER_COL ("name"), orma_str ("%a%")),
                   NULL);
}

static OrmaExpr *
user_or (void)
{
  return orma_or (orma_eq (USER_COL ("name"), orma_str ("ed")),
                  orma_is_null (USER_COL ("fullname")),
                  NULL);
}

static OrmaExpr *
user_not (void)
{
  return orma_not (orma_eq (USER_COL ("name"), orma_str ("ed")));
}

static OrmaExpr *
user_not_is_null (void)
{
  return orma_not (orma_is_null (USER_COL ("password")));
}

static OrmaExpr *
user_nested (void)
{
  /* (name >= 'j' AND name < 'n') OR NOT (name != 'wendy') */
  return orma_or (orma_and (orma_ge (USER_COL ("name"), orma_str ("j")),
                            orma_lt (USER_COL ("name"), orma_str ("n")),
                            NULL),
                  orma_not (orma_ne (USER_COL ("name"), orma_str ("wendy"))),
                  NULL);
}

static OrmaExpr *
user_or_inside_and (void)
{
  /* password = 'secret' AND (name = 'ed' OR name = 'jack'): the OR must
   * be parenthesized */
  return orma_and (orma_eq (USER_COL ("password"), orma_str ("secret")),
                   orma_or (orma_eq (USER_COL ("name"), orma_str ("ed")),
                            orma_eq (USER_COL ("name"), orma_str ("jack")),
                            NULL),
                   NULL);
}

static OrmaExpr *
user_none (void)
{
  return orma_eq (USER_COL ("name"), orma_str ("nobody"));
}

static const FilterCase user_filter_cases[] = {
  { "=",                 user_eq,             "ed" },
  { "!=",                user_ne,             "fred,jack,mary,wendy" },
  { "!= with NULLs",     user_ne_skips_null,  "fred" },
  { "<",                 user_lt,             "ed" },
  { "<=",                user_le,             "ed,fred" },
  { ">",                 user_gt,             "wendy" },
  { ">=",                user_ge,             "mary,wendy" },
  { "LIKE %e%",          user_like_contains,  "ed,fred,wendy" },
  { "LIKE Ma%",          user_like_prefix,    "mary" },
  { "LIKE _d",           user_like_one_char,  "ed" },
  { "IN",                user_in,             "ed,mary" },
  { "IN one",            user_in_one,         "fred" },
  { "IN array",          user_in_array,       "jack,wendy" },
  { "NOT IN",            user_not_in,         "fred,jack,wendy" },
  { "NOT IN array",      user_not_in_array,   "ed,mary" },
  { "IS NULL",           user_is_null,        "fred" },
  { "IS NOT NULL",       user_is_not_null,    "ed,jack,mary,wendy" },
  { "AND",               user_and,            "mary" },
  { "AND of three",      user_and_three,      "jack" },
  { "OR",                user_or,             "ed,fred" },
  { "NOT",               user_not,            "fred,jack,mary,wendy" },
  { "NOT IS NULL",       user_not_is_null,    "ed,fred,mary" },
  { "nested",            user_nested,         "jack,mary,wendy" },
  { "OR inside AND",     user_or_inside_and,  "ed" },
  { "no match",          user_none,           "" },
};

START_TEST (test_filter_users)
{
  const FilterCase *c = &user_filter_cases[_i];
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autofree char *found = NULL;

  add_users ();
  session = orma_session_new (query_engine);
  query = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter (query, c->condition ());
  found = user_names_sorted (query);
  ck_assert_msg (g_str_equal (found, c->expected), "%s: expected [%s], found [%s]",
                 c->description, c->expected, found);
}
END_TEST

static OrmaExpr *
item_eq (void)
{
  return orma_eq (ITEM_COL ("i"), orma_int (2));
}

static OrmaExpr *
item_ne (void)
{
  return orma_ne (ITEM_COL ("i"), orma_int (2));
}

static OrmaExpr *
item_lt (void)
{
  return orma_lt (ITEM_COL ("i"), orma_int (2));
}

static OrmaExpr *
item_le (void)
{
  return orma_le (ITEM_COL ("i"), orma_int (2));
}

static OrmaExpr *
item_gt (void)
{
  return orma_gt (ITEM_COL ("i"), orma_int (1));
}

static OrmaExpr *
item_ge (void)
{
  return orma_ge (ITEM_COL ("i"), orma_int (1));
}

static OrmaExpr *
item_ge_int64 (void)
{
  return orma_ge (ITEM_COL ("i64"), orma_int (20));
}

static OrmaExpr *
item_double_gt (void)
{
  return orma_gt (ITEM_COL ("d"), orma_double (0.0));
}

static OrmaExpr *
item_double_lt (void)
{
  return orma_lt (ITEM_COL ("d"), orma_double (1.0));
}

static OrmaExpr *
item_bool_true (void)
{
  return orma_eq (ITEM_COL ("b"), orma_bool (TRUE));
}

static OrmaExpr *
item_bool_false (void)
{
  return orma_eq (ITEM_COL ("b"), orma_bool (FALSE));
}

static OrmaExpr *
item_in (void)
{
  return orma_in (ITEM_COL ("i"), orma_int (1), orma_int (3), orma_int (99), NULL);
}

static OrmaExpr *
item_not_in (void)
{
  return orma_not_in (ITEM_COL ("i"), orma_int (1), orma_int (3), NULL);
}

static OrmaExpr *
item_is_null (void)
{
  return orma_is_null (ITEM_COL ("i"));
}

static OrmaExpr *
item_is_not_null (void)
{
  return orma_is_not_null (ITEM_COL ("i64"));
}

static OrmaExpr *
item_and (void)
{
  return orma_and (orma_gt (ITEM_COL ("i"), orma_int (0)),
                   orma_is_not_null (ITEM_COL ("d")),
                   NULL);
}

static OrmaExpr *
item_or (void)
{
  return orma_or (orma_lt (ITEM_COL ("i"), orma_int (0)),
                  orma_gt (ITEM_COL ("i"), orma_int (2)),
                  NULL);
}

static OrmaExpr *
item_not (void)
{
  /* NOT (NULL > 1) is not true either: "none" is not found */
  return orma_not (orma_gt (ITEM_COL ("i"), orma_int (1)));
}

static const FilterCase item_filter_cases[] = {
  { "=",              item_eq,          "two" },
  { "!=",             item_ne,          "minus,one,three" },
  { "<",              item_lt,          "minus,one" },
  { "<=",             item_le,          "minus,one,two" },
  { ">",              item_gt,          "three,two" },
  { ">=",             item_ge,          "one,three,two" },
  { ">= int64",       item_ge_int64,    "three,two" },
  { "> double",       item_double_gt,   "one,two" },
  { "< double",       item_double_lt,   "minus,one" },
  { "= TRUE",         item_bool_true,   "one,three" },
  { "= FALSE",        item_bool_false,  "minus,two" },
  { "IN",             item_in,          "one,three" },
  { "NOT IN",         item_not_in,      "minus,two" },
  { "IS NULL",        item_is_null,     "none" },
  { "IS NOT NULL",    item_is_not_null, "one,three,two" },
  { "AND",            item_and,         "one,two" },
  { "OR",             item_or,          "minus,three" },
  { "NOT",            item_not,         "minus,one" },
};

START_TEST (test_filter_items)
{
  const FilterCase *c = &item_filter_cases[_i];
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autofree char *found = NULL;

  add_items ();
  session = orma_session_new (query_engine);
  query = orma_session_query (session, TEST_TYPE_ITEM);
  orma_query_filter (query, c->condition ());
  found = orma_test_run_all (query, "s", TRUE);
  ck_assert_msg (g_str_equal (found, c->expected), "%s: expected [%s], found [%s]",
                 c->description, c->expected, found);
}
END_TEST

START_TEST (test_several_filters_are_and)
{
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autofree char *found = NULL;

  add_users ();
  session = orma_session_new (query_engine);
  query = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter (query, orma_like (USER_COL ("name"), orma_str ("%e%")));
  orma_query_filter (query, orma_is_not_null (USER_COL ("password")));
  orma_query_filter (query, orma_ne (USER_COL ("name"), orma_str ("fred")));
  found = user_names_sorted (query);
  ck_assert_str_eq (found, "ed");
}
END_TEST

/* ----------------------------------------------------------- filter_by */

START_TEST (test_filter_by)
{
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) both = NULL;
  g_autoptr (OrmaQuery) contradicting = NULL;
  g_autoptr (OrmaQuery) null_match = NULL;
  g_autoptr (OrmaQuery) with_filter = NULL;
  g_autofree char *found_both = NULL;
  g_autofree char *found_contradicting = NULL;
  g_autofree char *found_null = NULL;
  g_autofree char *found_with_filter = NULL;

  add_users ();
  session = orma_session_new (query_engine);

  both = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter_by (both, "password", "secret", "fullname", "Mary Contrary", NULL);
  found_both = user_names_sorted (both);
  ck_assert_str_eq (found_both, "mary");

  contradicting = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter_by (contradicting, "name", "ed", "fullname", "Wendy Williams", NULL);
  found_contradicting = user_names_sorted (contradicting);
  ck_assert_str_eq (found_contradicting, "");

  /* a NULL string matches NULL */
  null_match = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter_by (null_match, "fullname", NULL, NULL);
  found_null = user_names_sorted (null_match);
  ck_assert_str_eq (found_null, "fred");

  /* filter_by and filter combine with AND */
  with_filter = orma_session_query (session, TEST_TYPE_USER);
  orma_query_filter_by (with_filter, "password", "secret", NULL);
  orma_query_filter (with_filter, orma_ne (USER_COL ("name"), orma_str ("ed")));
  found_with_filter = user_names_sorted (with_filter);
  ck_assert_str_eq (found_with_filter, "mary");
}
END_TEST

START_TEST (test_filter_by_typed_values)
{
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (OrmaQuery) by_int_bool = NULL;
  g_autoptr (OrmaQuery) by_int64 = NULL;
  g_autoptr (OrmaQuery) by_enum = NULL;
  g_autoptr (OrmaQuery) by_double = NULL;
  g_autoptr (OrmaQuery) by_value = NULL;
  g_autofree char *found_int_bool = NULL;
  g_autofree char *found_int64 = NULL;
  g_autofree char *found_enum = NULL;
  g_autofree char *found_double = NULL;
  g_autofree char *found_value = NULL;
  g_auto (GValue) five = G_VALUE_INIT;

  add_items ();
  session = orma_session_new (query_engine);

  by_int_bool = orma_session_query (session, TEST_TYPE_ITEM);
  orma_query_filter_by (by_int_bool, "i", 2, "b", FALSE, NULL);
  found_int_bool = orma_test_run_all (by_int_bool, "s", TRUE);
  ck_assert_str_eq (found_int_bool, "two");

  by_int64 = orma_session_query (session, TEST_TYPE_ITEM);
  orma_query_filter_by (by_int64, "i64", (gint64) 30, NULL);
  found_int64 = orma_test_run_all (by_int64, "s", TRUE);
  ck_assert_str_eq (found_int64, "three");

  by_enum = orma_session_query (session, TEST_TYPE_ITEM);
  orma_query_filter_by (by_enum, "color", TEST_COLOR_BLUE, NULL);
  found_enum = orma_test_run_all (by_enum, "s", TRUE);
  ck_assert_str_eq (found_enum, "minus,three");

  by_double = orma_session_query (session, TEST_TYPE_ITEM);
  orma_query_filter_by (by_double, "d", -2.25, "b", FALSE, "color", TEST_COLOR_BLUE, NULL);
  found_double = orma_test_run_all (by_double, "s", TRUE);
  ck_assert_str_eq (found_double, "minus");

  /* orma_query_filter_by_value() converts a lossless value: an int64
   * GValue for the int column */
  g_value_init (&five, G_TYPE_INT64);
  g_value_set_int64 (&five, -5);
  by_value = orma_session_query (session, TEST_TYPE_ITEM);
  orma_query_filter_by_value (by_value, "i", &five);
  found_value = orma_test_run_all (by_value, "s", TRUE);
  ck_assert_str_eq (found_value, "minus");
}
END_TEST

/* ---------------------------------------------------------------- suite */

static Suite *
query_filter_suite (void)
{
  Suite *suite = suite_create ("query-filter");
  TCase *tc;

  tc = tcase_create ("filter");
  tcase_add_checked_fixture (tc, query_setup, query_teardown);
  tcase_add_loop_test (tc, test_filter_users, 0, G_N_ELEMENTS (user_filter_cases));
  tcase_add_loop_test (tc, test_filter_items, 0, G_N_ELEMENTS (item_filter_cases));
  tcase_add_test (tc, test_several_filters_are_and);
  tcase_add_test (tc, test_filter_by);
  tcase_add_test (tc, test_filter_by_typed_values);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return orma_test_run (query_filter_suite ());
}
