/* test-types.c: every mapped column type through a real database.
 *
 * Each test stores values in the columns of TestItem, commits, and reads
 * them back in a new session, so that what is compared really came back
 * from the database and not from the identity map: integer extremes,
 * doubles bit for bit, strings (empty is not NULL, Unicode, quotes),
 * blobs of every byte, date-times with microseconds and time zones,
 * enums and flags, and NULL in every column. The last tests cover the
 * conversions orma_entity_set_value() accepts and those it refuses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "fixtures.h"
#include "test-models.h"

/* Every mapped column of TestItem except the key. */
static const char *const item_columns[] = {
  "i", "i64", "u", "b", "d", "s", "blob", "ts", "color", "perms",
};

static OrmaEngine *engine;

static void
setup (void)
{
  engine = orma_test_engine_new_with_tables ();
}

static void
teardown (void)
{
  g_clear_object (&engine);
}

/* ------------------------------------------------------------ helpers */

static GArray *
value_array_new (guint n_values)
{
  GArray *values = g_array_sized_new (FALSE, TRUE, sizeof (GValue), n_values);

  g_array_set_clear_func (values, (GDestroyNotify) g_value_unset);
  g_array_set_size (values, n_values);
  return values;
}

static GValue *
value_at (GArray *values,
          guint   index)
{
  return &g_array_index (values, GValue, index);
}

/* Adds the items to a new session, flushes, reads their generated keys
 * into @ids, commits and closes the session. */
static void
commit_items (GPtrArray *items,
              gint64    *ids)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OrmaSession) session = orma_session_new (engine);

  for (guint i = 0; i < items->len; i++)
    orma_session_add (session, g_ptr_array_index (items, i));
  ck_assert (orma_session_flush (session, &error));
  orma_assert_no_error (error);
  for (guint i = 0; i < items->len; i++)
    {
      g_object_get (g_ptr_array_index (items, i), "id", &ids[i], NULL);
      ck_assert_msg (ids[i] > 0, "item %u has no generated key after the flush", i);
    }
  ck_assert (orma_session_commit (session, &error));
  orma_assert_no_error (error);
  orma_session_close (session);
}

/* The item with key @id, loaded by @session (which must be new, so that
 * the row really is read from the database). */
static TestItem *
load_item (OrmaSession *session,
           gint64       id)
{
  g_autoptr (GError) error = NULL;
  TestItem *item = orma_session_get (session, TEST_TYPE_ITEM, id, &error);

  orma_assert_no_error (error);
  ck_assert_msg (item != NULL, "item %" G_GINT64_FORMAT " is not in the database", id);
  return item;
}

/* Stores each of @values into @property of a new item (one row per
 * value), commits, then loads every row again in a new session and
 * returns the values read back through the GObject property, in the
 * same order. Each value read back must not be NULL. */
static GArray *
round_trip (const char *property,
            GArray     *values)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree gint64 *ids = g_new0 (gint64, MAX (values->len, 1));
  g_autoptr (OrmaSession) reader = NULL;
  GArray *back = value_array_new (values->len);

  for (guint i = 0; i < values->len; i++)
    {
      g_autoptr (GError) error = NULL;
      TestItem *item = g_object_new (TEST_TYPE_ITEM, NULL);

      g_ptr_array_add (items, item);
      ck_assert (orma_entity_set_value (ORMA_ENTITY (item), property, value_at (values, i),
                                        &error));
      orma_assert_no_error (error);
    }
  commit_items (items, ids);
  g_clear_pointer (&items, g_ptr_array_unref);

  reader = orma_session_new (engine);
  for (guint i = 0; i < values->len; i++)
    {
      g_autoptr (TestItem) item = load_item (reader, ids[i]);
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (item), property);

      ck_assert_ptr_nonnull (pspec);
      ck_assert_msg (!orma_entity_is_null (ORMA_ENTITY (item), property),
                     "%s of row %u came back NULL", property, i);
      g_value_init (value_at (back, i), G_PARAM_SPEC_VALUE_TYPE (pspec));
      g_object_get_property (G_OBJECT (item), property, value_at (back, i));
    }
  return back;
}

static GDateTime *
utc_usec (int    year,
          int    month,
          int    day,
          int    hour,
          int    minute,
          int    second,
          gint64 usec)
{
  g_autoptr (GDateTime) whole = g_date_time_new_utc (year, month, day, hour, minute, second);

  return g_date_time_add (whole, usec);
}

