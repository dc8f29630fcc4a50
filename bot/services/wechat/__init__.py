"""Use cases of the WeChat channel over the database: accounts, evidence, outbox, replays."""
