/* orma-query-rows.c: results of several entities and columns per row.
 *
 * A query's row is its entity (unless columns_only) followed by the
 * entities and columns added with orma_query_add_entity() and
 * orma_query_add_column(). Each entity occupies its mapped columns in
 * order, so the ordinary loader reads it at its offset; an entity whose
 * key columns are all NULL (a row an outer join did not find) is NULL in
 * the row. Plain columns become GValues, of the mapped property's type
 * when they name a mapped column and of the column's own type otherwise.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-query-private.h"
#include "orma-loading-private.h"
#include "orma-error-private.h"

typedef struct {
  GObject *entity;   /* referenced, or NULL */
  GValue   value;    /* unset for an entity or SQL NULL */
} Cell;

/**
 * OrmaResultRow:
 *
 * One row of orma_query_rows(): entities and plain values by position,
 * values also by label. Reference counted.
 */
struct _OrmaResultRow
{
  gint       ref_count;
  guint      n_cells;
  GPtrArray *labels;   /* char* or NULL per cell, shared by a result's rows */
  Cell       cells[];
};

G_DEFINE_BOXED_TYPE (OrmaResultRow, orma_result_row, orma_result_row_ref, orma_result_row_unref)

static OrmaResultRow *
result_row_new (GPtrArray *labels)
{
  OrmaResultRow *row = g_malloc0 (sizeof (OrmaResultRow) + labels->len * sizeof (Cell));

  row->ref_count = 1;
  row->n_cells = labels->len;
  row->labels = g_ptr_array_ref (labels);
  return row;
}

/**
 * orma_result_row_ref:
 * @row: a row
 *
 * Returns: (transfer full): @row
 */
OrmaResultRow *
orma_result_row_ref (OrmaResultRow *row)
{
  g_return_val_if_fail (row != NULL, NULL);

  g_atomic_int_inc (&row->ref_count);
  return row;
}

/**
 * orma_result_row_unref:
 * @row: (transfer full): a row
 *
 * Drops a reference; the last one frees the row and releases its
 * entities.
 */
void
orma_result_row_unref (OrmaResultRow *row)
{
  g_return_if_fail (row != NULL);

  if (!g_atomic_int_dec_and_test (&row->ref_count))
    return;
  for (guint i = 0; i < row->n_cells; i++)
    {
      g_clear_object (&row->cells[i].entity);
      if (G_IS_VALUE (&row->cells[i].value))
        g_value_unset (&row->cells[i].value);
    }
  g_ptr_array_unref (row->labels);
  g_free (row);
}

/**
 * orma_result_row_get_length:
 * @row: a row
 *
 * Returns: the number of entities and values in the row
 */
guint
orma_result_row_get_length (OrmaResultRow *row)
{
  g_return_val_if_fail (row != NULL, 0);

  return row->n_cells;
}

/**
 * orma_result_row_get_entity:
 * @row: a row
 * @index: a position in the row
 *
 * Returns: (transfer none) (nullable) (type OrmaEntity): the entity at
 *   @index; %NULL for a value or for an entity an outer join did not
 *   find
 */
gpointer
orma_result_row_get_entity (OrmaResultRow *row,
                            guint          index)
{
  g_return_val_if_fail (row != NULL, NULL);
  g_return_val_if_fail (index < row->n_cells, NULL);

  return row->cells[index].entity;
}

/**
 * orma_result_row_get_value:
 * @row: a row
 * @index: a position in the row
 *
 * Returns: (transfer none) (nullable): the value at @index; %NULL for
 *   SQL NULL and for an entity
 */
const GValue *
orma_result_row_get_value (OrmaResultRow *row,
                           guint          index)
{
  g_return_val_if_fail (row != NULL, NULL);
  g_return_val_if_fail (index < row->n_cells, NULL);

  return G_IS_VALUE (&row->cells[index].value) ? &row->cells[index].value : NULL;
}

/**
 * orma_result_row_lookup:
 * @row: a row
 * @label: the label of a column (orma_label()), or the name of a plain
 *   column added unlabelled
 *
 * Returns: (transfer none) (nullable): the value, or %NULL for SQL NULL
 *   or when no column has that label
 */
