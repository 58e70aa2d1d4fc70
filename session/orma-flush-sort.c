/* orma-flush-sort.c: the order of the flush's statements.
 *
 * Mappers: the components of the dependency graph (orma-flush-graph.c)
 * are sorted topologically with Kahn's algorithm. The sort is
 * deterministic: among the components that are ready, the one whose
 * first mapper appeared first in the session goes first. Each mapper's
 * new rows are INSERTed, then its changed rows UPDATEd; DELETEs come at
 * the end, in the reverse order (children first).
 *
 * Rows: a component on a cycle (a self-referential table, tables that
 * reference each other) has its rows sorted one by one. A row depends on
 * the rows its relationships point at (the parent of a many-to-one, the
 * owner of a one-to-many collection it is a member of) and on the rows
 * its foreign key values name, among the rows of the same flush; for
 * DELETEs, as they were committed (the rows in the database). Rows
 * are emitted in levels: every row whose parents are in earlier levels
 * goes in the next one, so the rows of one table in one level still go
 * in one batch (a three-level tree is three INSERT statements, whatever
 * its size). DELETEs use the same levels, deepest first. Rows that
 * depend on each other in a circle, with no post-update relationship to
 * break it, are an error naming them: nothing is written.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-flush-private.h"
#include "orma-error-private.h"
#include "orma-value-private.h"
#include "orma-collection-private.h"

static void
add_step (GArray            *steps,
          OrmaFlushStepKind  kind,
          OrmaMapper        *mapper,
          GPtrArray         *rows)
{
  OrmaFlushStep step = { kind, mapper, NULL };

  if (rows->len == 0)
    return;
  step.rows = g_ptr_array_ref (rows);
  g_array_append_val (steps, step);
}

/* ------------------------------------------------------------------ */
/* rows of a cycle                                                     */

typedef struct {
  GPtrArray  *rows;      /* OrmaEntity* of the component's mappers */
  GHashTable *index;     /* OrmaEntity* -> row index + 1 */
  GPtrArray  *parents;   /* per row: GArray of guint, or NULL */
  gboolean    deleting;  /* compare committed values */
} RowGraph;

static void
parents_free (gpointer list)
{
  if (list != NULL)
    g_array_unref (list);
}

static int
row_of (RowGraph *g,
        gpointer  entity)
{
  return entity != NULL ? GPOINTER_TO_INT (g_hash_table_lookup (g->index, entity)) - 1 : -1;
}

static void
row_edge (RowGraph *g,
          int       parent,
          int       child)
{
  GArray *list;

  if (parent < 0 || child < 0)
    return;
  list = g_ptr_array_index (g->parents, child);
  if (list == NULL)
    {
      list = g_array_new (FALSE, FALSE, sizeof (guint));
      g->parents->pdata[child] = list;
    }
  for (guint i = 0; i < list->len; i++)
    if (g_array_index (list, guint, i) == (guint) parent)
      return;
  g_array_append_val (list, parent);
}

static const GValue *
row_value (RowGraph   *g,
           OrmaEntity *entity,
           guint       column)
{
  return g->deleting ? _orma_entity_peek_committed (entity, column)
                     : _orma_entity_peek (entity, column);
}

/* "table\x1fvalue\x1fvalue": a row's key, or the key a foreign key
 * names, comparable as a string. NULL if a value is NULL. */
static char *
key_text (const char     *table,
          const GValue  **values,
          guint           n)
{
  GString *text = g_string_new (table);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *echo = NULL;

      if (_orma_value_is_null (values[i]))
        {
          g_string_free (text, TRUE);
          return NULL;
        }
      echo = _orma_value_to_echo (values[i]);
      g_string_append_c (text, '\x1f');
      g_string_append (text, echo);
    }
  return g_string_free (text, FALSE);
}

static GHashTable *
index_keys (RowGraph *g)
{
  GHashTable *keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint r = 0; r < g->rows->len; r++)
    {
      OrmaEntity *entity = g_ptr_array_index (g->rows, r);
      OrmaMapper *mapper = _orma_entity_get_mapper (entity);
      const GValue *values[ORMA_MAX_COLUMNS];
      char *key;

      for (guint k = 0; k < mapper->n_pk; k++)
        values[k] = row_value (g, entity, mapper->pk[k]);
      key = key_text (orma_table_get_name (mapper->table), values, mapper->n_pk);
      if (key != NULL)
        g_hash_table_insert (keys, key, GINT_TO_POINTER (r + 1));
    }
  return keys;
}

