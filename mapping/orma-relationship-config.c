/* orma-relationship-config.c: declaring relationships, and resolving
 * them when their class is configured.
 *
 * Declaring (from class_init) records the options and installs the
 * GObject property; it cannot fail, so a mistake is kept in the
 * relationship and reported by every configure. Resolving finds the
 * target class by its type name, the direction and the join columns from
 * the foreign keys between the tables (SQLAlchemy's rules), the
 * secondary table of a many-to-many, the order-by columns, and pairs the
 * relationship with its other side (back-populates, or a backref made
 * here). A resolution failure is not remembered: the class or table it
 * missed may be registered before the next try.
 *
 * Everything here runs with the mapping lock held (see
 * orma-mapper-private.h), except declaring, which runs in class_init.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-relationship-private.h"
#include "orma-error-private.h"

/* ------------------------------------------------------------ declaring */

/* Declaration mistakes name the class and the relationship; the first
 * one is kept. */
G_GNUC_PRINTF (2, 3)
static void
rel_record_error (OrmaRelationship *rel,
                  const char       *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (rel->error != NULL)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  rel->error = g_error_new (ORMA_ERROR, ORMA_ERROR_INVALID_MAPPING, "%s.%s: %s",
                            g_type_name (rel->owner->type), rel->name, message);
}

/* "favorite_entry" and "favorite-entry" are one name, spelled as
 * GObject spells property names. */
static char *
canonical_name (const char *name)
{
  char *canonical = g_strdup (name);

  for (char *p = canonical; *p != '\0'; p++)
    if (*p == '_')
      *p = '-';
  return canonical;
}

/* Comma separated names, stripped; NULL if one of them is empty. */
static char **
split_names (const char *value)
{
  g_auto (GStrv) names = g_strsplit (value, ",", -1);

  for (guint i = 0; names[i] != NULL; i++)
    if (*g_strstrip (names[i]) == '\0')
      return NULL;
  return g_steal_pointer (&names);
}

static gboolean
parse_boolean (OrmaRelationship *rel,
               const char       *option,
               const char       *value,
               gboolean         *out)
{
  if (strcmp (value, "true") == 0)
    *out = TRUE;
  else if (strcmp (value, "false") == 0)
    *out = FALSE;
  else
    {
      rel_record_error (rel, "option '%s' takes \"true\" or \"false\", not \"%s\"", option, value);
      return FALSE;
    }
  return TRUE;
}

static const struct {
  const char  *word;
  OrmaCascade  cascade;
} cascade_words[] = {
  { "save-update", ORMA_CASCADE_SAVE_UPDATE },
  { "merge", ORMA_CASCADE_MERGE },
  { "delete", ORMA_CASCADE_DELETE },
  { "delete-orphan", ORMA_CASCADE_DELETE_ORPHAN },
  { "expunge", ORMA_CASCADE_EXPUNGE },
  { "refresh-expire", ORMA_CASCADE_REFRESH_EXPIRE },
  { "all", ORMA_CASCADE_ALL },
  { "none", ORMA_CASCADE_NONE },
};

static void
parse_cascade (OrmaRelationship *rel,
               const char       *value)
{
  g_auto (GStrv) words = g_strsplit (value, ",", -1);
  OrmaCascade cascade = ORMA_CASCADE_NONE;

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *word = canonical_name (g_strstrip (words[i]));
      gsize k;

      if (*word == '\0')
        continue;
      for (k = 0; k < G_N_ELEMENTS (cascade_words); k++)
        if (strcmp (word, cascade_words[k].word) == 0)
          break;
      if (k == G_N_ELEMENTS (cascade_words))
        {
          rel_record_error (rel, "unknown cascade \"%s\"", word);
          return;
        }
      cascade |= cascade_words[k].cascade;
    }

  rel->cascade = cascade;
}

static const struct {
  const char       *word;
  OrmaLoadStrategy  strategy;
} lazy_words[] = {
  { "select", ORMA_LOAD_LAZY },
  { "joined", ORMA_LOAD_JOINED },
  { "selectin", ORMA_LOAD_SELECTIN },
  { "dynamic", ORMA_LOAD_DYNAMIC },
  { "raise", ORMA_LOAD_RAISE },
  { "noload", ORMA_LOAD_NOLOAD },
};