/* ------------------------------------------------------------ integers */

static const int int_cases[] = {
  G_MININT, G_MININT + 1, -1, 0, 1, 1000000, G_MAXINT - 1, G_MAXINT,
};

START_TEST (test_int_round_trip)
{
  g_autoptr (GArray) values = value_array_new (G_N_ELEMENTS (int_cases));
  g_autoptr (GArray) back = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (int_cases); i++)
    {
      g_value_init (value_at (values, i), G_TYPE_INT);
      g_value_set_int (value_at (values, i), int_cases[i]);
    }
  back = round_trip ("i", values);
  for (guint i = 0; i < G_N_ELEMENTS (int_cases); i++)
    ck_assert_int_eq (g_value_get_int (value_at (back, i)), int_cases[i]);
}
END_TEST

static const gint64 int64_cases[] = {
  G_MININT64, G_MININT64 + 1, (gint64) G_MININT - 1, -1, 0,
  (gint64) G_MAXUINT + 1,
  /* not exact as a double: must not pass through one */
  (G_GINT64_CONSTANT (1) << 53) + 1,
  G_MAXINT64 - 1, G_MAXINT64,
};

START_TEST (test_int64_round_trip)
{
  g_autoptr (GArray) values = value_array_new (G_N_ELEMENTS (int64_cases));
  g_autoptr (GArray) back = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (int64_cases); i++)
    {
      g_value_init (value_at (values, i), G_TYPE_INT64);
      g_value_set_int64 (value_at (values, i), int64_cases[i]);
    }
  back = round_trip ("i64", values);
  for (guint i = 0; i < G_N_ELEMENTS (int64_cases); i++)
    ck_assert_int_eq (g_value_get_int64 (value_at (back, i)), int64_cases[i]);
}
END_TEST

static const guint uint_cases[] = {
  0, 1, (guint) G_MAXINT, (guint) G_MAXINT + 1, G_MAXUINT - 1, G_MAXUINT,
};

START_TEST (test_uint_round_trip)
{
  g_autoptr (GArray) values = value_array_new (G_N_ELEMENTS (uint_cases));
  g_autoptr (GArray) back = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (uint_cases); i++)
    {
      g_value_init (value_at (values, i), G_TYPE_UINT);
      g_value_set_uint (value_at (values, i), uint_cases[i]);
    }
  back = round_trip ("u", values);
  for (guint i = 0; i < G_N_ELEMENTS (uint_cases); i++)
    ck_assert_uint_eq (g_value_get_uint (value_at (back, i)), uint_cases[i]);
}
END_TEST

static const gboolean boolean_cases[] = { TRUE, FALSE };

START_TEST (test_boolean_round_trip)
{
  g_autoptr (GArray) values = value_array_new (G_N_ELEMENTS (boolean_cases));
  g_autoptr (GArray) back = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (boolean_cases); i++)
    {
      g_value_init (value_at (values, i), G_TYPE_BOOLEAN);
      g_value_set_boolean (value_at (values, i), boolean_cases[i]);
    }
  /* round_trip() also checks that FALSE does not come back as NULL */
  back = round_trip ("b", values);
  for (guint i = 0; i < G_N_ELEMENTS (boolean_cases); i++)
    ck_assert_int_eq (g_value_get_boolean (value_at (back, i)), boolean_cases[i]);

  ck_assert_int_eq (orma_test_count_rows (engine, "items", "b IS NULL"), 0);
}
END_TEST

/* ------------------------------------------------------------- doubles */

static const double double_cases[] = {
  0.0, 0.1, -0.1, 1.0 / 3.0, 2.5, -1e300, 1e300, 1e-300, -1e-300,
  123456789.123456789, G_MAXDOUBLE, G_MINDOUBLE, 9007199254740993.0,
};

