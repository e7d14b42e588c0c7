"""Telling people when something needs them: alert conditions, their ledger, the channels that
carry them (e-mail, a signed webhook) and the accountant's daily digest."""
