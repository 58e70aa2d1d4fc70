/* orma-value.c: the GValue helpers every layer shares.
 *
 * Orma moves column values around as GValues. This file decides which
 * GTypes can be stored at all (the storage types), what counts as SQL
 * NULL, when two values are the same (change tracking, identity keys),
 * which conversions are safe (a value read back from the database into
 * the type of its column), how a value reads in the echo log, and the
 * one text form of a date-time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "orma-error-private.h"
#include "orma-value-private.h"

/* 2^53: every integer up to this magnitude is exact in a double */
#define EXACT_DOUBLE_LIMIT 9007199254740992.0
#define EXACT_INT_LIMIT    (G_GINT64_CONSTANT (1) << 53)

GType
_orma_value_storage_type (GType type)
{
  GType fundamental = G_TYPE_FUNDAMENTAL (type);

  switch (fundamental)
    {
    case G_TYPE_BOOLEAN:
    case G_TYPE_INT:
    case G_TYPE_UINT:
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
    case G_TYPE_STRING:
    case G_TYPE_ENUM:
    case G_TYPE_FLAGS:
      return fundamental;
    case G_TYPE_BOXED:
      if (g_type_is_a (type, G_TYPE_BYTES))
        return G_TYPE_BYTES;
      if (g_type_is_a (type, G_TYPE_DATE_TIME))
        return G_TYPE_DATE_TIME;
      return G_TYPE_INVALID;
    default:
      return G_TYPE_INVALID;
    }
}

gboolean
_orma_value_is_null (const GValue *value)
{
  GType fundamental;

  if (value == NULL || !G_IS_VALUE (value))
    return TRUE;

  fundamental = G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value));
  if (fundamental == G_TYPE_STRING || fundamental == G_TYPE_BOXED ||
      fundamental == G_TYPE_OBJECT || fundamental == G_TYPE_POINTER)
    return value->data[0].v_pointer == NULL;

  return FALSE;
}

static gboolean
is_integer_storage (GType storage)
{
  return storage == G_TYPE_BOOLEAN || storage == G_TYPE_INT ||
         storage == G_TYPE_UINT || storage == G_TYPE_INT64 ||
         storage == G_TYPE_ENUM || storage == G_TYPE_FLAGS;
}

/* Reads any integer-like storage type as an int64; every value of those
 * types fits. */
static gint64
get_integer (const GValue *value)
{
  switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value)))
    {
    case G_TYPE_BOOLEAN:
      return g_value_get_boolean (value) ? 1 : 0;
    case G_TYPE_INT:
      return g_value_get_int (value);
    case G_TYPE_UINT:
      return g_value_get_uint (value);
    case G_TYPE_INT64:
      return g_value_get_int64 (value);
    case G_TYPE_ENUM:
      return g_value_get_enum (value);
    case G_TYPE_FLAGS:
      return g_value_get_flags (value);
    default:
      g_return_val_if_reached (0);
    }
}

gboolean
_orma_value_equal (const GValue *a,
                   const GValue *b)
{
  gboolean a_null = _orma_value_is_null (a);
  gboolean b_null = _orma_value_is_null (b);
  GType storage_a, storage_b;

  if (a_null || b_null)
    return a_null && b_null;

  storage_a = _orma_value_storage_type (G_VALUE_TYPE (a));
  storage_b = _orma_value_storage_type (G_VALUE_TYPE (b));

  /* An int and an int64 holding 5 are the same key: primary keys may
   * arrive from the database as int64 while the object holds an int. */
  if (is_integer_storage (storage_a) && is_integer_storage (storage_b))
    return get_integer (a) == get_integer (b);

  if (storage_a != storage_b)
    return FALSE;

  if (storage_a == G_TYPE_DOUBLE)
    return g_value_get_double (a) == g_value_get_double (b);
  if (storage_a == G_TYPE_STRING)
    return g_strcmp0 (g_value_get_string (a), g_value_get_string (b)) == 0;
  if (storage_a == G_TYPE_BYTES)
    return g_bytes_equal (g_value_get_boxed (a), g_value_get_boxed (b));
  if (storage_a == G_TYPE_DATE_TIME)
    return g_date_time_equal (g_value_get_boxed (a), g_value_get_boxed (b));

  /* Not a storage type: only the very same value is equal. */
  return G_VALUE_TYPE (a) == G_VALUE_TYPE (b) &&
         memcmp (a->data, b->data, sizeof a->data) == 0;
}

static guint
hash_int64 (gint64 v)
{
  return g_int64_hash (&v);
}

