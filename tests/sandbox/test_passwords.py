"""Passwords hashed and checked apart from the transaction that uses the result."""

from __future__ import annotations

from sandbox.service import check_password, hash_password

PASSWORD = "correct horse battery"


def test_a_check_says_whether_the_password_matches_the_stored_hash() -> None:
    stored = hash_password(PASSWORD)
    assert stored != hash_password(PASSWORD)  # a new salt each time
    assert check_password(PASSWORD, stored).matches
    assert not check_password("not the password", stored).matches
    assert not check_password(PASSWORD, None).matches  # no such username


def test_a_check_holds_only_for_the_hash_it_checked() -> None:
    before, after = hash_password("an earlier password"), hash_password(PASSWORD)
    checked = check_password(PASSWORD, before)
    assert not checked.against(before)
    assert checked.against(after)  # the stored hash changed since: checked again
    assert not checked.against(None)  # the username is gone
    assert check_password(PASSWORD, None).against(after)  # opened since the check
    assert PASSWORD not in repr(checked)
