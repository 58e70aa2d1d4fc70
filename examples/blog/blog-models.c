/* blog-models.c: to be written */
