/* orma-flush-secondary.c: the rows of many-to-many secondary tables.
 *
 * A secondary row exists for each pair of related objects. The flush
 * reads the collection history of the changed objects:
 * - a pair appended (every member of a pending owner) is INSERTed after
 *   every INSERT of the flush, when both keys are known;
 * - a pair removed is DELETEd before any row is;
 * - a deleted object's rows go with one DELETE ... WHERE its key, unless
 *   the relationship has passive-deletes (the database's ON DELETE does
 *   it).
 * Both sides of a back-populated pair record the same change; a pair is
 * written once, oriented along whichever of the two relationships sorts
 * first (by table and name), so the statements do not depend on which
 * side the application used. Rows of one relationship go in one batch.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-flush-private.h"
#include "orma-collection-private.h"
#include "orma-compiler-private.h"

typedef struct {
  OrmaRelationship *rel;
  OrmaEntity       *owner;    /* no references: the session holds them */
  OrmaEntity       *target;   /* NULL: every row of @owner */
} SecondaryRow;

struct _OrmaSecondaryWork
{
  GArray     *pair_deletes;   /* SecondaryRow */
  GArray     *key_deletes;
  GArray     *inserts;
  GHashTable *seen;           /* SeenKey*, owned: each row once */
};

/* A row already planned: its kind and its pair, as oriented. */
typedef struct {
  SecondaryRow row;
  int          kind;
} SeenKey;

static guint
seen_hash (gconstpointer data)
{
  const SeenKey *key = data;
  guint hash = (guint) key->kind;

  hash = hash * 31 + g_direct_hash (key->row.rel);
  hash = hash * 31 + g_direct_hash (key->row.owner);
  return hash * 31 + g_direct_hash (key->row.target);
}

static gboolean
seen_equal (gconstpointer a,
            gconstpointer b)
{
  const SeenKey *ka = a, *kb = b;

  return ka->kind == kb->kind && ka->row.rel == kb->row.rel &&
         ka->row.owner == kb->row.owner && ka->row.target == kb->row.target;
}

typedef enum {
  SECONDARY_INSERT = 'I',
  SECONDARY_DELETE = 'D',
  SECONDARY_DELETE_ALL = 'K',
} SecondaryKind;

void
_orma_flush_secondary_free (OrmaSecondaryWork *work)
{
  if (work == NULL)
    return;
  g_array_unref (work->pair_deletes);
  g_array_unref (work->key_deletes);
  g_array_unref (work->inserts);
  g_hash_table_unref (work->seen);
  g_free (work);
}

gboolean
_orma_flush_secondary_has_work (OrmaFlushPlan *plan)
{
  OrmaSecondaryWork *work = plan->secondary;

  return work != NULL &&
         (work->pair_deletes->len > 0 || work->key_deletes->len > 0 || work->inserts->len > 0);
}

static int
rel_compare (OrmaRelationship *a,
             OrmaRelationship *b)
{
  int cmp = g_strcmp0 (orma_table_get_name (a->owner->table), orma_table_get_name (b->owner->table));
  return cmp != 0 ? cmp : g_strcmp0 (a->name, b->name);
}

static void
add_row (OrmaSecondaryWork *work,
         GArray            *rows,
         SecondaryKind      kind,
         OrmaRelationship  *rel,
         OrmaEntity        *owner,
         OrmaEntity        *target)
{
  SecondaryRow row = { rel, owner, target };
  SeenKey *key;

  if (target != NULL && rel->reverse != NULL && rel_compare (rel->reverse, rel) < 0)
    {
      row.rel = rel->reverse;
      row.owner = target;
      row.target = owner;
    }
  key = g_new (SeenKey, 1);
  key->row = row;
  key->kind = kind;
  if (g_hash_table_add (work->seen, key))
    g_array_append_val (rows, row);
}

static gboolean
deleting (OrmaFlushPlan *plan,
          gpointer       entity)
{
  return g_hash_table_contains (plan->deleting, entity);
}

/* TRUE when a DELETE of all of @entity's rows through @rel covers the
 * pair: the row goes anyway. */
