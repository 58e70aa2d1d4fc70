/* orma-eager.c: the eager plan of a query: which relationships it loads
 * along with its objects, and how.
 *
 * The plan is a tree of paths from the query's class. Each node is one
 * relationship reached from its parent node's objects, with a strategy:
 *
 *   joined          LEFT OUTER JOIN to an anonymous alias of the target
 *                   (and of the secondary of a many-to-many), chained from
 *                   the parent node's alias; the target's columns follow
 *                   the owner's in each row
 *   contains_eager  the same, read from the query's own join
 *   selectin        after the rows: one SELECT per chunk of owners
 *                   (orma-loader-select.c)
 *   raise, lazy     remembered on the objects loaded, for a later access
 *   noload          the attribute is set loaded and empty
 *
 * The nodes come from the query's options ("posts.keywords" is keywords
 * under posts: an option for a nested path makes the nodes above it load
 * eagerly too, or it could not apply) and from the mapping's own joined
 * and selectin relationships, followed from every eagerly loaded node.
 * Following stops at the relationship back to the parent (a loaded
 * collection sets its members' many-to-one already) and at a
 * relationship already on the path, unless it is self-referential with a
 * join depth: a tree with join-depth 2 loads two levels below the query's
 * objects.
 *
 * A LIMIT or OFFSET with a joined collection would count rows, not
 * owners: the limited query is then wrapped as a subquery (anon_1) that
 * the joins hang from, and its ORDER BY repeated outside on anon_1's
 * columns, followed by the collections' own order.
 *
 * Rows: an owner comes once per related row. Each node gathers, per
 * owner, its members in row order (each once) or its target; finish
 * stores them (never over unflushed changes), then runs the selectin
 * loads level by level over the objects of the level above.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-eager-private.h"
#include "orma-loading-private.h"
#include "orma-error-private.h"

typedef struct _Node Node;

/* What one node's rows brought to one owner. */
typedef struct {
  OrmaEntity *owner;    /* referenced */
  GPtrArray  *items;    /* collection: members, referenced, in row order */
  GHashTable *members;  /* the same as a set, once the list is long */
  OrmaEntity *value;    /* scalar: referenced, nullable */
} Pending;

struct _Node
{
  Node             *parent;     /* NULL for the root */
  OrmaRelationship *rel;        /* NULL for the root */
  OrmaMapper       *mapper;     /* the class of this node's objects */
  OrmaLoadStrategy  strategy;
  gboolean          contains_eager;
  OrmaLoadOption   *option;     /* contains_eager: the query's option */
  OrmaAlias        *alias;      /* joined: owned; contains_eager: borrowed */
  OrmaAlias        *secondary;  /* joined many-to-many: owned */
  guint             offset;     /* joined, contains_eager: first column */
  GPtrArray        *children;   /* Node*, owned */

  /* while reading rows */
  OrmaEntity       *current;    /* the object of the current row, borrowed */
  GHashTable       *pending;    /* owner -> Pending* */
  GPtrArray        *pending_order; /* Pending*, owned */
  Pending          *last_pending; /* the last one found: rows of one owner
                                   * come together */
  /* the objects of this level (referenced, each once), for the nodes
   * below: the query's objects for the root */
  GPtrArray        *objects;
  GHashTable       *object_set;
};

struct _OrmaEagerPlan
{
  OrmaSession *session;
  OrmaMapper  *mapper;
  OrmaAlias   *root_from;     /* referenced, nullable */
  Node        *root;
  GPtrArray   *row_nodes;     /* Node*: joined and contains_eager, in column order */
  gboolean     group_owners;  /* the rows are read in chunks */

  /* what extend_select allocated */
  GPtrArray   *exprs;         /* OrmaExpr*, owned */
  OrmaAlias   *wrapper;       /* the anon_1 subquery, owned */
  OrmaExpr   **columns;
  OrmaJoin    *joins;
  OrmaExpr   **order_by;
};

/* ------------------------------------------------------------------ */
/* Nodes                                                               */