static void
parse_lazy (OrmaRelationship *rel,
            const char       *value)
{
  for (gsize k = 0; k < G_N_ELEMENTS (lazy_words); k++)
    if (strcmp (value, lazy_words[k].word) == 0)
      {
        rel->lazy = lazy_words[k].strategy;
        return;
      }

  rel_record_error (rel, "unknown lazy strategy \"%s\" (select, joined, selectin, "
                    "dynamic, raise or noload)", value);
}

static void
parse_names_option (OrmaRelationship   *rel,
                    const char         *option,
                    const char         *value,
                    char             ***out)
{
  char **names = split_names (value);

  if (names == NULL)
    {
      rel_record_error (rel, "option '%s' has an empty column name in \"%s\"", option, value);
      return;
    }
  g_strfreev (*out);
  *out = names;
}

static void
replace_string (char **field, const char *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static void
apply_option (OrmaRelationship *rel,
              const char       *option_name,
              const char       *value)
{
  g_autofree char *option = canonical_name (option_name);
  gboolean flag;

  if (strcmp (option, "back-populates") == 0)
    replace_string (&rel->back_populates, value);
  else if (strcmp (option, "backref") == 0)
    replace_string (&rel->backref, value);
  else if (strcmp (option, "secondary") == 0)
    replace_string (&rel->secondary_name, value);
  else if (strcmp (option, "order-by") == 0)
    replace_string (&rel->order_by_text, value);
  else if (strcmp (option, "foreign-keys") == 0)
    parse_names_option (rel, option, value, &rel->foreign_keys);
  else if (strcmp (option, "remote-side") == 0)
    parse_names_option (rel, option, value, &rel->remote_side);
  else if (strcmp (option, "cascade") == 0)
    parse_cascade (rel, value);
  else if (strcmp (option, "lazy") == 0)
    parse_lazy (rel, value);
  else if (strcmp (option, "uselist") == 0)
    {
      if (parse_boolean (rel, option, value, &flag))
        rel->uselist = flag ? 1 : 0;
    }
  else if (strcmp (option, "passive-deletes") == 0)
    parse_boolean (rel, option, value, &rel->passive_deletes);
  else if (strcmp (option, "post-update") == 0)
    parse_boolean (rel, option, value, &rel->post_update);
  else if (strcmp (option, "single-parent") == 0)
    parse_boolean (rel, option, value, &rel->single_parent);
  else if (strcmp (option, "join-depth") == 0)
    {
      guint64 depth;

      if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT, &depth, NULL))
        rel->join_depth = (guint) depth;
      else
        rel_record_error (rel, "join-depth takes a number, not \"%s\"", value);
    }
  else
    rel_record_error (rel, "unknown relationship option '%s'", option_name);
}

/* Whether the relationship can have a property of its name: the name is
 * valid and no column, relationship or inherited property has it. */
static gboolean
check_name (OrmaRelationship *rel,
            GObjectClass     *klass)
{
  OrmaMapper *mapper = rel->owner;

  if (!g_param_spec_is_valid_name (rel->name))
    {
      rel_record_error (rel, "'%s' is not a valid property name", rel->name);
      return FALSE;
    }
  if (_orma_mapper_find_column (mapper, rel->name) >= 0)
    {
      rel_record_error (rel, "the relationship has the name of a column");
      return FALSE;
    }
  if (_orma_mapper_find_relationship (mapper, rel->name) != NULL)
    {
      rel_record_error (rel, "the relationship is declared twice");
      return FALSE;
    }
  if (g_object_class_find_property (klass, rel->name) != NULL)
    {
      rel_record_error (rel, "the class already has a property of that name");
      return FALSE;
    }
  return TRUE;
}

void
_orma_relationship_declare (OrmaMapper  *mapper,
                            const char  *name,
                            const char  *target,
                            const char  *first_option,
                            va_list      options)
{
  OrmaRelationship *rel = g_new0 (OrmaRelationship, 1);
  GObjectClass *klass;

  rel->name = canonical_name (name);
  rel->owner = mapper;
  rel->target_name = g_strdup (target);
  rel->cascade = ORMA_CASCADE_DEFAULT;
  rel->lazy = ORMA_LOAD_LAZY;
  rel->uselist = -1;
  rel->index = mapper->relationships != NULL ? mapper->relationships->len : 0;

  for (const char *option = first_option; option != NULL; option = va_arg (options, const char *))
    {
      const char *value = va_arg (options, const char *);

      if (value == NULL)
        {
          rel_record_error (rel, "option '%s' has no value", option);
          break;
        }
      apply_option (rel, option, value);
    }

  if (rel->backref != NULL && rel->back_populates != NULL)
    rel_record_error (rel, "\"backref\" and \"back-populates\" are exclusive");

  /* Called from the class's class_init, where g_type_class_peek() does
   * not give the class yet; g_type_class_ref() does (GObject allows a
   * class to reference itself while it is initialized). */
  klass = g_type_class_ref (mapper->type);
  if (check_name (rel, klass))
    {
      rel->prop_id = ORMA_MAX_COLUMNS + 1 + rel->index;
      rel->pspec = g_param_spec_object (rel->name, NULL, NULL, G_TYPE_OBJECT,
                                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                        G_PARAM_STATIC_STRINGS);
      g_object_class_install_property (klass, rel->prop_id, rel->pspec);
    }
  g_type_class_unref (klass);

  _orma_mapper_add_relationship (mapper, rel);
}