START_TEST (test_double_round_trip)
{
  g_autoptr (GArray) values = value_array_new (G_N_ELEMENTS (double_cases));
  g_autoptr (GArray) back = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (double_cases); i++)
    {
      g_value_init (value_at (values, i), G_TYPE_DOUBLE);
      g_value_set_double (value_at (values, i), double_cases[i]);
    }
  back = round_trip ("d", values);
  for (guint i = 0; i < G_N_ELEMENTS (double_cases); i++)
    {
      double expected = double_cases[i];
      double actual = g_value_get_double (value_at (back, i));

      /* the exact bit pattern, not merely a close value */
      ck_assert_msg (memcmp (&expected, &actual, sizeof (double)) == 0,
                     "double case %u: stored %.17g, read back %.17g", i, expected, actual);
    }
}
END_TEST

/* ------------------------------------------------------------- strings */

static const char *const string_cases[] = {
  "",
  "a",
  "Gr\xc3\xbc\xc3\x9f" "e, \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x8e\x89",   /* Grüße, 世界 🎉 */
  "O'Reilly",
  "\"double\" and 'single' quotes",
  "''",
  "back\\slash\\",
  "'); DROP TABLE items; --",
  "x' OR '1'='1",
  "100% _wild_ [cards]",
  "line\nbreak\ttab\rreturn",
  "? $1 :name @p",
  "  leading and trailing spaces  ",
};

START_TEST (test_string_round_trip)
{
  g_autoptr (GArray) values = value_array_new (G_N_ELEMENTS (string_cases));
  g_autoptr (GArray) back = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (string_cases); i++)
    {
      g_value_init (value_at (values, i), G_TYPE_STRING);
      g_value_set_string (value_at (values, i), string_cases[i]);
    }
  back = round_trip ("s", values);
  for (guint i = 0; i < G_N_ELEMENTS (string_cases); i++)
    ck_assert_str_eq (g_value_get_string (value_at (back, i)), string_cases[i]);
}
END_TEST

START_TEST (test_long_string_round_trip)
{
  g_autoptr (GArray) values = value_array_new (1);
  g_autoptr (GArray) back = NULL;
  g_autoptr (GString) text = g_string_new (NULL);

  /* 100,000 characters of mixed one- to four-byte UTF-8 */
  for (guint i = 0; i < 25000; i++)
    g_string_append (text, "a\xc3\xa9\xe4\xb8\x96\xf0\x9f\x8e\x89");
  g_value_init (value_at (values, 0), G_TYPE_STRING);
  g_value_set_string (value_at (values, 0), text->str);

  back = round_trip ("s", values);
  ck_assert_uint_eq (strlen (g_value_get_string (value_at (back, 0))), text->len);
  ck_assert (g_str_equal (g_value_get_string (value_at (back, 0)), text->str));
}
END_TEST

START_TEST (test_empty_string_is_not_null)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (OrmaSession) reader = NULL;
  g_autoptr (TestItem) empty = NULL;
  g_autoptr (TestItem) unset = NULL;
  g_autoptr (TestItem) set_null = NULL;
  g_autofree char *empty_s = NULL;
  g_autofree char *unset_s = NULL;
  g_autofree char *set_null_s = NULL;
  gint64 ids[3];

  g_ptr_array_add (items, g_object_new (TEST_TYPE_ITEM, "s", "", NULL));
  g_ptr_array_add (items, g_object_new (TEST_TYPE_ITEM, "i", 1, NULL));
  g_ptr_array_add (items, g_object_new (TEST_TYPE_ITEM, "s", "was set", NULL));
  g_object_set (g_ptr_array_index (items, 2), "s", NULL, NULL);
  ck_assert (!orma_entity_is_null (g_ptr_array_index (items, 0), "s"));
  ck_assert (orma_entity_is_null (g_ptr_array_index (items, 2), "s"));
  commit_items (items, ids);

  /* in the database itself: one empty string, two NULLs */
  ck_assert_int_eq (orma_test_count_rows (engine, "items", "s = ''"), 1);
  ck_assert_int_eq (orma_test_count_rows (engine, "items", "s IS NULL"), 2);

  reader = orma_session_new (engine);
  empty = load_item (reader, ids[0]);
  unset = load_item (reader, ids[1]);
  set_null = load_item (reader, ids[2]);

  ck_assert (!orma_entity_is_null (ORMA_ENTITY (empty), "s"));
  g_object_get (empty, "s", &empty_s, NULL);
  ck_assert_ptr_nonnull (empty_s);
  ck_assert_str_eq (empty_s, "");

  ck_assert (orma_entity_is_null (ORMA_ENTITY (unset), "s"));
  g_object_get (unset, "s", &unset_s, NULL);
  ck_assert_ptr_null (unset_s);

  ck_assert (orma_entity_is_null (ORMA_ENTITY (set_null), "s"));
  g_object_get (set_null, "s", &set_null_s, NULL);
  ck_assert_ptr_null (set_null_s);
}
END_TEST