/* Edges from the foreign key values of row @r to rows of the flush
 * whose primary key they name. */
static void
foreign_key_edges (RowGraph   *g,
                   GHashTable *keys,
                   guint       r,
                   GPtrArray  *mappers)
{
  OrmaEntity *entity = g_ptr_array_index (g->rows, r);
  OrmaMapper *mapper = _orma_entity_get_mapper (entity);
  GPtrArray *fks = mapper->table->foreign_keys;

  for (guint f = 0; f < fks->len; f++)
    {
      OrmaForeignKey *fk = g_ptr_array_index (fks, f);

      for (guint m = 0; m < mappers->len; m++)
        {
          OrmaMapper *ref = g_ptr_array_index (mappers, m);
          const GValue *values[ORMA_MAX_COLUMNS];
          g_autofree char *key = NULL;
          gboolean complete = fk->columns->len == ref->n_pk;

          if (g_strcmp0 (fk->ref_table, orma_table_get_name (ref->table)) != 0 ||
              _orma_flush_fk_is_post_update (mapper, fk, ref))
            continue;
          /* the values in the order of the referenced primary key */
          for (guint k = 0; k < ref->n_pk && complete; k++)
            {
              const char *pk_name = _orma_mapper_column (ref, ref->pk[k])->name;
              int col = -1;

              for (guint c = 0; c < fk->columns->len; c++)
                if (fk->ref_columns->len == fk->columns->len &&
                    g_strcmp0 (g_ptr_array_index (fk->ref_columns, c), pk_name) == 0)
                  col = _orma_mapper_find_column (mapper, g_ptr_array_index (fk->columns, c));
              if (col < 0)
                complete = FALSE;
              else
                values[k] = row_value (g, entity, col);
            }
          if (!complete)
            continue;
          key = key_text (fk->ref_table, values, ref->n_pk);
          if (key != NULL)
            row_edge (g, GPOINTER_TO_INT (g_hash_table_lookup (keys, key)) - 1, (int) r);
        }
    }
}

static gboolean
in_component (GPtrArray  *mappers,
              OrmaMapper *mapper)
{
  for (guint i = 0; i < mappers->len; i++)
    if (g_ptr_array_index (mappers, i) == mapper)
      return TRUE;
  return FALSE;
}

/* A deleted row is never UPDATEd first: the database holds its values
 * as they were committed, and those alone order the DELETEs. Edges of
 * row @r from the committed side of @rel: the parent a many-to-one held
 * before it changed (unknown when it changed unloaded: its foreign key
 * values speak then), the members of a collection without those added
 * since and with those removed. */
static void
committed_edges (RowGraph         *g,
                 guint             r,
                 OrmaEntity       *entity,
                 OrmaRelationship *rel,
                 GPtrArray        *scratch)
{
  OrmaRelSlot *slot = _orma_flush_peek_slot (entity, rel);
  OrmaCollection *collection;
  GPtrArray *added, *removed;
  g_autoptr (GHashTable) new_members = NULL;

  if (slot == NULL || slot->value == NULL)
    {
      if (slot != NULL && rel->direction == ORMA_REL_MANY_TO_ONE &&
          slot->committed_set && !slot->committed_unknown)
        row_edge (g, row_of (g, slot->committed), (int) r);
      return;
    }
  if (rel->direction == ORMA_REL_MANY_TO_ONE)
    {
      if (ORMA_IS_COLLECTION (slot->value) || (slot->committed_set && slot->committed_unknown))
        return;
      row_edge (g, row_of (g, slot->committed_set ? (gpointer) slot->committed : slot->value), (int) r);
      return;
    }
  if (!ORMA_IS_COLLECTION (slot->value))
    {
      /* a one-to-one */
      if (!(slot->committed_set && slot->committed_unknown))
        row_edge (g, (int) r, row_of (g, slot->committed_set ? (gpointer) slot->committed : slot->value));
      return;
    }
  collection = ORMA_COLLECTION (slot->value);
  added = _orma_collection_get_added (collection);
  removed = _orma_collection_get_removed (collection);
  if (added != NULL && added->len > 0)
    {
      new_members = g_hash_table_new (NULL, NULL);
      for (guint k = 0; k < added->len; k++)
        g_hash_table_add (new_members, g_ptr_array_index (added, k));
    }
  g_ptr_array_set_size (scratch, 0);
  _orma_session_peek_related (entity, rel, scratch);
  for (guint k = 0; k < scratch->len; k++)
    if (new_members == NULL || !g_hash_table_contains (new_members, g_ptr_array_index (scratch, k)))
      row_edge (g, (int) r, row_of (g, g_ptr_array_index (scratch, k)));
  for (guint k = 0; removed != NULL && k < removed->len; k++)
    row_edge (g, (int) r, row_of (g, g_ptr_array_index (removed, k)));
}

