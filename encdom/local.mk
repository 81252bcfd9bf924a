# encdom: automake rules (included from the top-level Makefile.am).
# Nothing is built here yet.
