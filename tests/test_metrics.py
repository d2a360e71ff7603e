from corpus.metrics import char_accuracy


def test_char_accuracy_ignores_whitespace_and_counts_edits():
    assert char_accuracy("温教办技〔2022〕60号", "温教办技〔2022〕60号") == 1.0
    assert char_accuracy("温 教 办 技", "温教办技") == 1.0
    assert char_accuracy("温教办技〔2022］60号", "温教办技〔2022〕60号") == 1 - 1 / 13
    assert char_accuracy("", "荣誉证书") == 0.0
    assert char_accuracy("完全不同的一段很长的文字内容", "荣誉证书") == 0.0
    assert char_accuracy("", "") == 1.0
