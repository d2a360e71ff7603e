"""The committed sample corpus, the build command and `prescreen eval` with its thresholds."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from classify.api import classify_document
from corpus.build import CorpusError, build_corpus, load_corpus
from corpus.evaluate import evaluate
from extract import DocumentCache
from flows.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "sample"


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return DocumentCache(tmp_path_factory.mktemp("extract-cache"))


@pytest.fixture(scope="module")
def report(cache):
    return evaluate(SAMPLE, classify_document, workers=2, cache=cache)


@pytest.fixture(scope="module")
def gold_report(cache, report):  # after `report`: the cache is warm
    return evaluate(SAMPLE, None, workers=0, cache=cache)


def test_sample_matches_its_manifest():
    corpus = load_corpus(SAMPLE)
    assert corpus.manifest["split"] == "dev"
    assert len(corpus.labels) == corpus.manifest["documents"] and len(corpus.packages) == 6
    rubrics = {(p.rubric, p.track) for p in corpus.packages}
    assert rubrics == {("wenzhou-district", None), ("wenzhou-school", "standard"), ("wenzhou-school", "v2"),
                       ("sichuan-zone", None), ("ningxia-county", None), ("huaibei-zone", None)}


def test_every_label_points_at_a_real_file():
    corpus = load_corpus(SAMPLE)
    for label in corpus.labels.values():
        if label.path.startswith("docs/"):
            assert (SAMPLE / label.path).is_file(), label.path
            continue
        head, _, inner = label.path.partition(".zip/")
        if inner:
            names = {i.filename.encode("cp437").decode("gbk") if not i.flag_bits & 0x800 else i.filename
                     for i in zipfile.ZipFile(SAMPLE / "packages" / f"{head}.zip").infolist()}
            assert inner in names, label.path
        else:
            assert (SAMPLE / "packages" / label.path).is_file(), label.path


def test_expected_scores_still_hold_for_the_current_rubrics(gold_report):
    """Drift check: scoring the gold labels reproduces every committed expectation."""
    sc = gold_report["scoring"]
    assert sc["evidence"] == "gold labels (drift check)"
    assert sc["indicator_agreement"] == 1.0 and sc["total_mae"] == 0
    assert sc["missing_mandatory"] == {"precision": 1.0, "recall": 1.0}


def test_extraction_fidelity_on_the_sample(report):
    ex = report["extraction"]
    assert ex["failures"] == []
    assert ex["char_accuracy"] >= 0.97
    assert all(row["worst"] >= 0.85 for row in ex["by_format"].values()), ex["by_format"]


@pytest.mark.parametrize("field, threshold", [
    ("doc_type", 0.95), ("level", 0.95), ("issuer", 0.90), ("doc_number", 0.95), ("date", 0.95),
])
def test_classification_thresholds_on_the_sample(report, field, threshold):
    assert report["classification"]["accuracy"][field] >= threshold, report["classification"]["worst"]


def test_screening_agreement_on_the_sample(report):
    sc = report["scoring"]
    assert sc["evidence"] == "classified"
    assert sc["indicator_agreement"] >= 0.9
    assert sc["missing_mandatory"]["recall"] >= 0.9


def test_a_tampered_corpus_is_refused(tmp_path):
    copy = tmp_path / "sample"
    shutil.copytree(SAMPLE, copy)
    victim = next((copy / "docs").iterdir())
    victim.write_bytes(victim.read_bytes() + b"\0")
    with pytest.raises(CorpusError, match=victim.name):
        load_corpus(copy)
    res = CliRunner().invoke(main, ["eval", str(copy)])
    assert res.exit_code != 0 and "校验和不符" in res.output


def test_build_writes_a_loadable_corpus(tmp_path):
    out = build_corpus(tmp_path / "c", "test", seed=5, n_docs=3, package_docs=3)
    corpus = load_corpus(out)
    assert corpus.manifest["phrasing"] == "test" and corpus.manifest["seed"] == 5
    assert len(corpus.packages) == 6
    assert all(p.documents and set(p.documents) <= set(corpus.labels) for p in corpus.packages)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "labels.jsonl" in manifest["files"] and "packages.jsonl" in manifest["files"]


def test_the_build_command_offers_the_holdout_split(tmp_path):
    out = tmp_path / "h"
    res = CliRunner().invoke(main, ["corpus", "build", str(out), "--split", "holdout", "--docs", "2",
                                    "--package-docs", "2"])
    assert res.exit_code == 0, res.output
    corpus = load_corpus(out)
    assert corpus.manifest["split"] == "holdout" and corpus.manifest["phrasing"] == "holdout"
    assert all(doc_id.startswith("holdout-") for doc_id in corpus.labels)
    assert CliRunner().invoke(main, ["corpus", "build", str(tmp_path / "x"), "--split", "prod"]).exit_code != 0
