/* orma-flush-graph.c: which mapper's rows must be written before which.
 *
 * An edge p -> c means rows of p are INSERTed before rows of c (and
 * DELETEd after them). Edges come from two sources:
 *
 * - the foreign keys of the tables: c's table references p's table;
 * - the relationships: a many-to-one from c to p, a one-to-many from p
 *   to c. They matter when the tables declare no foreign key (the
 *   relationship names its columns with "foreign-keys").
 *
 * Post-update relationships order nothing: their foreign key is written
 * by a second UPDATE after both rows exist, which is how two rows that
 * reference each other get written at all. A foreign key whose columns a
 * post-update relationship writes is left out for the same reason.
 * Many-to-many relationships order nothing either: the secondary rows
 * are written after every INSERT and deleted before every DELETE.
 *
 * Strongly connected components (Tarjan's algorithm) tell which mappers
 * are on a cycle: a self-referential table, or tables referencing each
 * other. Their rows are sorted one by one (orma-flush-sort.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-flush-private.h"

gboolean
_orma_flush_rel_orders (OrmaRelationship *rel)
{
  return rel->resolved && !rel->post_update && rel->direction != ORMA_REL_MANY_TO_MANY;
}

/* TRUE if the columns @cols of @mapper (by index) are exactly the
 * columns named by @names. */
static gboolean
same_columns (OrmaMapper  *mapper,
              GPtrArray   *names,
              const guint *cols,
              guint        n_cols)
{
  if (names->len != n_cols)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    {
      int index = _orma_mapper_find_column (mapper, g_ptr_array_index (names, i));
      gboolean found = FALSE;

      for (guint j = 0; j < n_cols && !found; j++)
        found = index >= 0 && (guint) index == cols[j];
      if (!found)
        return FALSE;
    }
  return TRUE;
}

gboolean
_orma_flush_fk_is_post_update (OrmaMapper     *mapper,
                               OrmaForeignKey *fk,
                               OrmaMapper     *ref)
{
  /* A post-update many-to-one of @mapper, or a post-update one-to-many
   * of the referenced mapper, whose foreign key columns are these. */
  if (mapper->relationships != NULL)
    for (guint i = 0; i < mapper->relationships->len; i++)
      {
        OrmaRelationship *rel = g_ptr_array_index (mapper->relationships, i);
        if (rel->resolved && rel->post_update && rel->direction == ORMA_REL_MANY_TO_ONE &&
            same_columns (mapper, fk->columns, rel->local, rel->n_pairs))
          return TRUE;
      }
  if (ref != NULL && ref->relationships != NULL)
    for (guint i = 0; i < ref->relationships->len; i++)
      {
        OrmaRelationship *rel = g_ptr_array_index (ref->relationships, i);
        if (rel->resolved && rel->post_update && rel->direction == ORMA_REL_ONE_TO_MANY &&
            rel->target == mapper &&
            same_columns (mapper, fk->columns, rel->remote, rel->n_pairs))
          return TRUE;
      }
  return FALSE;
}

static int
index_of (OrmaFlushGraph *graph,
          OrmaMapper     *mapper)
{
  for (guint i = 0; i < graph->n; i++)
    if (graph->mappers[i] == mapper)
      return (int) i;
  return -1;
}

static void
add_edge (OrmaFlushGraph *graph,
          int             parent,
          int             child)
{
  if (parent >= 0 && child >= 0)
    graph->edge[parent * graph->n + child] = 1;
}

static void
add_foreign_key_edges (OrmaFlushGraph *graph,
                       guint           c)
{
  OrmaMapper *child = graph->mappers[c];
  GPtrArray *fks = child->table->foreign_keys;

  for (guint i = 0; i < fks->len; i++)
    {
      OrmaForeignKey *fk = g_ptr_array_index (fks, i);

      for (guint p = 0; p < graph->n; p++)
        if (g_strcmp0 (fk->ref_table, orma_table_get_name (graph->mappers[p]->table)) == 0 &&
            !_orma_flush_fk_is_post_update (child, fk, graph->mappers[p]))
          add_edge (graph, p, c);
    }
}

static void
add_relationship_edges (OrmaFlushGraph *graph,
                        guint           m)
{
  GPtrArray *rels = graph->mappers[m]->relationships;

  if (rels == NULL)
    return;
  for (guint i = 0; i < rels->len; i++)
    {
      OrmaRelationship *rel = g_ptr_array_index (rels, i);
      int target;

      if (!_orma_flush_rel_orders (rel))
        continue;
      target = index_of (graph, rel->target);
      if (rel->direction == ORMA_REL_MANY_TO_ONE)
        add_edge (graph, target, m);
      else
        add_edge (graph, m, target);
    }
}

/* Tarjan's strongly connected components, recursive: the graph has one
 * node per mapper of the flush, a handful. */
typedef struct {
  OrmaFlushGraph *graph;
  int            *index;
  int            *low;
  gboolean       *on_stack;
  guint          *stack;
  guint           depth;
  int             counter;
} Tarjan;

static void
strong_connect (Tarjan *t,
                guint   v)
{
  OrmaFlushGraph *g = t->graph;

  t->index[v] = t->low[v] = t->counter++;
  t->stack[t->depth++] = v;
  t->on_stack[v] = TRUE;
  for (guint w = 0; w < g->n; w++)
    {
      if (!g->edge[v * g->n + w])
        continue;
      if (t->index[w] < 0)
        {
          strong_connect (t, w);
          t->low[v] = MIN (t->low[v], t->low[w]);
        }
      else if (t->on_stack[w])
        t->low[v] = MIN (t->low[v], t->index[w]);
    }
  if (t->low[v] == t->index[v])
    {
      guint size = 0, w;
      guint component = g->n_components++;

      do
        {
          w = t->stack[--t->depth];
          t->on_stack[w] = FALSE;
          g->component[w] = component;
          size++;
        }
      while (w != v);
      g->cyclic[component] = size > 1 || g->edge[v * g->n + v];
    }
}

OrmaFlushGraph *
_orma_flush_graph_new (GPtrArray *mappers)
{
  OrmaFlushGraph *graph = g_new0 (OrmaFlushGraph, 1);
  guint n = mappers->len;
  Tarjan t = { 0 };

  graph->n = n;
  graph->mappers = g_new (OrmaMapper *, n);
  memcpy (graph->mappers, mappers->pdata, n * sizeof (gpointer));
  graph->edge = g_new0 (guint8, (gsize) n * n + 1);
  graph->component = g_new0 (guint, n + 1);
  graph->cyclic = g_new0 (gboolean, n + 1);

  for (guint i = 0; i < n; i++)
    {
      add_foreign_key_edges (graph, i);
      add_relationship_edges (graph, i);
    }

  t.graph = graph;
  t.index = g_new (int, n + 1);
  t.low = g_new (int, n + 1);
  t.on_stack = g_new0 (gboolean, n + 1);
  t.stack = g_new (guint, n + 1);
  for (guint i = 0; i < n; i++)
    t.index[i] = -1;
  for (guint i = 0; i < n; i++)
    if (t.index[i] < 0)
      strong_connect (&t, i);
  g_free (t.index);
  g_free (t.low);
  g_free (t.on_stack);
  g_free (t.stack);
  return graph;
}

void
_orma_flush_graph_free (OrmaFlushGraph *graph)
{
  g_free (graph->mappers);
  g_free (graph->edge);
  g_free (graph->component);
  g_free (graph->cyclic);
  g_free (graph);
}
