"""The `prescreen rubrics …` commands, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "fixtures" / "rubrics" / "bad"
SAMPLE = ROOT / "samples" / "wenzhou-district"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_console_script_prints_unescaped_utf8_json():
    exe = Path(sys.executable).parent / "prescreen"
    out = subprocess.run([str(exe), "rubrics", "show", "huaibei-zone", "--json"], capture_output=True, check=True)
    text = out.stdout.decode("utf-8")
    assert "淮北" in text and "\\u" not in text
    assert json.loads(text)["id"] == "huaibei-zone"


def test_list_json_gives_one_line_per_rubric():
    res = run("rubrics", "list", "--json")
    assert res.exit_code == 0
    ids = [json.loads(line)["id"] for line in res.output.splitlines()]
    assert sorted(ids) == ["huaibei-zone", "ningxia-county", "sichuan-zone", "wenzhou-district", "wenzhou-school"]


def test_list_human_output_is_chinese():
    res = run("rubrics", "list")
    assert res.exit_code == 0 and "内置评价指标体系" in res.output and "四川" in res.output


def test_show_track_changes_mandatory_flags():
    v2 = json.loads(run("rubrics", "show", "wenzhou-school", "--track", "v2", "--json").output)
    std = json.loads(run("rubrics", "show", "wenzhou-school", "--json").output)
    assert sum(i["mandatory"] for i in v2["indicators"]) == 22
    assert sum(i["mandatory"] for i in std["indicators"]) == 16


def test_show_unknown_track_is_a_clear_error():
    res = CliRunner().invoke(main, ["rubrics", "show", "wenzhou-school", "--track", "gold"])
    assert res.exit_code != 0 and "没有类别" in res.output


def test_show_unknown_rubric_is_a_clear_error():
    res = CliRunner().invoke(main, ["rubrics", "show", "nowhere"])
    assert res.exit_code != 0 and "没有评价指标体系" in res.output


def test_validate_bundled_rubrics_succeeds_and_reports_warnings():
    res = run("rubrics", "validate")
    assert res.exit_code == 0, res.output
    assert res.output.count("✓") == 5
    assert "15.2" in res.output  # the 淮北 fault is reported, not fixed


@pytest.mark.parametrize("name", ["sum-mismatch.yaml", "unknown-key.yaml"])
def test_validate_bad_file_exits_1_naming_the_file(name):
    res = CliRunner().invoke(main, ["rubrics", "validate", str(BAD / name), "--json"])
    assert res.exit_code == 1
    line = json.loads(res.output.splitlines()[0])
    assert line["ok"] is False and name in line["file"] and line["errors"]


def test_score_sample_json():
    res = run("rubrics", "score", "wenzhou-district", str(SAMPLE / "evidence.jsonl"),
              "--values", str(SAMPLE / "values.json"), "--as-of", "2023-06-30", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["rubric"] == "wenzhou-district" and data["as_of"] == "2023-06-30"
    by_id = {i["id"]: i for i in data["indicators"]}
    assert set(by_id) >= {"B", "1.1", "L1", "L4"}
    assert {"id", "max_score", "candidate_score", "status", "mandatory", "evidence", "rationale"} <= set(by_id["1.1"])
    assert data["total"]["max"] == 110


def test_score_rejects_malformed_evidence(tmp_path):
    bad = tmp_path / "evidence.jsonl"
    bad.write_text('{"path": "a.pdf", "level": "galactic"}\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["rubrics", "score", "wenzhou-district", str(bad)])
    assert res.exit_code != 0 and "第 1 行" in res.output


def _command_names(group, prefix="") -> list[str]:
    import click

    names = []
    for name, cmd in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        names += _command_names(cmd, full + " ") if isinstance(cmd, click.Group) else [full]
    return names


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = _command_names(main)
    assert {"screen", "screen-batch", "review serve", "review add-user", "review export"} <= set(names)
    for name in names:
        assert f"prescreen {name}" in readme, name
    first = [line for line in readme.splitlines() if line.startswith("scripts/") or line.startswith("./scripts/")]
    assert first[:2] == ["./scripts/demo", "./scripts/test"]


def test_the_demo_commands_run(tmp_path):
    """Every prescreen command of scripts/demo (the README's first command) runs and succeeds."""
    import os
    import shlex

    script = (ROOT / "scripts" / "demo").read_text(encoding="utf-8").replace("\\\n", " ")
    commands = [shlex.split(line) for line in script.splitlines() if line.startswith(".venv/bin/prescreen")]
    assert [c[1] for c in commands] == ["rubrics", "screen"]  # the main job is screening
    exe = str(Path(sys.executable).parent / "prescreen")
    env = dict(os.environ, PRESCREEN_CACHE=str(tmp_path / "cache"))
    db = tmp_path / "demo.db"
    for cmd in commands:
        if "--db" in cmd:  # the queue goes to the test's folder, not the checkout
            cmd[cmd.index("--db") + 1] = str(db)
        done = subprocess.run([exe, *cmd[1:]], cwd=ROOT, capture_output=True, env=env)
        assert done.returncode == 0, (cmd, done.stderr.decode("utf-8", "replace")[-2000:])
    from review.store import Store

    [pkg] = Store(db).packages()
    assert pkg["rubric"] == "wenzhou-district" and pkg["documents"] == 8
