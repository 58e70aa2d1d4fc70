/* orma-flush-secondary.c: to be written (placeholder so the tree builds). */
#include "config.h"
