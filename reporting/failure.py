"""A failed scenario as a bug report: the message first, then where, then how to reproduce.

The same text is what pytest prints for the scenario, the JUnit ``<failure>`` body and the
trace of the Allure result; its first line (``[category] message``) is the JUnit message,
pytest's short summary line and the Allure message::

    [product defect] Alice has 10,000.00 in cash, expected 8,500.00

      scenario  A market buy fills at once and moves cash into shares
                features/orders/market_orders.feature:9
      step      Then Alice has 8,500.00 in cash
                features/orders/market_orders.feature:13
                name: Alice · amount: 8,500.00
      checked   GET /account (request 6 of 6), field balance
      code      steps/accounts.py:21
      replay    python reports/replay/orders__a_market_buy_….py BASE_URL
      rerun     .venv/bin/pytest 'tests/acceptance/test_orders.py::test_a_market_buy_…'

followed, for a failure of the framework, by its report (request, response, attempts, curl).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from framework.classify import FailureCategory
from framework.errors import ConfigurationError, FrameworkError

#: Width of the label column of the report's facts.
_LABEL_WIDTH = 10


@dataclass(frozen=True, kw_only=True)
class StepPlace:
    """A Gherkin step as the feature file writes it, and where."""

    text: str
    where: str
    parameters: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.text} ({self.where})"


@dataclass(frozen=True, kw_only=True)
class BugReport:
    """Everything the report of one failed scenario says (see the module docstring)."""

    category: FailureCategory
    message: str
    details: str = ""
    scenario: str
    scenario_where: str
    step: StepPlace | None = None
    checked: str | None = None
    code: str | None = None
    replay: str | None = None
    rerun: str | None = None

    @property
    def headline(self) -> str:
        """``[product defect] Alice has 10,000.00 in cash, expected 8,500.00``."""
        return f"[{self.category}] {self.message}"

    def text(self) -> str:
        """The whole report."""
        facts: list[tuple[str, str]] = [
            ("scenario", self.scenario),
            ("", self.scenario_where),
        ]
        if self.step is not None:
            facts += [("step", self.step.text), ("", self.step.where)]
            if self.step.parameters:
                shown = " · ".join(
                    f"{name}: {value}" for name, value in self.step.parameters.items()
                )
                facts.append(("", shown))
        else:
            facts.append(("step", "none: it failed in its set-up, before its first step"))
        facts += [
            (label, value)
            for label, value in (
                ("checked", self.checked),
                ("code", self.code),
                ("replay", self.replay),
                ("rerun", self.rerun),
            )
            if value
        ]
        lines = [self.headline, ""]
        lines += [f"  {label:<{_LABEL_WIDTH}}{value}".rstrip() for label, value in facts]
        if self.details:
            lines += ["", self.details]
        return "\n".join(lines) + "\n"


def split_message(error: BaseException) -> tuple[str, str]:
    """The message of a failure (one line) and the details that follow it.

    A framework error's message is its summary and its details are the rest of its report;
    an assertion's message is its own text, without the ``assert …`` explanation pytest adds
    after a message (its reprs add nothing to a message written for people); any other
    error is named by its type.
    """
    if isinstance(error, FrameworkError) and not isinstance(error, ConfigurationError):
        _, _, details = str(error).partition("\n\n")
        return _first_line(error.summary), details
    text = str(error)
    if isinstance(error, AssertionError):
        message, separator, _ = text.partition("\nassert ")
        if separator and message.strip():
            first, _, rest = message.strip().partition("\n")
            return first, rest
        first, _, rest = text.strip().partition("\n")
        return first or "an assertion failed", rest
    if type(error).__name__ == "Failed":  # pytest.fail(): its text is the message
        first, _, rest = text.strip().partition("\n")
        return first, rest
    first, _, rest = text.strip().partition("\n")
    return f"{type(error).__name__}: {first}".rstrip(": "), rest


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