static gboolean
covered (OrmaFlushPlan    *plan,
         OrmaEntity       *entity,
         OrmaRelationship *rel)
{
  return rel != NULL && !rel->passive_deletes && deleting (plan, entity);
}

static void
collect_changes (OrmaFlushPlan     *plan,
                 OrmaSession       *session,
                 OrmaSecondaryWork *work)
{
  for (guint i = 0; i < session->changed->len; i++)
    {
      OrmaEntity *owner = g_ptr_array_index (session->changed, i);
      OrmaInstanceState *state = _orma_instance_state_get (owner);
      GPtrArray *rels = state->mapper->relationships;
      gboolean pending = state->state == ORMA_STATE_PENDING;

      if (state->session != session || rels == NULL)
        continue;
      for (guint r = 0; r < rels->len; r++)
        {
          OrmaRelationship *rel = g_ptr_array_index (rels, r);
          OrmaRelSlot *slot;
          OrmaCollection *collection;
          GPtrArray *added, *removed;

          if (!rel->resolved || rel->direction != ORMA_REL_MANY_TO_MANY ||
              (slot = _orma_flush_peek_slot (owner, rel)) == NULL ||
              slot->value == NULL || !ORMA_IS_COLLECTION (slot->value))
            continue;
          collection = ORMA_COLLECTION (slot->value);
          added = pending ? _orma_collection_peek_items (collection)
                          : _orma_collection_get_added (collection);
          removed = pending ? NULL : _orma_collection_get_removed (collection);
          for (guint k = 0; added != NULL && k < added->len; k++)
            {
              OrmaEntity *target = g_ptr_array_index (added, k);
              if (!deleting (plan, owner) && !deleting (plan, target))
                add_row (work, work->inserts, SECONDARY_INSERT, rel, owner, target);
            }
          for (guint k = 0; removed != NULL && k < removed->len; k++)
            {
              OrmaEntity *target = g_ptr_array_index (removed, k);
              OrmaInstanceState *target_state = _orma_instance_state_get (target);

              /* a pending target never had a row */
              if (target_state == NULL || target_state->state == ORMA_STATE_PENDING ||
                  target_state->state == ORMA_STATE_TRANSIENT ||
                  covered (plan, owner, rel) || covered (plan, target, rel->reverse))
                continue;
              add_row (work, work->pair_deletes, SECONDARY_DELETE, rel, owner, target);
            }
        }
    }
}

static void
collect_deletes (OrmaFlushPlan     *plan,
                 OrmaSession       *session,
                 OrmaSecondaryWork *work)
{
  for (guint i = 0; i < session->deleted->len; i++)
    {
      OrmaEntity *owner = g_ptr_array_index (session->deleted, i);
      GPtrArray *rels = _orma_entity_get_mapper (owner)->relationships;

      if (!deleting (plan, owner) || rels == NULL)
        continue;
      for (guint r = 0; r < rels->len; r++)
        {
          OrmaRelationship *rel = g_ptr_array_index (rels, r);

          if (rel->resolved && rel->direction == ORMA_REL_MANY_TO_MANY && !rel->passive_deletes)
            add_row (work, work->key_deletes, SECONDARY_DELETE_ALL, rel, owner, NULL);
        }
    }
}

void
_orma_flush_collect_secondary (OrmaFlushPlan *plan,
                               OrmaSession   *session)
{
  OrmaSecondaryWork *work = g_new0 (OrmaSecondaryWork, 1);

  work->pair_deletes = g_array_new (FALSE, FALSE, sizeof (SecondaryRow));
  work->key_deletes = g_array_new (FALSE, FALSE, sizeof (SecondaryRow));
  work->inserts = g_array_new (FALSE, FALSE, sizeof (SecondaryRow));
  work->seen = g_hash_table_new_full (seen_hash, seen_equal, g_free, NULL);
  plan->secondary = work;
  collect_changes (plan, session, work);
  collect_deletes (plan, session, work);
}

/* ------------------------------------------------------------------ */
/* statements                                                          */

/* The secondary columns a statement of @kind names, in table order,
 * each with the entity column its value comes from: >= 0 the owner's,
 * < 0 the target's (-1 - index). */
