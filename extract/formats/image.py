"""image extractor (being written)."""