START_TEST (test_sql_in_string_is_data)
{
  static const char *const hostile = "Robert'); DROP TABLE items; --";
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (OrmaSession) reader = NULL;
  g_autoptr (TestItem) back = NULL;
  g_autoptr (TestItem) found = NULL;
  g_autoptr (OrmaQuery) query = NULL;
  g_autofree char *s = NULL;
  gint64 ids[2];

  g_ptr_array_add (items, g_object_new (TEST_TYPE_ITEM, "s", hostile, NULL));
  g_ptr_array_add (items, g_object_new (TEST_TYPE_ITEM, "s", "innocent", NULL));
  commit_items (items, ids);

  /* the table is still there, with both rows */
  ck_assert_int_eq (orma_test_count_rows (engine, "items", NULL), 2);

  reader = orma_session_new (engine);
  back = load_item (reader, ids[0]);
  g_object_get (back, "s", &s, NULL);
  ck_assert_str_eq (s, hostile);

  /* and it is found by its value as a bound parameter */
  query = orma_session_query (reader, TEST_TYPE_ITEM);
  orma_query_filter (query, orma_eq (orma_col (TEST_TYPE_ITEM, "s"), orma_str (hostile)));
  found = orma_query_one (query, &error);
  orma_assert_no_error (error);
  ck_assert_ptr_eq (found, back);

  ck_assert_int_eq (orma_test_count_rows (engine, "items", NULL), 2);
}
END_TEST

/* --------------------------------------------------------------- blobs */

START_TEST (test_blob_round_trip)
{
  enum { MIB = 1024 * 1024 };
  g_autoptr (GArray) values = value_array_new (4);
  g_autoptr (GArray) back = NULL;
  g_autofree guint8 *big = g_malloc (MIB);
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240229);
  GBytes *expected[4];

  /* every byte value in order first, then a fixed pseudo-random rest */
  for (guint i = 0; i < MIB; i++)
    big[i] = i < 256 ? (guint8) i : (guint8) g_rand_int_range (rand, 0, 256);

  expected[0] = g_bytes_new (big, MIB);
  expected[1] = g_bytes_new (NULL, 0);                 /* empty, not NULL */
  expected[2] = g_bytes_new ("\0", 1);                 /* a single NUL */
  expected[3] = g_bytes_new ("a\0b\xff\x80'\"\\", 8);  /* NUL inside, not UTF-8 */

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_value_init (value_at (values, i), G_TYPE_BYTES);
      g_value_take_boxed (value_at (values, i), expected[i]);
    }
  back = round_trip ("blob", values);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      GBytes *actual = g_value_get_boxed (value_at (back, i));

      ck_assert_msg (actual != NULL, "blob case %u came back as a NULL GBytes", i);
      ck_assert_uint_eq (g_bytes_get_size (actual), g_bytes_get_size (expected[i]));
      ck_assert_msg (g_bytes_equal (actual, expected[i]), "blob case %u differs", i);
    }
}
END_TEST

/* ---------------------------------------------------------- date-times */

