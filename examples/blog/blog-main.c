#include <stdio.h>
int main (void) { puts ("orma-blog: to be written"); return 0; }
