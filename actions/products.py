"""Product questions and recommendations (seed 000 售前客服; seed 001 4.2 根据购买记录推荐)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import (
    customer_id_of,
    database_guard,
    entity_values,
    latest_text,
    verified_orders_of,
)
from actions.order_form import resolve_order
from bot.db.enums import Category
from bot.db.models import Order, Product
from bot.db.session import session_scope
from bot.services.clock import store_now
from bot.services.products.answers import mentioned_variant
from bot.services.products.lookup import (
    SKU,
    find_products,
    known_tags,
    product_from_recent_order,
    recommend,
    record_product_question,
    warranty_by_category,
)
from bot.services.products.parsing import parse_budget
from bot.services.products.related import related_for_customer
from bot.services.products.replies import (
    ASK_WHICH_PRODUCT,
    HANDOFF_BUTTON,
    alternatives_reply,
    answer_attribute,
    detail_reply,
    overview_reply,
    recommendation_reply,
    related_reply,
    unsure_reply,
    warranty_policy_reply,
)
from bot.services.products.vocab import (
    ATTRIBUTE_LABELS,
    Attribute,
    attribute_from_value,
    category_from_text,
    category_from_value,
    infer_attribute,
    purpose_words,
)

PRODUCT = "product"
OVERVIEW_CUES = ("介绍", "怎么样", "咋样", "好不好", "好用吗", "值得买", "详情", "卖点", "特点")
# A request naming nothing but these still gets suggestions: the shop's best sellers.
BESTSELLER_CUES = ("热销", "爆款", "卖得最好", "畅销", "热门", "最火", "值得买")


def product_mentions(tracker: Tracker) -> list[str]:
    """Product entities of the latest message, the catalogue's id first when it gave one."""
    mentions = []
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == PRODUCT:
            key = entity.get("catalogue_id") or entity.get("value")
            if key:
                mentions.append(str(key))
    # A full name (an SKU id) is more precise than a brand or type word in the same message.
    return sorted(mentions, key=lambda m: SKU.fullmatch(m) is None)


def _from_order(order: Order, mentions: list[str]) -> list[Product]:
    """The order's item the customer named, or its first item."""
    products = [item.variant.product for item in order.items]
    for mention in mentions:
        named = [p for p in products if mention in (p.sku, p.name, p.product_type)]
        if named:
            return named[:1]
    return products[:1]


def resolve_products(session: Session, tracker: Tracker, text: str) -> tuple[list[Product], bool]:
    """(candidates, generic): the products the question is about, best first.

    Sources in order: an order number in the message (ownership-checked), the product the
    message names, the product talked about earlier, the customer's latest order (or the
    visitor's last verified one). ``generic`` says several products fit the wording, so
    alternatives are worth offering.
    """
    mentions = product_mentions(tracker)
    for order_no in entity_values(tracker, "order_id"):
        order = resolve_order(session, tracker, order_no)
        if order is not None and order.items:
            return _from_order(order, mentions), False
    for key in [*mentions, text, tracker.get_slot(PRODUCT) or ""]:
        found = find_products(session, key, hint=text) if key else []
        if found:
            return found, len(found) > 1
    customer_id = customer_id_of(tracker)
    if customer_id is not None:
        product = product_from_recent_order(session, customer_id)
        if product is not None:
            return [product], False
    verified = verified_orders_of(tracker)
    order = resolve_order(session, tracker, verified[-1]) if verified else None
    if order is not None and order.items:
        return _from_order(order, mentions), False
    return [], False


def resolve_attribute(tracker: Tracker, product: Product | None, text: str) -> Attribute | None:
    """What the customer asks about: the NLU's entity, else keywords, else a named variant."""
    for value in entity_values(tracker, "product_attribute"):
        attribute = attribute_from_value(value)
        if attribute is not None:
            return attribute
    attribute = infer_attribute(text)
    if attribute is None and product is not None and any(mentioned_variant(product, text)):
        return Attribute.STOCK  # "有黑色的吗", "L码呢"
    return attribute


def compose_answer(
    product: Product, attribute: Attribute | None, text: str, mention_len: int
) -> str | None:
    if attribute is not None:
        return answer_attribute(product, attribute, text)
    if any(cue in text for cue in OVERVIEW_CUES) or len(text) - mention_len <= 3:
        return overview_reply(product)
    return detail_reply(product, text)


