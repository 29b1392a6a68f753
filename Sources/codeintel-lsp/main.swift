print("codeintel-lsp")