guint
_orma_value_hash (const GValue *value)
{
  GType storage;

  if (_orma_value_is_null (value))
    return 0;

  storage = _orma_value_storage_type (G_VALUE_TYPE (value));

  /* Must agree with _orma_value_equal(): integers of every width hash
   * the same when their values are equal. */
  if (is_integer_storage (storage))
    return hash_int64 (get_integer (value));

  if (storage == G_TYPE_DOUBLE)
    {
      double d = g_value_get_double (value);
      if (d == 0.0)
        d = 0.0; /* -0.0 == 0.0 */
      return g_double_hash (&d);
    }
  if (storage == G_TYPE_STRING)
    return g_str_hash (g_value_get_string (value));
  if (storage == G_TYPE_BYTES)
    return g_bytes_hash (g_value_get_boxed (value));
  if (storage == G_TYPE_DATE_TIME)
    return g_date_time_hash (g_value_get_boxed (value));
  return g_direct_hash (value->data[0].v_pointer);
}

/* ------------------------------------------------------------ conversion */

static gboolean
mismatch (const GValue *src,
          GType         dest_type,
          const char   *why,
          GError      **error)
{
  g_autofree char *shown = _orma_value_to_echo (src);

  _orma_set_error (error, ORMA_ERROR_TYPE_MISMATCH,
                   "Cannot convert %s value %s to %s%s%s",
                   g_type_name (G_VALUE_TYPE (src)), shown,
                   g_type_name (dest_type), why ? ": " : "", why ? why : "");
  return FALSE;
}

/* Stores @v into an integer-like @dest if it fits exactly. */
static gboolean
set_integer (GValue       *dest,
             gint64        v,
             const GValue *src,
             GError      **error)
{
  GType type = G_VALUE_TYPE (dest);

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
      if (v != 0 && v != 1)
        return mismatch (src, type, "not 0 or 1", error);
      g_value_set_boolean (dest, v != 0);
      return TRUE;
    case G_TYPE_INT:
      if (v < G_MININT || v > G_MAXINT)
        return mismatch (src, type, "out of range", error);
      g_value_set_int (dest, (gint) v);
      return TRUE;
    case G_TYPE_UINT:
      if (v < 0 || v > G_MAXUINT)
        return mismatch (src, type, "out of range", error);
      g_value_set_uint (dest, (guint) v);
      return TRUE;
    case G_TYPE_INT64:
      g_value_set_int64 (dest, v);
      return TRUE;
    case G_TYPE_ENUM:
      {
        g_autoptr (GTypeClass) klass = g_type_class_ref (type);
        if (v < G_MININT || v > G_MAXINT ||
            g_enum_get_value (G_ENUM_CLASS (klass), (gint) v) == NULL)
          return mismatch (src, type, "not a value of the enumeration", error);
        g_value_set_enum (dest, (gint) v);
        return TRUE;
      }
    case G_TYPE_FLAGS:
      {
        g_autoptr (GTypeClass) klass = g_type_class_ref (type);
        guint mask = G_FLAGS_CLASS (klass)->mask;
        if (v < 0 || v > G_MAXUINT || (((guint) v) & ~mask) != 0)
          return mismatch (src, type, "not a combination of the flags", error);
        g_value_set_flags (dest, (guint) v);
        return TRUE;
      }
    default:
      g_return_val_if_reached (FALSE);
    }
}

static gboolean
parse_integer_text (const char *text,
                    gint64     *out)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  return g_ascii_string_to_signed (trimmed, 10, G_MININT64, G_MAXINT64,
                                   out, NULL);
}

static gboolean
parse_double_text (const char *text,
                   double     *out)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  char *end = NULL;

  if (*trimmed == '\0')
    return FALSE;
  *out = g_ascii_strtod (trimmed, &end);
  return end != NULL && *end == '\0';
}

static gboolean
strv_contains_nocase (const char *const *words,
                      const char         *text)
{
  for (guint i = 0; words[i] != NULL; i++)
    if (g_ascii_strcasecmp (words[i], text) == 0)
      return TRUE;
  return FALSE;
}

