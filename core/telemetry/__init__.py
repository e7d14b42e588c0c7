"""What the operator's monitoring reads: remote call latencies and health, and a Prometheus
endpoint on the worker. No personal data in any label: operations are GP operation names and
WooCommerce route templates, never ids, e-mails or order numbers."""
