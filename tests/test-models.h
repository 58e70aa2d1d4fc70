/* test-models.h: mapped classes shared by the tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <orma/orma.h>

G_BEGIN_DECLS

/* users: id (generated), name NOT NULL UNIQUE, fullname, password */
#define TEST_TYPE_USER (test_user_get_type ())
G_DECLARE_FINAL_TYPE (TestUser, test_user, TEST, USER, OrmaEntity)

typedef enum {
  TEST_COLOR_RED,
  TEST_COLOR_GREEN,
  TEST_COLOR_BLUE,
} TestColor;
#define TEST_TYPE_COLOR (test_color_get_type ())
GType test_color_get_type (void);

typedef enum {
  TEST_PERM_READ  = 1 << 0,
  TEST_PERM_WRITE = 1 << 1,
  TEST_PERM_EXEC  = 1 << 2,
} TestPerms;
#define TEST_TYPE_PERMS (test_perms_get_type ())
GType test_perms_get_type (void);

/* items: one column of every supported type, all nullable:
 * id, i (int), i64 (int64), u (uint), b (boolean), d (double), s (string),
 * blob (GBytes), ts (GDateTime), color (TestColor), perms (TestPerms) */
#define TEST_TYPE_ITEM (test_item_get_type ())
G_DECLARE_FINAL_TYPE (TestItem, test_item, TEST, ITEM, OrmaEntity)

/* docs: id, title NOT NULL, version (version counter) */
#define TEST_TYPE_DOC (test_doc_get_type ())
G_DECLARE_FINAL_TYPE (TestDoc, test_doc, TEST, DOC, OrmaEntity)

/* tags: name (string primary key given by the application), description */
#define TEST_TYPE_TAG (test_tag_get_type ())
G_DECLARE_FINAL_TYPE (TestTag, test_tag, TEST, TAG, OrmaEntity)

/* pairs: composite primary key (a, b), both given; label */
#define TEST_TYPE_PAIR (test_pair_get_type ())
G_DECLARE_FINAL_TYPE (TestPair, test_pair, TEST, PAIR, OrmaEntity)

/* A new transient user. */
TestUser   *test_user_new        (const char *name,
                                  const char *fullname);
/* Its "id" (0 while NULL). */
gint64      test_user_get_id     (gpointer    user);
/* The INSERT a flush emits for users with a generated key: SQLite reports
 * the key as the row id, PostgreSQL returns it. */
const char *test_user_insert_sql (void);

/* Initializes every test class so the default registry knows them. */
void test_models_ensure (void);

G_END_DECLS
