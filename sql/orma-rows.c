/* orma-rows.c: the public cursor over the rows of textual SQL.
 *
 * A thin GObject over a driver cursor. It keeps its connection alive
 * while open, and gives the cursor (and with it the cached statement)
 * back as soon as the last row has been read, so a loop that reads to
 * the end leaves nothing busy even if the OrmaRows lives on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-connection-private.h"
#include "orma-error-private.h"

struct _OrmaRows
{
  GObject         parent_instance;

  OrmaConnection *connection;
  OrmaCursor     *cursor;        /* NULL once the rows are exhausted */
  guint           n_columns;
  GStrv           column_names;  /* kept: still asked after the end */
  gboolean        on_row;
};

G_DEFINE_FINAL_TYPE (OrmaRows, orma_rows, G_TYPE_OBJECT)

static void
orma_rows_finalize (GObject *object)
{
  OrmaRows *self = ORMA_ROWS (object);

  /* the cursor first: freeing it may need the connection */
  g_clear_pointer (&self->cursor, _orma_cursor_free);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->column_names, g_strfreev);

  G_OBJECT_CLASS (orma_rows_parent_class)->finalize (object);
}

static void
orma_rows_class_init (OrmaRowsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = orma_rows_finalize;
}

static void
orma_rows_init (OrmaRows *self)
{
}

OrmaRows *
_orma_rows_new (OrmaConnection *connection,
                OrmaCursor     *cursor)
{
  OrmaRows *self;

  g_return_val_if_fail (ORMA_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (cursor != NULL, NULL);

  self = g_object_new (ORMA_TYPE_ROWS, NULL);
  self->connection = g_object_ref (connection);
  self->cursor = cursor;
  self->n_columns = _orma_cursor_n_columns (cursor);
  self->column_names = g_new0 (char *, self->n_columns + 1);
  for (guint i = 0; i < self->n_columns; i++)
    self->column_names[i] =
      g_strdup (cursor->driver->cursor_column_name (cursor, i));
  return self;
}

/**
 * orma_rows_next:
 * @self: rows
 * @error: return location for a #GError
 *
 * Moves to the next row; call it before reading the first one.
 *
 * Returns: %TRUE when a row is available, %FALSE at the end or on error
 *   (then @error is set)
 */
gboolean
orma_rows_next (OrmaRows  *self,
                GError   **error)
{
  g_return_val_if_fail (ORMA_IS_ROWS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->on_row = FALSE;
  if (self->cursor == NULL)
    return FALSE;

  if (_orma_cursor_next (self->cursor, error))
    {
      self->on_row = TRUE;
      return TRUE;
    }

  g_clear_pointer (&self->cursor, _orma_cursor_free);
  return FALSE;
}

/**
 * orma_rows_get_n_columns:
 * @self: rows
 *
 * The number of columns of each row.
 *
 * Returns: the number of columns
 */
guint
orma_rows_get_n_columns (OrmaRows *self)
{
  g_return_val_if_fail (ORMA_IS_ROWS (self), 0);

  return self->n_columns;
}

/**
 * orma_rows_get_column_name:
 * @self: rows
 * @column: a column index, from 0
 *
 * The name of a column, as the database reports it.
 *
 * Returns: (transfer none): the column name
 */
const char *
orma_rows_get_column_name (OrmaRows *self,
                           guint     column)
{
  g_return_val_if_fail (ORMA_IS_ROWS (self), NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);

  return self->column_names[column];
}

/**
 * orma_rows_is_null:
 * @self: rows, on a row
 * @column: a column index, from 0
 *
 * Whether the column of the current row is SQL NULL.
 *
 * Returns: %TRUE for NULL
 */
gboolean
orma_rows_is_null (OrmaRows *self,
                   guint     column)
{
  g_return_val_if_fail (ORMA_IS_ROWS (self), TRUE);
  g_return_val_if_fail (self->on_row, TRUE);
  g_return_val_if_fail (column < self->n_columns, TRUE);

  return _orma_cursor_is_null (self->cursor, column);
}

/**
 * orma_rows_get_value:
 * @self: rows, on a row
 * @column: a column index, from 0
 * @value: (out caller-allocates): an initialized #GValue of the type
 *   wanted, or an unset one to receive the column's natural type (#gint64,
 *   #gdouble, string or #GBytes)
 * @error: return location for a #GError
 *
 * Reads a column of the current row. A NULL column leaves an unset @value
 * unset and resets an initialized one (a %NULL string or boxed). A value
 * that does not fit the type asked for is %ORMA_ERROR_TYPE_MISMATCH.
 *
 * Returns: %TRUE on success
 */
gboolean
orma_rows_get_value (OrmaRows  *self,
                     guint      column,
                     GValue    *value,
                     GError   **error)
{
  g_return_val_if_fail (ORMA_IS_ROWS (self), FALSE);
  g_return_val_if_fail (self->on_row, FALSE);
  g_return_val_if_fail (column < self->n_columns, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (_orma_cursor_is_null (self->cursor, column))
    {
      if (G_IS_VALUE (value))
        g_value_reset (value);
      return TRUE;
    }
  return _orma_cursor_get (self->cursor, column, value, error);
}

/* Reads into @value (initialized to the type wanted); a NULL column or a
 * value of another kind leaves the type's default. */
static void
get_typed (OrmaRows *self,
           guint     column,
           GValue   *value)
{
  g_autoptr (GError) error = NULL;

  if (!orma_rows_get_value (self, column, value, &error) && error != NULL)
    g_warning ("Column %u (%s): %s", column,
               self->column_names[column], error->message);
}

/**
 * orma_rows_get_int64:
 * @self: rows, on a row
 * @column: a column index, from 0
 *
 * Reads a column of the current row as an integer. Use
 * orma_rows_get_value() to tell a failed conversion from a zero.
 *
 * Returns: the value, or 0 for NULL or a value that is not an integer
 */
gint64
orma_rows_get_int64 (OrmaRows *self,
                     guint     column)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (ORMA_IS_ROWS (self), 0);
  g_return_val_if_fail (self->on_row, 0);
  g_return_val_if_fail (column < self->n_columns, 0);

  g_value_init (&value, G_TYPE_INT64);
  get_typed (self, column, &value);
  return g_value_get_int64 (&value);
}

/**
 * orma_rows_get_double:
 * @self: rows, on a row
 * @column: a column index, from 0
 *
 * Reads a column of the current row as a double.
 *
 * Returns: the value, or 0.0 for NULL or a value that is not a number
 */
double
orma_rows_get_double (OrmaRows *self,
                      guint     column)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (ORMA_IS_ROWS (self), 0.0);
  g_return_val_if_fail (self->on_row, 0.0);
  g_return_val_if_fail (column < self->n_columns, 0.0);

  g_value_init (&value, G_TYPE_DOUBLE);
  get_typed (self, column, &value);
  return g_value_get_double (&value);
}

/**
 * orma_rows_dup_string:
 * @self: rows, on a row
 * @column: a column index, from 0
 *
 * Reads a column of the current row as text; numbers are formatted.
 *
 * Returns: (transfer full) (nullable): the text, or %NULL for NULL
 */
char *
orma_rows_dup_string (OrmaRows *self,
                      guint     column)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (ORMA_IS_ROWS (self), NULL);
  g_return_val_if_fail (self->on_row, NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);

  g_value_init (&value, G_TYPE_STRING);
  get_typed (self, column, &value);
  return g_value_dup_string (&value);
}
