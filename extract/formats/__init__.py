"""Built-in extractors: importing this package registers them (one line per format module)."""

from extract.formats import docx, image, office, pdf, sheet, text  # noqa: F401
