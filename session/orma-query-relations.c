/* orma-query-relations.c: conditions along relationships, and the query
 * of one object's relationship (what a dynamic relationship gives).
 *
 * A condition on the related objects is an EXISTS subquery correlated
 * with the owner's table by the relationship's columns, as SQLAlchemy
 * writes any() and has():
 *
 *   EXISTS (SELECT 1 FROM addresses
 *           WHERE users.id = addresses.user_id AND addresses.email LIKE ?)
 *
 * (a many-to-many lists its secondary table and the target). A condition
 * on one object compares columns to that object's key values, bound as
 * parameters. Mistakes give an expression that fails the query with the
 * error when it runs, as orma_col() does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-query-private.h"
#include "orma-entity-private.h"
#include "orma-error-private.h"

OrmaRelationship *
_orma_query_find_relationship (GType        entity_type,
                               const char  *name,
                               GError     **error)
{
  OrmaMapper *mapper = _orma_session_mapper (entity_type, error);
  OrmaRelationship *rel;

  if (mapper == NULL)
    return NULL;
  rel = _orma_mapper_find_relationship (mapper, name);
  if (rel == NULL)
    _orma_set_error (error, ORMA_ERROR_UNKNOWN_PROPERTY, "%s has no relationship '%s'",
                     g_type_name (entity_type), name);
  return rel;
}

static OrmaExpr *
error_expr (GError *error)
{
  OrmaExpr *expr = _orma_expr_new_error (error->code, "%s", error->message);

  g_error_free (error);
  return expr;
}

/* Drops a floating operand a constructor will not use. */
static void
discard (OrmaExpr *expr)
{
  if (expr != NULL)
    orma_expr_unref (orma_expr_ref_sink (expr));
}

/* The relationship, or an error expression in *@failed. */
static OrmaRelationship *
lookup (GType        entity_type,
        const char  *name,
        OrmaExpr   **failed)
{
  GError *error = NULL;
  OrmaRelationship *rel;

  g_return_val_if_fail (name != NULL, NULL);

  rel = _orma_query_find_relationship (entity_type, name, &error);
  if (rel == NULL)
    *failed = error_expr (error);
  return rel;
}

static OrmaExpr *
wrong_kind (OrmaRelationship *rel,
            const char       *why)
{
  return _orma_expr_new_error (ORMA_ERROR_INVALID_QUERY, "%s.%s %s",
                               g_type_name (rel->owner->type), rel->name, why);
}

/* EXISTS (SELECT 1 FROM <related> WHERE <join to the owner> AND
 * <criterion>), taking the floating @criterion and @extra (nullable
 * both); @extra is a condition on the secondary table of a
 * many-to-many. */
static OrmaExpr *
exists_related (OrmaRelationship *rel,
                gboolean          with_target,
                OrmaExpr         *criterion,
                OrmaExpr         *extra)
{
  g_autoptr (OrmaExpr) one = orma_expr_ref_sink (_orma_expr_new_text ("1"));
  g_autoptr (OrmaExpr) where = NULL;
  g_autoptr (OrmaAlias) target = NULL;
  OrmaExpr *conditions[4];
  guint n = 0;
  OrmaSelect select = { 0 };

  select.columns = &one;
  select.n_columns = 1;
  select.limit = -1;
  if (rel->direction == ORMA_REL_MANY_TO_MANY)
    {
      select.from = rel->secondary;
      conditions[n++] = _orma_rel_join_condition (rel, NULL, NULL);
      if (with_target)
        {
          target = _orma_alias_new_table (rel->target->table, NULL, FALSE, rel->target->type);
          select.extra_from = &target;
          select.n_extra_from = 1;
          conditions[n++] = _orma_rel_secondary_condition (rel, NULL, NULL);
        }
    }
  else
    {
      select.from = rel->target->table;
      conditions[n++] = _orma_rel_join_condition (rel, NULL, NULL);
    }
  if (extra != NULL)
    conditions[n++] = extra;
  if (criterion != NULL)
    conditions[n++] = criterion;
  where = orma_expr_ref_sink (_orma_expr_new_junction (ORMA_EXPR_AND, conditions, n));
  select.where = where;
  return _orma_expr_new_exists (&select);
}

