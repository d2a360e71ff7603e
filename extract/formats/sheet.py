"""sheet extractor (being written)."""
