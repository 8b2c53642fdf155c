"""How the audit and the defect runner judge runs, from made-up runs (no suite is started)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping

from trust import kill_matrix
from trust.benchmarks import BEGIN, END, replace_section
from trust.defects import find
from trust.flake import AuditOptions, passed, render, summarise
from trust.kill_matrix import Judgement
from trust.recorder import answer_signature
from trust.seeded import verdict
from trust.suite import Failure, SuiteRun


def run(
    *,
    failures: tuple[Failure, ...] = (),
    reported: tuple[str, ...] = (),
    wall: float = 30.0,
    faults: dict[str, int] | None = None,
    duplicates: list[dict[str, object]] | None = None,
    stopped: str = "",
    executed: int = 100,
) -> SuiteRun:
    return SuiteRun(
        exit_code=1 if failures else 0,
        wall_seconds=wall,
        executed=executed,
        passed=executed - len(failures),
        skipped=0,
        failures=failures,
        client={"requests": 900, "attempts": 1000},
        server={"faults": faults or {}, "duplicates": duplicates or [], "requests": 1000},
        reported=reported,
        stopped=stopped,
    )


def failure(nodeid: str, category: str = "environment") -> Failure:
    return Failure(nodeid=nodeid, category=category, message="RetriesExhausted: …")


def test_a_clean_audit_passes_with_the_rule_of_three_bound() -> None:
    runs = [run(faults={"chaos:reset": 5, "chaos:status_503": 7, "customer:delay": 1})] * 3
    findings = summarise(AuditOptions(runs=3), run(wall=20.0), runs)
    assert findings["scenario_executions"] == 300
    assert findings["faults_injected"] == {"reset": 15, "status_503": 21}
    assert findings["client_retries"] == 300
    assert findings["wall_ratio"] == 1.5
    assert findings["flake_rate"] == 0
    assert 0.0099 < findings["flake_rate_upper_95"] < 0.0101  # about 3/300
    assert passed(findings)
    assert "| failures (any category) | 0 |" in render(findings)


def test_every_failure_counts_whatever_its_category() -> None:
    runs = [run(failures=(failure("t::a"),)), run(failures=(failure("t::b", "product defect"),))]
    findings = summarise(AuditOptions(runs=2), run(), runs)
    assert [f["nodeid"] for f in findings["failures"]] == ["t::a", "t::b"]
    assert not passed(findings)


def test_a_scenario_broken_without_faults_is_listed_apart_not_as_a_flake() -> None:
    clean = run(failures=(failure("t::broken", "test defect"),))
    runs = [run(failures=(failure("t::broken", "test defect"),))] * 2
    findings = summarise(AuditOptions(runs=2), clean, runs)
    assert findings["failures"] == []
    assert len(findings["failing_also_clean"]) == 2
    assert findings["scenario_executions"] == 198


def test_a_duplicate_execution_fails_the_audit() -> None:
    duplicate = {"request_id": "r1", "operation": "POST /orders", "executions": 2}
    findings = summarise(AuditOptions(runs=1), run(), [run(duplicates=[duplicate])])
    assert findings["duplicates"] == [duplicate]
    assert not passed(findings)


def test_a_defect_is_caught_with_the_right_category() -> None:
    found = verdict(
        find("buy_not_debited"),
        run(failures=(failure("t::x", "product defect"),), reported=("product defect",) * 3),
    )
    assert found.caught
    assert found.categories == {"product defect": 3}
    assert found.ok


def test_a_defect_given_another_category_is_not_ok() -> None:
    found = verdict(
        find("account_extra_field"),
        run(failures=(failure("t::x", "product defect"),), reported=("product defect",)),
    )
    assert found.caught
    assert not found.ok


def test_a_defect_no_scenario_fails_on_is_missed() -> None:
    found = verdict(find("quotes_sorted"), run())
    assert not found.caught
    assert not found.ok


def test_a_run_stopped_by_the_health_check_is_an_environment_verdict() -> None:
    line = "acceptance suite: the API at http://x is unreachable or unhealthy (503)"
    found = verdict(find("outage"), run(stopped=line, executed=0))
    assert found.ok
    assert found.first_failure == line


def test_the_generated_section_is_replaced_and_the_rest_kept() -> None:
    document = f"# Benchmarks\n\nclient figures\n\n{BEGIN}\nold\n{END}\n\nafter\n"
    updated = replace_section(document, f"{BEGIN}\nnew\n{END}")
    assert updated == f"# Benchmarks\n\nclient figures\n\n{BEGIN}\nnew\n{END}\n\nafter\n"
    assert replace_section("# B\n", f"{BEGIN}\nx\n{END}") == f"# B\n\n{BEGIN}\nx\n{END}\n"


def test_a_run_that_never_started_catches_nothing() -> None:
    found = verdict(find("quotes_sorted"), run(stopped="ImportError: no module", executed=0))
    assert not found.caught
    assert found.first_failure == "ImportError: no module"


def _matrix_run(outcomes: dict[str, str], answers: Mapping[str, tuple[str, ...]]) -> SuiteRun:
    failed = tuple(failure(name, "product defect") for name, o in outcomes.items() if o == "failed")
    return dataclasses.replace(run(failures=failed), outcomes=outcomes, answers=answers)


def test_the_kill_matrix_says_who_caught_what_and_judges_the_rest() -> None:
    names = ("t::caught", "t::weaker", "t::unreached", "t::unstable", "t::drift", "t::broken")
    clean = {name: "passed" for name in names} | {"t::broken": "failed"}
    answers = {name: ("GET /account 200 aaa",) for name in names}
    varied = answers | {"t::unstable": ("GET /account 200 bbb",)}
    changed = answers | {"t::weaker": ("GET /account 200 ccc",)}
    drifted = answers | {"t::drift": ("GET /account 200 ddd",)}
    verdicts = [
        verdict(find("buy_not_debited"), _matrix_run(clean | {"t::caught": "failed"}, answers)),
        verdict(find("fill_not_notified"), _matrix_run(clean, changed)),
        verdict(find("account_extra_field"), _matrix_run(clean | {"t::drift": "failed"}, drifted)),
    ]
    matrix = kill_matrix.build([_matrix_run(clean, answers), _matrix_run(clean, varied)], verdicts)
    assert matrix.scenarios == 5
    assert matrix.broken == ("t::broken",)
    assert matrix.caught == {
        "buy_not_debited": ("t::caught",),
        "fill_not_notified": (),
        "account_extra_field": ("t::drift",),
    }
    assert matrix.stopped == {}
    assert [(u.scenario, u.judgement, u.reached_by) for u in matrix.uncaught] == [
        ("t::unreached", Judgement.UNREACHED, ()),
        ("t::unstable", Judgement.UNSTABLE, ()),
        ("t::weaker", Judgement.WEAKER, ("fill_not_notified",)),
    ]
    # Against the product defects alone, the scenario only drift caught is judged too.
    assert [(u.scenario, u.judgement) for u in matrix.uncaught_behaviour] == [
        ("t::drift", Judgement.UNREACHED),
        ("t::unreached", Judgement.UNREACHED),
        ("t::unstable", Judgement.UNSTABLE),
        ("t::weaker", Judgement.WEAKER),
    ]
    text = kill_matrix.render(matrix)
    assert "| buy_not_debited | 1 | t::caught |" in text
    assert "- t::weaker: weaker than it looks (its answers changed under fill_not_notified)" in text
    assert (
        "Scenarios that caught no product defect (only contract drift): 4; against the product"
        " defects, 1 weaker than it looks, 2 test something no product defect reaches, 1 not"
        " judged"
    ) in text
    assert "- t::drift" not in text  # the console lists only the weaker ones
    assert "- t::drift: tests something no defect reaches" in kill_matrix.render(matrix, shown=None)
    assert "Failing without any defect (left out):\n- t::broken" in text


def test_the_console_shows_a_few_catchers_and_the_file_all_of_them() -> None:
    many = {f"t::s{n:02d}": "passed" for n in range(10)}
    caught = verdict(find("quotes_sorted"), _matrix_run(dict.fromkeys(many, "failed"), {}))
    matrix = kill_matrix.build([_matrix_run(many, {})] * 2, [caught])
    assert (
        "| quotes_sorted | 10 | t::s00, t::s01, t::s02, t::s03, t::s04, t::s05, … and 4 more |"
        in (kill_matrix.render(matrix))
    )
    assert "t::s09" in kill_matrix.render(matrix, shown=None)


def test_answers_in_another_order_are_the_same_answers() -> None:
    race = ("POST /payments/withdrawals 201 aaa", "POST /payments/withdrawals 422 bbb")
    clean = _matrix_run({"t::race": "passed"}, {"t::race": race})
    swapped = _matrix_run({"t::race": "passed"}, {"t::race": race[::-1]})
    matrix = kill_matrix.build([clean, clean], [verdict(find("buy_not_debited"), swapped)])
    assert [(u.scenario, u.judgement) for u in matrix.uncaught] == [
        ("t::race", Judgement.UNREACHED)
    ]


def test_a_run_stopped_before_any_scenario_is_shown_as_such() -> None:
    line = "acceptance suite: the API at http://x is unreachable or unhealthy (503)"
    stopped = verdict(find("outage"), run(stopped=line, executed=0))
    matrix = kill_matrix.build([_matrix_run({"t::a": "passed"}, {})] * 2, [stopped])
    assert matrix.stopped == {"outage": line}
    assert f"| outage | 0 | none ran: the runner stopped the run ({line}) |" in (
        kill_matrix.render(matrix)
    )


def _signature(url: str, body: object, **headers: str) -> str:
    return answer_signature("GET", url, 200, headers, json.dumps(body))


def test_an_answer_signature_ignores_what_varies_between_runs_and_nothing_else() -> None:
    one = {
        "order_id": "ord_aaaaaaaaaaaa",
        "status": "FILLED",
        "quantity": 10,
        "created_at": "2026-11-27T10:00:00.123Z",
        "username": "alice_x1",
        "volume": 280,
    }
    other = one | {
        "order_id": "ord_bbbbbbbbbbbb",
        "created_at": "2027-01-02T11:12:13.456Z",
        "username": "alice_y2",
        "volume": 290,
    }
    same = _signature("http://h:1/orders/ord_aaaaaaaaaaaa?x=1", one)
    assert same == _signature("http://h:2/orders/ord_bbbbbbbbbbbb", other)
    assert same.startswith("GET /orders/{id} 200 ")
    for changed in (
        one | {"status": "filled"},
        one | {"quantity": 11},
        one | {"created_at": "2026-11-27T10:00:00.123+00:00"},
        {key: value for key, value in one.items() if key != "status"},
    ):
        assert _signature("http://h/orders/ord_aaaaaaaaaaaa", changed) != same
    replayed = _signature(
        "http://h/orders/ord_aaaaaaaaaaaa", one, **{"Idempotent-Replayed": "true"}
    )
    assert replayed != same
    assert answer_signature("POST", "http://h/orders", None, {}, "").startswith("POST /orders - ")
