/* orma-query-join.c: aliases of mapped classes, joins and loader
 * options.
 *
 * A join along a relationship writes its ON clause from the
 * relationship's column pairs, the referenced column first as SQLAlchemy
 * does ("users.id = addresses.user_id" whichever side the query starts
 * from); a many-to-many goes through its secondary table with two joins.
 * The relationship is looked up on the query's entity first, then on the
 * entity joined last, so that join ("posts") then join ("keywords")
 * chains; a dotted path ("posts.keywords") says the same explicitly and
 * reuses the joins the query already has along its prefix.
 *
 * A join without an alias joins the target table itself, unless that
 * table is already in the statement (a self-join, a table joined twice):
 * then it gets an anonymous alias, named by the compiler.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-query-private.h"
#include "orma-error-private.h"

/**
 * orma_aliased:
 * @entity_type: a mapped class
 * @name: (nullable): the name of the alias in SQL, or %NULL for an
 *   anonymous one the compiler names ("nodes_1")
 *
 * The table of @entity_type under another name, for self-joins and for
 * joining a class twice. Its columns are orma_alias_col (alias,
 * "property"); orma_col() of the class still means the table itself.
 * Join to it with orma_query_join() or add it to the rows with
 * orma_query_add_entity().
 *
 * Returns: (transfer full): a new alias
 */
OrmaAlias *
orma_aliased (GType       entity_type,
              const char *name)
{
  OrmaMapper *mapper = _orma_mapper_for_type (entity_type);

  g_return_val_if_fail (mapper != NULL, NULL);

  return _orma_alias_new_table (mapper->table, name, TRUE, entity_type);
}

OrmaExpr *
_orma_side_column (OrmaTable *table,
                   GType      type,
                   OrmaAlias *alias,
                   guint      column)
{
  if (alias == NULL)
    return _orma_expr_new_column (table, column, type);
  if (alias->kind == ORMA_ALIAS_SUBQUERY)
    return orma_alias_col (alias, _orma_table_column (table, column)->name);
  return _orma_alias_column (alias, column);
}

static OrmaExpr *
pairs_condition (OrmaTable   *left_table,
                 GType        left_type,
                 OrmaAlias   *left,
                 const guint *left_columns,
                 OrmaTable   *right_table,
                 GType        right_type,
                 OrmaAlias   *right,
                 const guint *right_columns,
                 guint        n_pairs)
{
  OrmaExpr *pairs[ORMA_MAX_COLUMNS];

  g_return_val_if_fail (n_pairs <= ORMA_MAX_COLUMNS, NULL);

  for (guint i = 0; i < n_pairs; i++)
    pairs[i] = orma_eq (_orma_side_column (left_table, left_type, left, left_columns[i]),
                        _orma_side_column (right_table, right_type, right, right_columns[i]));
  /* the junction sinks the floating pairs; one pair is returned as it is */
  return _orma_expr_new_junction (ORMA_EXPR_AND, pairs, n_pairs);
}

OrmaExpr *
_orma_rel_join_condition (OrmaRelationship *rel,
                          OrmaAlias        *owner,
                          OrmaAlias        *target)
{
  OrmaTable *owner_table = rel->owner->table;
  GType owner_type = rel->owner->type;

  switch (rel->direction)
    {
    case ORMA_REL_MANY_TO_ONE:
      return pairs_condition (rel->target->table, rel->target->type, target, rel->remote,
                              owner_table, owner_type, owner, rel->local, rel->n_pairs);
    case ORMA_REL_ONE_TO_MANY:
      return pairs_condition (owner_table, owner_type, owner, rel->local,
                              rel->target->table, rel->target->type, target, rel->remote,
                              rel->n_pairs);
    case ORMA_REL_MANY_TO_MANY:
    default:
      return pairs_condition (owner_table, owner_type, owner, rel->local,
                              rel->secondary, 0, target, rel->sec_local, rel->n_pairs);
    }
}

OrmaExpr *
_orma_rel_secondary_condition (OrmaRelationship *rel,
                               OrmaAlias        *secondary,
                               OrmaAlias        *target)
{
  return pairs_condition (rel->target->table, rel->target->type, target, rel->remote_for_sec,
                          rel->secondary, 0, secondary, rel->sec_remote, rel->n_sec_remote);
}

/* ------------------------------------------------------------------ */
/* Joins                                                               */

static void
query_join_free (OrmaQueryJoin *join)
{
  g_clear_pointer (&join->join.target, orma_alias_unref);
  g_clear_pointer (&join->join.on, orma_expr_unref);
  g_free (join->path);
  g_free (join);
}

