/* orma-session-relations.c: placeholder so the tree builds. */
#include "config.h"
#include "orma-session-private.h"

void
_orma_session_relationship_changed (OrmaEntity *entity, struct _OrmaRelationship *rel,
                                    OrmaEntity *added, OrmaEntity *removed, gpointer data)
{
}
