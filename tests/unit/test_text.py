from __future__ import annotations

from tasks_catalog.text import clean_line, paragraphs


def test_half_width_punctuation_becomes_full_width():
    line = clean_line("(责任单位:市科技局,市市场监管局)", 0)
    assert line.piece.text == "（责任单位：市科技局，市市场监管局）"


def test_numbers_keep_their_commas_and_colons():
    assert clean_line("共1,000项，9:00开始", 0).piece.text == "共1,000项，9:00开始"


def test_pdf_glyphs_are_repaired():
    text = clean_line("发挥市场在资源配臵中的‚决定性‛作用，培育标准创新型企業", 0).piece.text
    assert text == "发挥市场在资源配置中的“决定性”作用，培育标准创新型企业"


def test_spaces_around_chinese_text_are_dropped_but_latin_words_keep_theirs():
    assert (
        clean_line("到 2025 年，新增 50 项 ISO 9001 认证", 0).piece.text
        == "到2025年，新增50项ISO 9001认证"
    )


def test_markdown_markers_are_removed():
    line = clean_line("**2. 加强数字经济标准化建设。**推进", 0)
    assert line.piece.text == "2.加强数字经济标准化建设。推进"
    assert clean_line("### （三）标准促进", 0).heading_hash


def test_lines_broken_mid_sentence_join_and_page_numbers_vanish():
    text = "1.推动标准化。依托科技计划项目实施推进标准制订，重\n\n- 3 -\n\n点围绕绿色石化。\n2.下一项。"
    paras = paragraphs(text)
    assert [p.piece.text for p in paras] == [
        "1.推动标准化。依托科技计划项目实施推进标准制订，重点围绕绿色石化。",
        "2.下一项。",
    ]


def test_every_cleaned_character_points_back_to_its_source():
    text = "**1. 推动 标准化。**依托科\n\n技项目（责任单位:市科技局)"
    para = paragraphs(text)[0]
    for ch, offset in zip(para.piece.text, para.piece.offsets, strict=True):
        source = text[offset]
        assert source == ch or clean_line(source, 0).piece.text in (ch, "")
    start, end = para.piece.span()
    assert text[start:end].startswith("1.") and text[start:end].endswith(")")
