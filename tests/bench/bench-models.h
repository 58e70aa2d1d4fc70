/* bench-models.h: the mapped class the benchmark measures.
 *
 * One table of four columns, the shape of the reference numbers in
 * DESIGN.md: users (id generated, name NOT NULL, fullname, password).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <orma/orma.h>

G_BEGIN_DECLS

#define BENCH_TYPE_USER (bench_user_get_type ())
G_DECLARE_FINAL_TYPE (BenchUser, bench_user, BENCH, USER, OrmaEntity)

/* Initializes the class so the default registry knows the table. */
void bench_models_ensure (void);

G_END_DECLS
