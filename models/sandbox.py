"""The sandbox controls: per-customer prices, faults, clock and rate limit."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt, StrictStr

from models.common import ContractModel, Timestamp, prefixed_id


class StatusFault(ContractModel):
    """Answer with this status and an `INJECTED_FAULT` error body, without executing."""

    kind: Literal["status"]
    status: Literal[429, 500, 502, 503, 504]
    retry_after: StrictStr | None = None


class DelayFault(ContractModel):
    """Wait, then execute normally."""

    kind: Literal["delay"]
    ms: Annotated[StrictInt, Field(ge=1, le=30_000)]


class ResetFault(ContractModel):
    """Close the connection without executing the request."""

    kind: Literal["reset"]


class DropResponseFault(ContractModel):
    """Execute and commit, then lose the response in transit."""

    kind: Literal["drop_response"]


#: One of the faults the sandbox can inject.
Fault = Annotated[
    StatusFault | DelayFault | ResetFault | DropResponseFault, Field(discriminator="kind")
]


class FaultRecord(ContractModel):
    """A fault armed for the caller, with how often it fired and how often it still will."""

    fault_id: Annotated[StrictStr, prefixed_id("flt")]
    method: Annotated[StrictStr, Field(min_length=1)]
    path: Annotated[StrictStr, Field(min_length=1)]
    fault: Fault
    times: Annotated[StrictInt, Field(ge=1, le=100)]
    fired: Annotated[StrictInt, Field(ge=0)]
    remaining: Annotated[StrictInt, Field(ge=0)]


class FaultList(ContractModel):
    """The caller's faults (not paginated)."""

    items: list[FaultRecord]


class Clock(ContractModel):
    """The caller's clock after an offset was set."""

    now: Timestamp


class RateLimit(ContractModel):
    """The window size now in force for the calling token."""

    limit: Annotated[StrictInt, Field(ge=1, le=100_000)]