/* Text into a boolean: the spellings SQLite and PostgreSQL produce. */
static gboolean
parse_boolean_text (const char *text,
                    gboolean   *out)
{
  static const char *const true_words[] = { "1", "t", "true", "y", "yes", "on", NULL };
  static const char *const false_words[] = { "0", "f", "false", "n", "no", "off", NULL };

  if (strv_contains_nocase (true_words, text))
    *out = TRUE;
  else if (strv_contains_nocase (false_words, text))
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
convert_from_integer (const GValue *src,
                      GValue       *dest,
                      GError      **error)
{
  gint64 v = get_integer (src);
  GType storage = _orma_value_storage_type (G_VALUE_TYPE (dest));

  if (is_integer_storage (storage))
    return set_integer (dest, v, src, error);

  switch (storage)
    {
    case G_TYPE_DOUBLE:
      /* compared as integers: converting first would round 2^53 + 1 */
      if (v > EXACT_INT_LIMIT || v < -EXACT_INT_LIMIT)
        return mismatch (src, G_VALUE_TYPE (dest), "not exact as a double", error);
      g_value_set_double (dest, (double) v);
      return TRUE;
    case G_TYPE_STRING:
      g_value_take_string (dest, g_strdup_printf ("%" G_GINT64_FORMAT, v));
      return TRUE;
    default:
      return mismatch (src, G_VALUE_TYPE (dest), NULL, error);
    }
}

static gboolean
convert_from_double (const GValue *src,
                     GValue       *dest,
                     GError      **error)
{
  double d = g_value_get_double (src);
  GType storage = _orma_value_storage_type (G_VALUE_TYPE (dest));

  if (is_integer_storage (storage))
    {
      /* -2^63 is exact as a double, 2^63 is one past the range */
      if (d != floor (d) || !(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return mismatch (src, G_VALUE_TYPE (dest), "not an integer", error);
      return set_integer (dest, (gint64) d, src, error);
    }

  switch (storage)
    {
    case G_TYPE_DOUBLE:
      g_value_set_double (dest, d);
      return TRUE;
    case G_TYPE_STRING:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        g_value_set_string (dest, g_ascii_dtostr (buf, sizeof buf, d));
        return TRUE;
      }
    default:
      return mismatch (src, G_VALUE_TYPE (dest), NULL, error);
    }
}

static gboolean
convert_to_enum_from_text (const char   *text,
                           const GValue *src,
                           GValue       *dest,
                           GError      **error)
{
  g_autoptr (GTypeClass) klass = g_type_class_ref (G_VALUE_TYPE (dest));
  GEnumValue *ev = g_enum_get_value_by_nick (G_ENUM_CLASS (klass), text);
  gint64 v;

  if (ev == NULL)
    ev = g_enum_get_value_by_name (G_ENUM_CLASS (klass), text);
  if (ev != NULL)
    {
      g_value_set_enum (dest, ev->value);
      return TRUE;
    }
  if (parse_integer_text (text, &v))
    return set_integer (dest, v, src, error);
  return mismatch (src, G_VALUE_TYPE (dest), "not a value of the enumeration", error);
}

static gboolean
convert_from_string (const GValue *src,
                     GValue       *dest,
                     GError      **error)
{
  const char *text = g_value_get_string (src);
  GType storage = _orma_value_storage_type (G_VALUE_TYPE (dest));
  gint64 v;
  double d;

  if (storage == G_TYPE_BYTES)
    {
      g_value_take_boxed (dest, g_bytes_new (text, strlen (text)));
      return TRUE;
    }
  if (storage == G_TYPE_DATE_TIME)
    {
      GDateTime *dt = _orma_datetime_parse (text);
      if (dt == NULL)
        return mismatch (src, G_VALUE_TYPE (dest), "not a date-time", error);
      g_value_take_boxed (dest, dt);
      return TRUE;
    }

  switch (storage)
    {
    case G_TYPE_STRING:
      g_value_set_string (dest, text);
      return TRUE;
    case G_TYPE_BOOLEAN:
      {
        gboolean b;
        if (!parse_boolean_text (text, &b))
          return mismatch (src, G_VALUE_TYPE (dest), "not a boolean", error);
        g_value_set_boolean (dest, b);
        return TRUE;
      }
    case G_TYPE_ENUM:
      return convert_to_enum_from_text (text, src, dest, error);
    case G_TYPE_INT:
    case G_TYPE_UINT:
    case G_TYPE_INT64:
    case G_TYPE_FLAGS:
      if (!parse_integer_text (text, &v))
        return mismatch (src, G_VALUE_TYPE (dest), "not an integer", error);
      return set_integer (dest, v, src, error);
    case G_TYPE_DOUBLE:
      if (!parse_double_text (text, &d))
        return mismatch (src, G_VALUE_TYPE (dest), "not a number", error);
      g_value_set_double (dest, d);
      return TRUE;
    default:
      return mismatch (src, G_VALUE_TYPE (dest), NULL, error);
    }
}

static gboolean
convert_from_bytes (const GValue *src,
                    GValue       *dest,
                    GError      **error)
{
  GBytes *bytes = g_value_get_boxed (src);
  GType storage = _orma_value_storage_type (G_VALUE_TYPE (dest));
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (storage == G_TYPE_BYTES)
    {
      g_value_set_boxed (dest, bytes);
      return TRUE;
    }
  /* Text stored as a blob comes back as text when it is valid UTF-8
   * with no embedded NUL. */
  if (storage == G_TYPE_STRING &&
      (size == 0 || (memchr (data, '\0', size) == NULL &&
                     g_utf8_validate (data, size, NULL))))
    {
      g_value_take_string (dest, g_strndup (data ? data : "", size));
      return TRUE;
    }
  return mismatch (src, G_VALUE_TYPE (dest), NULL, error);
}

static gboolean
convert_from_datetime (const GValue *src,
                       GValue       *dest,
                       GError      **error)
{
  GType storage = _orma_value_storage_type (G_VALUE_TYPE (dest));

  if (storage == G_TYPE_DATE_TIME)
    {
      g_value_set_boxed (dest, g_value_get_boxed (src));
      return TRUE;
    }
  if (storage == G_TYPE_STRING)
    {
      g_value_take_string (dest, _orma_datetime_format (g_value_get_boxed (src)));
      return TRUE;
    }
  return mismatch (src, G_VALUE_TYPE (dest), NULL, error);
}

gboolean
_orma_value_convert (const GValue *src,
                     GValue       *dest,
                     GError      **error)
{
  GType src_storage;

  g_return_val_if_fail (G_IS_VALUE (dest), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (_orma_value_is_null (src))
    {
      /* NULL stays NULL: a NULL string or boxed, the default otherwise */
      g_value_reset (dest);
      return TRUE;
    }

  if (G_VALUE_TYPE (src) == G_VALUE_TYPE (dest))
    {
      g_value_copy (src, dest);
      return TRUE;
    }

  src_storage = _orma_value_storage_type (G_VALUE_TYPE (src));
  if (_orma_value_storage_type (G_VALUE_TYPE (dest)) == G_TYPE_INVALID)
    return mismatch (src, G_VALUE_TYPE (dest), "not a storage type", error);

  if (is_integer_storage (src_storage))
    return convert_from_integer (src, dest, error);

  if (src_storage == G_TYPE_DOUBLE)
    return convert_from_double (src, dest, error);
  if (src_storage == G_TYPE_STRING)
    return convert_from_string (src, dest, error);
  if (src_storage == G_TYPE_BYTES)
    return convert_from_bytes (src, dest, error);
  if (src_storage == G_TYPE_DATE_TIME)
    return convert_from_datetime (src, dest, error);
  return mismatch (src, G_VALUE_TYPE (dest), "not a storage type", error);
}

/* ------------------------------------------------------------------ echo */

/* Shortest text that reads back as the same double, always with a
 * decimal point or exponent so it does not read as an integer. */
static char *
format_double (double d)
{
  char buf[64];

  if (isnan (d))
    return g_strdup ("NaN");
  if (isinf (d))
    return g_strdup (d > 0 ? "Infinity" : "-Infinity");

  g_ascii_formatd (buf, sizeof buf, "%.15g", d);
  if (g_ascii_strtod (buf, NULL) != d)
    g_ascii_formatd (buf, sizeof buf, "%.17g", d);
  if (strpbrk (buf, ".e") == NULL)
    return g_strconcat (buf, ".0", NULL);
  return g_strdup (buf);
}

static char *
quote_text (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) + 2);

  g_string_append_c (out, '\'');
  for (const char *p = text; *p; p++)
    {
      if (*p == '\'')
        g_string_append_c (out, '\'');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
  return g_string_free (out, FALSE);
}

char *
_orma_value_to_echo (const GValue *value)
{
  GType storage;

  if (_orma_value_is_null (value))
    return g_strdup ("NULL");

  storage = _orma_value_storage_type (G_VALUE_TYPE (value));
  if (storage == G_TYPE_BYTES)
    return g_strdup_printf ("<%" G_GSIZE_FORMAT " bytes>",
                            g_bytes_get_size (g_value_get_boxed (value)));
  if (storage == G_TYPE_DATE_TIME)
    {
      g_autofree char *text = _orma_datetime_format (g_value_get_boxed (value));
      return g_strdup_printf ("'%s+00'", text);
    }

  switch (storage)
    {
    case G_TYPE_BOOLEAN:
      return g_strdup (g_value_get_boolean (value) ? "TRUE" : "FALSE");
    case G_TYPE_INT:
    case G_TYPE_UINT:
    case G_TYPE_INT64:
    case G_TYPE_ENUM:
    case G_TYPE_FLAGS:
      return g_strdup_printf ("%" G_GINT64_FORMAT, get_integer (value));
    case G_TYPE_DOUBLE:
      return format_double (g_value_get_double (value));
    case G_TYPE_STRING:
      return quote_text (g_value_get_string (value));
    default:
      return g_strdup_printf ("<%s>", g_type_name (G_VALUE_TYPE (value)));
    }
}

/* ------------------------------------------------------------- date-time */

char *
_orma_datetime_format (GDateTime *datetime)
{
  g_autoptr (GDateTime) utc = NULL;

  g_return_val_if_fail (datetime != NULL, NULL);

  utc = g_date_time_to_utc (datetime);
  if (utc == NULL)
    return NULL;

  return g_strdup_printf ("%04d-%02d-%02d %02d:%02d:%02d.%06d",
                          g_date_time_get_year (utc),
                          g_date_time_get_month (utc),
                          g_date_time_get_day_of_month (utc),
                          g_date_time_get_hour (utc),
                          g_date_time_get_minute (utc),
                          g_date_time_get_second (utc),
                          g_date_time_get_microsecond (utc));
}

/* Reads exactly @n_digits decimal digits at *p. */
static gboolean
read_digits (const char **p,
             guint        n_digits,
             int         *out)
{
  int v = 0;

  for (guint i = 0; i < n_digits; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n_digits;
  *out = v;
  return TRUE;
}

static gboolean
expect_char (const char **p,
             char         c)
{
  if (**p != c)
    return FALSE;
  (*p)++;
  return TRUE;
}

/* ".ffffff": up to 6 digits are kept, further digits are dropped. */
static gboolean
read_fraction (const char **p,
               int         *usec)
{
  int scale = 100000;

  *usec = 0;
  if (**p != '.')
    return TRUE;
  (*p)++;
  if (!g_ascii_isdigit (**p))
    return FALSE;
  for (; g_ascii_isdigit (**p); (*p)++)
    {
      *usec += (**p - '0') * scale;
      scale /= 10;
    }
  return TRUE;
}

/* "", "Z", "+HH", "+HHMM", "+HH:MM" (or '-'), into seconds east of UTC. */
static gboolean
read_offset (const char **p,
             int         *offset)
{
  int sign, hours, minutes = 0;

  *offset = 0;
  if (**p == '\0')
    return TRUE;
  if (**p == 'Z' || **p == 'z')
    {
      (*p)++;
      return TRUE;
    }
  if (**p != '+' && **p != '-')
    return FALSE;
  sign = **p == '-' ? -1 : 1;
  (*p)++;
  if (!read_digits (p, 2, &hours))
    return FALSE;
  if (**p == ':')
    (*p)++;
  if (g_ascii_isdigit (**p) && !read_digits (p, 2, &minutes))
    return FALSE;
  if (hours > 23 || minutes > 59)
    return FALSE;
  *offset = sign * (hours * 3600 + minutes * 60);
  return TRUE;
}

GDateTime *
_orma_datetime_parse (const char *text)
{
  const char *p = text;
  int year, month, day, hour, minute, second = 0, usec = 0, offset = 0;
  g_autoptr (GDateTime) whole = NULL;
  g_autoptr (GDateTime) local = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  while (g_ascii_isspace (*p))
    p++;
  if (!read_digits (&p, 4, &year) || !expect_char (&p, '-') ||
      !read_digits (&p, 2, &month) || !expect_char (&p, '-') ||
      !read_digits (&p, 2, &day))
    return NULL;
  if (*p != ' ' && *p != 'T' && *p != 't')
    return NULL;
  p++;
  if (!read_digits (&p, 2, &hour) || !expect_char (&p, ':') ||
      !read_digits (&p, 2, &minute))
    return NULL;
  if (*p == ':' && (!expect_char (&p, ':') || !read_digits (&p, 2, &second) ||
                    !read_fraction (&p, &usec)))
    return NULL;
  while (*p == ' ')
    p++;
  if (!read_offset (&p, &offset) || *p != '\0')
    return NULL;

  /* Whole seconds first, microseconds added as an integer: building from
   * a floating-point second would lose the last microsecond. */
  whole = g_date_time_new_utc (year, month, day, hour, minute, second);
  if (whole == NULL)
    return NULL;
  local = g_date_time_add (whole, usec);
  if (local == NULL)
    return NULL;
  return g_date_time_add_seconds (local, -offset);
}
