"""Customers as actors: unique credentials, their API objects and the set-ups scenarios share."""

from __future__ import annotations

import re
import secrets
import uuid
from decimal import Decimal

from pydantic import SecretStr

from framework.client import ApiClient
from framework.errors import SuiteDefectError
from models.accounts import Account
from models.orders import Order
from steps.domain.accounts import AccountsApi
from steps.domain.auth import AuthApi
from steps.domain.health import HealthApi
from steps.domain.market import MarketApi
from steps.domain.notifications import NotificationsApi
from steps.domain.orders import OrdersApi
from steps.domain.outcome import Outcome
from steps.domain.pages import Listable
from steps.domain.payments import PaymentsApi
from steps.domain.sandbox import SandboxApi
from steps.domain.session import Session

#: Longest username the contract allows, in characters.
USERNAME_MAX = 32


def unique_username(name: str) -> str:
    """A valid username that no other scenario, worker or run will pick.

    The customer's name makes it readable (``alice_…``); the uuid part makes it unique.
    """
    readable = re.sub(r"[^a-z0-9]", "", name.lower())[:14]
    return f"{readable or 'customer'}_{uuid.uuid4().hex[:16]}"[:USERNAME_MAX]


def new_password(length: int = 24) -> SecretStr:
    """A random password of exactly ``length`` characters, never written in a feature file."""
    return SecretStr(secrets.token_urlsafe(length)[:length])


def made_up_token() -> SecretStr:
    """A token the API never issued."""
    return SecretStr(secrets.token_urlsafe(32))


class SandboxControlsNotAllowedError(SuiteDefectError):
    """A scenario used the sandbox controls without carrying the `@sandbox` tag."""


class Customer:
    """One person in a scenario, with their own account, session and API objects."""

    def __init__(
        self, name: str, session: Session, *, controls_allowed: bool, provisioned: bool = False
    ) -> None:
        self.name = name
        self.session = session
        #: An existing customer of the deployment: her account is never opened by the suite.
        self.provisioned = provisioned
        self.accounts = AccountsApi(session)
        self.auth = AuthApi(session)
        self.market = MarketApi(session)
        self.orders = OrdersApi(session)
        self.payments = PaymentsApi(session)
        self.notifications = NotificationsApi(session)
        self.health = HealthApi(session)
        self._sandbox = SandboxApi(session)
        self._controls_allowed = controls_allowed

    def __repr__(self) -> str:
        return f"Customer({self.name!r}, username={self.session.username!r})"

    @property
    def sandbox(self) -> SandboxApi:
        """The sandbox controls, only for scenarios tagged `@sandbox` (skipped elsewhere)."""
        if not self._controls_allowed:
            raise SandboxControlsNotAllowedError(
                f"{self.name}'s scenario uses the sandbox controls: tag it @sandbox, so that it is "
                "skipped against a real deployment"
            )
        return self._sandbox

    def listing(self, things: str) -> Listable:
        """The API object that lists ``things``: orders, payments or notifications."""
        lists: dict[str, Listable] = {
            "orders": self.orders,
            "payments": self.payments,
            "notifications": self.notifications,
        }
        return lists[things]

    def account(self) -> Account:
        """The customer's own account as it is now (signing in first if never signed in)."""
        return self.account_answer().check()

    def account_answer(self) -> Outcome[Account]:
        """The answer to looking up the customer's own account (signing in first if never
        signed in), for a step that checks a field of it."""
        if self.session.token is None:
            self.auth.sign_in().check()
        return self.accounts.own()

    def open_account(self, *, currency: str | None = None) -> None:
        """Open the customer's account (a pre-provisioned customer already has one)."""
        if not self.provisioned:
            self.accounts.open(currency=currency).check()

    def join(self, *, currency: str | None = None) -> None:
        """Open an account (unless pre-provisioned) and sign in."""
        self.open_account(currency=currency)
        self.auth.sign_in().check()

    def fund(self, amount: Decimal) -> None:
        """Deposit cash by card (nothing when the amount is zero)."""
        if amount:
            self.payments.deposit(amount, method="CARD").check()

    def see_price(self, symbol: str, price: Decimal) -> None:
        """Set the market price of a symbol as this customer sees it."""
        self.sandbox.set_price(symbol, price).check()

    def buy_at(self, quantity: int, symbol: str, price: Decimal) -> Order:
        """Buy shares at a given market price, paying in the cash they cost first."""
        self.see_price(symbol, price)
        self.fund(quantity * price)
        return self.orders.place(
            symbol=symbol, side="BUY", quantity=quantity, order_type="MARKET"
        ).check()

    def latest_order_id(self) -> str:
        """The id of the customer's most recent order."""
        items = self.orders.list(limit=1).value.items
        assert items, f"{self.name} has placed no order"
        return items[0].order_id

    def latest_payment_id(self) -> str:
        """The id of the customer's most recent payment."""
        items = self.payments.list(limit=1).value.items
        assert items, f"{self.name} has made no payment"
        return items[0].payment_id

    def advance_clock(self, seconds: int) -> None:
        """Run this customer's clock ``seconds`` ahead of real time (tokens may expire with it)."""
        self.sandbox.set_clock(seconds).check()


