print("codeintel")
