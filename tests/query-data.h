/* query-data.h: the data set shared by the query tests (test-query.c,
 * test-query-filter.c): five users and five items with NULLs in
 * chosen places, and helpers comparing results as joined names.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "fixtures.h"
#include "test-models.h"

G_BEGIN_DECLS

/* the engine of the current test, made by query_setup() */
extern OrmaEngine *query_engine;

void query_setup    (void);
void query_teardown (void);

typedef struct {
  const char *name;
  const char *fullname;
  const char *password;
} UserRow;

/* Items are labelled by their string column; NULL_INT marks NULL. */
#define NULL_INT G_MININT64
#define NULL_DOUBLE (-999.0)

typedef struct {
  const char *label;
  gint64      i;
  gint64      i64;
  double      d;
  int         b;       /* -1: NULL */
  int         color;
} ItemRow;

extern const UserRow user_rows[5];
extern const ItemRow item_rows[5];

void    commit_session    (OrmaSession *session);
/* Store user_rows / item_rows, each in a session of their own. */
void    add_users         (void);
void    add_items         (void);
char   *user_names        (OrmaQuery   *query);
char   *user_names_sorted (OrmaQuery   *query);
gint64  query_count       (OrmaQuery   *query);

#define USER_COL(name) orma_col (TEST_TYPE_USER, name)
#define ITEM_COL(name) orma_col (TEST_TYPE_ITEM, name)

G_END_DECLS