static void
pending_free (Pending *pending)
{
  g_clear_object (&pending->owner);
  g_clear_pointer (&pending->items, g_ptr_array_unref);
  g_clear_pointer (&pending->members, g_hash_table_unref);
  g_clear_object (&pending->value);
  g_free (pending);
}

static Node *
node_new (Node             *parent,
          OrmaRelationship *rel,
          OrmaMapper       *mapper,
          OrmaLoadStrategy  strategy)
{
  Node *node = g_new0 (Node, 1);

  node->parent = parent;
  node->rel = rel;
  node->mapper = mapper;
  node->strategy = strategy;
  node->children = g_ptr_array_new ();
  node->pending = g_hash_table_new (NULL, NULL);
  node->pending_order = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  node->objects = g_ptr_array_new_with_free_func (g_object_unref);
  node->object_set = g_hash_table_new (NULL, NULL);
  if (parent != NULL)
    g_ptr_array_add (parent->children, node);
  return node;
}

static void
node_free (Node *node)
{
  for (guint i = 0; i < node->children->len; i++)
    node_free (g_ptr_array_index (node->children, i));
  g_ptr_array_unref (node->children);
  if (!node->contains_eager)
    g_clear_pointer (&node->alias, orma_alias_unref);
  g_clear_pointer (&node->secondary, orma_alias_unref);
  g_hash_table_unref (node->pending);
  g_ptr_array_unref (node->pending_order);
  g_hash_table_unref (node->object_set);
  g_ptr_array_unref (node->objects);
  g_free (node);
}

static Node *
node_child (Node             *node,
            OrmaRelationship *rel)
{
  for (guint i = 0; i < node->children->len; i++)
    {
      Node *child = g_ptr_array_index (node->children, i);

      if (child->rel == rel)
        return child;
    }
  return NULL;
}

static gboolean
is_eager (OrmaLoadStrategy strategy)
{
  return strategy == ORMA_LOAD_JOINED || strategy == ORMA_LOAD_SELECTIN;
}

static gboolean
node_loads (Node *node)
{
  return node->rel == NULL || node->contains_eager || is_eager (node->strategy);
}

/* Joined and contains_eager read their objects from the query's rows. */
static gboolean
node_in_rows (Node *node)
{
  return node->rel != NULL && (node->contains_eager || node->strategy == ORMA_LOAD_JOINED);
}

/* How often @rel occurs on the path down to @node. */
static guint
path_count (Node             *node,
            OrmaRelationship *rel)
{
  guint count = 0;

  for (; node != NULL; node = node->parent)
    count += node->rel == rel;
  return count;
}

static void
node_add_object (Node       *node,
                 OrmaEntity *object)
{
  if (g_hash_table_add (node->object_set, object))
    g_ptr_array_add (node->objects, g_object_ref (object));
}

static void
node_clear_objects (Node *node)
{
  g_hash_table_remove_all (node->object_set);
  g_ptr_array_set_size (node->objects, 0);
}

/* ------------------------------------------------------------------ */
/* Building the tree                                                   */

/* A selectin load is a statement of its own: a joined relationship
 * below it is loaded the same way. */
static OrmaLoadStrategy
strategy_below (Node             *parent,
                OrmaLoadStrategy  strategy)
{
  if (strategy == ORMA_LOAD_JOINED && parent->rel != NULL && !node_in_rows (parent))
    return ORMA_LOAD_SELECTIN;
  return strategy;
}

