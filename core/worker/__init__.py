"""The headless worker: lease, schedules, live reload, logs, service, embedded mode."""
