"""Shared state of one demo-store generation run.

The generators append plain row dicts (column name → value) with explicit primary keys, so the
whole store is built in memory by pure Python from one ``random.Random`` and then bulk-inserted.
Explicit ids make the rows identical on every database and let later generators refer to
earlier rows without a round trip.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.db.enums import CARRIER_PREFIXES, Carrier

Row = dict[str, Any]

SEED = 20261120


@dataclass
class SeedContext:
    rng: random.Random
    reference: datetime
    rows: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    _ids: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    order_nos: set[str] = field(default_factory=set)
    tracking_nos: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)

    def add(self, table: str, **values: Any) -> Row:
        """Append a row to ``table`` with the next id; returns the row (with its id)."""
        self._ids[table] += 1
        row: Row = {"id": self._ids[table], **values}
        self.rows[table].append(row)
        return row

    def ago(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        """A time before the reference, rounded to the second."""
        moment = self.reference - timedelta(days=days, hours=hours, minutes=minutes)
        return moment.replace(microsecond=0)

    def between(self, start: datetime, end: datetime) -> datetime:
        """A uniformly random time in [start, end], to the second."""
        span = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randint(0, span))

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def new_order_no(self, created_at: datetime) -> str:
        """18 digits: a leading 2-9 (never 1, unlike a mobile number), yymmdd, 11 random digits."""
        while True:
            order_no = f"{self.rng.randint(2, 9)}{created_at:%y%m%d}{self.digits(11)}"
            if order_no not in self.order_nos:
                self.order_nos.add(order_no)
                return order_no

    def new_tracking_no(self, carrier: Carrier) -> str:
        """Carrier prefix + 12 digits, unique across the store (returns included)."""
        while True:
            tracking_no = f"{CARRIER_PREFIXES[carrier]}{self.digits(12)}"
            if tracking_no not in self.tracking_nos:
                self.tracking_nos.add(tracking_no)
                return tracking_no


def new_context(reference: datetime, seed: int = SEED) -> SeedContext:
    return SeedContext(rng=random.Random(seed), reference=reference)