static gboolean
add_option (OrmaEagerPlan   *plan,
            OrmaLoadOption  *option,
            GError         **error)
{
  g_auto (GStrv) names = g_strsplit (option->path, ".", -1);
  Node *node = plan->root;

  for (guint i = 0; names[i] != NULL; i++)
    {
      gboolean last = names[i + 1] == NULL;
      OrmaRelationship *rel = _orma_mapper_find_relationship (node->mapper, names[i]);
      Node *child;

      if (rel == NULL)
        {
          _orma_set_error (error, ORMA_ERROR_UNKNOWN_PROPERTY,
                           "%s has no relationship '%s' (in the loader option \"%s\")",
                           g_type_name (node->mapper->type), names[i], option->path);
          return FALSE;
        }
      child = node_child (node, rel);
      if (child == NULL)
        child = node_new (node, rel, rel->target, rel->lazy);
      if (last)
        {
          child->contains_eager = option->contains_eager;
          child->option = option;
          if (!option->contains_eager && option->strategy != ORMA_LOAD_DEFAULT)
            child->strategy = strategy_below (node, option->strategy);
        }
      else if (!node_loads (child))
        {
          /* the path must be loaded for the option to reach its end */
          child->strategy = strategy_below (node, is_eager (option->strategy)
                                                  ? option->strategy : ORMA_LOAD_SELECTIN);
        }
      node = child;
    }
  return TRUE;
}

/* Adds the mapping's eager relationships below @node, recursively. */
static void
expand (Node *node)
{
  GPtrArray *rels = node->mapper->relationships;

  if (!node_loads (node))
    return;
  for (guint i = 0; i < rels->len; i++)
    {
      OrmaRelationship *rel = g_ptr_array_index (rels, i);
      OrmaLoadStrategy strategy = rel->lazy;

      if (node_child (node, rel) != NULL || !rel->resolved)
        continue;
      /* a self-referential path goes on as deep as its join depth */
      if (node->rel == rel && rel->self_referential && rel->join_depth > 0 &&
          !is_eager (strategy))
        strategy = node->strategy;
      if (!is_eager (strategy))
        continue;
      if (node->rel != NULL && rel == node->rel->reverse)
        continue;
      if (path_count (node, rel) >= MAX (rel->join_depth, 1))
        continue;
      node_new (node, rel, rel->target, strategy_below (node, strategy));
    }
  for (guint i = 0; i < node->children->len; i++)
    expand (g_ptr_array_index (node->children, i));
}

static void
collect_row_nodes (OrmaEagerPlan *plan,
                   Node          *node)
{
  for (guint i = 0; i < node->children->len; i++)
    {
      Node *child = g_ptr_array_index (node->children, i);

      if (!node_in_rows (child))
        continue;
      g_ptr_array_add (plan->row_nodes, child);
      collect_row_nodes (plan, child);
    }
}

OrmaEagerPlan *
_orma_eager_plan_new (OrmaSession  *session,
                      OrmaMapper   *mapper,
                      OrmaAlias    *root_from,
                      GPtrArray    *options,
                      GError      **error)
{
  OrmaEagerPlan *plan;

  g_return_val_if_fail (ORMA_IS_SESSION (session), NULL);
  g_return_val_if_fail (mapper != NULL, NULL);

  plan = g_new0 (OrmaEagerPlan, 1);
  plan->session = session;
  plan->mapper = mapper;
  plan->root_from = root_from != NULL ? orma_alias_ref (root_from) : NULL;
  plan->root = node_new (NULL, NULL, mapper, ORMA_LOAD_DEFAULT);
  plan->row_nodes = g_ptr_array_new ();
  plan->exprs = g_ptr_array_new_with_free_func ((GDestroyNotify) orma_expr_unref);

  for (guint i = 0; options != NULL && i < options->len; i++)
    if (!add_option (plan, g_ptr_array_index (options, i), error))
      {
        _orma_eager_plan_free (plan);
        return NULL;
      }
  expand (plan->root);
  collect_row_nodes (plan, plan->root);

  if (plan->root->children->len == 0)
    {
      _orma_eager_plan_free (plan);
      return NULL;
    }
  /* the targets of the previous load need not be kept any longer */
  _orma_loader_keep_reset (session);
  return plan;
}

void
_orma_eager_plan_free (OrmaEagerPlan *plan)
{
  if (plan == NULL)
    return;
  node_free (plan->root);
  g_ptr_array_unref (plan->row_nodes);
  g_ptr_array_unref (plan->exprs);
  g_clear_pointer (&plan->wrapper, orma_alias_unref);
  g_clear_pointer (&plan->root_from, orma_alias_unref);
  g_free (plan->columns);
  g_free (plan->joins);
  g_free (plan->order_by);
  g_free (plan);
}

