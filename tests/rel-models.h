/* rel-models.h: mapped classes with relationships, shared by the tests of
 * relationships, loading and the unit of work. They use their own
 * tables: a program that uses them must not also use test-models.h's
 * TestUser (both map "users").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <orma/orma.h>

G_BEGIN_DECLS

/* The users/addresses tutorial, default cascade ("save-update, merge"):
 *   users (id, name NOT NULL UNIQUE, fullname)
 *     "addresses": RelAddress, back-populates "user", order-by id
 *     "posts": RelPost, back-populates "author", lazy dynamic
 *   addresses (id, email NOT NULL, user_id -> users.id, nullable)
 *     "user": RelUser, back-populates "addresses" */
#define REL_TYPE_USER (rel_user_get_type ())
G_DECLARE_FINAL_TYPE (RelUser, rel_user, REL, USER, OrmaEntity)
#define REL_TYPE_ADDRESS (rel_address_get_type ())
G_DECLARE_FINAL_TYPE (RelAddress, rel_address, REL, ADDRESS, OrmaEntity)

/* The tutorial with cascade "all, delete-orphan":
 *   customers (id, name NOT NULL)
 *     "orders": RelOrder, cascade "all, delete-orphan", back-populates
 *       "customer", order-by id
 *   orders (id, item NOT NULL, customer_id NOT NULL -> customers.id)
 *     "customer": RelCustomer, back-populates "orders" */
#define REL_TYPE_CUSTOMER (rel_customer_get_type ())
G_DECLARE_FINAL_TYPE (RelCustomer, rel_customer, REL, CUSTOMER, OrmaEntity)
#define REL_TYPE_ORDER (rel_order_get_type ())
G_DECLARE_FINAL_TYPE (RelOrder, rel_order, REL, ORDER, OrmaEntity)

/* The blog's many-to-many:
 *   posts (id, title NOT NULL, user_id -> users.id)
 *     "author": RelUser, back-populates "posts"
 *     "keywords": RelKeyword, secondary "post_keywords",
 *       back-populates "posts", order-by id
 *   keywords (id, keyword NOT NULL UNIQUE)
 *     "posts": RelPost, secondary "post_keywords", back-populates
 *       "keywords", order-by id
 *   post_keywords (post_id -> posts.id, keyword_id -> keywords.id,
 *     primary key both), a table without a class */
#define REL_TYPE_POST (rel_post_get_type ())
G_DECLARE_FINAL_TYPE (RelPost, rel_post, REL, POST, OrmaEntity)
#define REL_TYPE_KEYWORD (rel_keyword_get_type ())
G_DECLARE_FINAL_TYPE (RelKeyword, rel_keyword, REL, KEYWORD, OrmaEntity)

/* The adjacency-list tree:
 *   nodes (id, parent_id -> nodes.id, name NOT NULL)
 *     "children": RelNode, cascade "all, delete-orphan",
 *       back-populates "parent", order-by id, join-depth 2
 *     "parent": RelNode, remote-side id, back-populates "children" */
#define REL_TYPE_NODE (rel_node_get_type ())
G_DECLARE_FINAL_TYPE (RelNode, rel_node, REL, NODE, OrmaEntity)

/* Rows that reference each other:
 *   widgets (id, name NOT NULL, favorite_entry_id -> entries.id)
 *     "entries": RelEntry, foreign-keys widget_id, back-populates
 *       "widget", order-by id
 *     "favorite-entry": RelEntry, foreign-keys favorite_entry_id,
 *       post-update
 *   entries (id, name NOT NULL, widget_id -> widgets.id)
 *     "widget": RelWidget, foreign-keys widget_id, back-populates
 *       "entries" */
#define REL_TYPE_WIDGET (rel_widget_get_type ())
G_DECLARE_FINAL_TYPE (RelWidget, rel_widget, REL, WIDGET, OrmaEntity)
#define REL_TYPE_ENTRY (rel_entry_get_type ())
G_DECLARE_FINAL_TYPE (RelEntry, rel_entry, REL, ENTRY, OrmaEntity)

/* A composite foreign key:
 *   regions (country, code, primary key both, given; name)
 *     "cities": RelCity, back-populates "region", order-by id
 *   cities (id, country, region_code, name;
 *     (country, region_code) -> regions (country, code))
 *     "region": RelRegion, back-populates "cities" */
#define REL_TYPE_REGION (rel_region_get_type ())
G_DECLARE_FINAL_TYPE (RelRegion, rel_region, REL, REGION, OrmaEntity)
#define REL_TYPE_CITY (rel_city_get_type ())
G_DECLARE_FINAL_TYPE (RelCity, rel_city, REL, CITY, OrmaEntity)

/* Registers every class above and the post_keywords table with the
 * default registry and configures it (aborts the test on error). */
void        rel_models_ensure     (void);
/* orma_test_engine_new() with the tables of these classes created. */
OrmaEngine *rel_models_engine_new (void);

/* Convenience constructors of transient objects. */
RelUser    *rel_user_new    (const char *name);
RelAddress *rel_address_new (const char *email);
RelNode    *rel_node_new    (const char *name);
/* The "id" property (0 while NULL). */
gint64      rel_get_id      (gpointer    entity);

G_END_DECLS
