"""The state store: SQLite through peewee, the job table and the audit trail."""