/* ------------------------------------------------------------------ */
/* The statement                                                       */

static OrmaExpr *
keep (OrmaEagerPlan *plan,
      OrmaExpr      *expr)
{
  g_ptr_array_add (plan->exprs, orma_expr_ref_sink (expr));
  return expr;
}

/* Column @column of @mapper's table as seen through @alias (NULL: the
 * table itself). Floating. */
static OrmaExpr *
side_column (OrmaMapper *mapper,
             OrmaAlias  *alias,
             guint       column)
{
  if (alias == NULL)
    return _orma_expr_new_column (mapper->table, column, mapper->type);
  return _orma_alias_column (alias, column);
}

static OrmaExpr *
and_of (GPtrArray *parts)
{
  return _orma_expr_new_junction (ORMA_EXPR_AND, (OrmaExpr **) parts->pdata, parts->len);
}

/* The LEFT OUTER JOIN(s) of a joined node, hung from @parent_alias
 * (NULL: the owner's table itself). */
static void
node_joins (OrmaEagerPlan *plan,
            Node          *node,
            OrmaAlias     *parent_alias,
            GArray        *joins)
{
  OrmaRelationship *rel = node->rel;
  OrmaMapper *owner = node->parent->mapper;
  OrmaMapper *target = rel->target;
  g_autoptr (GPtrArray) on = g_ptr_array_new ();
  OrmaJoin join = { ORMA_JOIN_LEFT, NULL, NULL };

  node->alias = _orma_alias_new_table (target->table, NULL, TRUE, target->type);
  switch (rel->direction)
    {
    case ORMA_REL_ONE_TO_MANY:
      for (guint i = 0; i < rel->n_pairs; i++)
        g_ptr_array_add (on, orma_eq (side_column (owner, parent_alias, rel->local[i]),
                                      side_column (target, node->alias, rel->remote[i])));
      break;
    case ORMA_REL_MANY_TO_ONE:
      for (guint i = 0; i < rel->n_pairs; i++)
        g_ptr_array_add (on, orma_eq (side_column (target, node->alias, rel->remote[i]),
                                      side_column (owner, parent_alias, rel->local[i])));
      break;
    case ORMA_REL_MANY_TO_MANY:
      /* owner -> secondary, then secondary -> target; an owner without
       * rows in the secondary still comes, with NULL targets */
      node->secondary = _orma_alias_new_table (rel->secondary, NULL, TRUE, 0);
      for (guint i = 0; i < rel->n_pairs; i++)
        g_ptr_array_add (on, orma_eq (side_column (owner, parent_alias, rel->local[i]),
                                      _orma_alias_column (node->secondary, rel->sec_local[i])));
      join.target = node->secondary;
      join.on = keep (plan, and_of (on));
      g_array_append_val (joins, join);
      g_ptr_array_set_size (on, 0);
      for (guint j = 0; j < rel->n_sec_remote; j++)
        g_ptr_array_add (on, orma_eq (side_column (target, node->alias, rel->remote_for_sec[j]),
                                      _orma_alias_column (node->secondary, rel->sec_remote[j])));
      break;
    }
  join.target = node->alias;
  join.on = keep (plan, and_of (on));
  g_array_append_val (joins, join);
}

/* The alias a node's objects are read from. */
static OrmaAlias *
node_alias (OrmaEagerPlan *plan,
            Node          *node)
{
  if (node->rel == NULL)
    return plan->wrapper != NULL ? plan->wrapper : plan->root_from;
  return node->alias;
}

/* The alias a contains_eager option reads: the one given, or the target
 * of the query's join along the relationship (NULL: the table itself). */
static OrmaAlias *
contains_eager_alias (Node *node)
{
  OrmaLoadOption *option = node->option;

  if (option->alias != NULL)
    return option->alias;
  if (option->join != NULL && option->join->target != NULL &&
      option->join->target->is_alias)
    return option->join->target;
  return NULL;
}