class ActionAnswerProduct(Action):
    def name(self) -> str:
        return "action_answer_product"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        with session_scope() as session:
            products, generic = resolve_products(session, tracker, text)
            if not products:
                asked = resolve_attribute(tracker, None, text)
                if asked is Attribute.WARRANTY:
                    months = warranty_by_category(session)
                    policy = warranty_policy_reply(months, _category(tracker, text))
                    dispatcher.utter_message(text=policy)
                else:
                    dispatcher.utter_message(text=ASK_WHICH_PRODUCT)
                return []
            product = products[0]
            attribute = resolve_attribute(tracker, product, text)
            mention_len = max((len(m) for m in entity_values(tracker, PRODUCT)), default=0)
            reply = compose_answer(product, attribute, text, mention_len)
            label = ATTRIBUTE_LABELS[attribute] if attribute else "商品详情"
            note = "" if reply is not None else "｜未能回答，已建议转人工"
            record_product_question(
                session,
                customer_id_of(tracker),
                f"{product.sku} {product.display_name}｜{label}｜{text[:100]}{note}",
                store_now(session),
            )
            alternatives = alternatives_reply(products[1:4]) if generic else None
            name = str(product.name)
        if reply is None:
            dispatcher.utter_message(text=unsure_reply(product), buttons=[HANDOFF_BUTTON])
        else:
            dispatcher.utter_message(text=reply)
        if alternatives:
            dispatcher.utter_message(text=alternatives)
        # Remember the product so "那L码呢" in the next message is about the same one.
        return [SlotSet(PRODUCT, name)]


def _product_type(session: Session, tracker: Tracker, text: str) -> Product | None:
    """A product of the type the customer wants, to read its type and category from."""
    for key in [*product_mentions(tracker), text]:
        found = find_products(session, key) if key else []
        if found and all(p.product_type == found[0].product_type for p in found):
            return found[0]
        if found:
            # A brand alone names several types; a type word wins when the text has one.
            typed = [p for p in found if p.product_type in text]
            if typed:
                return typed[0]
    return None


def _category(tracker: Tracker, text: str) -> Category | None:
    for value in entity_values(tracker, "category"):
        category = category_from_value(value)
        if category is not None:
            return category
    return category_from_text(text)


def _without_products(text: str, typed: Product | None) -> str:
    """The text minus the product words, so "智能手表" is not read as the purpose tag "智能"."""
    if typed is not None:
        for word in (typed.name, typed.product_type, typed.brand):
            text = text.replace(str(word), " ")
    return text


class ActionRecommendProducts(Action):
    def name(self) -> str:
        return "action_recommend_products"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        customer_id = customer_id_of(tracker)
        budget = parse_budget(text)
        with session_scope() as session:
            typed = _product_type(session, tracker, text)
            category = typed.category if typed is not None else _category(tracker, text)
            product_type = str(typed.product_type) if typed is not None else None
            purposes = purpose_words(_without_products(text, typed), known_tags(session))
            bestsellers = any(cue in text for cue in BESTSELLER_CUES)
            if not (category or product_type or budget or purposes or bestsellers):
                dispatcher.utter_message(response="utter_ask_recommendation")
                return []
            result = recommend(
                session,
                category,
                budget.max_yuan if budget else None,
                purposes,
                customer_id,
                product_type=product_type,
                budget_min_yuan=budget.min_yuan if budget else None,
                by_sales=bestsellers,
            )
            reply = recommendation_reply(
                result.products,
                result.widened,
                category=category,
                product_type=product_type,
                # "N元以内" only reads right for a plain upper bound; a range is "这个价位".
                budget_max_yuan=budget.max_yuan if budget and budget.min_yuan is None else None,
            )
            related = None
            if customer_id is not None:
                shown = [p.id for p in result.products]
                related = related_for_customer(session, customer_id, exclude=shown)
            extra = related_reply(related.bought, related.products) if related else None
        dispatcher.utter_message(text=reply)
        if extra:
            dispatcher.utter_message(text=extra)
        return []