static OrmaExpr *
exists_condition (GType        entity_type,
                  const char  *relationship,
                  OrmaExpr    *criterion,
                  gboolean     collection)
{
  OrmaExpr *failed = NULL;
  OrmaRelationship *rel = lookup (entity_type, relationship, &failed);

  if (rel != NULL && rel->is_collection != collection)
    failed = wrong_kind (rel, collection ? "is not a collection: use orma_has()"
                                         : "is a collection: use orma_any()");
  /* Inside the subquery the target's table would hide the owner's, and
   * the criterion could not tell them apart. */
  if (rel != NULL && failed == NULL && rel->self_referential)
    failed = wrong_kind (rel, "is self-referential: join it to an alias "
                              "(orma_aliased()) or use orma_query_exists()");
  if (failed != NULL)
    {
      discard (criterion);
      return failed;
    }
  return exists_related (rel, TRUE, criterion, NULL);
}

/**
 * orma_any:
 * @entity_type: the owner's class
 * @relationship: one of its collections (one-to-many, many-to-many)
 * @criterion: (transfer floating) (nullable): a condition on the related
 *   objects
 *
 * The owners with at least one related object (matching @criterion):
 * `EXISTS (SELECT 1 FROM addresses WHERE users.id = addresses.user_id AND
 * ...)`, for orma_query_filter().
 *
 * Returns: (transfer floating): a condition
 */
OrmaExpr *
orma_any (GType       entity_type,
          const char *relationship,
          OrmaExpr   *criterion)
{
  return exists_condition (entity_type, relationship, criterion, TRUE);
}

/**
 * orma_has:
 * @entity_type: the owner's class
 * @relationship: one of its many-to-one (or one-to-one) relationships
 * @criterion: (transfer floating) (nullable): a condition on the related
 *   object
 *
 * The owners whose related object exists (and matches @criterion):
 * `EXISTS (SELECT 1 FROM users WHERE users.id = addresses.user_id AND
 * ...)`.
 *
 * Returns: (transfer floating): a condition
 */
OrmaExpr *
orma_has (GType       entity_type,
          const char *relationship,
          OrmaExpr   *criterion)
{
  return exists_condition (entity_type, relationship, criterion, FALSE);
}

/* column = value, or a condition nothing matches when the value is NULL
 * (an object without a key has no related rows). */
static OrmaExpr *
equals_value (OrmaExpr     *column,
              const GValue *value)
{
  if (value == NULL)
    return orma_in_array (column, NULL, 0);
  return orma_eq (column, orma_value (value));
}

/* The @n columns of @table (seen through @alias) equal the values of
 * @columns of @entity. */
static OrmaExpr *
columns_equal (OrmaTable   *table,
               GType        type,
               OrmaAlias   *alias,
               const guint *table_columns,
               OrmaEntity  *entity,
               const guint *entity_columns,
               guint        n)
{
  OrmaExpr *pairs[ORMA_MAX_COLUMNS];

  g_return_val_if_fail (n <= ORMA_MAX_COLUMNS, NULL);

  for (guint i = 0; i < n; i++)
    pairs[i] = equals_value (_orma_side_column (table, type, alias, table_columns[i]),
                             _orma_entity_peek (entity, entity_columns[i]));
  return _orma_expr_new_junction (ORMA_EXPR_AND, pairs, n);
}

static gboolean
check_entity (gpointer    entity,
              OrmaMapper *mapper,
              OrmaExpr  **failed)
{
  if (ORMA_IS_ENTITY (entity) && g_type_is_a (G_OBJECT_TYPE (entity), mapper->type))
    return TRUE;
  *failed = _orma_expr_new_error (ORMA_ERROR_TYPE_MISMATCH, "expected a %s, got a %s",
                                  g_type_name (mapper->type),
                                  entity ? G_OBJECT_TYPE_NAME (entity) : "NULL");
  return FALSE;
}

/**
 * orma_contains:
 * @entity_type: the owner's class
 * @relationship: one of its collections
 * @entity: (type OrmaEntity): an object of the collection's class
 *
 * The owners whose collection contains @entity: for a one-to-many the
 * owner's key equals @entity's foreign key (`users.id = ?`), for a
 * many-to-many a row of the secondary table links them (`EXISTS (SELECT
 * 1 FROM post_keywords WHERE posts.id = post_keywords.post_id AND
 * post_keywords.keyword_id = ?)`).
 *
 * Returns: (transfer floating): a condition
 */