static gboolean
has_joined_collection (OrmaEagerPlan *plan)
{
  for (guint i = 0; i < plan->row_nodes->len; i++)
    {
      Node *node = g_ptr_array_index (plan->row_nodes, i);

      if (!node->contains_eager && node->rel->is_collection)
        return TRUE;
    }
  return FALSE;
}

static gboolean
same_column (OrmaExpr *a,
             OrmaExpr *b)
{
  if (b->kind == ORMA_EXPR_LABEL && b->n_children == 1)
    b = b->children[0];
  return a->kind == ORMA_EXPR_COLUMN && b->kind == ORMA_EXPR_COLUMN &&
         a->table == b->table && a->from == b->from && a->column == b->column;
}

/* The name a column of the limited select has outside it. */
static const char *
result_name (OrmaExpr *column)
{
  if (column->kind == ORMA_EXPR_LABEL)
    return column->name;
  if (column->kind == ORMA_EXPR_COLUMN && column->from != NULL &&
      column->from->kind == ORMA_ALIAS_SUBQUERY)
    return column->column < column->from->column_names->len
           ? g_ptr_array_index (column->from->column_names, column->column) : NULL;
  if (column->kind == ORMA_EXPR_COLUMN && column->table != NULL)
    return _orma_table_column (column->table, column->column)->name;
  return NULL;
}

/* The wrapper reads the limited select's columns by name: a column whose
 * name an earlier one has (users.id and an added entity's a.id), or
 * that has none (an expression), is labelled "<name>_<position>". */
static void
label_inner_columns (OrmaEagerPlan *plan,
                     GPtrArray     *columns)
{
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < columns->len; i++)
    {
      OrmaExpr *column = g_ptr_array_index (columns, i);
      const char *name = result_name (column);
      g_autofree char *label = NULL;

      if (name != NULL && g_hash_table_add (names, g_strdup (name)))
        continue;
      for (guint n = i + 1; label == NULL || g_hash_table_contains (names, label); n++)
        {
          g_free (label);
          label = g_strdup_printf ("%s_%u", name != NULL ? name : "anon", n);
        }
      g_hash_table_add (names, g_strdup (label));
      g_ptr_array_index (columns, i) = keep (plan, orma_label (column, label));
    }
}

/* The query's ordering as seen from outside the anon_1 wrapper: a
 * column the limited select has in its list (@inner) becomes the
 * wrapper's column of the same position. Its columns are found by what
 * they are, not by their index in the owner's table: a query over a
 * subquery or a UNION orders by the subquery's columns. */
static OrmaExpr *
translate_ordering (OrmaEagerPlan  *plan,
                    OrmaExpr       *ordering,
                    GPtrArray      *inner,
                    GError        **error)
{
  OrmaExpr *column = ordering;
  OrmaExpr *translated = NULL;

  if (ordering->kind == ORMA_EXPR_ASC || ordering->kind == ORMA_EXPR_DESC)
    column = ordering->children[0];
  for (guint i = 0; translated == NULL && i < inner->len; i++)
    if (same_column (column, g_ptr_array_index (inner, i)))
      translated = _orma_alias_column (plan->wrapper, i);
  if (translated == NULL)
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "a limited query of %s that loads a collection with a join can "
                       "only be ordered by the columns it selects",
                       g_type_name (plan->mapper->type));
      return NULL;
    }
  if (ordering->kind == ORMA_EXPR_DESC)
    translated = orma_desc (translated);
  else if (ordering->kind == ORMA_EXPR_ASC)
    translated = orma_asc (translated);
  return keep (plan, translated);
}

/* Makes @select the wrapped form: SELECT anon_1.<its columns> FROM
 * (@select) AS anon_1, ordered as @select was. */