/* Takes @target and @on. */
static OrmaQueryJoin *
add_join (OrmaQuery        *self,
          OrmaJoinKind      kind,
          OrmaAlias        *target,
          OrmaExpr         *on,
          GType             entity_type,
          OrmaRelationship *rel,
          const char       *path)
{
  OrmaQueryJoin *join = g_new0 (OrmaQueryJoin, 1);

  join->join.kind = kind;
  join->join.target = target;
  join->join.on = orma_expr_ref_sink (on);
  join->entity_type = entity_type;
  join->rel = rel;
  join->path = g_strdup (path);
  if (self->joins == NULL)
    self->joins = g_ptr_array_new_with_free_func ((GDestroyNotify) query_join_free);
  g_ptr_array_add (self->joins, join);
  return join;
}

/* Whether @table already appears in the statement under its own name. */
static gboolean
table_in_query (OrmaQuery *self,
                OrmaTable *table)
{
  if (self->from_item == NULL && self->mapper->table == table)
    return TRUE;
  for (guint i = 0; self->joins != NULL && i < self->joins->len; i++)
    {
      OrmaAlias *target = ((OrmaQueryJoin *) g_ptr_array_index (self->joins, i))->join.target;

      if (target->kind == ORMA_ALIAS_TABLE && !target->is_alias && target->table == table)
        return TRUE;
    }
  return FALSE;
}

/* The table to join, as itself or, when it is already there, as an
 * anonymous alias. */
static OrmaAlias *
join_target (OrmaQuery *self,
             OrmaTable *table,
             GType      type)
{
  gboolean taken = table_in_query (self, table);

  return _orma_alias_new_table (table, NULL, taken, type);
}

static gboolean
check_target (OrmaQuery        *self,
              OrmaRelationship *rel,
              OrmaAlias        *target)
{
  OrmaMapper *mapper = rel->target;

  if (target->kind == ORMA_ALIAS_TABLE && target->table == mapper->table &&
      (target->entity_type == 0 || g_type_is_a (target->entity_type, mapper->type)))
    return TRUE;
  _orma_query_keep_error (self, g_error_new (ORMA_ERROR, ORMA_ERROR_INVALID_QUERY,
                                             "cannot join %s.%s as alias %s: it is not an "
                                             "alias of %s",
                                             g_type_name (rel->owner->type), rel->name,
                                             target->name ? target->name : "(anonymous)",
                                             g_type_name (mapper->type)));
  return FALSE;
}

/* Joins @rel from @left (NULL: the query's own FROM) to @target
 * (nullable, referenced by the join). */
static OrmaQueryJoin *
join_relationship (OrmaQuery        *self,
                   OrmaJoinKind      kind,
                   OrmaRelationship *rel,
                   OrmaAlias        *left,
                   OrmaAlias        *target,
                   const char       *path)
{
  OrmaMapper *mapper = rel->target;
  OrmaAlias *to;

  if (target != NULL && !check_target (self, rel, target))
    return NULL;
  if (rel->direction == ORMA_REL_MANY_TO_MANY)
    {
      OrmaAlias *secondary = join_target (self, rel->secondary, 0);

      add_join (self, kind, secondary, _orma_rel_join_condition (rel, left, secondary),
                0, rel, NULL);
      to = target != NULL ? orma_alias_ref (target) : join_target (self, mapper->table,
                                                                     mapper->type);
      return add_join (self, kind, to, _orma_rel_secondary_condition (rel, secondary, to),
                       mapper->type, rel, path);
    }
  to = target != NULL ? orma_alias_ref (target) : join_target (self, mapper->table,
                                                                 mapper->type);
  return add_join (self, kind, to, _orma_rel_join_condition (rel, left, to),
                   mapper->type, rel, path);
}

static OrmaQueryJoin *
find_join_by_path (OrmaQuery  *self,
                   const char *path)
{
  for (guint i = 0; self->joins != NULL && i < self->joins->len; i++)
    {
      OrmaQueryJoin *join = g_ptr_array_index (self->joins, i);

      if (join->path != NULL && strcmp (join->path, path) == 0)
        return join;
    }
  return NULL;
}

/* The join made last to a mapped class, from which a relationship the
 * query's entity does not have is followed. */
static OrmaQueryJoin *
last_entity_join (OrmaQuery *self)
{
  for (guint i = self->joins != NULL ? self->joins->len : 0; i > 0; i--)
    {
      OrmaQueryJoin *join = g_ptr_array_index (self->joins, i - 1);

      if (join->entity_type != 0 && _orma_mapper_for_type (join->entity_type) != NULL)
        return join;
    }
  return NULL;
}