class Cast:
    """The customers of one scenario, by name, each with unique credentials."""

    def __init__(
        self,
        client: ApiClient,
        *,
        controls_allowed: bool,
        provisioned: tuple[str, SecretStr] | None = None,
    ) -> None:
        self._client = client
        self._controls_allowed = controls_allowed
        self._provisioned = provisioned
        self._customers: dict[str, Customer] = {}

    def __repr__(self) -> str:
        return f"Cast({sorted(self._customers)})"

    def introduce(self, name: str) -> Customer:
        """A new customer with fresh credentials (no account yet)."""
        if name in self._customers:
            raise SuiteDefectError(f"{name} has already been introduced in this scenario")
        if self._provisioned is not None:
            return self._introduce_provisioned(name, *self._provisioned)
        session = Session(
            client=self._client, username=unique_username(name), password=new_password()
        )
        session.learn_secrets()
        self._client.note_generated(session.username)
        customer = Customer(name, session, controls_allowed=self._controls_allowed)
        self._customers[name] = customer
        return customer

    def _introduce_provisioned(self, name: str, username: str, password: SecretStr) -> Customer:
        """The pre-provisioned customer, under the scenario's name for her; only one."""
        if any(customer.provisioned for customer in self._customers.values()):
            raise SuiteDefectError(
                f"{name} would be a second customer, but SUITE_OPEN_ACCOUNTS=false gives a "
                "scenario only the one pre-provisioned customer (API_USERNAME): a @smoke "
                "scenario must need no more"
            )
        session = Session(client=self._client, username=username, password=password)
        session.learn_secrets()
        customer = Customer(
            name, session, controls_allowed=self._controls_allowed, provisioned=True
        )
        self._customers[name] = customer
        return customer

    def __getitem__(self, name: str) -> Customer:
        try:
            return self._customers[name]
        except KeyError:
            raise SuiteDefectError(
                f"{name} has not been introduced: start with 'Given {name} is a customer'"
            ) from None

    def secrets(self) -> list[str]:
        """Every password and token of this scenario's customers, to check nothing shows them."""
        found = []
        for customer in self._customers.values():
            for secret in (customer.session.password, customer.session.token):
                if secret is not None and secret.get_secret_value():
                    found.append(secret.get_secret_value())
        return found

    def second_device(self, name: str) -> Customer:
        """Another session of an introduced customer, known as "<name>'s second device"."""
        first = self[name].session
        session = Session(client=self._client, username=first.username, password=first.password)
        customer = Customer(
            f"{name}'s second device", session, controls_allowed=self._controls_allowed
        )
        self._customers[customer.name] = customer
        return customer

    def stranger(self, *, token: SecretStr | None = None) -> Customer:
        """Somebody without an account: no token, or one that was made up."""
        session = Session(client=self._client, username=unique_username("stranger"), token=token)
        self._client.note_generated(session.username)
        return Customer("a stranger", session, controls_allowed=False)