/* Edges from the relationship values of row @r. */
static void
relationship_edges (RowGraph  *g,
                    guint      r,
                    GPtrArray *mappers,
                    GPtrArray *scratch)
{
  OrmaEntity *entity = g_ptr_array_index (g->rows, r);
  GPtrArray *rels = _orma_entity_get_mapper (entity)->relationships;

  if (rels == NULL)
    return;
  for (guint i = 0; i < rels->len; i++)
    {
      OrmaRelationship *rel = g_ptr_array_index (rels, i);
      OrmaRelSlot *slot;

      if (!_orma_flush_rel_orders (rel) || !in_component (mappers, rel->target))
        continue;
      if (g->deleting)
        {
          committed_edges (g, r, entity, rel, scratch);
          continue;
        }
      if (rel->direction == ORMA_REL_MANY_TO_ONE)
        {
          slot = _orma_flush_peek_slot (entity, rel);
          if (slot == NULL || slot->value == NULL || ORMA_IS_COLLECTION (slot->value))
            continue;
          row_edge (g, row_of (g, slot->value), (int) r);
          continue;
        }
      g_ptr_array_set_size (scratch, 0);
      _orma_session_peek_related (entity, rel, scratch);
      for (guint k = 0; k < scratch->len; k++)
        row_edge (g, (int) r, row_of (g, g_ptr_array_index (scratch, k)));
    }
}

/* Names the rows of one cycle among @remaining (rows not yet placed). */
static char *
describe_cycle (RowGraph *g,
                guint    *indegree)
{
  g_autoptr (GArray) path = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree int *seen = g_new (int, g->rows->len);
  GString *text = g_string_new (NULL);
  guint start = 0, r;

  for (guint i = 0; i < g->rows->len; i++)
    seen[i] = -1;
  while (indegree[start] == 0)
    start++;
  /* Walk to a remaining parent until a row repeats. */
  for (r = start; seen[r] < 0;)
    {
      GArray *parents = g_ptr_array_index (g->parents, r);

      seen[r] = (int) path->len;
      g_array_append_val (path, r);
      for (guint i = 0; parents != NULL && i < parents->len; i++)
        if (indegree[g_array_index (parents, guint, i)] > 0)
          {
            r = g_array_index (parents, guint, i);
            break;
          }
    }
  for (guint i = (guint) seen[r]; i < path->len; i++)
    {
      g_autofree char *row = _orma_flush_describe_row (g_ptr_array_index (g->rows, g_array_index (path, guint, i)));
      g_string_append_printf (text, "%s%s", text->len ? " -> " : "", row);
    }
  return g_string_free (text, FALSE);
}

/* The reverse of the parents lists: per row, the rows that depend on
 * it (GArray of guint, or NULL). */
static GPtrArray *
children_of (RowGraph *g)
{
  GPtrArray *children = g_ptr_array_new_with_free_func (parents_free);

  g_ptr_array_set_size (children, g->rows->len);
  for (guint c = 0; c < g->rows->len; c++)
    {
      GArray *parents = g_ptr_array_index (g->parents, c);

      for (guint p = 0; parents != NULL && p < parents->len; p++)
        {
          guint parent = g_array_index (parents, guint, p);
          GArray *list = g_ptr_array_index (children, parent);

          if (list == NULL)
            {
              list = g_array_new (FALSE, FALSE, sizeof (guint));
              children->pdata[parent] = list;
            }
          g_array_append_val (list, c);
        }
    }
  return children;
}

