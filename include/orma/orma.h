/* orma.h: the one header applications include.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define ORMA_INSIDE
#include <orma/orma-types.h>
#include <orma/orma-error.h>
#include <orma/orma-engine.h>
#include <orma/orma-connection.h>
#include <orma/orma-expr.h>
#include <orma/orma-table.h>
#include <orma/orma-entity.h>
#include <orma/orma-collection.h>
#include <orma/orma-registry.h>
#include <orma/orma-session.h>
#include <orma/orma-query.h>
#undef ORMA_INSIDE
