/* fixtures.h: what every test program shares: the backend under test, a
 * fresh database per test, and the echo log as a witness of the SQL.
 *
 * A test program is run twice by tests/run-test.sh: with
 * ORMA_TEST_BACKEND=sqlite, then with ORMA_TEST_BACKEND=postgresql and
 * ORMA_TEST_PG_URL naming a throwaway cluster the script started (or not
 * at all, with a loud SKIP line, when no cluster could be started).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <check.h>
#include <orma/orma.h>

G_BEGIN_DECLS

/* "sqlite" or "postgresql" */
const char *orma_test_backend       (void);
gboolean    orma_test_is_postgresql (void);

/* An engine on a fresh, empty database: a new SQLite file in a temporary
 * directory, or, on PostgreSQL, the test database with its public schema
 * dropped and made anew. The test models' tables are not created. */
OrmaEngine *orma_test_engine_new    (void);
/* The same, with every table of the default registry created. */
OrmaEngine *orma_test_engine_new_with_tables (void);
/* A second engine on the same database as @engine (two sessions that
 * do not share a connection). */
OrmaEngine *orma_test_engine_same_database (OrmaEngine *engine);

/* Echo capture: once attached, every statement the engine executes is
 * recorded (transaction control included) until cleared. */
void        orma_test_log_attach    (OrmaEngine *engine);
void        orma_test_log_clear     (OrmaEngine *engine);
/* The recorded statements, as executed (char *, transfer none). */
GPtrArray  *orma_test_log_statements(OrmaEngine *engine);
/* The recorded batch sizes, parallel to the statements (guint in a
 * GArray). */
GArray     *orma_test_log_rows      (OrmaEngine *engine);
/* The recorded first-row parameters of each statement, rendered as in
 * the echo log: "('ed', 'Ed Jones')" (char *, transfer none). */
GPtrArray  *orma_test_log_params    (OrmaEngine *engine);
/* Asserts that the statements recorded since the last clear are exactly
 * the NULL-terminated list given. Expected SQL is written with ?
 * placeholders; on PostgreSQL they are compared as $1, $2, ... */
void        orma_test_assert_log    (OrmaEngine *engine,
                                     const char *first_sql,
                                     ...) G_GNUC_NULL_TERMINATED;
/* Asserts that no statement was recorded since the last clear. */
#define orma_test_assert_no_sql(engine) \
  ck_assert_msg (orma_test_log_statements (engine)->len == 0, "unexpected SQL: %s", \
                 (const char *) g_ptr_array_index (orma_test_log_statements (engine), 0))

/* The property @property (a string) of each object, joined with commas
 * ("(null)" for NULL), in the given order or sorted. */
char       *orma_test_join_property (GPtrArray  *objects,
                                     const char *property,
                                     gboolean    sorted);
/* orma_query_all() (which must succeed), then orma_test_join_property(). */
char       *orma_test_run_all       (OrmaQuery  *query,
                                     const char *property,
                                     gboolean    sorted);
/* Asserts the first-row parameters of logged statement @statement, as
 * rendered by orma_test_log_params(). */
void        orma_test_assert_params (OrmaEngine *engine,
                                     guint       statement,
                                     const char *expected);

/* Rewrites ? placeholders for the backend under test (free the result). */
char       *orma_test_sql           (const char *sql);

/* Stores n users named <prefix>0, <prefix>1, ... (with @fullname) in a
 * session of their own and commits; their ids go to @ids (nullable). */
void        orma_test_seed_users    (OrmaEngine *engine,
                                     const char *prefix,
                                     const char *fullname,
                                     guint       n,
                                     gint64     *ids);

/* Counts rows with a textual query on a new connection. */
gint64      orma_test_count_rows    (OrmaEngine *engine,
                                     const char *table,
                                     const char *where_sql);

/* Runs @suite (taking it) for the backend under test; returns the exit
 * status for main(). */
int         orma_test_run           (Suite      *suite);

/* Check's assertion for a GError: fails with the message if set. */
#define orma_assert_no_error(err) \
  ck_assert_msg ((err) == NULL, "unexpected error: %s", (err) ? (err)->message : "")
#define orma_assert_error(err, wanted) \
  ck_assert_msg ((err) != NULL && (err)->domain == ORMA_ERROR && (err)->code == (wanted), \
                 "expected ORMA_ERROR %d, got %s (%d)", (int) (wanted), \
                 (err) ? (err)->message : "no error", (err) ? (err)->code : -1)

G_END_DECLS
