"""The health check."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictStr

from models.common import ContractModel


class Health(ContractModel):
    """The API is up, and which version it runs."""

    status: Literal["ok"]
    version: Annotated[StrictStr, Field(min_length=1)]
