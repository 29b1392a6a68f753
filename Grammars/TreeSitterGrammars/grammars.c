// Keeps the C target non-empty before Grammars/fetch.sh has run; the grammar sources live in
// javascript/, typescript/, tsx/ and common/ beside this file.
#include "TreeSitterGrammars.h"