static void
clear_join (OrmaRelationship *rel)
{
  rel->join_resolved = FALSE;
  rel->target = NULL;
  rel->n_pairs = 0;
  rel->n_sec_remote = 0;
  g_clear_pointer (&rel->local, g_free);
  g_clear_pointer (&rel->remote, g_free);
  g_clear_pointer (&rel->sec_local, g_free);
  g_clear_pointer (&rel->sec_remote, g_free);
  g_clear_pointer (&rel->remote_for_sec, g_free);
  g_clear_pointer (&rel->secondary, orma_table_unref);
}

static void
clear_order (OrmaRelationship *rel)
{
  rel->n_order = 0;
  g_clear_pointer (&rel->order_columns, g_free);
  g_clear_pointer (&rel->order_desc, g_free);
}

void
_orma_relationship_free (OrmaRelationship *rel)
{
  if (rel == NULL)
    return;

  clear_join (rel);
  clear_order (rel);
  g_free (rel->name);
  g_free (rel->target_name);
  g_free (rel->back_populates);
  g_free (rel->backref);
  g_free (rel->secondary_name);
  g_strfreev (rel->foreign_keys);
  g_strfreev (rel->remote_side);
  g_free (rel->order_by_text);
  g_clear_error (&rel->error);
  g_free (rel);
}

/* ------------------------------------------------------------ resolving */

G_GNUC_PRINTF (3, 4)
static gboolean
rel_fail (OrmaRelationship  *rel,
          GError           **error,
          const char        *format,
          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  _orma_set_error (error, ORMA_ERROR_INVALID_MAPPING, "%s.%s: %s",
                   g_type_name (rel->owner->type), rel->name, message);
  return FALSE;
}

static const char *
direction_name (OrmaRelDirection direction)
{
  switch (direction)
    {
    case ORMA_REL_MANY_TO_ONE:
      return "many-to-one";
    case ORMA_REL_ONE_TO_MANY:
      return "one-to-many";
    case ORMA_REL_MANY_TO_MANY:
    default:
      return "many-to-many";
    }
}

static OrmaRelDirection
reverse_direction (OrmaRelDirection direction)
{
  switch (direction)
    {
    case ORMA_REL_MANY_TO_ONE:
      return ORMA_REL_ONE_TO_MANY;
    case ORMA_REL_ONE_TO_MANY:
      return ORMA_REL_MANY_TO_ONE;
    case ORMA_REL_MANY_TO_MANY:
    default:
      return ORMA_REL_MANY_TO_MANY;
    }
}

/* Index of a column of @table named @name ('-' and '_' alike), or -1. */
static int
table_column (OrmaTable  *table,
              const char *name)
{
  for (guint i = 0; i < table->columns->len; i++)
    if (_orma_names_match (_orma_table_column (table, i)->name, name))
      return (int) i;
  return -1;
}

static gboolean
names_contain (char **names, const char *name)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    if (_orma_names_match (names[i], name))
      return TRUE;
  return FALSE;
}

/* The name of the @i-th column @fk references: its own list, or the
 * referenced table's primary key when it gave none. */
static const char *
fk_ref_column (OrmaForeignKey *fk,
               OrmaTable      *ref_table,
               guint           i)
{
  if (fk->ref_columns->len > 0)
    return g_ptr_array_index (fk->ref_columns, i);
  if (i < ref_table->primary_key->len)
    return _orma_table_column (ref_table, g_array_index (ref_table->primary_key, guint, i))->name;
  return NULL;
}

/* Whether "foreign-keys" names every column of @fk. */
static gboolean
fk_chosen (OrmaRelationship *rel,
           OrmaForeignKey   *fk)
{
  for (guint i = 0; i < fk->columns->len; i++)
    if (!names_contain (rel->foreign_keys, g_ptr_array_index (fk->columns, i)))
      return FALSE;
  return TRUE;
}

