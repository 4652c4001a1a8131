"""Pure logic of the verdict: parsing the launcher's report and precedence of statuses."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sandbox.models import ExecutionRequest, ExecutionResult, LimitsSpec, Status
from sandbox.verdict import decide_result, decode_output, parse_launcher_output

REQUEST = ExecutionRequest(image="x", run="true", limits=LimitsSpec(timeout_s=2, stdout_bytes=10))


def frame(meta: str, stdout: bytes = b"", stderr: bytes = b"", compile_out: bytes = b"") -> bytes:
    parts = [b"SBX1\n"]
    for name, body in (
        ("meta", meta.encode()),
        ("compile", compile_out),
        ("stdout", stdout),
        ("stderr", stderr),
    ):
        parts.append(f"{name} {len(body)}\n".encode() + body)
    return b"".join(parts)


def decide(data: bytes, **kwargs: object):  # type: ignore[no-untyped-def]
    report = parse_launcher_output(data)
    options = {
        "host_timed_out": False,
        "overflow": False,
        "state": {},
        "launcher_stderr": b"",
        "total_time_s": 0.1,
        "image_id": "sha",
    }
    options.update(kwargs)
    return decide_result(REQUEST, report, **options)  # type: ignore[arg-type]


def test_clean_exit_is_ok() -> None:
    result = decide(frame("run_rc=0\nrun_ns=1000\n", b"hi\n"))
    assert result.status is Status.OK and result.stdout == "hi\n"


def test_timeout_needs_the_deadline() -> None:
    assert decide(frame("run_rc=137\nrun_ns=2000000000\n")).status is Status.TIMEOUT
    killed_early = decide(frame("run_rc=137\nrun_ns=100\n"))
    assert killed_early.status is Status.NONZERO_EXIT and killed_early.signal == 9


def test_exit_codes_never_name_a_limit() -> None:
    """124 was `timeout`, and 137 after 97% of the limit too: the program chose them."""
    exit_124 = decide(frame("run_rc=124\nrun_ns=10000000\n"))
    assert (exit_124.status, exit_124.exit_code) == (Status.NONZERO_EXIT, 124)
    late_kill = decide(frame("run_rc=137\nrun_ns=1960000000\nrun_expired=0\n"))
    assert (late_kill.status, late_kill.signal) == (Status.NONZERO_EXIT, 9)


def test_timeout_is_what_the_launcher_saw() -> None:
    """The timer fired, or the phase ran (until its last process was gone) for its limit."""
    fired = decide(frame("run_rc=137\nrun_ns=1500000000\nrun_expired=1\n"))
    assert fired.status is Status.TIMEOUT
    over = decide(frame("run_rc=0\nrun_ns=2000000000\nrun_expired=0\n"))
    assert over.status is Status.TIMEOUT and over.exit_code == 0


def test_high_exit_codes_are_exit_codes_not_signals() -> None:
    fatal = decide(frame("run_rc=255\nrun_ns=100\n"))  # e.g. PHP's fatal error
    assert (fatal.status, fatal.exit_code, fatal.signal) == (Status.NONZERO_EXIT, 255, None)
    segv = decide(frame("run_rc=139\nrun_ns=100\n"))
    assert (segv.status, segv.exit_code, segv.signal) == (Status.NONZERO_EXIT, None, 11)


def test_oom_wins_over_plain_kill() -> None:
    assert decide(frame("run_rc=137\nrun_ns=100\nrun_oom_kills=1\n")).status is Status.OOM


def test_oom_is_the_cgroup_counter_whatever_the_exit_code() -> None:
    for rc in (0, 1, 137):
        result = decide(frame(f"run_rc={rc}\nrun_ns=100\nrun_oom_kills=2\n"))
        assert result.status is Status.OOM, rc
    assert decide(frame("run_rc=137\nrun_ns=100\nrun_oom_kills=0\n")).status is not Status.OOM
    compiled = "compile_rc=0\ncompile_ns=5\ncompile_oom_kills=1\n"
    assert decide(frame(compiled + "run_rc=0\nrun_ns=100\n")).status is Status.OK


def test_survivors_of_the_clean_up_are_a_sandbox_error() -> None:
    result = decide(frame("run_rc=0\nrun_ns=100\nrun_unreaped=1\n", b"ok\n"))
    assert result.status is Status.SANDBOX_ERROR and "survived" in (result.error or "")


def test_truncated_output_is_output_limit() -> None:
    result = decide(frame("run_rc=0\nrun_ns=1\n", b"x" * 11))
    assert result.status is Status.OUTPUT_LIMIT and result.stdout == "x" * 10


def test_compile_failure_skips_the_run() -> None:
    result = decide(frame("compile_rc=1\ncompile_ns=5\n", compile_out=b"error: nope"))
    assert result.status is Status.COMPILE_ERROR and result.compile_output == "error: nope"


def test_missing_report_is_never_a_pass() -> None:
    assert decide(b"garbage").status is Status.SANDBOX_ERROR
    assert decide(b"", host_timed_out=True).status is Status.TIMEOUT
    assert decide(b"", state={"OOMKilled": True}).status is Status.OOM
    assert decide(frame("run_rc=0")[:-3]).status is Status.SANDBOX_ERROR  # torn report


@given(st.binary(max_size=200), st.integers(min_value=1, max_value=100))
def test_decode_output_never_fails_and_caps(data: bytes, cap: int) -> None:
    text, cut = decode_output(data, cap)
    assert cut == (len(data) > cap)
    assert len(text.encode("utf-8", errors="surrogatepass")) >= 0
    assert text == data[:cap].decode("utf-8", errors="replace")


@given(st.binary(max_size=300), st.binary(max_size=300))
def test_report_roundtrip(stdout: bytes, stderr: bytes) -> None:
    report = parse_launcher_output(frame("run_rc=0\n", stdout, stderr))
    assert report is not None
    assert parse_launcher_output(b"noise" + frame("run_rc=0\n", stdout, stderr)) is None
    assert report.stdout == stdout and report.stderr == stderr


def test_a_sample_that_crashed_the_sandbox_is_a_failure_everywhere() -> None:
    """crashed_sandbox is inside the pass@k denominator as a failure, never "not judged"."""
    from runners.evalplus_suite.checks import CheckSettingsSpec, SampleStatus, decide_outcome
    from runners.evalplus_suite.scoring import sample_verdict
    from runners.multilang.verdicts import verdict_of
    from runners.records import Verdict

    crashed = ExecutionResult(status=Status.CRASHED_SANDBOX, error="no report, canary passed")
    assert not crashed.passed
    assert verdict_of(crashed) is Verdict.FAILED
    outcome = decide_outcome(crashed, CheckSettingsSpec())
    assert outcome.base_status is SampleStatus.FAIL
    assert sample_verdict(outcome) is Verdict.FAILED


def test_the_default_runtime_keeps_content_keys_made_before_it_existed() -> None:
    """A re-run finds the results stored before LimitsSpec had a runtime (resume)."""
    import hashlib
    import json

    request = ExecutionRequest(image="x", run="true", env={"A": "1"})
    before = request.model_dump(exclude={"tag"})
    del before["limits"]["runtime"]
    blob = json.dumps(before, sort_keys=True, ensure_ascii=False).encode()
    assert request.content_key() == hashlib.sha256(blob).hexdigest()
    gvisor = request.model_copy(update={"limits": LimitsSpec(runtime="runsc")})
    assert gvisor.content_key() != request.content_key()
    assert LimitsSpec().container_key() != LimitsSpec(runtime="runsc").container_key()