static void
unknown_relationship (OrmaQuery  *self,
                      GType       type,
                      const char *name)
{
  _orma_query_keep_error (self, g_error_new (ORMA_ERROR, ORMA_ERROR_UNKNOWN_PROPERTY,
                                             "%s has no relationship '%s'",
                                             g_type_name (type), name));
}

/* A dotted path: each step from the join of the path before it, which
 * is made (without an alias) if the query does not have it yet. */
static void
join_path (OrmaQuery    *self,
           OrmaJoinKind  kind,
           const char   *path,
           OrmaAlias    *target)
{
  g_auto (GStrv) steps = g_strsplit (path, ".", -1);
  g_autoptr (GString) prefix = g_string_new (NULL);
  OrmaMapper *mapper = self->mapper;
  OrmaAlias *left = self->from_item;

  for (guint i = 0; steps[i] != NULL; i++)
    {
      gboolean last = steps[i + 1] == NULL;
      OrmaRelationship *rel = _orma_mapper_find_relationship (mapper, steps[i]);
      OrmaQueryJoin *join;

      if (rel == NULL)
        {
          unknown_relationship (self, mapper->type, steps[i]);
          return;
        }
      if (i > 0)
        g_string_append_c (prefix, '.');
      g_string_append (prefix, steps[i]);
      join = last ? NULL : find_join_by_path (self, prefix->str);
      if (join == NULL)
        join = join_relationship (self, kind, rel, left, last ? target : NULL, prefix->str);
      if (join == NULL)
        return;
      left = join->join.target;
      mapper = rel->target;
    }
}

static void
join_named (OrmaQuery    *self,
            OrmaJoinKind  kind,
            const char   *name,
            OrmaAlias    *target)
{
  OrmaRelationship *rel;
  OrmaQueryJoin *from;
  g_autofree char *path = NULL;

  if (self->mapper == NULL)
    return;
  if (strchr (name, '.') != NULL)
    {
      join_path (self, kind, name, target);
      return;
    }
  rel = _orma_mapper_find_relationship (self->mapper, name);
  if (rel != NULL)
    {
      join_relationship (self, kind, rel, self->from_item, target, name);
      return;
    }
  from = last_entity_join (self);
  rel = from != NULL ? _orma_mapper_find_relationship (_orma_mapper_for_type (from->entity_type),
                                                       name)
                     : NULL;
  if (rel == NULL)
    {
      unknown_relationship (self, from != NULL ? from->entity_type : self->type, name);
      return;
    }
  if (from->path != NULL)
    path = g_strconcat (from->path, ".", name, NULL);
  join_relationship (self, kind, rel, from->join.target, target, path);
}

/**
 * orma_query_join:
 * @self: a query
 * @relationship: a relationship of the query's entity, or of the entity
 *   joined last, or a dotted path from the query's entity
 *   ("posts.keywords")
 * @target: (nullable): an alias of the target class (orma_aliased()) to
 *   join as, for self-joins and for joining a class twice
 *
 * Joins the target of a relationship (INNER JOIN), with the ON clause of
 * the relationship's columns; a many-to-many goes through its secondary
 * table. Filters can then use the target's columns. An unknown
 * relationship or an alias of another class is reported by the call
 * that runs the query.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_join (OrmaQuery  *self,
                 const char *relationship,
                 OrmaAlias  *target)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (relationship != NULL, self);

  join_named (self, ORMA_JOIN_INNER, relationship, target);
  return self;
}

/**
 * orma_query_outerjoin:
 * @self: a query
 * @relationship: as for orma_query_join()
 * @target: (nullable): as for orma_query_join()
 *
 * Like orma_query_join() with a LEFT OUTER JOIN: rows without a related
 * row are kept.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_outerjoin (OrmaQuery  *self,
                      const char *relationship,
                      OrmaAlias  *target)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (relationship != NULL, self);

  join_named (self, ORMA_JOIN_LEFT, relationship, target);
  return self;
}

static OrmaQuery *
join_on (OrmaQuery    *self,
         OrmaJoinKind  kind,
         OrmaAlias    *target,
         OrmaExpr     *on)
{
  add_join (self, kind, orma_alias_ref (target), on, target->entity_type, NULL, NULL);
  return self;
}

/**
 * orma_query_join_on:
 * @self: a query
 * @target: what to join: orma_aliased(), orma_table_alias() or
 *   orma_query_subquery()
 * @on: (transfer floating): the ON condition
 *
 * Joins @target with an explicit ON clause.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_join_on (OrmaQuery *self,
                    OrmaAlias *target,
                    OrmaExpr  *on)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (target != NULL && on != NULL, self);

  return join_on (self, ORMA_JOIN_INNER, target, on);
}

/**
 * orma_query_outerjoin_on:
 * @self: a query
 * @target: as for orma_query_join_on()
 * @on: (transfer floating): the ON condition
 *
 * Like orma_query_join_on() with a LEFT OUTER JOIN.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_outerjoin_on (OrmaQuery *self,
                         OrmaAlias *target,
                         OrmaExpr  *on)
{
  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (target != NULL && on != NULL, self);

  return join_on (self, ORMA_JOIN_LEFT, target, on);
}

gboolean
_orma_query_joins_build (OrmaQuery  *self,
                         GArray     *joins,
                         GError    **error)
{
  for (guint i = 0; i < self->joins->len; i++)
    {
      OrmaQueryJoin *join = g_ptr_array_index (self->joins, i);

      g_array_append_val (joins, join->join);
    }
  return TRUE;
}

gboolean
_orma_query_joins_reach (OrmaQuery *self,
                         OrmaAlias *alias)
{
  for (guint i = 0; self->joins != NULL && i < self->joins->len; i++)
    if (((OrmaQueryJoin *) g_ptr_array_index (self->joins, i))->join.target == alias)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Loader options                                                      */

