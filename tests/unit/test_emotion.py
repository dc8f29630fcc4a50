"""The emotion component: trained on data/emotion/emotion.yml, judged on sentences it never saw."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.emotion import LABELS, EmotionClassifier, emotion_of, read_examples
from bot.settings import REPO_ROOT

DATA = REPO_ROOT / "data" / "emotion" / "emotion.yml"

# Written for this test; none of them is in the training file (checked below).
HELD_OUT = {
    "angry": [
        "你们这是什么鬼服务，等了十天还没发货，气死人了",
        "垃圾东西，用一次就坏，赶紧给我退钱",
        "客服一问三不知，太差劲了😡",
        "我真的很生气，你们骗人",
        "說好的贈品呢？你們太過分了",
    ],
    "anxious": [
        "我明天就要用了，能不能快点到，好着急",
        "包裹好几天没动静了，有点担心",
        "万一赶不上婚礼怎么办啊",
        "麻烦快点，急着用",
        "訂單一直沒更新，我有點擔心",
    ],
    "satisfied": [
        "谢谢你们，东西收到了很喜欢",
        "服务很好，给你们点赞",
        "问题解决了，感谢小优",
        "非常满意，会再来的",
        "謝謝你們，服務很周到",
    ],
    "neutral": [
        "我想查一下物流",
        "这款外套有M码吗",
        "怎么申请换货",
        "请问支持货到付款吗",
        "這款外套有黑色嗎",
    ],
}


def make_component(
    storage_dir: Path, config: dict[str, Any] | None = None
) -> tuple[EmotionClassifier, dict[str, Any], LocalModelStorage, Resource, ExecutionContext]:
    full = {**EmotionClassifier.get_default_config(), **(config or {})}
    storage = LocalModelStorage(storage_dir)
    resource = Resource("emotion")
    context = ExecutionContext(GraphSchema({}), "test")
    return (
        EmotionClassifier.create(full, storage, resource, context),
        full,
        storage,
        resource,
        context,
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[EmotionClassifier, float]:
    """Trained once in a temporary model storage, then loaded back as Rasa would."""
    component, config, storage, resource, context = make_component(
        tmp_path_factory.mktemp("emotion-model")
    )
    started = time.perf_counter()
    component.train(TrainingData())
    seconds = time.perf_counter() - started
    return EmotionClassifier.load(config, storage, resource, context), seconds


def classify(component: EmotionClassifier, *texts: str) -> list[dict[str, Any]]:
    messages = [Message(data={TEXT: t}) for t in texts]
    component.process(messages)
    return [m.get("emotion") for m in messages]


def test_the_data_has_enough_varied_examples_per_label() -> None:
    loaded = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    assert set(loaded) == set(LABELS)
    assert all(len(loaded[label]) >= 60 for label in LABELS)
    texts = [t for label in LABELS for t in loaded[label]]
    assert len(texts) == len(set(texts))


def test_held_out_sentences_are_not_training_examples() -> None:
    trained_on = {t for t, _ in read_examples(DATA)}
    raw = set(yaml.safe_load(DATA.read_text(encoding="utf-8"))["angry"])
    for texts in HELD_OUT.values():
        assert not (set(texts) & (trained_on | raw))


def test_training_is_quick(trained: tuple[EmotionClassifier, float]) -> None:
    assert trained[1] < 45


@pytest.mark.parametrize("label", sorted(HELD_OUT))
def test_clear_sentences_get_the_right_emotion(
    trained: tuple[EmotionClassifier, float], label: str
) -> None:
    results = classify(trained[0], *HELD_OUT[label])
    wrong = [
        (text, r["name"])
        for text, r in zip(HELD_OUT[label], results, strict=True)
        if r["name"] != label
    ]
    assert not wrong


def test_the_emotion_carries_a_confidence_and_a_full_ranking(
    trained: tuple[EmotionClassifier, float],
) -> None:
    (emotion,) = classify(trained[0], "太感谢了，客服很给力")
    assert emotion["name"] == "satisfied"
    assert set(emotion["ranking"]) == set(LABELS)
    assert emotion["confidence"] == max(emotion["ranking"].values())
    assert sum(emotion["ranking"].values()) == pytest.approx(1.0, abs=0.01)


def test_profanity_is_always_strong_anger(trained: tuple[EmotionClassifier, float]) -> None:
    (emotion,) = classify(trained[0], "你他妈的到底发不发货")
    assert emotion["name"] == "angry" and emotion["confidence"] >= 0.9


def test_product_words_do_not_trigger_the_anger_override() -> None:
    calm = {"angry": 0.1, "anxious": 0.1, "neutral": 0.7, "satisfied": 0.1}
    assert emotion_of("滚筒洗衣机有货吗", calm)["name"] == "neutral"
    assert emotion_of("USB 接口是什么规格", calm)["name"] == "neutral"
    assert emotion_of("买给我妈的生日礼物，能加急吗", calm)["name"] == "neutral"
    assert emotion_of("这个号码是骗子电话吗", calm)["name"] == "neutral"
    assert emotion_of("垃圾桶有几升的", calm)["name"] == "neutral"
    assert emotion_of("这双鞋内里是猪皮的吗", calm)["name"] == "neutral"
    assert emotion_of("有没有好用的洗面奶", calm)["name"] == "neutral"
    assert emotion_of("膝盖不好，跑鞋怎么选", calm)["name"] == "neutral"
    assert emotion_of("sb 客服", calm)["name"] == "angry"


def test_messages_without_text_are_left_alone(trained: tuple[EmotionClassifier, float]) -> None:
    empty = Message(data={TEXT: ""})
    intent_only = Message(data={"intent": {"name": "greet"}})
    trained[0].process([empty, intent_only])
    assert empty.get("emotion") is None and intent_only.get("emotion") is None


def test_training_is_deterministic(
    trained: tuple[EmotionClassifier, float], tmp_path: Path
) -> None:
    component, *_ = make_component(tmp_path)
    component.train(TrainingData())
    sentences = [t for texts in HELD_OUT.values() for t in texts]
    assert classify(component, *sentences) == classify(trained[0], *sentences)


def test_editing_the_data_changes_the_fingerprint(tmp_path: Path) -> None:
    copy = tmp_path / "emotion.yml"
    shutil.copyfile(DATA, copy)
    before = EmotionClassifier.fingerprint_addon({"data_path": str(copy)})
    copy.write_text(DATA.read_text(encoding="utf-8") + "  - 又一个例子\n", encoding="utf-8")
    after = EmotionClassifier.fingerprint_addon({"data_path": str(copy)})
    assert before and after and before != after
    assert EmotionClassifier.fingerprint_addon({"data_path": str(tmp_path / "nope.yml")}) is None


def test_unknown_labels_in_the_data_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "emotion.yml"
    bad.write_text("furious:\n  - 气死了\n", encoding="utf-8")
    with pytest.raises(ValueError, match="furious"):
        read_examples(bad)


def test_every_label_is_represented_in_training() -> None:
    counts = Counter(label for _, label in read_examples(DATA))
    assert set(counts) == set(LABELS)


def test_air_fryer_questions_are_not_read_as_fury() -> None:
    """空气炸锅 contains 气炸 ("furious"); the benchmark saw air-fryer questions handed over."""
    from bot.nlu.emotion_words import ANGER_MARKERS

    assert not ANGER_MARKERS.search("空气炸锅有黑色的吗")
    assert ANGER_MARKERS.search("气炸了，包装破成这样")


# Written for this test, none in the training file: dissatisfaction said by negating praise.
NEGATED_PRAISE = [
    "不太满意",
    "一点都不好",
    "没觉得好",
    "不怎么样",
    "这次购物体验不太满意",
    "东西一点也不好用",
    "说真的没觉得哪里好",
    "服务并不怎么样",
    "不怎麼樣，跟圖片差好多",
    "對結果不太滿意",
]


@pytest.mark.parametrize("text", NEGATED_PRAISE)
def test_negated_satisfaction_is_dissatisfied_not_satisfied(
    trained: tuple[EmotionClassifier, float], text: str
) -> None:
    assert text not in {t for t, _ in read_examples(DATA)}
    (emotion,) = classify(trained[0], text)
    assert emotion["name"] == "angry"


@pytest.mark.parametrize(
    "text", ["还不错，谢谢", "没问题了，感谢", "不好意思再问一下，很满意", "挺好的，一点都不麻烦"]
)
def test_praise_with_a_negation_word_in_it_stays_praise(
    trained: tuple[EmotionClassifier, float], text: str
) -> None:
    (emotion,) = classify(trained[0], text)
    assert emotion["name"] == "satisfied"


@pytest.mark.parametrize(
    "text", ["一群饭桶，什么都办不好！！", "垃圾客服", "你们是猪吗", "一群飯桶", "你們是豬嗎"]
)
def test_insults_are_strong_anger(trained: tuple[EmotionClassifier, float], text: str) -> None:
    (emotion,) = classify(trained[0], text)
    assert emotion["name"] == "angry" and emotion["confidence"] >= 0.9


def test_negated_praise_is_dissatisfaction_below_strong_anger() -> None:
    calm = {"angry": 0.1, "anxious": 0.1, "neutral": 0.7, "satisfied": 0.1}
    praised = {"angry": 0.05, "anxious": 0.05, "neutral": 0.1, "satisfied": 0.8}
    assert emotion_of("一点都不好", praised)["name"] == "angry"
    # One such remark counts toward anger that persists, but does not hand over on its own.
    assert 0.5 <= emotion_of("不太满意", calm)["confidence"] < 0.85
    assert emotion_of("如果不满意可以退吗", calm)["name"] == "neutral"
    assert emotion_of("不好意思，问一下", calm)["name"] == "neutral"