/* A foreign key that may join the two sides, and the table holding it. */
typedef struct {
  OrmaForeignKey *fk;
  OrmaTable      *table;
} Candidate;

static void
add_candidates (GArray    *out,
                OrmaTable *from,
                OrmaTable *to)
{
  for (guint i = 0; i < from->foreign_keys->len; i++)
    {
      OrmaForeignKey *fk = g_ptr_array_index (from->foreign_keys, i);
      Candidate candidate = { fk, from };

      if (g_strcmp0 (fk->ref_table, to->name) == 0)
        g_array_append_val (out, candidate);
    }
}

/* Keeps the candidates "foreign-keys" names, when it is given. */
static void
filter_candidates (OrmaRelationship *rel,
                   GArray           *candidates)
{
  if (rel->foreign_keys == NULL)
    return;

  for (guint i = candidates->len; i-- > 0;)
    if (!fk_chosen (rel, g_array_index (candidates, Candidate, i).fk))
      g_array_remove_index (candidates, i);
}

/* "table.column" or "(table.a, table.b)", for messages. */
static void
append_fk_columns (GString   *out,
                   Candidate *candidate)
{
  OrmaForeignKey *fk = candidate->fk;

  if (fk->columns->len > 1)
    g_string_append_c (out, '(');
  for (guint i = 0; i < fk->columns->len; i++)
    g_string_append_printf (out, "%s%s.%s", i > 0 ? ", " : "", candidate->table->name,
                            (const char *) g_ptr_array_index (fk->columns, i));
  if (fk->columns->len > 1)
    g_string_append_c (out, ')');
}

static char *
describe_candidates (GArray *candidates)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < candidates->len; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      append_fk_columns (out, &g_array_index (candidates, Candidate, i));
    }
  return g_string_free (out, FALSE);
}

/* Column indexes of @candidate's foreign key: its own columns (in the
 * table that holds it) into @own, the referenced ones (in @ref_table)
 * into @ref. */
static gboolean
fk_column_indexes (OrmaRelationship  *rel,
                   Candidate         *candidate,
                   OrmaTable         *ref_table,
                   guint            **own,
                   guint            **ref,
                   guint             *n,
                   GError           **error)
{
  OrmaForeignKey *fk = candidate->fk;
  g_autofree guint *own_cols = g_new (guint, fk->columns->len);
  g_autofree guint *ref_cols = g_new (guint, fk->columns->len);

  for (guint i = 0; i < fk->columns->len; i++)
    {
      const char *own_name = g_ptr_array_index (fk->columns, i);
      const char *ref_name = fk_ref_column (fk, ref_table, i);
      int own_col = orma_table_find_column (candidate->table, own_name);
      int ref_col = ref_name != NULL ? orma_table_find_column (ref_table, ref_name) : -1;

      if (own_col < 0 || ref_col < 0)
        return rel_fail (rel, error, "the foreign key %s.%s -> %s.%s names a missing column",
                         candidate->table->name, own_name, ref_table->name,
                         ref_name != NULL ? ref_name : "(primary key)");
      own_cols[i] = own_col;
      ref_cols[i] = ref_col;
    }

  *own = g_steal_pointer (&own_cols);
  *ref = g_steal_pointer (&ref_cols);
  *n = fk->columns->len;
  return TRUE;
}

/* Whether every name of "remote-side" is a column of @table among the
 * @n columns @cols (a foreign key's own columns, or those it
 * references). */
static gboolean
remote_side_is (OrmaRelationship *rel,
                OrmaTable        *table,
                const guint      *cols,
                guint             n)
{
  for (guint i = 0; rel->remote_side[i] != NULL; i++)
    {
      int col = table_column (table, rel->remote_side[i]);
      gboolean found = FALSE;

      for (guint k = 0; k < n && !found; k++)
        found = col >= 0 && cols[k] == (guint) col;
      if (!found)
        return FALSE;
    }
  return TRUE;
}

static gboolean
one_candidate (OrmaRelationship  *rel,
               GArray            *candidates,
               const char        *between,
               GError           **error)
{
  g_autofree char *listed = NULL;

  if (candidates->len == 1)
    return TRUE;

  if (candidates->len == 0 && rel->foreign_keys != NULL)
    return rel_fail (rel, error, "foreign-keys names no foreign key between %s", between);
  if (candidates->len == 0)
    return rel_fail (rel, error, "no foreign key joins %s", between);

  listed = describe_candidates (candidates);
  return rel_fail (rel, error, "several foreign keys join %s: %s; name the one to use "
                   "with \"foreign-keys\"", between, listed);
}