static gint
compare_rows (gconstpointer a,
              gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* Sorts @rows into levels (GPtrArray of GPtrArray of OrmaEntity*),
 * parents first. */
static GPtrArray *
sort_rows (GPtrArray  *rows,
           GPtrArray  *mappers,
           gboolean    deleting,
           GError    **error)
{
  RowGraph g = { rows, NULL, NULL, deleting };
  g_autoptr (GHashTable) keys = NULL;
  g_autoptr (GPtrArray) scratch = g_ptr_array_new ();
  g_autofree guint *indegree = g_new0 (guint, rows->len + 1);
  g_autoptr (GArray) ready = g_array_new (FALSE, FALSE, sizeof (guint));
  GPtrArray *levels = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GPtrArray) children = NULL;
  guint placed = 0;

  g.index = g_hash_table_new (NULL, NULL);
  g.parents = g_ptr_array_new_with_free_func (parents_free);
  g_ptr_array_set_size (g.parents, rows->len);
  for (guint r = 0; r < rows->len; r++)
    g_hash_table_insert (g.index, g_ptr_array_index (rows, r), GINT_TO_POINTER (r + 1));
  keys = index_keys (&g);
  for (guint r = 0; r < rows->len; r++)
    {
      relationship_edges (&g, r, mappers, scratch);
      foreign_key_edges (&g, keys, r, mappers);
    }

  for (guint r = 0; r < rows->len; r++)
    {
      GArray *parents = g_ptr_array_index (g.parents, r);
      indegree[r] = parents ? parents->len : 0;
      if (indegree[r] == 0)
        g_array_append_val (ready, r);
    }
  children = children_of (&g);
  while (ready->len > 0)
    {
      GPtrArray *level = g_ptr_array_new ();
      g_autoptr (GArray) next = g_array_new (FALSE, FALSE, sizeof (guint));

      for (guint i = 0; i < ready->len; i++)
        g_ptr_array_add (level, g_ptr_array_index (rows, g_array_index (ready, guint, i)));
      g_ptr_array_add (levels, level);
      placed += ready->len;
      /* the rows whose last parent was just placed, in row order: the
       * work is the number of edges, not rows times levels */
      for (guint i = 0; i < ready->len; i++)
        {
          GArray *list = g_ptr_array_index (children, g_array_index (ready, guint, i));

          for (guint k = 0; list != NULL && k < list->len; k++)
            {
              guint c = g_array_index (list, guint, k);
              if (--indegree[c] == 0)
                g_array_append_val (next, c);
            }
        }
      g_array_sort (next, compare_rows);
      g_array_set_size (ready, 0);
      g_array_append_vals (ready, next->data, next->len);
    }

  if (placed < rows->len)
    {
      g_autofree char *cycle = describe_cycle (&g, indegree);
      _orma_set_error (error, ORMA_ERROR_INVALID_STATE,
                       "rows depend on each other in a cycle that no post-update "
                       "relationship breaks: %s", cycle);
      g_clear_pointer (&levels, g_ptr_array_unref);
    }
  g_hash_table_unref (g.index);
  g_ptr_array_unref (g.parents);
  return levels;
}

/* The rows of @level that belong to @mapper, in level order. */
static GPtrArray *
rows_of_mapper (GPtrArray  *level,
                OrmaMapper *mapper)
{
  GPtrArray *rows = g_ptr_array_new ();

  for (guint i = 0; i < level->len; i++)
    if (_orma_entity_get_mapper (g_ptr_array_index (level, i)) == mapper)
      g_ptr_array_add (rows, g_ptr_array_index (level, i));
  return rows;
}

