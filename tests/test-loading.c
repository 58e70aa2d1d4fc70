/* test-loading.c: to be written. */
#include "fixtures.h"

static Suite *
make_suite (void)
{
  return suite_create ("loading");
}

int
main (void)
{
  return orma_test_run (make_suite ());
}