static gboolean
wrap_select (OrmaEagerPlan  *plan,
             OrmaSelect     *select,
             guint           n_columns,
             GPtrArray      *columns,
             GPtrArray      *order_by,
             GError        **error)
{
  OrmaSelect outer = { 0 };

  label_inner_columns (plan, columns);
  select->columns = (OrmaExpr **) columns->pdata;
  select->n_columns = columns->len;
  /* the copy is taken before @columns, which @select borrows, changes */
  plan->wrapper = _orma_alias_new_subquery (select, NULL);
  for (guint i = 0; i < select->n_order_by; i++)
    {
      OrmaExpr *translated = translate_ordering (plan, select->order_by[i], columns, error);

      if (translated == NULL)
        return FALSE;
      g_ptr_array_add (order_by, translated);
    }
  g_ptr_array_set_size (columns, 0);
  for (guint i = 0; i < n_columns; i++)
    g_ptr_array_add (columns, keep (plan, _orma_alias_column (plan->wrapper, i)));
  outer.from_item = plan->wrapper;
  outer.limit = -1;
  *select = outer;
  return TRUE;
}

gboolean
_orma_eager_plan_extend_select (OrmaEagerPlan  *plan,
                                OrmaSelect     *select,
                                GError        **error)
{
  g_autoptr (GPtrArray) columns = g_ptr_array_new ();
  g_autoptr (GPtrArray) order_by = g_ptr_array_new ();
  g_autoptr (GArray) joins = g_array_new (FALSE, TRUE, sizeof (OrmaJoin));
  OrmaMapper *mapper = plan->mapper;

  g_return_val_if_fail (plan != NULL && select != NULL, FALSE);

  if (plan->row_nodes->len == 0)
    return TRUE;

  /* The owner's columns (and whatever the query added) come first. */
  if (select->columns == NULL || select->n_columns == 0)
    {
      for (guint i = 0; i < mapper->n_columns; i++)
        g_ptr_array_add (columns, keep (plan, side_column (mapper, plan->root_from, i)));
      select->columns = (OrmaExpr **) columns->pdata;
      select->n_columns = columns->len;
    }
  else
    for (guint i = 0; i < select->n_columns; i++)
      g_ptr_array_add (columns, select->columns[i]);

  if ((select->limit >= 0 || select->offset > 0) && has_joined_collection (plan))
    {
      guint n = columns->len;

      if (!wrap_select (plan, select, n, columns, order_by, error))
        return FALSE;
    }
  else
    {
      for (guint i = 0; i < select->n_joins; i++)
        g_array_append_val (joins, select->joins[i]);
      for (guint i = 0; i < select->n_order_by; i++)
        g_ptr_array_add (order_by, select->order_by[i]);
    }
  /* Read in chunks, a chunk ends where the next owner begins: an
   * owner's rows must come together, which ordering by the collections
   * alone (or by a column two owners share) does not promise. */
  if (plan->group_owners && has_joined_collection (plan))
    for (guint k = 0; k < mapper->n_pk; k++)
      g_ptr_array_add (order_by, keep (plan, side_column (mapper, node_alias (plan, plan->root),
                                                          mapper->pk[k])));

  for (guint i = 0; i < plan->row_nodes->len; i++)
    {
      Node *node = g_ptr_array_index (plan->row_nodes, i);
      OrmaMapper *target = node->rel->target;

      if (node->contains_eager)
        node->alias = contains_eager_alias (node);
      else
        node_joins (plan, node, node_alias (plan, node->parent), joins);
      node->offset = columns->len;
      for (guint c = 0; c < target->n_columns; c++)
        g_ptr_array_add (columns, keep (plan, side_column (target, node->alias, c)));
      /* a joined collection comes in its own order (within the query's) */
      for (guint k = 0; !node->contains_eager && node->rel->is_collection &&
                        k < node->rel->n_order; k++)
        {
          OrmaExpr *column = side_column (target, node->alias, node->rel->order_columns[k]);

          g_ptr_array_add (order_by, keep (plan, node->rel->order_desc[k] ? orma_desc (column)
                                                                          : column));
        }
    }

  g_free (plan->columns);
  g_free (plan->joins);
  g_free (plan->order_by);
  select->n_columns = columns->len;
  select->columns = plan->columns = (OrmaExpr **) g_ptr_array_free (g_steal_pointer (&columns), FALSE);
  select->n_joins = joins->len;
  select->joins = plan->joins = (OrmaJoin *) (void *) g_array_free (g_steal_pointer (&joins), FALSE);
  select->n_order_by = order_by->len;
  select->order_by = plan->order_by = (OrmaExpr **) g_ptr_array_free (g_steal_pointer (&order_by), FALSE);
  return TRUE;
}