OrmaExpr *
orma_contains (GType       entity_type,
               const char *relationship,
               gpointer    entity)
{
  OrmaExpr *failed = NULL;
  OrmaRelationship *rel = lookup (entity_type, relationship, &failed);

  if (rel == NULL)
    return failed;
  if (!rel->is_collection)
    return wrong_kind (rel, "is not a collection: use orma_related_eq()");
  if (!check_entity (entity, rel->target, &failed))
    return failed;
  if (rel->direction == ORMA_REL_MANY_TO_MANY)
    return exists_related (rel, FALSE, NULL,
                           columns_equal (rel->secondary, 0, NULL, rel->sec_remote,
                                          entity, rel->remote_for_sec, rel->n_sec_remote));
  return columns_equal (rel->owner->table, rel->owner->type, NULL, rel->local,
                        entity, rel->remote, rel->n_pairs);
}

OrmaExpr *
_orma_query_parent_criterion (OrmaEntity       *parent,
                              OrmaRelationship *rel)
{
  OrmaMapper *target = rel->target;

  switch (rel->direction)
    {
    case ORMA_REL_MANY_TO_MANY:
      {
        g_autoptr (OrmaExpr) one = orma_expr_ref_sink (_orma_expr_new_text ("1"));
        g_autoptr (OrmaExpr) where = NULL;
        OrmaExpr *conditions[2];
        OrmaSelect select = { 0 };

        /* EXISTS (SELECT 1 FROM post_keywords WHERE keywords.id =
         * post_keywords.keyword_id AND post_keywords.post_id = ?) */
        conditions[0] = _orma_rel_secondary_condition (rel, NULL, NULL);
        conditions[1] = columns_equal (rel->secondary, 0, NULL, rel->sec_local,
                                       parent, rel->local, rel->n_pairs);
        where = orma_expr_ref_sink (_orma_expr_new_junction (ORMA_EXPR_AND, conditions, 2));
        select.from = rel->secondary;
        select.columns = &one;
        select.n_columns = 1;
        select.where = where;
        select.limit = -1;
        return _orma_expr_new_exists (&select);
      }
    case ORMA_REL_MANY_TO_ONE:
    case ORMA_REL_ONE_TO_MANY:
    default:
      /* the target's remote columns equal the parent's local ones:
       * addresses.user_id = <user.id>, or users.id = <address.user_id> */
      return columns_equal (target->table, target->type, NULL, rel->remote,
                            parent, rel->local, rel->n_pairs);
    }
}

/**
 * orma_with_parent:
 * @parent: (type OrmaEntity): an object
 * @relationship: one of its relationships
 *
 * The objects of `parent.relationship`, as a condition for a query of
 * the relationship's target class: `addresses.user_id = ?` for a
 * one-to-many, `users.id = ?` for a many-to-one, an EXISTS over the
 * secondary table for a many-to-many. The parent's key values are taken
 * now; an object without a key yet has no related rows (see
 * orma_entity_query_related(), which waits for the autoflush).
 *
 * Returns: (transfer floating): a condition
 */
OrmaExpr *
orma_with_parent (gpointer    parent,
                  const char *relationship)
{
  OrmaExpr *failed = NULL;
  OrmaRelationship *rel;

  g_return_val_if_fail (ORMA_IS_ENTITY (parent), NULL);

  rel = lookup (G_OBJECT_TYPE (parent), relationship, &failed);
  if (rel == NULL)
    return failed;
  return _orma_query_parent_criterion (parent, rel);
}

/**
 * orma_related_eq:
 * @entity_type: the owner's class
 * @relationship: one of its many-to-one relationships
 * @entity: (type OrmaEntity) (nullable): the related object, or %NULL
 *
 * The owners whose many-to-one is @entity: the foreign key columns equal
 * its key (`addresses.user_id = ?`); with @entity %NULL, the owners
 * without one (`addresses.user_id IS NULL`). An object without a key yet
 * (pending and not flushed) is an %ORMA_ERROR_INVALID_STATE when the
 * query runs.
 *
 * Returns: (transfer floating): a condition
 */
