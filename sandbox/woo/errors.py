"""WordPress REST errors as WooCommerce returns them: code, message, data (object or int)."""
from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error response. `data` is usually {"status": N, ...}; refund errors use an int."""

    def __init__(self, status: int, code: str, message: str, data: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.data = {"status": status} if data is None else data

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.data}

    @classmethod
    def invalid_param(cls, param: str, message: str, detail_code: str,
                      detail_data: Any = None) -> ApiError:
        return cls(400, "rest_invalid_param", f"Invalid parameter(s): {param}", {
            "status": 400, "params": {param: message},
            "details": {param: {"code": detail_code, "message": message, "data": detail_data}}})

    @classmethod
    def missing_param(cls, *params: str) -> ApiError:
        return cls(400, "rest_missing_callback_param",
                   f"Missing parameter(s): {', '.join(params)}",
                   {"status": 400, "params": list(params)})

    @classmethod
    def invalid_id(cls, kind: str, status: int = 404) -> ApiError:
        return cls(status, f"woocommerce_rest_{kind}_invalid_id", "Invalid ID.")


NO_ROUTE = ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")