void
_orma_eager_plan_group_owners (OrmaEagerPlan *plan)
{
  g_return_if_fail (plan != NULL);

  plan->group_owners = TRUE;
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */

static Pending *
pending_for (Node       *node,
             OrmaEntity *owner)
{
  Pending *pending;

  if (node->last_pending != NULL && node->last_pending->owner == owner)
    return node->last_pending;
  pending = g_hash_table_lookup (node->pending, owner);
  if (pending == NULL)
    {
      pending = g_new0 (Pending, 1);
      pending->owner = g_object_ref (owner);
      if (node->rel->is_collection)
        pending->items = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (node->pending, owner, pending);
      g_ptr_array_add (node->pending_order, pending);
    }
  node->last_pending = pending;
  return pending;
}

/* A member joins once, however many rows bring it (a nested joined
 * collection repeats it). Rows of one member come together in practice:
 * the last item answers most checks, a set the rest once it pays. */
static void
pending_add_member (Pending    *pending,
                    OrmaEntity *member)
{
  GPtrArray *items = pending->items;

  if (items->len > 0 && g_ptr_array_index (items, items->len - 1) == member)
    return;
  /* a scan of a few dozen pointers costs less than making a set */
  if (pending->members == NULL && items->len >= 32)
    {
      pending->members = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < items->len; i++)
        g_hash_table_add (pending->members, g_ptr_array_index (items, i));
    }
  if (pending->members != NULL)
    {
      if (!g_hash_table_add (pending->members, member))
        return;
    }
  else
    {
      for (guint i = 0; i < items->len; i++)
        if (g_ptr_array_index (items, i) == member)
          return;
    }
  g_ptr_array_add (items, g_object_ref (member));
}

