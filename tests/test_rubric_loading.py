"""A malformed rubric file fails with the file, the indicator and the key named."""

from pathlib import Path

import pytest

from rubrics.loader import RubricError, load_rubric, load_rubric_file
from rubrics.validate import validate

BAD = Path(__file__).parent / "fixtures" / "rubrics" / "bad"


@pytest.mark.parametrize(
    "name, must_mention",
    [
        ("duplicate-key.yaml", ["duplicate-key.yaml", "max_score", "重复的键", "第 14 行", "指标 indicator 1.1"]),
        ("unknown-key.yaml", ["unknown-key.yaml", "指标 indicator 1.1", "条款 clause a", "pionts"]),
        ("unknown-kind.yaml", ["unknown-kind.yaml", "指标 indicator 1.1", "magic"]),
        ("unquoted-id.yaml", ["unquoted-id.yaml", "id", "请加引号"]),
        ("wrong-type.yaml", ["wrong-type.yaml", "指标 indicator 2.1", "max_score"]),
    ],
)
def test_malformed_file_names_file_indicator_and_key(name, must_mention):
    with pytest.raises(RubricError) as exc:
        load_rubric_file(BAD / name)
    message = str(exc.value)
    for part in must_mention:
        assert part in message, f"{part!r} not in {message!r}"


@pytest.mark.parametrize(
    "name, where, words",
    [
        ("sum-mismatch.yaml", "group g", "1.5"),
        ("clause-cap-too-high.yaml", "indicator 1.1 › clause a", "超过指标分值"),
        ("unknown-group.yaml", "indicator 1.1", "nowhere"),
    ],
)
def test_semantic_faults_are_errors_with_place(name, where, words):
    report = validate(load_rubric_file(BAD / name))
    assert not report.ok
    assert any(f.where == where and words in f.message for f in report.errors), [str(f) for f in report.findings]


def test_unknown_rubric_id_lists_the_available_ones():
    with pytest.raises(RubricError) as exc:
        load_rubric("no-such-rubric")
    assert "wenzhou-district" in str(exc.value)


def test_not_a_mapping(tmp_path):
    f = tmp_path / "list.yaml"
    f.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(RubricError, match="list.yaml"):
        load_rubric_file(f)
