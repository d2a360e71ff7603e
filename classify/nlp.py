"""The spaCy layer: a blank Chinese pipeline with the character segmenter (a pattern whose edge
falls inside a jieba word would silently never match) and a SpanRuler fed from the pattern
files. SpanRuler keeps overlapping matches, which the weighted cues need."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

from classify.patterns import doctype_cues


@lru_cache(maxsize=1)
def pipeline() -> Language:
    nlp = spacy.blank("zh")  # the default segmenter is "char": every character a token
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": "cues", "phrase_matcher_attr": "TEXT",
                                               "overwrite": False})
    seen = set()
    patterns = []
    for cue in doctype_cues():
        key = (cue.pattern, cue.id)
        if key not in seen:
            seen.add(key)
            patterns.append({"label": "DOCTYPE", "pattern": cue.pattern, "id": cue.id})
    ruler.add_patterns(patterns)
    return nlp


def cue_spans(text: str) -> list[tuple[str, str, str, int]]:
    """(label, id, matched text, start offset) of every cue in the text, overlaps kept."""
    doc = pipeline()(text)
    return [(s.label_, s.id_, s.text, s.start_char) for s in doc.spans["cues"]]
