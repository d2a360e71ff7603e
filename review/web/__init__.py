"""The reviewers' web app over the review queue: `create_app(db_path)` (see app.py)."""

from review.web.app import create_app

__all__ = ["create_app"]
