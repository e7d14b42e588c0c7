"""The demo harness: stand-ins, a workspace, the worker and a shop that keeps selling."""