const GValue *
orma_result_row_lookup (OrmaResultRow *row,
                        const char    *label)
{
  g_return_val_if_fail (row != NULL, NULL);
  g_return_val_if_fail (label != NULL, NULL);

  for (guint i = 0; i < row->n_cells; i++)
    {
      const char *name = g_ptr_array_index (row->labels, i);

      if (name != NULL && strcmp (name, label) == 0)
        return orma_result_row_get_value (row, i);
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Building                                                            */

static void
query_item_free (OrmaQueryItem *item)
{
  g_clear_pointer (&item->alias, orma_alias_unref);
  g_clear_pointer (&item->column, orma_expr_unref);
  g_free (item);
}

static void
add_item (OrmaQuery     *self,
          OrmaQueryItem *item)
{
  if (self->items == NULL)
    self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) query_item_free);
  g_ptr_array_add (self->items, item);
}

/**
 * orma_query_add_entity:
 * @self: a query
 * @entity: an alias of a mapped class: from orma_aliased() (the alias a
 *   join was made to, or one added to FROM), or a subquery of an entity
 *   query (orma_query_subquery())
 *
 * Adds the objects of @entity to each result row (orma_query_rows()).
 * An alias that no join of the query reaches is added to FROM.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_add_entity (OrmaQuery *self,
                       OrmaAlias *entity)
{
  OrmaQueryItem *item;
  OrmaMapper *mapper;

  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (entity != NULL, self);

  mapper = entity->entity_type != 0 ? _orma_mapper_for_type (entity->entity_type) : NULL;
  if (mapper == NULL ||
      (entity->kind == ORMA_ALIAS_TABLE && entity->table != mapper->table))
    {
      _orma_query_keep_error (self, g_error_new (ORMA_ERROR, ORMA_ERROR_INVALID_QUERY,
                                                 "orma_query_add_entity() needs an alias of a "
                                                 "mapped class (orma_aliased())"));
      return self;
    }
  item = g_new0 (OrmaQueryItem, 1);
  item->alias = orma_alias_ref (entity);
  item->mapper = mapper;
  add_item (self, item);
  return self;
}

/**
 * orma_query_add_column:
 * @self: a query
 * @column: (transfer floating): a column or an expression (a function
 *   such as orma_count(), a scalar subquery), labelled with orma_label()
 *   to be found by name in the rows
 *
 * Adds a value to each result row (orma_query_rows()).
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_add_column (OrmaQuery *self,
                       OrmaExpr  *column)
{
  OrmaQueryItem *item;

  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (column != NULL, self);

  item = g_new0 (OrmaQueryItem, 1);
  item->column = orma_expr_ref_sink (column);
  add_item (self, item);
  return self;
}

/**
 * orma_query_columns_only:
 * @self: a query
 *
 * The rows hold only the added entities and columns, not the query's
 * entity (for aggregates: `SELECT count(addresses.id) ... GROUP BY`).
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_columns_only (OrmaQuery *self)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);

  self->columns_only = TRUE;
  return self;
}

/**
 * orma_query_distinct:
 * @self: a query
 *
 * SELECT DISTINCT.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_distinct (OrmaQuery *self)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);

  self->distinct = TRUE;
  return self;
}

/**
 * orma_query_group_by:
 * @self: a query
 * @expr: (transfer floating): a column or expression
 *
 * Adds @expr to the GROUP BY clause.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_group_by (OrmaQuery *self,
                     OrmaExpr  *expr)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (expr != NULL, self);

  if (self->group_by == NULL)
    self->group_by = g_ptr_array_new_with_free_func ((GDestroyNotify) orma_expr_unref);
  g_ptr_array_add (self->group_by, orma_expr_ref_sink (expr));
  return self;
}

/**
 * orma_query_having:
 * @self: a query
 * @condition: (transfer floating): a condition on the groups, e.g.
 *   `orma_gt (orma_count (NULL), orma_int (1))`
 *
 * Keeps only the groups for which @condition holds; several are combined
 * with AND.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_having (OrmaQuery *self,
                   OrmaExpr  *condition)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (condition != NULL, self);

  if (self->having == NULL)
    self->having = orma_expr_ref_sink (condition);
  else
    {
      OrmaExpr *both = orma_and (self->having, condition, NULL);

      /* the AND took its own reference to the old condition */
      orma_expr_unref (self->having);
      self->having = orma_expr_ref_sink (both);
    }
  return self;
}

/* The expression under a label. */
static OrmaExpr *
unlabel (OrmaExpr *expr)
{
  return expr->kind == ORMA_EXPR_LABEL && expr->n_children == 1 ? expr->children[0] : expr;
}

/* A mapped column is read as its property's type (a boolean, an enum),
 * anything else as what the database gives. */
static GType
value_type (OrmaExpr *expr)
{
  OrmaExpr *column = unlabel (expr);
  OrmaMapper *mapper;

  if (column->kind != ORMA_EXPR_COLUMN || column->entity_type == 0 || column->table == NULL)
    return G_TYPE_INVALID;
  mapper = _orma_mapper_for_type (column->entity_type);
  if (mapper == NULL || mapper->table != column->table || column->column >= mapper->n_columns)
    return G_TYPE_INVALID;
  return _orma_mapper_column (mapper, column->column)->type;
}

