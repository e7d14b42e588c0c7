"""How orders come in: the webhook receiver, the poller, backfill and the inbox."""