START_TEST (test_datetime_round_trip)
{
  g_autoptr (GTimeZone) india = g_time_zone_new_offset (5 * 3600 + 30 * 60);
  g_autoptr (GTimeZone) pacific = g_time_zone_new_offset (-8 * 3600);
  g_autoptr (GDateTime) india_whole = g_date_time_new (india, 2021, 6, 15, 8, 30, 0);
  g_autoptr (GDateTime) pacific_whole = g_date_time_new (pacific, 2023, 12, 31, 20, 0, 0);
  g_autoptr (GArray) values = NULL;
  g_autoptr (GArray) back = NULL;
  GDateTime *cases[] = {
    /* UTC with microseconds */
    utc_usec (2024, 2, 29, 23, 59, 59, 123456),
    /* given in +05:30: the same instant as 03:00:00.000001 UTC */
    g_date_time_add (india_whole, 1),
    /* given in -08:00, across a year boundary in UTC */
    g_date_time_add (pacific_whole, 999999),
    /* the epoch, and one microsecond before it */
    utc_usec (1970, 1, 1, 0, 0, 0, 0),
    utc_usec (1969, 12, 31, 23, 59, 59, 999999),
    utc_usec (1900, 1, 1, 0, 0, 0, 500000),
    utc_usec (9999, 12, 31, 23, 59, 59, 999999),
  };

  values = value_array_new (G_N_ELEMENTS (cases));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_value_init (value_at (values, i), G_TYPE_DATE_TIME);
      g_value_set_boxed (value_at (values, i), cases[i]);
    }
  back = round_trip ("ts", values);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GDateTime *actual = g_value_get_boxed (value_at (back, i));
      g_autofree char *want = g_date_time_format_iso8601 (cases[i]);
      g_autofree char *got = actual ? g_date_time_format_iso8601 (actual) : g_strdup ("NULL");

      ck_assert_msg (actual != NULL && g_date_time_equal (actual, cases[i]) &&
                     g_date_time_get_microsecond (actual) ==
                     g_date_time_get_microsecond (cases[i]),
                     "date-time case %u: stored %s, read back %s", i, want, got);
    }

  /* the +05:30 value is the instant 2021-06-15 03:00:00.000001 UTC */
  {
    g_autoptr (GDateTime) utc = utc_usec (2021, 6, 15, 3, 0, 0, 1);

    ck_assert (g_date_time_equal (g_value_get_boxed (value_at (back, 1)), utc));
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_date_time_unref (cases[i]);
}
END_TEST

/* ------------------------------------------------------ enums and flags */

static const int color_cases[] = { TEST_COLOR_RED, TEST_COLOR_GREEN, TEST_COLOR_BLUE };

START_TEST (test_enum_round_trip)
{
  g_autoptr (GArray) values = value_array_new (G_N_ELEMENTS (color_cases));
  g_autoptr (GArray) back = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (color_cases); i++)
    {
      g_value_init (value_at (values, i), TEST_TYPE_COLOR);
      g_value_set_enum (value_at (values, i), color_cases[i]);
    }
  /* RED is 0, the type's default: it must still come back as a value */
  back = round_trip ("color", values);
  for (guint i = 0; i < G_N_ELEMENTS (color_cases); i++)
    ck_assert_int_eq (g_value_get_enum (value_at (back, i)), color_cases[i]);
}
END_TEST

static const guint perms_cases[] = {
  0,
  TEST_PERM_READ,
  TEST_PERM_WRITE | TEST_PERM_EXEC,
  TEST_PERM_READ | TEST_PERM_WRITE | TEST_PERM_EXEC,
};

START_TEST (test_flags_round_trip)
{
  g_autoptr (GArray) values = value_array_new (G_N_ELEMENTS (perms_cases));
  g_autoptr (GArray) back = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (perms_cases); i++)
    {
      g_value_init (value_at (values, i), TEST_TYPE_PERMS);
      g_value_set_flags (value_at (values, i), perms_cases[i]);
    }
  back = round_trip ("perms", values);
  for (guint i = 0; i < G_N_ELEMENTS (perms_cases); i++)
    ck_assert_uint_eq (g_value_get_flags (value_at (back, i)), perms_cases[i]);
}
END_TEST

/* ---------------------------------------------------------------- NULL */

/* An item with a value in every column. */
static TestItem *
item_with_every_value (void)
{
  g_autoptr (GBytes) blob = g_bytes_new ("\x01\x02", 2);
  g_autoptr (GDateTime) ts = utc_usec (2020, 1, 2, 3, 4, 5, 6);

  return g_object_new (TEST_TYPE_ITEM,
                       "i", 7, "i64", (gint64) 7, "u", 7u, "b", FALSE, "d", 7.5,
                       "s", "seven", "blob", blob, "ts", ts,
                       "color", TEST_COLOR_GREEN, "perms", TEST_PERM_READ,
                       NULL);
}

