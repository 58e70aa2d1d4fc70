/* blog-commands.c: to be written */
