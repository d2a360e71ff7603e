"""Train the statistical fallback for document types: a spaCy text categoriser (bag of character
n-grams) on the DEVELOPMENT split only, shipped in classify/data/doctype_textcat/.

    .venv/bin/python -m classify.train_doctype [--docs 3000] [--epochs 8]

The training texts are the generator's documents as printed (title and opening of the body), so
no rendering is needed; the test split is never seen. Deterministic (fixed seeds).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import spacy
from spacy.training import Example

from records.vocab import DOC_TYPES

OUT = Path(__file__).parent / "data" / "doctype_textcat"
TEXT_CHARS = 300
CONFIG = {"model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
                    "no_output_layer": False, "length": 32768}}


def model_text(title: str, body: str) -> str:
    """What the model reads: the title, then the opening of the body."""
    return f"{title}\n{body[:TEXT_CHARS]}"


def training_data(n_docs: int, seed: int) -> list[tuple[str, str]]:
    from corpus.gen_docs import full_text
    from corpus.generate import generate_documents

    out = []
    for spec, label in generate_documents(seed, n_docs, "dev"):
        text = full_text(spec)
        body = text[text.find(spec.title) + len(spec.title):] if spec.title in text else text
        out.append((model_text(spec.title, body), label.doc_type))
    return out


def train(n_docs: int = 3000, epochs: int = 8, seed: int = 20231001, out: Path = OUT) -> dict[str, float]:
    spacy.util.fix_random_seed(seed)
    data = training_data(n_docs, seed)
    random.Random(seed).shuffle(data)
    cut = int(len(data) * 0.9)
    train_set, held = data[:cut], data[cut:]
    nlp = spacy.blank("zh")
    textcat = nlp.add_pipe("textcat", config=CONFIG)
    for label in DOC_TYPES:
        textcat.add_label(label)

    def example(text: str, label: str) -> Example:
        return Example.from_dict(nlp.make_doc(text), {"cats": {t: float(t == label) for t in DOC_TYPES}})

    examples = [example(t, lb) for t, lb in train_set]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in spacy.util.minibatch(examples, size=32):
            nlp.update(batch, sgd=optimizer, drop=0.1)
    correct = sum(1 for t, lb in held if max(nlp(t).cats.items(), key=lambda kv: kv[1])[0] == lb)
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return {"train": len(train_set), "held_out": len(held), "held_out_accuracy": round(correct / len(held), 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--epochs", type=int, default=8)
    args = ap.parse_args()
    print(train(args.docs, args.epochs))


if __name__ == "__main__":
    main()
