// The grammars compiled into codeintel. Their C sources are fetched by Grammars/fetch.sh.
#ifndef CODEINTEL_TREE_SITTER_GRAMMARS_H
#define CODEINTEL_TREE_SITTER_GRAMMARS_H

typedef struct TSLanguage TSLanguage;

const TSLanguage *tree_sitter_javascript(void);
const TSLanguage *tree_sitter_typescript(void);
const TSLanguage *tree_sitter_tsx(void);

#endif