gboolean
_orma_eager_plan_row (OrmaEagerPlan  *plan,
                      OrmaEntity     *owner,
                      OrmaCursor     *cursor,
                      GError        **error)
{
  g_return_val_if_fail (plan != NULL && owner != NULL, FALSE);

  plan->root->current = owner;
  for (guint i = 0; i < plan->row_nodes->len; i++)
    {
      Node *node = g_ptr_array_index (plan->row_nodes, i);
      OrmaEntity *parent = node->parent->current;
      g_autoptr (OrmaEntity) object = NULL;
      GError *local_error = NULL;
      Pending *pending;

      node->current = NULL;
      if (parent == NULL)
        continue;
      object = _orma_loading_instance (plan->session, node->rel->target, cursor, node->offset,
                                       &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      pending = pending_for (node, parent);
      if (object == NULL)
        continue;
      if (node->rel->is_collection)
        pending_add_member (pending, object);
      else if (pending->value == NULL)
        pending->value = g_object_ref (object);
      node->current = object;
      node_add_object (node, object);
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Finishing                                                           */

/* Stores what the rows brought. The pending entries go, except those of
 * the last row's objects, whose rows may go on in the next chunk (and
 * are then stored again, whole). */
static void
store_row_node (OrmaEagerPlan *plan,
                Node          *node)
{
  g_autoptr (GPtrArray) kept = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);

  node->last_pending = NULL;
  for (guint i = 0; i < node->pending_order->len; i++)
    {
      Pending *pending = g_ptr_array_index (node->pending_order, i);
      OrmaRelSlot *slot = _orma_entity_rel_slot (pending->owner, node->rel);

      if (!(slot->loaded && _orma_loader_slot_has_changes (slot, node->rel)))
        _orma_loader_store (plan->session, pending->owner, node->rel, pending->value,
                            pending->items);
    }
  for (guint i = 0; i < node->pending_order->len; i++)
    {
      Pending *pending = g_ptr_array_index (node->pending_order, i);

      if (pending->owner == node->parent->current)
        g_ptr_array_add (kept, g_ptr_array_steal_index (node->pending_order, i--));
    }
  g_hash_table_remove_all (node->pending);
  g_ptr_array_set_size (node->pending_order, 0);
  for (guint i = 0; i < kept->len; i++)
    {
      Pending *pending = g_ptr_array_index (kept, i);

      g_hash_table_insert (node->pending, pending->owner, pending);
      g_ptr_array_add (node->pending_order, g_ptr_array_steal_index (kept, i--));
    }
}

/* The objects of @node's level that still need @child's attribute. */
static GPtrArray *
owners_to_load (OrmaEagerPlan *plan,
                Node          *child,
                GPtrArray     *objects)
{
  GPtrArray *owners = g_ptr_array_new ();

  for (guint i = 0; i < objects->len; i++)
    {
      OrmaEntity *owner = g_ptr_array_index (objects, i);
      OrmaRelSlot *slot = _orma_entity_rel_slot (owner, child->rel);

      if (!_orma_loader_slot_is_current (plan->session, owner, slot))
        g_ptr_array_add (owners, owner);
    }
  return owners;
}

/* What a raise, lazy or noload option does to the objects it reaches. */
static void
apply_option (OrmaEagerPlan *plan,
              Node          *child,
              GPtrArray     *objects)
{
  for (guint i = 0; i < objects->len; i++)
    {
      OrmaEntity *owner = g_ptr_array_index (objects, i);

      if (child->strategy == ORMA_LOAD_NOLOAD)
        {
          OrmaRelSlot *slot = _orma_entity_rel_slot (owner, child->rel);

          if (!slot->loaded)
            _orma_loader_store (plan->session, owner, child->rel, NULL, NULL);
        }
      else
        _orma_loader_set_override (owner, child->rel, child->strategy);
    }
}

/* The selectin loads and options below @node, whose objects are
 * @objects, then the same below each child. */
static gboolean
finish_level (OrmaEagerPlan  *plan,
              Node           *node,
              GPtrArray      *objects,
              GError        **error)
{
  for (guint i = 0; i < node->children->len; i++)
    {
      Node *child = g_ptr_array_index (node->children, i);

      if (child->strategy == ORMA_LOAD_SELECTIN && !child->contains_eager)
        {
          g_autoptr (GPtrArray) owners = owners_to_load (plan, child, objects);
          g_autoptr (GPtrArray) loaded = g_ptr_array_new_with_free_func (g_object_unref);

          if (owners->len > 0 &&
              !_orma_loader_load_for_full (plan->session, child->rel,
                                           (OrmaEntity **) owners->pdata, owners->len,
                                           child->children->len > 0 ? loaded : NULL, error))
            return FALSE;
          for (guint k = 0; k < loaded->len; k++)
            node_add_object (child, g_ptr_array_index (loaded, k));
        }
      else if (!node_in_rows (child))
        {
          if (child->strategy == ORMA_LOAD_RAISE || child->strategy == ORMA_LOAD_LAZY ||
              child->strategy == ORMA_LOAD_NOLOAD)
            apply_option (plan, child, objects);
          continue;
        }
      if (!finish_level (plan, child, child->objects, error))
        return FALSE;
    }
  return TRUE;
}

static void
clear_objects (Node *node)
{
  node_clear_objects (node);
  for (guint i = 0; i < node->children->len; i++)
    clear_objects (g_ptr_array_index (node->children, i));
}

gboolean
_orma_eager_plan_finish (OrmaEagerPlan  *plan,
                         GPtrArray      *owners,
                         GError        **error)
{
  gboolean ok;

  g_return_val_if_fail (plan != NULL && owners != NULL, FALSE);

  for (guint i = 0; i < plan->row_nodes->len; i++)
    store_row_node (plan, g_ptr_array_index (plan->row_nodes, i));
  ok = finish_level (plan, plan->root, owners, error);
  clear_objects (plan->root);
  return ok;
}

void
_orma_load_option_free (OrmaLoadOption *option)
{
  if (option == NULL)
    return;
  g_free (option->path);
  g_clear_pointer (&option->alias, orma_alias_unref);
  g_free (option);
}
