/* test-compiler-select.c: to be written. */
#include "fixtures.h"

static Suite *
make_suite (void)
{
  return suite_create ("compiler-select");
}

int
main (void)
{
  return orma_test_run (make_suite ());
}