static void
add_option (OrmaQuery      *self,
            OrmaLoadOption *option)
{
  if (self->options == NULL)
    self->options = g_ptr_array_new_with_free_func ((GDestroyNotify) _orma_load_option_free);
  g_ptr_array_add (self->options, option);
}

/**
 * orma_query_load:
 * @self: a query
 * @path: a relationship of the query's entity, or a dotted path
 *   ("posts.keywords")
 * @strategy: how to load it in this query
 *
 * Loads the relationship at @path with @strategy for this query,
 * overriding the mapping's strategy: %ORMA_LOAD_JOINED adds a LEFT OUTER
 * JOIN, %ORMA_LOAD_SELECTIN one more SELECT, %ORMA_LOAD_LAZY,
 * %ORMA_LOAD_RAISE and %ORMA_LOAD_NOLOAD leave it for later.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_load (OrmaQuery        *self,
                 const char       *path,
                 OrmaLoadStrategy  strategy)
{
  OrmaLoadOption *option;

  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (path != NULL, self);

  option = g_new0 (OrmaLoadOption, 1);
  option->path = g_strdup (path);
  option->strategy = strategy;
  add_option (self, option);
  return self;
}

/**
 * orma_query_contains_eager:
 * @self: a query
 * @path: a relationship of the query's entity, or a dotted path
 * @alias: (nullable): the alias the query joined the target as, if the
 *   join was made with one
 *
 * Fills the relationship at @path from the query's own join to it (made
 * with orma_query_join() along that relationship, or to @alias) instead
 * of loading it: the rows of the join become the related objects. A
 * query that filters the join loads only the matching related objects.
 *
 * Returns: (transfer none): @self, for chaining
 */
OrmaQuery *
orma_query_contains_eager (OrmaQuery  *self,
                           const char *path,
                           OrmaAlias  *alias)
{
  OrmaLoadOption *option;

  g_return_val_if_fail (ORMA_IS_QUERY (self), NULL);
  g_return_val_if_fail (path != NULL, self);

  option = g_new0 (OrmaLoadOption, 1);
  option->path = g_strdup (path);
  option->strategy = ORMA_LOAD_JOINED;
  option->contains_eager = TRUE;
  option->alias = alias != NULL ? orma_alias_ref (alias) : NULL;
  add_option (self, option);
  return self;
}

static OrmaQueryJoin *
find_join_to (OrmaQuery *self,
              OrmaAlias *alias)
{
  for (guint i = 0; self->joins != NULL && i < self->joins->len; i++)
    {
      OrmaQueryJoin *join = g_ptr_array_index (self->joins, i);

      if (join->join.target == alias)
        return join;
    }
  return NULL;
}

gboolean
_orma_query_options_resolve (OrmaQuery  *self,
                             GError    **error)
{
  for (guint i = 0; self->options != NULL && i < self->options->len; i++)
    {
      OrmaLoadOption *option = g_ptr_array_index (self->options, i);
      OrmaQueryJoin *join;

      if (!option->contains_eager)
        continue;
      join = option->alias != NULL ? find_join_to (self, option->alias)
                                   : find_join_by_path (self, option->path);
      option->join = join != NULL ? &join->join : NULL;
      /* an alias added to FROM, not joined, is read all the same */
      if (join == NULL && option->alias == NULL)
        {
          _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                           "contains_eager (\"%s\"): the query for %s has no join along it",
                           option->path, g_type_name (self->type));
          return FALSE;
        }
    }
  return TRUE;
}
