"""Order services on a real seeded store: tracking, urging, cancelling, re-addressing.

Orders are picked by what they are (state, logistics), never by hard-coded numbers, and every
writing test works on its own copy of the seeded database.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.enums import (
    IN_FLIGHT_STATUSES,
    AfterSaleReason,
    AfterSaleStatus,
    AfterSaleType,
    OrderStatus,
    ServiceRecordKind,
)
from bot.db.models import Address, AfterSaleTicket, Order, ProductVariant, ServiceRecord
from bot.db.session import session_scope
from bot.policy import logistics
from bot.policy import orders as order_rules
from bot.services.clock import store_now
from bot.services.orders import changes as order_changes
from bot.services.orders.address import AddressProblem, check_new_address, parse_address
from bot.services.orders.changes import (
    AddressOutcome,
    CancelOutcome,
    cancel_order,
    change_address,
    proposed_ship_to,
    ship_to,
)
from bot.services.orders.replies import (
    address_problem_text,
    cancel_question,
    overview_text,
    tracking_text,
    urge_text,
)
from bot.services.orders.tracking import (
    UrgeOutcome,
    last_update,
    latest_shipment,
    overview,
    record_today,
    track,
    urge_shipment,
)


def find_order(
    session: Session, statuses: set[OrderStatus], fits: Callable[[Order], bool] = lambda o: True
) -> Order:
    query = select(Order).where(Order.status.in_(list(statuses))).order_by(Order.id)
    for order in session.execute(query).scalars():
        if fits(order):
            return order
    raise AssertionError(f"the seeded store has no fitting order in {statuses}")


def records(session: Session, order: Order, kind: ServiceRecordKind) -> int:
    query = select(func.count()).where(
        ServiceRecord.order_id == order.id, ServiceRecord.kind == kind
    )
    return int(session.execute(query).scalar_one())


def stuck_without_inquiry(session: Session) -> Callable[[Order], bool]:
    now = store_now(session)

    def fits(order: Order) -> bool:
        shipment = latest_shipment(order)
        return (
            shipment is not None
            and shipment.exception is None
            and logistics.is_stuck(last_update(shipment), now)
            and record_today(session, order, ServiceRecordKind.LOGISTICS_INQUIRY, now) is None
        )

    return fits


def paid_unshipped(order: Order) -> bool:
    return order.paid_at is not None and not order.service_records


# --- address parsing (pure) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "浙江省杭州市西湖区文三路 100 号 5 栋 301 张三 13800001234",
            ("浙江省", "杭州市", "西湖区", "文三路100号5栋301", "张三", "13800001234"),
        ),
        (
            "张三，138-0000-1234，浙江 杭州市 西湖区 文三路 100 号",
            ("浙江省", "杭州市", "西湖区", "文三路100号", "张三", "13800001234"),
        ),
        (
            "上海浦东新区张江路88号3栋501室",
            ("上海市", "上海市", "浦东新区", "张江路88号3栋501室", None, None),
        ),
        (
            "收货人：欧阳娜娜 电话 +86 139 1234 5678 地址：广东省深圳市南山区高新南七道18号",
            ("广东省", "深圳市", "南山区", "高新南七道18号", "欧阳娜娜", "13912345678"),
        ),
        (
            "内蒙古自治区鄂尔多斯市鄂托克前旗敖勒召其镇幸福路3号",
            ("内蒙古自治区", "鄂尔多斯市", "鄂托克前旗", "敖勒召其镇幸福路3号", None, None),
        ),
        (
            "江苏省苏州市昆山市玉山镇前进路1号王小明",
            ("江苏省", "苏州市", "昆山市", "玉山镇前进路1号", "王小明", None),
        ),
        (
            "广西南宁市青秀区民族大道100号万科城",
            ("广西壮族自治区", "南宁市", "青秀区", "民族大道100号万科城", None, None),
        ),
    ],
)
def test_parse_address_formats(text: str, expected: tuple[str, ...]) -> None:
    p = parse_address(text)
    assert (p.province, p.city, p.district, p.detail, p.recipient, p.phone) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Province left out: the city names it.
        ("南京市鼓楼区中山路1号", ("江苏省", "南京市", "鼓楼区", "中山路1号", None, None)),
        # City written without 市: still the city, not part of the street.
        (
            "杭州西湖区文三路100号 张三 13800001234",
            ("浙江省", "杭州市", "西湖区", "文三路100号", "张三", "13800001234"),
        ),
        (
            "成都武侯区人民南路四段11号 刘洋 15098765432",
            ("四川省", "成都市", "武侯区", "人民南路四段11号", "刘洋", "15098765432"),
        ),
        # A district no other city has is enough.
        ("海淀区中关村大街27号", ("北京市", "北京市", "海淀区", "中关村大街27号", None, None)),
        (
            "湖北武汉洪山区珞喻路1037号华中科技大学东九楼",
            ("湖北省", "武汉市", "洪山区", "珞喻路1037号华中科技大学东九楼", None, None),
        ),
        (
            "新疆乌鲁木齐市天山区解放北路1号",
            ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "解放北路1号", None, None),
        ),
        (
            "恩施州恩施市舞阳大街1号",
            ("湖北省", "恩施土家族苗族自治州", "恩施市", "舞阳大街1号", None, None),
        ),
        # A city name inside the street or the building is not the region.
        (
            "浙江省杭州市西湖区文三路100号南京大厦12楼",
            ("浙江省", "杭州市", "西湖区", "文三路100号南京大厦12楼", None, None),
        ),
        ("解放路88号南京大厦", ("", "", "", "解放路88号南京大厦", None, None)),
    ],
)
def test_the_region_is_completed_from_what_the_customer_wrote(
    text: str, expected: tuple[str | None, ...]
) -> None:
    p = parse_address(text)
    assert (p.province, p.city, p.district, p.detail, p.recipient, p.phone) == expected


def test_an_address_without_province_is_accepted_when_its_place_is_unambiguous() -> None:
    check = check_new_address("南京市鼓楼区中山路1号", "浙江省", "杭州市")
    assert check.ok and check.parsed is not None
    assert check.parsed.address_text == "江苏省南京市鼓楼区中山路1号"
    assert check_new_address("杭州西湖区文三路100号").parsed == parse_address(
        "浙江省杭州市西湖区文三路100号"
    )


def test_a_district_alone_is_placed_in_the_orders_city_only_if_that_city_has_it() -> None:
    # 西湖区 exists in 杭州 and 南昌: the order going to 杭州 settles it.
    moved = check_new_address("西湖区文三路100号5栋301室", "浙江省", "杭州市")
    assert moved.parsed is not None
    assert moved.parsed.address_text == "浙江省杭州市西湖区文三路100号5栋301室"
    # 杭州 has no 鼓楼区 (南京, 福州 … do): ask for the province rather than guess.
    elsewhere = check_new_address("鼓楼区中山路1号", "浙江省", "杭州市")
    assert elsewhere.problem is AddressProblem.NO_PROVINCE
    assert "省份" in address_problem_text(elsewhere)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("浙江省杭州市西湖区文三路100号 138000012345", AddressProblem.BAD_PHONE),
        ("算了不改了", AddressProblem.INCOMPLETE),
        ("北京市朝阳区", AddressProblem.NO_STREET),
        ("鼓楼区中山路1号", AddressProblem.NO_PROVINCE),
        ("解放路88号南京大厦", AddressProblem.INCOMPLETE),
        # 合作 is a city in 甘肃: a complaint that names it is still no address.
        ("你们合作的快递员把包裹扔在小区门口", AddressProblem.INCOMPLETE),
        ("浙江省杭州市西湖区" + "文三路100号" * 20, AddressProblem.TOO_LONG),
    ],
)
def test_unusable_addresses_are_rejected(text: str, problem: AddressProblem) -> None:
    check = check_new_address(text, "浙江省", "杭州市")
    assert check.problem is problem
    assert address_problem_text(check)


def test_the_location_tables_are_read_on_first_use_not_at_start() -> None:
    # The action server imports every action module when it starts; jionlp's division tables
    # (half a second) wait until a customer first changes an address.
    code = "import sys, bot.services.orders.address; print('jionlp' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def test_bad_phone_message_names_the_digits() -> None:
    check = check_new_address("浙江省杭州市西湖区文三路100号 138000012345")
    assert "138000012345" in address_problem_text(check)
    assert "11 位" in address_problem_text(check)


def test_same_city_move_borrows_the_province_and_phone_only_is_fine() -> None:
    moved = check_new_address("杭州市翠苑小区5栋301室李芳", "浙江省", "杭州市")
    assert moved.parsed is not None
    assert (moved.parsed.province, moved.parsed.city, moved.parsed.recipient) == (
        "浙江省",
        "杭州市",
        "李芳",
    )
    phone_only = check_new_address("电话改成13900001111")
    assert phone_only.parsed is not None and phone_only.parsed.phone == "13900001111"
    assert not phone_only.parsed.has_address


# --- tracking ------------------------------------------------------------------------------


def test_stuck_parcel_gets_one_inquiry_however_often_asked(store_url: str) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, set(IN_FLIGHT_STATUSES), stuck_without_inquiry(session))
        before = records(session, order, ServiceRecordKind.LOGISTICS_INQUIRY)
        now = store_now(session)
        first = track(session, order, now)
        second = track(session, order, now + timedelta(hours=1))
        assert records(session, order, ServiceRecordKind.LOGISTICS_INQUIRY) == before + 1
    assert first.inquiry_is_new and not second.inquiry_is_new
    assert first.stuck_since is not None and now - first.stuck_since >= logistics.STUCK_AFTER
    assert first.follow_up_by == logistics.follow_up_by(now)
    assert second.follow_up_by == first.follow_up_by  # the promise does not move
    text = tracking_text(first)
    assert first.tracking_no is not None
    assert "真不好意思" in text and first.tracking_no in text


def test_normal_parcel_shows_latest_events_and_window(seeded_session: Session) -> None:
    now = store_now(seeded_session)

    def moving(order: Order) -> bool:
        shipment = latest_shipment(order)
        return (
            shipment is not None
            and shipment.exception is None
            and len(shipment.events) > 3
            and not logistics.is_stuck(last_update(shipment), now)
        )

    order = find_order(seeded_session, {OrderStatus.IN_TRANSIT}, moving)
    before = records(seeded_session, order, ServiceRecordKind.LOGISTICS_INQUIRY)
    result = track(seeded_session, order, now)
    shipment = latest_shipment(order)
    assert shipment is not None
    assert len(result.events) == 3
    assert result.events[0].at == last_update(shipment)
    assert result.events[0].at >= result.events[1].at >= result.events[2].at
    assert result.window == logistics.expected_delivery(shipment.shipped_at, order.ship_province)
    assert result.stuck_since is None and result.follow_up_by is None
    assert records(seeded_session, order, ServiceRecordKind.LOGISTICS_INQUIRY) == before
    assert "预计" in tracking_text(result)


def test_unshipped_delivered_and_exception_answers(seeded_session: Session) -> None:
    now = store_now(seeded_session)
    waiting = find_order(seeded_session, {OrderStatus.PENDING_SHIPMENT})
    result = track(seeded_session, waiting, now)
    assert result.ship_by == order_rules.ship_by(waiting.paid_at)
    assert result.overdue == order_rules.is_overdue(waiting.paid_at, now)

    signed = find_order(seeded_session, {OrderStatus.SIGNED})
    delivered = track(seeded_session, signed, now)
    assert delivered.signed_at == signed.signed_at and delivered.signed_by
    assert delivered.signed_by in tracking_text(delivered)

    troubled = find_order(
        seeded_session,
        {OrderStatus.OUT_FOR_DELIVERY},
        lambda o: bool(o.shipments) and o.shipments[-1].exception is not None,
    )
    problem = track(seeded_session, troubled, now)
    assert problem.exception is troubled.shipments[-1].exception
    assert problem.follow_up_by is not None
    assert "遇到了问题" in tracking_text(problem)


def test_overdue_unshipped_order_apologises(seeded_session: Session) -> None:
    now = store_now(seeded_session)
    order = find_order(
        seeded_session,
        {OrderStatus.PENDING_SHIPMENT},
        lambda o: order_rules.is_overdue(o.paid_at, now),
    )
    assert "真不好意思" in tracking_text(track(seeded_session, order, now))


# --- urging --------------------------------------------------------------------------------


def test_urging_records_once_a_day(store_url: str) -> None:
    with session_scope(store_url) as session:
        now = store_now(session)
        order = find_order(session, {OrderStatus.PENDING_SHIPMENT}, paid_unshipped)
        first = urge_shipment(session, order, now)
        again = urge_shipment(session, order, now + timedelta(minutes=5))
        assert records(session, order, ServiceRecordKind.URGE_SHIPMENT) == 1
    assert first.outcome is UrgeOutcome.URGED and again.outcome is UrgeOutcome.ALREADY_URGED
    assert first.ship_by == order_rules.ship_by(order.paid_at)
    assert "已经帮您催过" in urge_text(again)


def test_urging_unpaid_or_shipped_orders_records_nothing(store_url: str) -> None:
    with session_scope(store_url) as session:
        now = store_now(session)
        unpaid = find_order(session, {OrderStatus.PENDING_PAYMENT})
        shipped = find_order(session, {OrderStatus.SHIPPED})
        not_paid = urge_shipment(session, unpaid, now)
        assert not_paid.outcome is UrgeOutcome.UNPAID
        result = urge_shipment(session, shipped, now)
        assert result.outcome is UrgeOutcome.SHIPPED and result.tracking is not None
        assert records(session, unpaid, ServiceRecordKind.URGE_SHIPMENT) == 0
        assert records(session, shipped, ServiceRecordKind.URGE_SHIPMENT) == 0
    assert "付款" in urge_text(not_paid)
    assert "已经发货" in urge_text(result)


# --- cancelling ----------------------------------------------------------------------------


def refund_tickets(session: Session, order_id: int) -> list[AfterSaleTicket]:
    query = select(AfterSaleTicket).where(
        AfterSaleTicket.order_id == order_id, AfterSaleTicket.type == AfterSaleType.REFUND
    )
    return list(session.execute(query).scalars())


def test_cancel_paid_order_refunds_once_and_restocks(store_url: str) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.PENDING_SHIPMENT}, paid_unshipped)
        order_id, now = order.id, store_now(session)
        stock = {i.variant_id: i.variant.stock for i in order.items}
        qty = {i.variant_id: i.qty for i in order.items}
        assert "确认取消吗" in cancel_question(order_changes.cancel_preview(order))
        first = cancel_order(session, order, now)
    with session_scope(store_url) as session:
        second = cancel_order(session, session.get(Order, order_id), now)
    with session_scope(store_url) as session:
        order = session.get(Order, order_id)
        tickets = refund_tickets(session, order_id)
        for variant_id, before in stock.items():
            assert session.get(ProductVariant, variant_id).stock == before + qty[variant_id]
        assert order.status is OrderStatus.CANCELLED and order.cancelled_at == now
        assert order.cancel_reason
        assert len(tickets) == 1
        ticket = tickets[0]
        assert re.fullmatch(rf"AS{now:%Y%m%d}\d{{6}}", ticket.ticket_no)
        assert ticket.reason is AfterSaleReason.NO_REASON
        assert ticket.status is AfterSaleStatus.REFUNDING
        assert ticket.refund_amount_fen == order.paid_amount_fen
        assert ticket.updated_at == now  # the store's clock, not the wall clock
        assert records(session, order, ServiceRecordKind.CANCEL) == 1
    assert first.outcome is CancelOutcome.CANCELLED
    assert second.outcome is CancelOutcome.ALREADY_CANCELLED
    assert first.refund is not None and second.refund is not None
    assert second.refund.ticket_no == ticket.ticket_no


def test_cancel_unpaid_order_needs_no_refund(store_url: str) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.PENDING_PAYMENT})
        result = cancel_order(session, order, store_now(session))
        assert result.outcome is CancelOutcome.CANCELLED and result.refund is None
        assert refund_tickets(session, order.id) == []


def test_concurrent_cancels_refund_only_once(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope(store_url) as session:
        order_id = find_order(session, {OrderStatus.PENDING_SHIPMENT}, paid_unshipped).id
    # Both requests pass the state check before either writes: only the guarded UPDATE
    # can stop the second refund.
    barrier = threading.Barrier(2, timeout=10)
    original = order_changes.can_cancel

    def check_then_wait(status: OrderStatus) -> bool:
        allowed = original(status)
        barrier.wait()
        return allowed

    monkeypatch.setattr(order_changes, "can_cancel", check_then_wait)
    outcomes: list[CancelOutcome] = []
    errors: list[BaseException] = []

    def cancel() -> None:
        try:
            with session_scope(store_url) as session:
                order = session.get(Order, order_id)
                outcomes.append(cancel_order(session, order, store_now(session)).outcome)
        except BaseException as error:  # reported below, with the test's assertion
            errors.append(error)

    threads = [threading.Thread(target=cancel) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(outcomes) == sorted([CancelOutcome.CANCELLED, CancelOutcome.ALREADY_CANCELLED])
    with session_scope(store_url) as session:
        assert len(refund_tickets(session, order_id)) == 1


def test_shipped_order_is_not_cancelled(store_url: str) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.IN_TRANSIT})
        result = cancel_order(session, order, store_now(session))
        assert result.outcome is CancelOutcome.IN_FLIGHT
        assert order.status is OrderStatus.IN_TRANSIT
        assert refund_tickets(session, order.id) == []


# --- address change ------------------------------------------------------------------------


def test_address_change_edits_the_order_not_the_address_book(store_url: str) -> None:
    new_text = "浙江省杭州市西湖区文三路 100 号 5 栋 301 张三"
    with session_scope(store_url) as session:
        order = find_order(
            session, {OrderStatus.PENDING_SHIPMENT}, lambda o: o.address_id is not None
        )
        book = session.get(Address, order.address_id)
        book_before = book.full_text
        parsed = check_new_address(new_text).parsed
        assert parsed is not None
        wanted = proposed_ship_to(ship_to(order), parsed, "13800001234")
        now = store_now(session)
        first = change_address(session, order, wanted, now)
        again = change_address(session, order, wanted, now)
        assert first.outcome is AddressOutcome.CHANGED and again.outcome is AddressOutcome.UNCHANGED
        assert order.ship_address_text == "浙江省杭州市西湖区文三路100号5栋301"
        assert (order.ship_recipient, order.ship_phone) == ("张三", "13800001234")
        assert session.get(Address, order.address_id).full_text == book_before
        assert records(session, order, ServiceRecordKind.ADDRESS_CHANGE) >= 1
        texts = [r.text for r in order.service_records if r.created_at == now]
        assert any(first.old.address_text in t and "文三路100号" in t for t in texts)


def test_address_change_after_shipment_only_notes_it(store_url: str) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.SHIPPED})
        before = ship_to(order)
        parsed = check_new_address("浙江省杭州市西湖区文三路100号").parsed
        assert parsed is not None
        wanted = proposed_ship_to(before, parsed, None)
        now = store_now(session)
        result = change_address(session, order, wanted, now)
        change_address(session, order, wanted, now)
        assert result.outcome is AddressOutcome.SHIPPED
        assert ship_to(order) == before
        assert records(session, order, ServiceRecordKind.NOTE) == 1
        assert records(session, order, ServiceRecordKind.ADDRESS_CHANGE) == 0


# --- overview ------------------------------------------------------------------------------


def test_overview_suggests_the_next_step(seeded_session: Session) -> None:
    now = store_now(seeded_session)
    recent = find_order(
        seeded_session,
        {OrderStatus.SIGNED},
        lambda o: o.signed_at is not None and now - o.signed_at < timedelta(days=3),
    )
    view = overview(seeded_session, recent, now)
    assert view.return_window_open and "退换货" in overview_text(view)
    in_after_sale = find_order(seeded_session, {OrderStatus.AFTER_SALE})
    text = overview_text(overview(seeded_session, in_after_sale, now))
    assert "售后处理中" in text and in_after_sale.tickets[-1].ticket_no in text
    waiting = find_order(seeded_session, {OrderStatus.PENDING_PAYMENT})
    assert "取消订单" in overview_text(overview(seeded_session, waiting, now))


def test_store_clock_is_the_demo_reference(seeded_session: Session) -> None:
    assert store_now(seeded_session) == datetime(2026, 11, 20, 10, 0)


def test_delivered_order_cannot_be_readdressed(store_url: str) -> None:
    with session_scope(store_url) as session:
        order = find_order(session, {OrderStatus.SIGNED})
        before = ship_to(order)
        result = change_address(session, order, None, store_now(session))
        assert result.outcome is AddressOutcome.DELIVERED
        assert ship_to(order) == before
        assert records(session, order, ServiceRecordKind.ADDRESS_CHANGE) == 0
