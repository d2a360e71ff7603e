"""Write a corpus to disk: rendered documents, packages, labels, expectations and a manifest.

    CORPUS/
      manifest.json     split, seed, phrasing, generator version, sha256 of every file
      specs.jsonl       the DocSpec of every document (how it was laid out)
      labels.jsonl      the Labels of every document (path relative to CORPUS, or inside its package)
      packages.jsonl    one PackageExpectation per package
      docs/             standalone documents
      packages/         one folder or .zip per package

One command rebuilds it (`prescreen corpus build`); the same seed gives the same corpus.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from corpus.spec import DocSpec, Labels, PackageExpectation

GENERATOR_VERSION = "1"
SPLITS = {"dev": ("dev", 20231001), "test": ("test", 77770001), "holdout": ("holdout", 31415927)}  # phrasing set, default seed
PACKAGE_PLAN = [  # (rubric, track, as_of)
    ("wenzhou-district", None, date(2023, 6, 30)),
    ("wenzhou-school", "standard", date(2023, 9, 1)),
    ("wenzhou-school", "v2", date(2023, 9, 1)),
    ("sichuan-zone", None, date(2024, 6, 30)),
    ("ningxia-county", None, date(2023, 12, 15)),
    ("huaibei-zone", None, date(2023, 10, 31)),
]


class CorpusError(Exception):
    """The corpus on disk is missing files or does not match its manifest."""


@dataclass
class Corpus:
    root: Path
    manifest: dict
    specs: dict[str, DocSpec]
    labels: dict[str, Labels]
    packages: list[PackageExpectation]


def _write_jsonl(path: Path, records) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(r.model_dump_json() + "\n")


def _zip_gbk(files: list[tuple[str, bytes]]) -> bytes:
    """A zip whose entry names are GBK without the UTF-8 flag, as Chinese Windows writes them."""

    class _GbkInfo(zipfile.ZipInfo):
        def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's own hook
            return self.filename.encode("gbk"), self.flag_bits

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files:
            info = _GbkInfo(name, date_time=(2023, 5, 12, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def build_corpus(out: Path, split: str = "dev", seed: int | None = None, n_docs: int = 120,
                 package_docs: int = 14, progress: Callable[[str], None] | None = None) -> Path:
    from corpus.generate import generate_documents, generate_packages
    from corpus.render import render_many

    phrasing, default_seed = SPLITS[split]
    seed = default_seed if seed is None else seed
    say = progress or (lambda _msg: None)
    if out.exists():
        shutil.rmtree(out)
    (out / "docs").mkdir(parents=True)
    (out / "packages").mkdir()
    all_specs: list[DocSpec] = []
    all_labels: list[Labels] = []
    with tempfile.TemporaryDirectory(prefix="prescreen-corpus-") as tmp:
        say(f"生成并排版 {n_docs} 份单独文件")
        docs = generate_documents(seed, n_docs, phrasing)
        rendered = render_many([s for s, _ in docs], Path(tmp))
        for (spec, label), r in zip(docs, rendered):
            rel = f"docs/{spec.id}_{_with_suffix(Path(label.path).name, r.suffix)}"  # keeps misleading names
            (out / rel).write_bytes(r.data)
            label.path, label.text = rel, r.text
            all_specs.append(spec)
            all_labels.append(label)
        expectations = []
        for n, (rubric, track, as_of) in enumerate(PACKAGE_PLAN):
            say(f"生成申报包 {rubric}{'（' + track + '）' if track else ''}")
            pkg_docs, exp = generate_packages(seed + 1000 + n, rubric, track, as_of, package_docs, phrasing=phrasing)
            rendered = render_many([s for s, _ in pkg_docs], Path(tmp))
            files: list[tuple[str, bytes]] = []
            for (spec, label), r in zip(pkg_docs, rendered):
                inner = _with_suffix(label.path, r.suffix)  # the generator's path: folder (by_indicator) and name
                files.append((inner, r.data))
                label.text = r.text
                all_specs.append(spec)
                all_labels.append(label)
            if exp.layout == "zip":
                name = f"{exp.package}.zip"
                (out / "packages" / name).write_bytes(_zip_gbk(files))
                for label, (inner, _) in zip([lb for _, lb in pkg_docs], files):
                    label.path = f"{name}/{inner}"
            else:
                for label, (inner, data) in zip([lb for _, lb in pkg_docs], files):
                    target = out / "packages" / exp.package / inner
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                    label.path = f"{exp.package}/{inner}"
            expectations.append(exp)
    _write_jsonl(out / "specs.jsonl", all_specs)
    _write_jsonl(out / "labels.jsonl", all_labels)
    _write_jsonl(out / "packages.jsonl", expectations)
    files = {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(out.rglob("*")) if p.is_file() and p.name != "manifest.json"}
    manifest = {"split": split, "phrasing": phrasing, "seed": seed, "generator_version": GENERATOR_VERSION,
                "documents": len(all_labels), "packages": len(expectations), "files": files}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


def _with_suffix(path: str, suffix: str) -> str:
    stem, dot, ext = path.rpartition(".")
    return f"{stem}{suffix}" if dot and f".{ext}".lower() != suffix else (path if dot else f"{path}{suffix}")


def load_corpus(root: Path | str, verify: bool = True) -> Corpus:
    root = Path(root)
    manifest_file = root / "manifest.json"
    if not manifest_file.exists():
        raise CorpusError(f"{root} 不是语料目录：缺少 manifest.json（用 prescreen corpus build 生成）")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    if verify:
        bad = []
        for rel, sha in manifest["files"].items():
            f = root / rel
            if not f.exists():
                bad.append(f"缺少 {rel}")
            elif hashlib.sha256(f.read_bytes()).hexdigest() != sha:
                bad.append(f"校验和不符 {rel}")
        if bad:
            raise CorpusError(f"语料与清单不符（{len(bad)} 处）：" + "；".join(bad[:5]))

    def read(name, model):
        return [model.model_validate_json(line) for line in (root / name).read_text(encoding="utf-8").splitlines()
                if line.strip()]

    specs = {s.id: s for s in read("specs.jsonl", DocSpec)}
    labels = {lb.id: lb for lb in read("labels.jsonl", Labels)}
    return Corpus(root, manifest, specs, labels, read("packages.jsonl", PackageExpectation))
