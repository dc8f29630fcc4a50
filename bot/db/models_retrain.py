"""Model of the retraining loop: intent corrections made by service-desk agents.

Same ``Base``/metadata as :mod:`bot.db.models`; :mod:`bot.db.schema` gathers all model modules
so the migrations and the seed see every table. Alembic revision 0003 mirrors this module exactly.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint

# corrections.agent_id refers to agents.id: that table must be in the metadata too.
import bot.db.models_handoff  # noqa: F401
from bot.db.base import Base


class IntentCorrection(Base):
    """An agent's verdict on what a customer's message really meant.

    The bot's prediction is kept next to the correction: the pair is what the maintainer's
    labelling inbox ranks first, and it shows which intents the model confuses in practice.
    """

    __tablename__ = "intent_corrections"

    id = Column(Integer, primary_key=True)
    # The Rasa conversation id and the user event's timestamp (Unix seconds, as in the tracker
    # store) identify the message; an agent correcting it again replaces the earlier verdict.
    sender_id = Column(String(255), nullable=False, index=True)
    message_timestamp = Column(Float, nullable=False)
    text = Column(Text, nullable=False)
    predicted_intent = Column(String(100), nullable=False)
    corrected_intent = Column(String(100), nullable=False)
    # NULL when the correction did not come from a console login (e.g. imported); an agent
    # leaving the desk keeps the verdict.
    agent_id = Column(ForeignKey("agents.id", ondelete="SET NULL"), nullable=True, index=True)
    created_at = Column(DateTime, nullable=False)

    __table_args__ = (UniqueConstraint("sender_id", "message_timestamp"),)
