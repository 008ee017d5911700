"""Patents: records, numbers, the search index."""