static gboolean
sort_cycle (OrmaFlushPlan  *plan,
            GPtrArray      *mappers,
            GArray         *deletes,
            GError        **error)
{
  g_autoptr (GPtrArray) inserts = g_ptr_array_new ();
  g_autoptr (GPtrArray) deleted = g_ptr_array_new ();
  g_autoptr (GPtrArray) insert_levels = NULL;
  g_autoptr (GPtrArray) delete_levels = NULL;

  for (guint m = 0; m < mappers->len; m++)
    {
      OrmaMapperWork *work = g_hash_table_lookup (plan->work, g_ptr_array_index (mappers, m));
      g_ptr_array_extend (inserts, work->inserts, NULL, NULL);
      g_ptr_array_extend (deleted, work->deletes, NULL, NULL);
    }
  insert_levels = sort_rows (inserts, mappers, FALSE, error);
  if (insert_levels == NULL)
    return FALSE;
  delete_levels = sort_rows (deleted, mappers, TRUE, error);
  if (delete_levels == NULL)
    return FALSE;

  for (guint l = 0; l < insert_levels->len; l++)
    for (guint m = 0; m < mappers->len; m++)
      {
        g_autoptr (GPtrArray) rows = rows_of_mapper (g_ptr_array_index (insert_levels, l),
                                                     g_ptr_array_index (mappers, m));
        add_step (plan->saves, ORMA_FLUSH_INSERT, g_ptr_array_index (mappers, m), rows);
      }
  /* Changed rows exist already: after every new row they may point at. */
  for (guint m = 0; m < mappers->len; m++)
    {
      OrmaMapperWork *work = g_hash_table_lookup (plan->work, g_ptr_array_index (mappers, m));
      add_step (plan->saves, ORMA_FLUSH_UPDATE, work->mapper, work->updates);
    }
  /* In save order (parents first) like every mapper's deletes: the
   * caller reverses the whole list. */
  for (guint l = 0; l < delete_levels->len; l++)
    for (guint m = 0; m < mappers->len; m++)
      {
        g_autoptr (GPtrArray) rows = rows_of_mapper (g_ptr_array_index (delete_levels, l),
                                                     g_ptr_array_index (mappers, m));
        add_step (deletes, ORMA_FLUSH_DELETE, g_ptr_array_index (mappers, m), rows);
      }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* mappers                                                             */

/* The components in flush order (Kahn, ties by first appearance). */
static GArray *
sort_components (OrmaFlushGraph *graph)
{
  guint n = graph->n_components;
  g_autofree guint *first = g_new (guint, n + 1);
  g_autofree guint *blockers = g_new0 (guint, n + 1);
  g_autofree guint8 *cedge = g_new0 (guint8, (gsize) n * n + 1);
  g_autofree gboolean *done = g_new0 (gboolean, n + 1);
  GArray *order = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint c = 0; c < n; c++)
    first[c] = G_MAXUINT;
  for (guint m = graph->n; m > 0; m--)
    first[graph->component[m - 1]] = m - 1;
  for (guint p = 0; p < graph->n; p++)
    for (guint c = 0; c < graph->n; c++)
      {
        guint a = graph->component[p], b = graph->component[c];
        if (graph->edge[p * graph->n + c] && a != b && !cedge[a * n + b])
          {
            cedge[a * n + b] = 1;
            blockers[b]++;
          }
      }
  while (order->len < n)
    {
      guint pick = n;

      for (guint c = 0; c < n; c++)
        if (!done[c] && blockers[c] == 0 && (pick == n || first[c] < first[pick]))
          pick = c;
      g_assert (pick < n);   /* components form no cycle */
      done[pick] = TRUE;
      g_array_append_val (order, pick);
      for (guint c = 0; c < n; c++)
        if (cedge[pick * n + c])
          blockers[c]--;
    }
  return order;
}

gboolean
_orma_flush_sort (OrmaFlushPlan  *plan,
                  GError        **error)
{
  OrmaFlushGraph *graph = _orma_flush_graph_new (plan->mappers);
  g_autoptr (GArray) order = sort_components (graph);
  g_autoptr (GArray) deletes = g_array_new (FALSE, FALSE, sizeof (OrmaFlushStep));
  gboolean ok = TRUE;

  for (guint i = 0; i < order->len && ok; i++)
    {
      guint component = g_array_index (order, guint, i);
      g_autoptr (GPtrArray) mappers = g_ptr_array_new ();

      for (guint m = 0; m < graph->n; m++)
        if (graph->component[m] == component)
          g_ptr_array_add (mappers, graph->mappers[m]);

      if (graph->cyclic[component])
        ok = sort_cycle (plan, mappers, deletes, error);
      else
        {
          OrmaMapperWork *work = g_hash_table_lookup (plan->work, g_ptr_array_index (mappers, 0));
          add_step (plan->saves, ORMA_FLUSH_INSERT, work->mapper, work->inserts);
          add_step (plan->saves, ORMA_FLUSH_UPDATE, work->mapper, work->updates);
          add_step (deletes, ORMA_FLUSH_DELETE, work->mapper, work->deletes);
        }
    }
  /* Children first: the reverse of the save order. */
  for (guint i = deletes->len; i > 0; i--)
    g_array_append_val (plan->deletes, g_array_index (deletes, OrmaFlushStep, i - 1));
  g_array_set_size (deletes, 0);
  _orma_flush_graph_free (graph);
  return ok;
}
