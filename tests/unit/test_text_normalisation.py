"""The canonical form customers' messages are put into before the model sees them."""

from bot.nlu.text import MAX_CHARS, normalise


def test_traditional_script_becomes_simplified() -> None:
    assert normalise("請問我的訂單什麼時候發貨？").text == "请问我的订单什么时候发货？"


def test_full_width_letters_and_digits_become_half_width() -> None:
    assert normalise("单号ＳＦ１２３４５６７８９０１２").text == "单号SF123456789012"


def test_chinese_punctuation_and_emoji_are_kept() -> None:
    assert normalise("到底什么时候发货！！😡").text == "到底什么时候发货！！😡"


def test_whitespace_is_trimmed_and_collapsed() -> None:
    assert normalise("  我要\t\n 退货　 ").text == "我要 退货"


def test_empty_and_blank_messages_become_empty() -> None:
    assert normalise("").text == ""
    assert normalise(" \n\t　").text == ""


def test_very_long_messages_are_capped() -> None:
    assert len(normalise("我" * 10_000).text) == MAX_CHARS


def test_entity_spans_follow_the_text() -> None:
    original = "  訂單號 ２６０３１１４８２９０５７１６３４２ 到哪了"
    start = original.index("２")
    end = start + 18
    result = normalise(original)
    new_start, new_end = result.map_span(start, end)
    assert result.text[new_start:new_end] == "260311482905716342"
