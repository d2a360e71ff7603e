from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    """Base of every inter-stage record: strict about unknown keys, JSON round-trippable."""

    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str):
        return cls.model_validate_json(text)
