"""The GP stand-in fixtures (tests/sandbox/gp_support.py) for every test here."""
from tests.sandbox.gp_support import client, gp, real_wsdl_client  # noqa: F401
