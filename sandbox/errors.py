"""The API's error: a status, a stable code, a message naming the field, the field."""

from __future__ import annotations


class ApiError(Exception):
    """An answer that is an error body: `{"code", "message", "field", "request_id"}`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}


def invalid(code: str, field: str | None, message: str) -> ApiError:
    """A 400: the request is malformed or a value is out of range."""
    return ApiError(400, code, message, field=field)


def not_found(code: str, message: str, field: str | None = None) -> ApiError:
    """A 404: absent, or not the caller's (the two are never told apart)."""
    return ApiError(404, code, message, field=field)


def unprocessable(code: str, message: str, field: str | None = None) -> ApiError:
    """A 422: a valid request that a business rule rejects."""
    return ApiError(422, code, message, field=field)
