/* orma-table-private.h: table metadata internals.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-table.h"
#include "orma-dialect-private.h"

G_BEGIN_DECLS

typedef struct {
  char            *name;
  GType            type;          /* as declared (may be an enum type) */
  GType            storage;       /* _orma_value_storage_type (type) */
  OrmaColumnFlags  flags;
} OrmaColumn;

typedef struct {
  GPtrArray            *columns;      /* char*, local column names */
  char                 *ref_table;
  GPtrArray            *ref_columns;  /* char* */
  OrmaForeignKeyAction  on_delete;
} OrmaForeignKey;

typedef struct {
  char      *name;
  GPtrArray *columns;                 /* char* */
  gboolean   unique;
} OrmaIndex;

struct _OrmaTable
{
  gint        ref_count;
  char       *name;
  GPtrArray  *columns;        /* OrmaColumn* */
  GPtrArray  *foreign_keys;   /* OrmaForeignKey* */
  GPtrArray  *indexes;        /* OrmaIndex* */
  GArray     *primary_key;    /* guint column indexes */
  int         autoincrement;  /* the generated integer key, or -1 */
  int         version;        /* the version column, or -1 */
  /* The first declaration error (unknown type, duplicate column, bad
   * foreign key); reported by orma_metadata_add_table() and by the
   * registry when it configures. */
  GError     *error;
};

static inline OrmaColumn *
_orma_table_column (OrmaTable *table, guint index)
{
  return g_ptr_array_index (table->columns, index);
}

/* CREATE TABLE and CREATE INDEX statements, in order. */
GPtrArray *_orma_table_create_sql (OrmaTable         *table,
                                   const OrmaDialect *dialect);
/* The same without the foreign keys in @omitted (OrmaForeignKey* set,
 * nullable), which _orma_table_add_foreign_key_sql() adds later: the
 * keys of a cycle that point to a table not created yet. */
GPtrArray *_orma_table_create_sql_omitting (OrmaTable         *table,
                                            const OrmaDialect *dialect,
                                            GHashTable        *omitted);
/* ALTER TABLE t ADD FOREIGN KEY (...) REFERENCES ... */
char      *_orma_table_add_foreign_key_sql (OrmaTable         *table,
                                            OrmaForeignKey    *fk,
                                            const OrmaDialect *dialect);
/* DROP TABLE IF EXISTS t [CASCADE] */
char      *_orma_table_drop_sql   (OrmaTable         *table,
                                   const OrmaDialect *dialect);
char      *_orma_table_drop_sql_cascade (OrmaTable         *table,
                                         const OrmaDialect *dialect);

G_END_DECLS