static void
assert_every_column_null (TestItem *item)
{
  g_autofree char *s = NULL;
  g_autoptr (GBytes) blob = NULL;
  g_autoptr (GDateTime) ts = NULL;
  int i = -1;
  gint64 i64 = -1;

  for (guint c = 0; c < G_N_ELEMENTS (item_columns); c++)
    ck_assert_msg (orma_entity_is_null (ORMA_ENTITY (item), item_columns[c]),
                   "%s is not NULL", item_columns[c]);

  /* NULL reads as the type's default */
  g_object_get (item, "i", &i, "i64", &i64, "s", &s, "blob", &blob, "ts", &ts, NULL);
  ck_assert_int_eq (i, 0);
  ck_assert_int_eq (i64, 0);
  ck_assert_ptr_null (s);
  ck_assert_ptr_null (blob);
  ck_assert_ptr_null (ts);
}

START_TEST (test_null_in_every_column)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (OrmaSession) reader = NULL;
  g_autoptr (TestItem) back = NULL;
  gint64 id;

  g_ptr_array_add (items, g_object_new (TEST_TYPE_ITEM, NULL));
  commit_items (items, &id);

  ck_assert_int_eq (orma_test_count_rows (engine, "items",
                                          "i IS NULL AND i64 IS NULL AND u IS NULL AND "
                                          "b IS NULL AND d IS NULL AND s IS NULL AND "
                                          "blob IS NULL AND ts IS NULL AND "
                                          "color IS NULL AND perms IS NULL"), 1);

  reader = orma_session_new (engine);
  back = load_item (reader, id);
  assert_every_column_null (back);
}
END_TEST

START_TEST (test_update_every_column_to_null)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (OrmaSession) writer = NULL;
  g_autoptr (OrmaSession) reader = NULL;
  g_autoptr (TestItem) loaded = NULL;
  g_autoptr (TestItem) back = NULL;
  gint64 id;

  g_ptr_array_add (items, item_with_every_value ());
  commit_items (items, &id);
  ck_assert_int_eq (orma_test_count_rows (engine, "items",
                                          "i IS NOT NULL AND i64 IS NOT NULL AND "
                                          "u IS NOT NULL AND b IS NOT NULL AND "
                                          "d IS NOT NULL AND s IS NOT NULL AND "
                                          "blob IS NOT NULL AND ts IS NOT NULL AND "
                                          "color IS NOT NULL AND perms IS NOT NULL"), 1);

  writer = orma_session_new (engine);
  loaded = load_item (writer, id);
  for (guint c = 0; c < G_N_ELEMENTS (item_columns); c++)
    {
      ck_assert (!orma_entity_is_null (ORMA_ENTITY (loaded), item_columns[c]));
      ck_assert (orma_entity_set_null (ORMA_ENTITY (loaded), item_columns[c], &error));
      orma_assert_no_error (error);
    }
  ck_assert (orma_session_commit (writer, &error));
  orma_assert_no_error (error);
  orma_session_close (writer);

  reader = orma_session_new (engine);
  back = load_item (reader, id);
  assert_every_column_null (back);
}
END_TEST

/* --------------------------------------------------------- conversions */

/* The type of a value given to orma_entity_set_value() */
typedef enum {
  GIVE_INT,
  GIVE_UINT,
  GIVE_INT64,
  GIVE_DOUBLE,
  GIVE_STRING,
  GIVE_BYTES,
} GiveType;

typedef struct {
  const char *property;
  GiveType    type;
  gint64      integer;   /* for the integer types */
  double      d;
  const char *string;    /* for strings and bytes */
} BadValue;

static const BadValue bad_values[] = {
  { "i",     GIVE_STRING, 0, 0, "not a number" },
  { "i",     GIVE_INT64,  G_MAXINT64, 0, NULL },             /* out of range */
  { "i",     GIVE_INT64,  (gint64) G_MAXINT + 1, 0, NULL },  /* out of range */
  { "i",     GIVE_DOUBLE, 0, 1.5, NULL },                    /* not whole */
  { "i",     GIVE_BYTES,  0, 0, "\x01" },
  { "i64",   GIVE_STRING, 0, 0, "12abc" },
  { "u",     GIVE_INT,    -1, 0, NULL },                     /* negative */
  { "u",     GIVE_INT64,  (gint64) G_MAXUINT + 1, 0, NULL },
  { "b",     GIVE_INT,    2, 0, NULL },
  { "b",     GIVE_STRING, 0, 0, "maybe" },
  { "d",     GIVE_STRING, 0, 0, "abc" },
  { "ts",    GIVE_STRING, 0, 0, "not a date" },
  { "ts",    GIVE_INT,    5, 0, NULL },
  { "blob",  GIVE_DOUBLE, 0, 2.5, NULL },
  { "color", GIVE_INT,    42, 0, NULL },                     /* no such value */
  { "color", GIVE_STRING, 0, 0, "purple" },
  { "perms", GIVE_UINT,   1u << 10, 0, NULL },               /* no such flag */
};

