/* orma-error.c: the ORMA_ERROR domain.
 *
 * Every failure Orma reports, whatever layer or backend it comes from, is
 * an error of this one domain, so callers switch on a single set of codes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "orma-error.h"

/**
 * orma_error_quark:
 *
 * The quark of the %ORMA_ERROR domain.
 *
 * Returns: the error domain of Orma
 */
G_DEFINE_QUARK (orma-error-quark, orma_error)
