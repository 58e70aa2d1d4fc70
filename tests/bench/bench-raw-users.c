/* bench-raw-users.c: what the hand-written programs share once rows are
 * in memory: freeing the structs, and the lookup by key that the get
 * workload compares with the identity map.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "bench.h"

void
bench_raw_users_free (GPtrArray *users)
{
  for (guint i = 0; i < users->len; i++)
    {
      RawUser *user = g_ptr_array_index (users, i);

      g_free (user->name);
      g_free (user->fullname);
      g_free (user->password);
      g_free (user);
    }
  g_ptr_array_free (users, TRUE);
}

/* What an application without an ORM writes to find a loaded row by
 * key: a GHashTable over the structs. Building it is setup, like loading
 * the objects on the Orma side. */
gint64
bench_raw_time_lookups (GPtrArray *users,
                        guint      n_rows)
{
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *ids = bench_lookup_order (n_rows);
  gint64 start, elapsed, sum = 0;

  for (guint i = 0; i < users->len; i++)
    {
      RawUser *user = g_ptr_array_index (users, i);
      g_hash_table_insert (by_id, &user->id, user);
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_rows; i++)
    {
      RawUser *user = g_hash_table_lookup (by_id, &ids[i]);

      if (G_UNLIKELY (user == NULL))
        bench_die ("raw: no row with key %" G_GINT64_FORMAT, ids[i]);
      /* The result is used, as the Orma side uses its object (unref). */
      sum += user->id;
    }
  elapsed = g_get_monotonic_time () - start;

  /* Keys 1..n each found once */
  if (sum != (gint64) n_rows * (n_rows + 1) / 2)
    bench_die ("raw: lookups found the wrong rows");
  return elapsed;
}
