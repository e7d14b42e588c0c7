"""Encrypted credentials and the keys that open them."""