static void
give_value_init (GValue     *value,
                 GiveType    type,
                 gint64      integer,
                 double      d,
                 const char *string)
{
  switch (type)
    {
    case GIVE_INT:
      g_value_init (value, G_TYPE_INT);
      g_value_set_int (value, (int) integer);
      break;
    case GIVE_UINT:
      g_value_init (value, G_TYPE_UINT);
      g_value_set_uint (value, (guint) integer);
      break;
    case GIVE_INT64:
      g_value_init (value, G_TYPE_INT64);
      g_value_set_int64 (value, integer);
      break;
    case GIVE_DOUBLE:
      g_value_init (value, G_TYPE_DOUBLE);
      g_value_set_double (value, d);
      break;
    case GIVE_STRING:
      g_value_init (value, G_TYPE_STRING);
      g_value_set_string (value, string);
      break;
    case GIVE_BYTES:
      g_value_init (value, G_TYPE_BYTES);
      g_value_take_boxed (value, g_bytes_new (string, strlen (string)));
      break;
    }
}

/* @property as text, for comparing before and after (boxed values show
 * their address, which a new value would change). */
static char *
describe_property (gpointer    object,
                   const char *property)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), property);
  g_auto (GValue) value = G_VALUE_INIT;

  ck_assert_ptr_nonnull (pspec);
  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_object_get_property (G_OBJECT (object), property, &value);
  return g_strdup_value_contents (&value);
}

START_TEST (test_set_value_type_mismatch)
{
  const BadValue *c = &bad_values[_i];
  g_autoptr (GError) error = NULL;
  g_autoptr (TestItem) item = item_with_every_value ();
  g_auto (GValue) value = G_VALUE_INIT;
  g_autofree char *before = describe_property (item, c->property);
  g_autofree char *after = NULL;

  give_value_init (&value, c->type, c->integer, c->d, c->string);
  ck_assert_msg (!orma_entity_set_value (ORMA_ENTITY (item), c->property, &value, &error),
                 "a %s went into %s", G_VALUE_TYPE_NAME (&value), c->property);
  orma_assert_error (error, ORMA_ERROR_TYPE_MISMATCH);

  after = describe_property (item, c->property);
  ck_assert_str_eq (after, before);
  ck_assert (!orma_entity_is_null (ORMA_ENTITY (item), c->property));
}
END_TEST

START_TEST (test_set_value_mismatch_leaves_persistent_object_clean)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (OrmaSession) session = NULL;
  g_autoptr (TestItem) item = NULL;
  g_auto (GValue) text = G_VALUE_INIT;
  int i = -1;
  gint64 id;

  g_ptr_array_add (items, g_object_new (TEST_TYPE_ITEM, "i", 12, NULL));
  commit_items (items, &id);

  session = orma_session_new (engine);
  item = load_item (session, id);
  g_value_init (&text, G_TYPE_STRING);
  g_value_set_string (&text, "twelve");
  ck_assert (!orma_entity_set_value (ORMA_ENTITY (item), "i", &text, &error));
  orma_assert_error (error, ORMA_ERROR_TYPE_MISMATCH);

  g_object_get (item, "i", &i, NULL);
  ck_assert_int_eq (i, 12);
  ck_assert (!orma_entity_is_modified (ORMA_ENTITY (item)));
  ck_assert (!orma_session_is_dirty (session));
}
END_TEST

START_TEST (test_set_value_unknown_property)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TestItem) item = item_with_every_value ();
  g_auto (GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 1);
  ck_assert (!orma_entity_set_value (ORMA_ENTITY (item), "no_such_column", &value, &error));
  orma_assert_error (error, ORMA_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);

  ck_assert (!orma_entity_set_null (ORMA_ENTITY (item), "no_such_column", &error));
  orma_assert_error (error, ORMA_ERROR_UNKNOWN_PROPERTY);
}
END_TEST