static guint
statement_columns (OrmaRelationship *rel,
                   SecondaryKind     kind,
                   guint            *columns,
                   int              *sources)
{
  guint n = 0;

  for (guint c = 0; c < rel->secondary->columns->len; c++)
    {
      for (guint i = 0; i < rel->n_pairs; i++)
        if (rel->sec_local[i] == c)
          {
            columns[n] = c;
            sources[n++] = (int) rel->local[i];
          }
      for (guint j = 0; kind != SECONDARY_DELETE_ALL && j < rel->n_sec_remote; j++)
        if (rel->sec_remote[j] == c)
          {
            columns[n] = c;
            sources[n++] = -1 - (int) rel->remote_for_sec[j];
          }
    }
  return n;
}

static const char *
statement_sql (OrmaFlushContext *ctx,
               OrmaRelationship *rel,
               SecondaryKind     kind,
               const guint      *columns,
               guint             n)
{
  GHashTable *cache = rel->owner->sql_cache;
  g_autofree char *key = g_strdup_printf ("%s:S%c:%s", ctx->dialect->name, kind, rel->name);
  char *sql = g_hash_table_lookup (cache, key);

  if (sql != NULL)
    return sql;
  sql = kind == SECONDARY_INSERT
          ? _orma_compile_insert (ctx->dialect, rel->secondary, columns, n, NULL, 0)
          : _orma_compile_delete (ctx->dialect, rel->secondary, columns, n);
  g_hash_table_insert (cache, g_steal_pointer (&key), sql);
  return sql;
}

/* Runs the rows of @rows whose relationship is @rel as one batch. */
static gboolean
run_rel (OrmaFlushContext  *ctx,
         GArray            *rows,
         OrmaRelationship  *rel,
         SecondaryKind      kind,
         GError           **error)
{
  guint columns[ORMA_MAX_COLUMNS];
  int sources[ORMA_MAX_COLUMNS];
  guint n = statement_columns (rel, kind, columns, sources);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  guint n_rows = 0;

  for (guint r = 0; r < rows->len; r++)
    {
      SecondaryRow *row = &g_array_index (rows, SecondaryRow, r);

      if (row->rel != rel)
        continue;
      for (guint c = 0; c < n; c++)
        {
          OrmaEntity *entity = sources[c] >= 0 ? row->owner : row->target;
          guint column = sources[c] >= 0 ? (guint) sources[c] : (guint) (-1 - sources[c]);

          g_ptr_array_add (params, (gpointer) (kind == SECONDARY_INSERT
                                                 ? _orma_entity_peek (entity, column)
                                                 : _orma_entity_peek_committed (entity, column)));
        }
      n_rows++;
    }
  ctx->n_statements++;
  return _orma_connection_execute_many (ctx->connection,
                                        statement_sql (ctx, rel, kind, columns, n),
                                        (const GValue *const *) params->pdata, n, n_rows,
                                        NULL, NULL, NULL, error);
}

/* One batch per relationship, in the order they first appear. */
static gboolean
run_rows (OrmaFlushContext  *ctx,
          GArray            *rows,
          SecondaryKind      kind,
          GError           **error)
{
  g_autoptr (GPtrArray) done = g_ptr_array_new ();

  for (guint r = 0; r < rows->len; r++)
    {
      OrmaRelationship *rel = g_array_index (rows, SecondaryRow, r).rel;

      if (g_ptr_array_find (done, rel, NULL))
        continue;
      g_ptr_array_add (done, rel);
      if (!run_rel (ctx, rows, rel, kind, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
_orma_flush_secondary_execute (OrmaFlushContext  *ctx,
                               GError           **error)
{
  OrmaSecondaryWork *work = ctx->plan->secondary;

  if (work == NULL)
    return TRUE;
  return run_rows (ctx, work->pair_deletes, SECONDARY_DELETE, error) &&
         run_rows (ctx, work->key_deletes, SECONDARY_DELETE_ALL, error) &&
         run_rows (ctx, work->inserts, SECONDARY_INSERT, error);
}
