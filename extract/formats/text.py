"""text extractor (being written)."""
