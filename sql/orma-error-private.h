/* orma-error-private.h: setting ORMA_ERROR errors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "orma-error.h"

G_BEGIN_DECLS

#define _orma_set_error(error, code, ...) \
  g_set_error ((error), ORMA_ERROR, (code), __VA_ARGS__)

G_END_DECLS
