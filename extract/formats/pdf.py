"""pdf extractor (being written)."""