typedef struct {
  const char *property;
  GiveType    type;      /* GIVE_INT, GIVE_UINT or GIVE_INT64 */
  gint64      given;
  gint64      expected;  /* read back as an integer, or a double's value */
} GoodValue;

static const GoodValue lossless_values[] = {
  { "i",     GIVE_INT64,  5, 5 },
  { "i",     GIVE_INT64,  G_MININT, G_MININT },
  { "i",     GIVE_UINT,   (gint64) G_MAXINT, G_MAXINT },
  { "i64",   GIVE_INT,    -3, -3 },
  { "u",     GIVE_INT64,  (gint64) G_MAXUINT, G_MAXUINT },
  { "u",     GIVE_INT,    9, 9 },
  { "d",     GIVE_INT,    3, 3 },
  { "d",     GIVE_INT64,  G_GINT64_CONSTANT (1) << 52, G_GINT64_CONSTANT (1) << 52 },
  { "color", GIVE_INT,    TEST_COLOR_BLUE, TEST_COLOR_BLUE },
  { "perms", GIVE_UINT,   TEST_PERM_WRITE, TEST_PERM_WRITE },
};

static gint64
read_as_integer (gpointer    object,
                 const char *property)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), property);
  g_auto (GValue) value = G_VALUE_INIT;

  ck_assert_ptr_nonnull (pspec);
  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_object_get_property (G_OBJECT (object), property, &value);
  switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (&value)))
    {
    case G_TYPE_INT:
      return g_value_get_int (&value);
    case G_TYPE_UINT:
      return g_value_get_uint (&value);
    case G_TYPE_INT64:
      return g_value_get_int64 (&value);
    case G_TYPE_DOUBLE:
      return (gint64) g_value_get_double (&value);
    case G_TYPE_ENUM:
      return g_value_get_enum (&value);
    case G_TYPE_FLAGS:
      return g_value_get_flags (&value);
    default:
      ck_abort_msg ("%s is not integer-like", property);
      return 0;
    }
}

START_TEST (test_set_value_lossless_conversion)
{
  const GoodValue *c = &lossless_values[_i];
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (OrmaSession) reader = NULL;
  g_autoptr (TestItem) back = NULL;
  g_auto (GValue) value = G_VALUE_INIT;
  TestItem *item = g_object_new (TEST_TYPE_ITEM, NULL);
  gint64 id;

  g_ptr_array_add (items, item);
  give_value_init (&value, c->type, c->given, 0, NULL);
  ck_assert (orma_entity_set_value (ORMA_ENTITY (item), c->property, &value, &error));
  orma_assert_no_error (error);
  ck_assert_int_eq (read_as_integer (item, c->property), c->expected);

  /* and the converted value is what reaches the database */
  commit_items (items, &id);
  reader = orma_session_new (engine);
  back = load_item (reader, id);
  ck_assert_int_eq (read_as_integer (back, c->property), c->expected);
}
END_TEST

/* ---------------------------------------------------------------- suite */

static Suite *
types_suite (void)
{
  Suite *suite = suite_create ("types");
  TCase *tc;

  tc = tcase_create ("numbers");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_int_round_trip);
  tcase_add_test (tc, test_int64_round_trip);
  tcase_add_test (tc, test_uint_round_trip);
  tcase_add_test (tc, test_boolean_round_trip);
  tcase_add_test (tc, test_double_round_trip);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("strings");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_string_round_trip);
  tcase_add_test (tc, test_long_string_round_trip);
  tcase_add_test (tc, test_empty_string_is_not_null);
  tcase_add_test (tc, test_sql_in_string_is_data);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("blobs-and-dates");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_blob_round_trip);
  tcase_add_test (tc, test_datetime_round_trip);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("enums");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_enum_round_trip);
  tcase_add_test (tc, test_flags_round_trip);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("null");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_null_in_every_column);
  tcase_add_test (tc, test_update_every_column_to_null);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("conversions");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_loop_test (tc, test_set_value_type_mismatch, 0, G_N_ELEMENTS (bad_values));
  tcase_add_test (tc, test_set_value_mismatch_leaves_persistent_object_clean);
  tcase_add_test (tc, test_set_value_unknown_property);
  tcase_add_loop_test (tc, test_set_value_lossless_conversion, 0,
                       G_N_ELEMENTS (lossless_values));
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return orma_test_run (types_suite ());
}
