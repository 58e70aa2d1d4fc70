/* orma-query.h: queries for mapped objects.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (ORMA_INSIDE) && !defined (ORMA_COMPILATION)
#error "Only <orma/orma.h> can be included directly."
#endif

#include <orma/orma-types.h>

G_BEGIN_DECLS

#define ORMA_TYPE_QUERY (orma_query_get_type ())
ORMA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OrmaQuery, orma_query, ORMA, QUERY, GObject)

/**
 * OrmaQueryChunkFunc:
 * @entities: (element-type OrmaEntity): the objects of one chunk
 * @user_data: the data given to orma_query_foreach_chunk()
 *
 * Receives one chunk of a large result. Return %FALSE to stop early.
 *
 * Returns: %TRUE to go on
 */
typedef gboolean (*OrmaQueryChunkFunc) (GPtrArray *entities,
                                        gpointer   user_data);

ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_filter       (OrmaQuery   *self,
                                    OrmaExpr    *condition);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_filter_by    (OrmaQuery   *self,
                                    const char  *first_property,
                                    ...) G_GNUC_NULL_TERMINATED;
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_filter_by_value (OrmaQuery    *self,
                                    const char   *property,
                                    const GValue *value);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_order_by     (OrmaQuery   *self,
                                    OrmaExpr    *ordering);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_limit        (OrmaQuery   *self,
                                    gint64       limit);
ORMA_AVAILABLE_IN_ALL
OrmaQuery *orma_query_offset       (OrmaQuery   *self,
                                    gint64       offset);

ORMA_AVAILABLE_IN_ALL
GPtrArray *orma_query_all          (OrmaQuery   *self,
                                    GError     **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
gpointer   orma_query_first        (OrmaQuery   *self,
                                    GError     **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
gpointer   orma_query_one          (OrmaQuery   *self,
                                    GError     **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
gpointer   orma_query_one_or_none  (OrmaQuery   *self,
                                    GError     **error) G_GNUC_WARN_UNUSED_RESULT;
ORMA_AVAILABLE_IN_ALL
gboolean   orma_query_count        (OrmaQuery   *self,
                                    gint64      *count,
                                    GError     **error);
ORMA_AVAILABLE_IN_ALL
gboolean   orma_query_foreach_chunk(OrmaQuery          *self,
                                    guint               chunk_size,
                                    OrmaQueryChunkFunc  func,
                                    gpointer            user_data,
                                    GError            **error);

G_END_DECLS
