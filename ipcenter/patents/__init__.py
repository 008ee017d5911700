"""The patent collection: records, import, the search index and searching."""
