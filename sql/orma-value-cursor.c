/* orma-value-cursor.c: a one-row cursor over values the caller holds.
 *
 * Backends hand values that do not come from a result set (SQLite's row
 * id after an INSERT) to code that reads cursors, without a special case
 * on the reading side.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-driver-private.h"
#include "orma-value-private.h"

static gboolean
value_cursor_next (OrmaCursor  *cursor,
                   GError     **error)
{
  return FALSE;
}

static guint
value_cursor_n_columns (OrmaCursor *cursor)
{
  return ((OrmaValueCursor *) cursor)->n_values;
}

static const char *
value_cursor_column_name (OrmaCursor *cursor,
                          guint       column)
{
  return NULL;
}

static gboolean
value_cursor_is_null (OrmaCursor *cursor,
                      guint       column)
{
  return _orma_value_is_null (&((OrmaValueCursor *) cursor)->values[column]);
}

static gboolean
value_cursor_get (OrmaCursor  *cursor,
                  guint        column,
                  GValue      *value,
                  GError     **error)
{
  const GValue *source = &((OrmaValueCursor *) cursor)->values[column];

  if (!G_IS_VALUE (value))
    {
      g_value_init (value, G_VALUE_TYPE (source));
      g_value_copy (source, value);
      return TRUE;
    }
  return _orma_value_convert (source, value, error);
}

static void
value_cursor_free (OrmaCursor *cursor)
{
  /* lives on the caller's stack */
}

static const OrmaDriver value_cursor_driver = {
  .name = "values",
  .cursor_next = value_cursor_next,
  .cursor_n_columns = value_cursor_n_columns,
  .cursor_column_name = value_cursor_column_name,
  .cursor_is_null = value_cursor_is_null,
  .cursor_get = value_cursor_get,
  .cursor_free = value_cursor_free,
};

void
_orma_value_cursor_init (OrmaValueCursor *cursor,
                         const GValue    *values,
                         guint            n_values)
{
  cursor->base.driver = &value_cursor_driver;
  cursor->base.on_free = NULL;
  cursor->base.on_free_data = NULL;
  cursor->values = values;
  cursor->n_values = n_values;
}
