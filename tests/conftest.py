"""Collect every worked case of tests/cases/*.yaml as its own test item, named after the case."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from casefiles import load_case_file, rubric_for, run_case  # noqa: E402


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix == ".yaml" and file_path.parent.name == "cases":
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self):
        data = load_case_file(self.path)
        rubric = rubric_for(data, self.path)
        names: set[str] = set()
        for case in data["cases"]:
            name = str(case.get("name") or "")
            if not name or name in names:
                raise ValueError(f"{self.path}: every case needs a unique name (got {name!r})")
            names.add(name)
            yield CaseItem.from_parent(self, name=name, case=case, rubric=rubric, as_of=data.get("as_of"))


class CaseFailed(Exception):
    pass


class CaseItem(pytest.Item):
    def __init__(self, *, case, rubric, as_of, **kwargs):
        super().__init__(**kwargs)
        self.case, self.rubric, self.as_of = case, rubric, as_of

    def runtest(self):
        problems = run_case(self.case, self.rubric, self.as_of)
        if problems:
            raise CaseFailed("\n".join(problems))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, CaseFailed):
            src = self.case.get("source", "")
            return f"case {self.name!r}" + (f"\n  source: {src}" if src else "") + "\n  " + str(excinfo.value).replace("\n", "\n  ")
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"case: {self.name}"
