"""docx extractor (being written)."""