OrmaExpr *
orma_related_eq (GType       entity_type,
                 const char *relationship,
                 gpointer    entity)
{
  OrmaExpr *failed = NULL;
  OrmaRelationship *rel = lookup (entity_type, relationship, &failed);
  OrmaExpr *pairs[ORMA_MAX_COLUMNS];
  OrmaMapper *owner;

  if (rel == NULL)
    return failed;
  if (rel->direction != ORMA_REL_MANY_TO_ONE)
    return wrong_kind (rel, "is not a many-to-one: use orma_contains()");
  if (entity != NULL && !check_entity (entity, rel->target, &failed))
    return failed;
  owner = rel->owner;
  for (guint i = 0; i < rel->n_pairs; i++)
    {
      OrmaExpr *column = _orma_expr_new_column (owner->table, rel->local[i], owner->type);
      const GValue *value = entity ? _orma_entity_peek (entity, rel->remote[i]) : NULL;

      if (entity != NULL && value == NULL)
        {
          discard (column);
          for (guint j = 0; j < i; j++)
            discard (pairs[j]);
          return _orma_expr_new_error (ORMA_ERROR_INVALID_STATE,
                                       "%s.%s compared to a %s without a key: flush it first",
                                       g_type_name (owner->type), rel->name,
                                       G_OBJECT_TYPE_NAME (entity));
        }
      pairs[i] = entity ? orma_eq (column, orma_value (value)) : orma_is_null (column);
    }
  return _orma_expr_new_junction (ORMA_EXPR_AND, pairs, rel->n_pairs);
}

/* ------------------------------------------------------------------ */
/* The query of a relationship                                         */

void
_orma_query_parent_free (OrmaQueryParent *parent)
{
  g_weak_ref_clear (&parent->parent);
  g_clear_pointer (&parent->fixed, orma_expr_unref);
  g_free (parent);
}

/* Whether @entity has every value the criterion of @rel reads. */
static gboolean
has_local_values (OrmaEntity       *entity,
                  OrmaRelationship *rel)
{
  for (guint i = 0; i < rel->n_pairs; i++)
    if (_orma_entity_peek (entity, rel->local[i]) == NULL)
      return FALSE;
  return TRUE;
}

OrmaExpr *
_orma_query_parent_condition (OrmaQueryParent *parent)
{
  g_autoptr (OrmaEntity) entity = g_weak_ref_get (&parent->parent);

  if (entity != NULL)
    return _orma_query_parent_criterion (entity, parent->rel);
  if (parent->fixed != NULL)
    return parent->fixed;
  return _orma_expr_new_error (ORMA_ERROR_INVALID_STATE,
                               "the %s whose %s this query reads is gone",
                               g_type_name (parent->rel->owner->type), parent->rel->name);
}

static void
add_parent (OrmaQuery        *query,
            OrmaEntity       *entity,
            OrmaRelationship *rel)
{
  OrmaQueryParent *parent = g_new0 (OrmaQueryParent, 1);

  g_weak_ref_init (&parent->parent, entity);
  parent->rel = rel;
  if (has_local_values (entity, rel))
    parent->fixed = orma_expr_ref_sink (_orma_query_parent_criterion (entity, rel));
  if (query->parents == NULL)
    query->parents = g_ptr_array_new_with_free_func ((GDestroyNotify) _orma_query_parent_free);
  g_ptr_array_add (query->parents, parent);
}

/**
 * orma_entity_query_related:
 * @entity: an object in a session
 * @relationship: one of its relationships
 * @error: return location for a #GError
 *
 * The objects of `entity.relationship` as a query of the target class,
 * ordered by the relationship's order-by, that can be filtered further:
 * what a dynamic relationship ("lazy" "dynamic") gives. The query
 * autoflushes like any other, so it sees pending changes, including the
 * key a pending @entity gets from the flush.
 *
 * Returns: (transfer full): a new query, or %NULL with
 *   %ORMA_ERROR_UNKNOWN_PROPERTY or %ORMA_ERROR_DETACHED
 */
OrmaQuery *
orma_entity_query_related (OrmaEntity  *entity,
                           const char  *relationship,
                           GError     **error)
{
  OrmaSession *session;
  OrmaRelationship *rel;
  OrmaQuery *query;
  OrmaMapper *target;

  g_return_val_if_fail (ORMA_IS_ENTITY (entity), NULL);
  g_return_val_if_fail (relationship != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rel = _orma_query_find_relationship (G_OBJECT_TYPE (entity), relationship, error);
  if (rel == NULL)
    return NULL;
  session = orma_entity_get_session (entity);
  if (session == NULL)
    {
      _orma_set_error (error, ORMA_ERROR_DETACHED,
                       "the query of %s.%s needs an object in a session",
                       G_OBJECT_TYPE_NAME (entity), rel->name);
      return NULL;
    }

  target = rel->target;
  query = _orma_query_new (session, target->type);
  add_parent (query, entity, rel);
  for (guint i = 0; i < rel->n_order; i++)
    {
      OrmaExpr *column = _orma_expr_new_column (target->table, rel->order_columns[i],
                                                target->type);

      orma_query_order_by (query, rel->order_desc[i] ? orma_desc (column) : column);
    }
  return query;
}
