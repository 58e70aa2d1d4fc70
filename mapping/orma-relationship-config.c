/* orma-relationship-config.c: to be written (placeholder so the tree builds). */
#include "config.h"
#include "orma-relationship-private.h"

void
_orma_relationship_declare (OrmaMapper *mapper, const char *name, const char *target,
                            const char *first_option, va_list options)
{
}
