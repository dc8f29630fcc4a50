"""Exact extraction of order, phone and tracking numbers."""

from bot.nlu.identifiers import find_identifiers, merge_entities


def _found(text: str) -> list[tuple[str, str]]:
    return [(e["entity"], e["value"]) for e in find_identifiers(text)]


def test_order_number_inside_chinese_text() -> None:
    assert _found("订单260311482905716342到哪了") == [("order_id", "260311482905716342")]


def test_phone_and_tracking_number_are_told_apart() -> None:
    assert _found("手机13812345678，单号sf123456789012") == [
        ("phone", "13812345678"),
        ("tracking_number", "SF123456789012"),
    ]


def test_longer_digit_runs_are_not_cut_into_identifiers() -> None:
    assert _found("编号 1381234567890123456789") == []
    assert _found("2603114829057163421") == []


def test_model_guesses_for_identifiers_are_replaced_by_exact_matches() -> None:
    predicted = [
        {"entity": "order_id", "value": "2603114829", "start": 2, "end": 12},
        {"entity": "product", "value": "羽绒服", "start": 22, "end": 25},
    ]
    exact = find_identifiers("订单260311482905716342的羽绒服")
    merged = merge_entities(predicted, exact)
    assert [(e["entity"], e["value"]) for e in merged] == [
        ("order_id", "260311482905716342"),
        ("product", "羽绒服"),
    ]
