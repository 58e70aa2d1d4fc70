/* orma-flush-sort.c: the order in which a flush visits mappers.
 *
 * A row must be INSERTed after the rows its foreign keys point to, and
 * DELETEd before them, so mappers are sorted topologically along their
 * tables' foreign keys (Kahn's algorithm). The sort is deterministic:
 * among the mappers that are ready, the one that appeared first in the
 * session goes first. Mappers on a cycle keep their order of appearance.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-flush-private.h"

/* TRUE if @child's table has a foreign key to @parent's table (a
 * self-reference does not count: rows of one table are not reordered
 * here). */
static gboolean
depends_on (OrmaMapper *child,
            OrmaMapper *parent)
{
  GPtrArray *fks = child->table->foreign_keys;
  const char *parent_name = orma_table_get_name (parent->table);

  if (child == parent)
    return FALSE;
  for (guint i = 0; i < fks->len; i++)
    {
      OrmaForeignKey *fk = g_ptr_array_index (fks, i);
      if (g_strcmp0 (fk->ref_table, parent_name) == 0)
        return TRUE;
    }
  return FALSE;
}

void
_orma_flush_sort_mappers (GPtrArray *mappers)
{
  guint n = mappers->len;
  g_autofree guint *blockers = g_new0 (guint, n);
  g_autofree gboolean *done = g_new0 (gboolean, n);
  g_autoptr (GPtrArray) sorted = g_ptr_array_sized_new (n);

  if (n < 2)
    return;

  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++)
      if (depends_on (g_ptr_array_index (mappers, i), g_ptr_array_index (mappers, j)))
        blockers[i]++;

  while (sorted->len < n)
    {
      guint pick = n;

      for (guint i = 0; i < n && pick == n; i++)
        if (!done[i] && blockers[i] == 0)
          pick = i;
      /* A cycle: take the first remaining mapper to break it. */
      for (guint i = 0; i < n && pick == n; i++)
        if (!done[i])
          pick = i;

      done[pick] = TRUE;
      g_ptr_array_add (sorted, g_ptr_array_index (mappers, pick));
      for (guint i = 0; i < n; i++)
        if (!done[i] && blockers[i] > 0 &&
            depends_on (g_ptr_array_index (mappers, i), g_ptr_array_index (mappers, pick)))
          blockers[i]--;
    }

  for (guint i = 0; i < n; i++)
    mappers->pdata[i] = sorted->pdata[i];
}