/* Direction and columns when the tables are joined directly. */
static gboolean
resolve_direct (OrmaRelationship  *rel,
                GError           **error)
{
  OrmaTable *owner = rel->owner->table;
  OrmaTable *target = rel->target->table;
  g_autoptr (GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autofree char *between = NULL;
  g_autofree guint *fk_cols = NULL;
  g_autofree guint *ref_cols = NULL;
  Candidate *chosen;
  guint n;

  add_candidates (candidates, owner, target);
  /* a self-referential foreign key is one candidate, not two */
  if (!rel->self_referential)
    add_candidates (candidates, target, owner);
  filter_candidates (rel, candidates);

  between = g_strdup_printf ("%s (table %s) and %s (table %s)",
                             g_type_name (rel->owner->type), owner->name,
                             g_type_name (rel->target->type), target->name);
  if (!one_candidate (rel, candidates, between, error))
    return FALSE;

  chosen = &g_array_index (candidates, Candidate, 0);
  if (!fk_column_indexes (rel, chosen, chosen->table == owner ? target : owner,
                          &fk_cols, &ref_cols, &n, error))
    return FALSE;

  if (rel->self_referential)
    {
      /* SQLAlchemy's rule: the remote side names the parent row's key
       * for a many-to-one, the children's foreign key (or nothing) for a
       * one-to-many. */
      if (rel->remote_side == NULL || remote_side_is (rel, owner, fk_cols, n))
        rel->direction = ORMA_REL_ONE_TO_MANY;
      else if (remote_side_is (rel, owner, ref_cols, n))
        rel->direction = ORMA_REL_MANY_TO_ONE;
      else
        return rel_fail (rel, error, "remote-side names no column of the foreign key of table %s",
                         owner->name);
    }
  else
    {
      rel->direction = chosen->table == owner ? ORMA_REL_MANY_TO_ONE : ORMA_REL_ONE_TO_MANY;
    }

  rel->n_pairs = n;
  if (rel->direction == ORMA_REL_MANY_TO_ONE)
    {
      rel->local = g_steal_pointer (&fk_cols);
      rel->remote = g_steal_pointer (&ref_cols);
    }
  else
    {
      rel->local = g_steal_pointer (&ref_cols);
      rel->remote = g_steal_pointer (&fk_cols);
    }
  return TRUE;
}

/* The foreign keys of the secondary table to the owner's table (@local)
 * and to the target's (@remote). For a self-referential many-to-many
 * both reference the same table, and "foreign-keys" names the one that
 * points at the owner's row. */
static gboolean
choose_secondary_fks (OrmaRelationship  *rel,
                      OrmaTable         *secondary,
                      Candidate         *local,
                      Candidate         *remote,
                      GError           **error)
{
  OrmaTable *owner = rel->owner->table;
  OrmaTable *target = rel->target->table;
  g_autoptr (GArray) to_owner = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autoptr (GArray) to_target = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autofree char *to_owner_text = g_strdup_printf ("the secondary table %s and %s (table %s)",
                                                    secondary->name, g_type_name (rel->owner->type),
                                                    owner->name);
  g_autofree char *to_target_text = g_strdup_printf ("the secondary table %s and %s (table %s)",
                                                     secondary->name, g_type_name (rel->target->type),
                                                     target->name);

  add_candidates (to_owner, secondary, owner);
  add_candidates (to_target, secondary, target);

  if (rel->self_referential)
    {
      if (to_owner->len != 2)
        return rel_fail (rel, error, "the secondary table %s of a self-referential "
                         "many-to-many needs two foreign keys to table %s, it has %u",
                         secondary->name, owner->name, to_owner->len);
      gboolean first = rel->foreign_keys != NULL &&
                       fk_chosen (rel, g_array_index (to_owner, Candidate, 0).fk);
      gboolean second = rel->foreign_keys != NULL &&
                        fk_chosen (rel, g_array_index (to_owner, Candidate, 1).fk);

      if (first == second)
        {
          g_autofree char *listed = describe_candidates (to_owner);
          return rel_fail (rel, error, "self-referential many-to-many through %s: name with "
                           "\"foreign-keys\" which of %s references this side's row",
                           secondary->name, listed);
        }
      *local = g_array_index (to_owner, Candidate, first ? 0 : 1);
      *remote = g_array_index (to_owner, Candidate, first ? 1 : 0);
      return TRUE;
    }

  filter_candidates (rel, to_owner);
  filter_candidates (rel, to_target);
  if (!one_candidate (rel, to_owner, to_owner_text, error) ||
      !one_candidate (rel, to_target, to_target_text, error))
    return FALSE;

  *local = g_array_index (to_owner, Candidate, 0);
  *remote = g_array_index (to_target, Candidate, 0);
  return TRUE;
}

static gboolean
resolve_secondary (OrmaRelationship  *rel,
                   OrmaMetadata      *metadata,
                   GError           **error)
{
  OrmaTable *secondary = metadata != NULL ? orma_metadata_get_table (metadata, rel->secondary_name) : NULL;
  Candidate local, remote;

  if (secondary == NULL)
    return rel_fail (rel, error, "the secondary table %s is not registered (add it with "
                     "orma_registry_add_table())", rel->secondary_name);

  if (!choose_secondary_fks (rel, secondary, &local, &remote, error))
    return FALSE;

  rel->direction = ORMA_REL_MANY_TO_MANY;
  rel->secondary = orma_table_ref (secondary);
  if (!fk_column_indexes (rel, &local, rel->owner->table, &rel->sec_local, &rel->local,
                          &rel->n_pairs, error) ||
      !fk_column_indexes (rel, &remote, rel->target->table, &rel->sec_remote,
                          &rel->remote_for_sec, &rel->n_sec_remote, error))
    return FALSE;

  rel->remote = g_memdup2 (rel->remote_for_sec, rel->n_sec_remote * sizeof (guint));
  return TRUE;
}

static gboolean
find_target (OrmaRelationship  *rel,
             GError           **error)
{
  GType type = g_type_from_name (rel->target_name);
  OrmaMapper *target = type != G_TYPE_INVALID ? _orma_mapper_for_type (type) : NULL;
  g_autoptr (GError) target_error = NULL;

  if (target == NULL)
    return rel_fail (rel, error, "the target %s is not a registered mapped class: make sure "
                     "the type is registered (e.g. call its get_type function) before %s "
                     "is configured", rel->target_name, g_type_name (rel->owner->type));

  if (!_orma_mapper_configure_columns (target, &target_error))
    return rel_fail (rel, error, "the target %s is invalid: %s", rel->target_name,
                     target_error->message);

  rel->target = target;
  return TRUE;
}

/* Target, direction, join columns and is_collection: what the other
 * side needs to pair with this one. Leaves nothing behind on failure. */
static gboolean
resolve_join (OrmaRelationship  *rel,
              OrmaMetadata      *metadata,
              GError           **error)
{
  gboolean ok;

  if (rel->join_resolved)
    return TRUE;

  if (rel->error != NULL)
    {
      g_propagate_error (error, g_error_copy (rel->error));
      return FALSE;
    }

  ok = find_target (rel, error);
  if (ok)
    {
      rel->self_referential = rel->owner->table == rel->target->table;
      ok = rel->secondary_name != NULL ? resolve_secondary (rel, metadata, error)
                                       : resolve_direct (rel, error);
    }
  if (ok && rel->uselist == 1 && rel->direction == ORMA_REL_MANY_TO_ONE)
    ok = rel_fail (rel, error, "uselist \"true\" on a many-to-one");

  if (!ok)
    {
      clear_join (rel);
      return FALSE;
    }

  rel->is_collection = rel->uselist >= 0 ? rel->uselist
                                         : rel->direction != ORMA_REL_MANY_TO_ONE;
  rel->join_resolved = TRUE;
  return TRUE;
}

/* "position, id desc": target columns, each optionally followed by
 * "asc" or "desc". */
static gboolean
resolve_order_by (OrmaRelationship  *rel,
                  GError           **error)
{
  g_auto (GStrv) items = NULL;
  guint n;

  clear_order (rel);
  if (rel->order_by_text == NULL)
    return TRUE;

  items = g_strsplit (rel->order_by_text, ",", -1);
  n = g_strv_length (items);
  rel->order_columns = g_new0 (guint, n);
  rel->order_desc = g_new0 (gboolean, n);

  for (guint i = 0; i < n; i++)
    {
      g_auto (GStrv) words = g_strsplit_set (g_strstrip (items[i]), " \t", -1);
      const char *words_left[3] = { NULL, NULL, NULL };
      guint n_words = 0;
      int column;

      for (guint k = 0; words[k] != NULL; k++)
        if (*words[k] != '\0' && n_words < 3)
          words_left[n_words++] = words[k];

      if (n_words == 0 || n_words > 2 ||
          (n_words == 2 && g_ascii_strcasecmp (words_left[1], "asc") != 0 &&
           g_ascii_strcasecmp (words_left[1], "desc") != 0))
        {
          clear_order (rel);
          return rel_fail (rel, error, "cannot read order-by \"%s\"", rel->order_by_text);
        }

      column = _orma_mapper_find_column (rel->target, words_left[0]);
      if (column < 0)
        {
          clear_order (rel);
          return rel_fail (rel, error, "order-by names '%s', which is not a column of %s",
                           words_left[0], g_type_name (rel->target->type));
        }

      rel->order_columns[rel->n_order] = column;
      rel->order_desc[rel->n_order] = n_words == 2 && g_ascii_strcasecmp (words_left[1], "desc") == 0;
      rel->n_order++;
    }

  return TRUE;
}

static gboolean
pair_back_populates (OrmaRelationship  *rel,
                     OrmaMetadata      *metadata,
                     GError           **error)
{
  OrmaRelationship *partner = _orma_mapper_find_relationship (rel->target, rel->back_populates);
  const char *target_name = g_type_name (rel->target->type);

  if (partner == NULL)
    return rel_fail (rel, error, "back-populates names '%s', which %s does not have",
                     rel->back_populates, target_name);
  if (g_type_from_name (partner->target_name) != rel->owner->type)
    return rel_fail (rel, error, "back-populates names %s.%s, which relates to %s, not to %s",
                     target_name, partner->name, partner->target_name,
                     g_type_name (rel->owner->type));
  if (partner->back_populates != NULL && !_orma_names_match (partner->back_populates, rel->name))
    return rel_fail (rel, error, "back-populates names %s.%s, which back-populates '%s'",
                     target_name, partner->name, partner->back_populates);
  if (partner->reverse != NULL && partner->reverse != rel)
    return rel_fail (rel, error, "back-populates names %s.%s, which is already paired with %s.%s",
                     target_name, partner->name, g_type_name (partner->reverse->owner->type),
                     partner->reverse->name);

  if (!resolve_join (partner, metadata, error))
    return FALSE;

  if (partner->direction != reverse_direction (rel->direction))
    return rel_fail (rel, error, "it is %s but %s.%s, which it back-populates, is %s",
                     direction_name (rel->direction), target_name, partner->name,
                     direction_name (partner->direction));

  rel->reverse = partner;
  partner->reverse = rel;
  return TRUE;
}

static guint *
dup_columns (const guint *columns, guint n)
{
  return g_memdup2 (columns, n * sizeof (guint));
}

/* The other side made by "backref": on the target, with the same
 * columns seen from there. It has no GObject property, since the
 * target's class is already initialized. */
static gboolean
create_backref (OrmaRelationship  *rel,
                GError           **error)
{
  OrmaMapper *target = rel->target;
  OrmaRelationship *back;

  if (rel->reverse != NULL)
    return TRUE;

  if (_orma_mapper_find_relationship (target, rel->backref) != NULL ||
      _orma_mapper_find_column (target, rel->backref) >= 0)
    return rel_fail (rel, error, "the backref '%s' clashes with an attribute of %s",
                     rel->backref, g_type_name (target->type));

  back = g_new0 (OrmaRelationship, 1);
  back->name = canonical_name (rel->backref);
  back->index = target->relationships != NULL ? target->relationships->len : 0;
  back->target_name = g_strdup (g_type_name (rel->owner->type));
  back->back_populates = g_strdup (rel->name);
  back->cascade = ORMA_CASCADE_DEFAULT;
  back->lazy = ORMA_LOAD_LAZY;
  back->uselist = -1;

  back->owner = target;
  back->target = rel->owner;
  back->direction = reverse_direction (rel->direction);
  back->is_collection = back->direction != ORMA_REL_MANY_TO_ONE;
  back->self_referential = rel->self_referential;
  if (rel->direction == ORMA_REL_MANY_TO_MANY)
    {
      back->n_pairs = rel->n_sec_remote;
      back->local = dup_columns (rel->remote_for_sec, rel->n_sec_remote);
      back->sec_local = dup_columns (rel->sec_remote, rel->n_sec_remote);
      back->n_sec_remote = rel->n_pairs;
      back->sec_remote = dup_columns (rel->sec_local, rel->n_pairs);
      back->remote_for_sec = dup_columns (rel->local, rel->n_pairs);
      back->remote = dup_columns (rel->local, rel->n_pairs);
      back->secondary = orma_table_ref (rel->secondary);
    }
  else
    {
      back->n_pairs = rel->n_pairs;
      back->local = dup_columns (rel->remote, rel->n_pairs);
      back->remote = dup_columns (rel->local, rel->n_pairs);
    }

  back->reverse = rel;
  back->join_resolved = TRUE;
  back->resolved = TRUE;
  rel->reverse = back;
  _orma_mapper_add_relationship (target, back);
  return TRUE;
}

static gboolean
resolve_rest (OrmaRelationship  *rel,
              OrmaMetadata      *metadata,
              GError           **error);

/* Resolves @rel and its back-populates partner. A relationship already
 * being resolved further up the stack counts as done: the caller
 * finishes it. */
static gboolean
resolve_one (OrmaRelationship  *rel,
             OrmaMetadata      *metadata,
             GError           **error)
{
  gboolean ok;

  if (rel->resolved || rel->resolving)
    return TRUE;

  rel->resolving = TRUE;
  ok = resolve_rest (rel, metadata, error);
  rel->resolving = FALSE;
  rel->resolved = ok;
  return ok;
}

static gboolean
resolve_rest (OrmaRelationship  *rel,
              OrmaMetadata      *metadata,
              GError           **error)
{
  if (!resolve_join (rel, metadata, error) ||
      !resolve_order_by (rel, error))
    return FALSE;

  /* SQLAlchemy's rule: an object can only be an orphan of one parent. */
  if ((rel->cascade & ORMA_CASCADE_DELETE_ORPHAN) && rel->direction != ORMA_REL_ONE_TO_MANY &&
      !rel->single_parent)
    return rel_fail (rel, error, "delete-orphan cascade on a %s needs \"single-parent\" \"true\"",
                     direction_name (rel->direction));

  /* The other side is resolved as well (its pairing only needs this
   * side's join), so that a configured class has usable reverses. */
  if (rel->back_populates != NULL &&
      (!pair_back_populates (rel, metadata, error) ||
       !resolve_one (rel->reverse, metadata, error)))
    return FALSE;
  if (rel->backref != NULL && !create_backref (rel, error))
    return FALSE;

  return TRUE;
}

static void
collect_mappers (GType      type,
                 GPtrArray *found)
{
  g_autofree GType *children = NULL;
  guint n_children = 0;

  children = g_type_children (type, &n_children);
  for (guint i = 0; i < n_children; i++)
    {
      OrmaMapper *mapper = _orma_mapper_for_type (children[i]);

      if (mapper != NULL)
        g_ptr_array_add (found, mapper);
      collect_mappers (children[i], found);
    }
}

/* The relationships another class gives @mapper with "backref" belong
 * to @mapper's mapping too: resolve the declaring side now, so that
 * they exist once @mapper is configured even if the other class is
 * configured later. Its errors are its own class's, reported when that
 * class is configured. */
static void
resolve_backrefs_into (OrmaMapper   *mapper,
                       OrmaMetadata *metadata)
{
  g_autoptr (GPtrArray) mappers = g_ptr_array_new ();
  const char *name = g_type_name (mapper->type);

  collect_mappers (ORMA_TYPE_ENTITY, mappers);
  for (guint m = 0; m < mappers->len; m++)
    {
      OrmaMapper *other = g_ptr_array_index (mappers, m);

      if (other == mapper || other->relationships == NULL)
        continue;

      for (guint i = 0; i < other->relationships->len; i++)
        {
          OrmaRelationship *rel = g_ptr_array_index (other->relationships, i);

          if (rel->backref == NULL || rel->resolved || g_strcmp0 (rel->target_name, name) != 0)
            continue;
          if (!_orma_mapper_configure_columns (other, NULL))
            break;
          resolve_one (rel, metadata, NULL);
        }
    }
}

gboolean
_orma_relationships_resolve (OrmaMapper    *mapper,
                             OrmaMetadata  *metadata,
                             GError       **error)
{
  g_return_val_if_fail (mapper != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (mapper->relationships != NULL)
    {
      /* by index: a backref to this class itself appends to the array */
      for (guint i = 0; i < mapper->relationships->len; i++)
        if (!resolve_one (g_ptr_array_index (mapper->relationships, i), metadata, error))
          return FALSE;
    }

  resolve_backrefs_into (mapper, metadata);
  return TRUE;
}
