/* orma-value-private.h: GValue helpers shared by every layer.
 *
 * NULL convention, everywhere inside Orma: a NULL `const GValue *`, an
 * unset GValue (G_TYPE_INVALID) or a string/boxed GValue holding a NULL
 * pointer all stand for SQL NULL.
 *
 * Storage types: a column's GType is reduced to one of the fundamental
 * types Orma knows how to store: G_TYPE_BOOLEAN, G_TYPE_INT, G_TYPE_UINT,
 * G_TYPE_INT64, G_TYPE_DOUBLE, G_TYPE_STRING, G_TYPE_ENUM, G_TYPE_FLAGS,
 * G_TYPE_BYTES, G_TYPE_DATE_TIME. Anything else is G_TYPE_INVALID.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

GType      _orma_value_storage_type (GType         type);
gboolean   _orma_value_is_null      (const GValue *value);
gboolean   _orma_value_equal        (const GValue *a,
                                     const GValue *b);
guint      _orma_value_hash         (const GValue *value);
/* Converts between storage types where no information is lost (an int64
 * into an int that fits, an integer into an enum, ...). Fails with
 * ORMA_ERROR_TYPE_MISMATCH otherwise. @dest is initialized to its type. */
gboolean   _orma_value_convert      (const GValue *src,
                                     GValue       *dest,
                                     GError      **error);
/* A readable rendering for the echo log: 'text', 42, NULL, <4 bytes>. */
char      *_orma_value_to_echo      (const GValue *value);

/* Date-times are stored in UTC with microseconds, as
 * "YYYY-MM-DD HH:MM:SS.ffffff" (SQLite) or timestamptz (PostgreSQL). */
char      *_orma_datetime_format    (GDateTime    *datetime);
GDateTime *_orma_datetime_parse     (const char   *text);

G_END_DECLS
