/* orma-error.h: the one error domain of Orma.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (ORMA_INSIDE) && !defined (ORMA_COMPILATION)
#error "Only <orma/orma.h> can be included directly."
#endif

#include <orma/orma-types.h>

G_BEGIN_DECLS

/**
 * ORMA_ERROR:
 *
 * The error domain of every error Orma reports.
 */
#define ORMA_ERROR (orma_error_quark ())

/**
 * OrmaError:
 * @ORMA_ERROR_FAILED: a failure with no more precise code
 * @ORMA_ERROR_INVALID_URL: the engine URL is malformed or names an
 *   unknown backend
 * @ORMA_ERROR_CONNECTION: the database could not be reached, or the
 *   connection was lost
 * @ORMA_ERROR_BUSY: the database is locked by another connection
 * @ORMA_ERROR_CONSTRAINT: a constraint (NOT NULL, UNIQUE, FOREIGN KEY,
 *   CHECK) was violated
 * @ORMA_ERROR_STALE_DATA: an UPDATE or DELETE of a versioned row matched
 *   no row: somebody else changed or deleted it
 * @ORMA_ERROR_NOT_FOUND: a query that needs a row found none
 * @ORMA_ERROR_MULTIPLE_RESULTS: a query that needs one row found several
 * @ORMA_ERROR_INVALID_MAPPING: a mapped class is declared wrongly
 * @ORMA_ERROR_INVALID_QUERY: a query or expression is malformed (unknown
 *   column, wrong operand)
 * @ORMA_ERROR_UNKNOWN_PROPERTY: a property name that is not mapped
 * @ORMA_ERROR_TYPE_MISMATCH: a value of the wrong type for its column
 * @ORMA_ERROR_DETACHED: the object belongs to no session, or to another
 * @ORMA_ERROR_SESSION_CLOSED: the session was closed
 * @ORMA_ERROR_INVALID_STATE: the operation does not fit the object's or
 *   the transaction's state (deleting a transient object, releasing a
 *   savepoint that was never begun, a duplicate identity)
 * @ORMA_ERROR_SQL: the database rejected a statement (syntax, unknown
 *   table, a failed cast)
 * @ORMA_ERROR_FULL: the disk or the database is full
 * @ORMA_ERROR_IO: the database file could not be read or written
 *
 * Error codes in the %ORMA_ERROR domain. New codes are appended, never
 * renumbered.
 */
typedef enum {
  ORMA_ERROR_FAILED,
  ORMA_ERROR_INVALID_URL,
  ORMA_ERROR_CONNECTION,
  ORMA_ERROR_BUSY,
  ORMA_ERROR_CONSTRAINT,
  ORMA_ERROR_STALE_DATA,
  ORMA_ERROR_NOT_FOUND,
  ORMA_ERROR_MULTIPLE_RESULTS,
  ORMA_ERROR_INVALID_MAPPING,
  ORMA_ERROR_INVALID_QUERY,
  ORMA_ERROR_UNKNOWN_PROPERTY,
  ORMA_ERROR_TYPE_MISMATCH,
  ORMA_ERROR_DETACHED,
  ORMA_ERROR_SESSION_CLOSED,
  ORMA_ERROR_INVALID_STATE,
  ORMA_ERROR_SQL,
  ORMA_ERROR_FULL,
  ORMA_ERROR_IO,
} OrmaError;

ORMA_AVAILABLE_IN_ALL
GQuark orma_error_quark (void);

G_END_DECLS