static const char *
value_label (OrmaExpr *expr)
{
  if (expr->kind == ORMA_EXPR_LABEL)
    return expr->name;
  if (expr->kind == ORMA_EXPR_COLUMN && expr->table != NULL &&
      expr->column < expr->table->columns->len)
    return _orma_table_column (expr->table, expr->column)->name;
  return NULL;
}

static void
add_slot (OrmaQueryCompiled *out,
          OrmaMapper        *mapper,
          OrmaExpr          *column)
{
  OrmaRowSlot slot = { out->columns->len, mapper, G_TYPE_INVALID, NULL };

  if (out->layout == NULL)
    return;
  if (column != NULL)
    {
      slot.value_type = value_type (column);
      slot.label = value_label (column);
    }
  g_array_append_val (out->layout, slot);
}

gboolean
_orma_query_items_build (OrmaQuery          *self,
                         OrmaQueryCompiled  *out,
                         GError            **error)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      OrmaQueryItem *item = g_ptr_array_index (self->items, i);
      OrmaMapper *mapper = item->mapper;

      if (item->column != NULL)
        {
          add_slot (out, NULL, item->column);
          g_ptr_array_add (out->columns, item->column);
          continue;
        }
      if (!_orma_query_joins_reach (self, item->alias) && item->alias != self->from_item)
        {
          if (out->extra_from == NULL)
            out->extra_from = g_ptr_array_new ();
          g_ptr_array_add (out->extra_from, item->alias);
        }
      add_slot (out, mapper, NULL);
      for (guint c = 0; c < mapper->n_columns; c++)
        {
          OrmaExpr *column = _orma_side_column (mapper->table, mapper->type, item->alias, c);

          g_ptr_array_add (out->owned, orma_expr_ref_sink (column));
          g_ptr_array_add (out->columns, column);
        }
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

static gboolean
read_value (OrmaCursor  *cursor,
            OrmaRowSlot *slot,
            GValue      *value,
            GError     **error)
{
  if (_orma_cursor_is_null (cursor, slot->offset))
    return TRUE;
  if (slot->value_type != G_TYPE_INVALID)
    g_value_init (value, slot->value_type);
  return _orma_cursor_get (cursor, slot->offset, value, error);
}

/* The row's cells; the query's own entity, first, goes through the
 * eager plan. */
