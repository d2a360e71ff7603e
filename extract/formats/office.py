"""office extractor (being written)."""
