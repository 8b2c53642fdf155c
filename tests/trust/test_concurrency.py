"""The concurrency table from made-up figures (no load and no suite is run)."""

from __future__ import annotations

from trust import benchmarks, concurrency
from trust.concurrency import USERS, WORKERS, LoadFigures, Measured


def figures(throughput: float, p95: float) -> LoadFigures:
    return LoadFigures(
        throughput=throughput,
        p95=p95,
        cpu_ms=0.4,
        loop_ms=0.3,
        sandbox_busy=0.3,
        locust_busy=0.95,
        machine_busy=1.0,
        failures=0,
    )


def measured() -> Measured:
    # Two rounds; the second machine twice as slow, so only ratios within a round agree.
    return Measured(
        load={
            users: [figures(100 * scale, 2 * users), figures(50 * scale, 4 * users)]
            for users, scale in zip(USERS, (1, 2, 3, 2), strict=True)
        },
        suite={workers: [60 / workers, 120 / workers] for workers in WORKERS},
        suite_failures={workers: [0, 0] for workers in WORKERS},
    )


def test_each_ratio_is_taken_within_a_round_then_the_median() -> None:
    result = measured()
    assert result.load_ratio(1, "throughput") == 1
    assert result.load_ratio(16, "throughput") == 3
    assert result.load_ratio(64, "p95") == 64
    assert result.suite_ratio(4) == 0.25


def test_the_section_has_a_row_a_variant_between_its_own_markers() -> None:
    section = concurrency.render(measured(), rounds=2, duration=20, load=(1.0, 2.0, 3.0))
    assert section.startswith(concurrency.BEGIN)
    assert section.endswith(concurrency.END)
    assert (
        "| 16 | 300, 150 | 3.00 | 32, 64 | 16.00 | 0.40, 0.40 | 0.30, 0.30 | 30%, 30% | 95%, 95%"
        " | 100%, 100% | 0, 0 |"
    ) in section
    assert "| -n 2 | 30.0, 60.0 | 45.0 | 0.50 | 0, 0 |" in section
    assert "python -m trust concurrency" in section


def test_the_concurrency_section_leaves_the_suite_benchmarks_section_alone() -> None:
    suite = f"{benchmarks.BEGIN}\nsuite\n{benchmarks.END}"
    document = f"# Benchmarks\n\n{suite}\n"
    section = f"{concurrency.BEGIN}\nfirst\n{concurrency.END}"
    once = benchmarks.replace_section(
        document, section, begin=concurrency.BEGIN, end=concurrency.END
    )
    assert once == f"{document}\n{section}\n"
    again = benchmarks.replace_section(
        once,
        f"{concurrency.BEGIN}\nsecond\n{concurrency.END}",
        begin=concurrency.BEGIN,
        end=concurrency.END,
    )
    assert again == once.replace("first", "second")
    assert suite in again