static OrmaResultRow *
read_row (OrmaQuery          *self,
          OrmaQueryCompiled  *compiled,
          GArray             *layout,
          GPtrArray          *labels,
          OrmaCursor         *cursor,
          GError            **error)
{
  g_autoptr (OrmaResultRow) row = result_row_new (labels);

  for (guint i = 0; i < layout->len; i++)
    {
      OrmaRowSlot *slot = &g_array_index (layout, OrmaRowSlot, i);
      GError *local_error = NULL;
      OrmaEntity *entity;

      if (slot->mapper == NULL)
        {
          if (!read_value (cursor, slot, &row->cells[i].value, error))
            return NULL;
          continue;
        }
      entity = _orma_loading_instance (self->session, slot->mapper, cursor, slot->offset,
                                       &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      row->cells[i].entity = G_OBJECT (entity);
      if (i == 0 && !self->columns_only && entity != NULL && compiled->plan != NULL &&
          !_orma_eager_plan_row (compiled->plan, entity, cursor, error))
        return NULL;
    }
  return g_steal_pointer (&row);
}

static GPtrArray *
layout_labels (GArray *layout)
{
  GPtrArray *labels = g_ptr_array_new_full (layout->len, g_free);

  for (guint i = 0; i < layout->len; i++)
    g_ptr_array_add (labels, g_strdup (g_array_index (layout, OrmaRowSlot, i).label));
  return labels;
}

/* The owners the eager plan completes: each of the query's entities
 * once. */
static void
note_owner (GPtrArray  *owners,
            GHashTable *seen,
            gpointer    entity)
{
  if (entity == NULL || !g_hash_table_add (seen, entity))
    return;
  g_ptr_array_add (owners, g_object_ref (entity));
}

static gboolean
read_rows (OrmaQuery          *self,
           OrmaQueryCompiled  *compiled,
           OrmaCursor         *cursor,
           GPtrArray          *rows,
           GError            **error)
{
  static const OrmaRowSlot entity_only = { 0 };
  g_autoptr (GArray) text_layout = NULL;
  g_autoptr (GPtrArray) labels = NULL;
  g_autoptr (GPtrArray) owners = NULL;
  g_autoptr (GHashTable) seen = NULL;
  GArray *layout = compiled->layout;
  GError *local_error = NULL;

  if (layout == NULL)
    {
      /* textual SQL: the entity alone */
      OrmaRowSlot slot = entity_only;

      slot.mapper = self->mapper;
      layout = text_layout = g_array_new (FALSE, TRUE, sizeof (OrmaRowSlot));
      g_array_append_val (text_layout, slot);
    }
  labels = layout_labels (layout);
  if (compiled->plan != NULL)
    {
      owners = g_ptr_array_new_with_free_func (g_object_unref);
      seen = g_hash_table_new (NULL, NULL);
    }
  while (_orma_cursor_next (cursor, &local_error))
    {
      OrmaResultRow *row = read_row (self, compiled, layout, labels, cursor, &local_error);

      if (row == NULL)
        break;
      g_ptr_array_add (rows, row);
      if (owners != NULL)
        note_owner (owners, seen, row->cells[0].entity);
    }
  if (local_error == NULL && owners != NULL)
    _orma_eager_plan_finish (compiled->plan, owners, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/**
 * orma_query_rows:
 * @self: a query
 * @error: return location for a #GError
 *
 * Runs the query and returns its rows: the query's entity (unless
 * orma_query_columns_only()) followed by the added entities and columns.
 * Entities come through the identity map like those of
 * orma_query_all().
 *
 * Returns: (transfer full) (element-type OrmaResultRow): the rows, or
 *   %NULL on error
 */
GPtrArray *
orma_query_rows (OrmaQuery  *self,
                 GError    **error)
{
  g_autoptr (GPtrArray) rows = NULL;
  g_auto (OrmaQueryCompiled) compiled = { 0 };
  g_autoptr (OrmaCursor) cursor = NULL;
  OrmaConnection *connection;
  gboolean ok;

  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  connection = _orma_query_prepare_run (self, error);
  if (connection == NULL)
    return NULL;
  cursor = _orma_query_execute (self, connection, self->limit, FALSE, TRUE, &compiled, error);
  if (cursor == NULL)
    return NULL;

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) orma_result_row_unref);
  /* loading may not flush: the cursor reads from the connection */
  self->session->no_autoflush++;
  ok = read_rows (self, &compiled, cursor, rows, error);
  self->session->no_autoflush--;
  return ok ? g_steal_pointer (&rows) : NULL;
}

/**
 * orma_query_scalar:
 * @self: a query
 * @value: (out caller-allocates): the value; if initialized, the column
 *   is converted to its type, otherwise it gets the column's own type
 *   (left unset for SQL NULL)
 * @error: return location for a #GError
 *
 * Runs the query and reads the first column of the first row: an
 * aggregate added with orma_query_add_column() to a
 * orma_query_columns_only() query, for example.
 *
 * Returns: %TRUE on success; %FALSE with %ORMA_ERROR_NOT_FOUND when there
 *   is no row
 */
gboolean
orma_query_scalar (OrmaQuery  *self,
                   GValue     *value,
                   GError    **error)
{
  g_auto (OrmaQueryCompiled) compiled = { 0 };
  g_autoptr (OrmaCursor) cursor = NULL;
  OrmaConnection *connection;
  GError *local_error = NULL;
  OrmaRowSlot first = { 0 };

  g_return_val_if_fail (ORMA_IS_QUERY (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  connection = _orma_query_prepare_run (self, error);
  if (connection == NULL)
    return FALSE;
  cursor = _orma_query_execute (self, connection, self->limit, FALSE, FALSE, &compiled, error);
  if (cursor == NULL)
    return FALSE;
  if (!_orma_cursor_next (cursor, &local_error))
    {
      if (local_error == NULL)
        local_error = g_error_new (ORMA_ERROR, ORMA_ERROR_NOT_FOUND,
                                   "the query for %s found no row for its scalar",
                                   g_type_name (self->type));
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (_orma_cursor_is_null (cursor, 0))
    {
      if (G_IS_VALUE (value))
        g_value_reset (value);
      return TRUE;
    }
  if (!G_IS_VALUE (value) && compiled.layout != NULL && compiled.layout->len > 0)
    {
      first = g_array_index (compiled.layout, OrmaRowSlot, 0);
      if (first.mapper == NULL && first.value_type != G_TYPE_INVALID)
        g_value_init (value, first.value_type);
    }
  return _orma_cursor_get (cursor, 0, value, error);
}
