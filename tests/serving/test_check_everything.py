"""``asgipaste check`` loads everything and reports every problem once (the operator's first hour).

Each case is a file with the problems a newcomer met; the CLI runs in-process
(``asgipaste.cli.main``) so the output and exit code are what a user sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from asgipaste.cli import main

APP = "[app:main]\nuse = egg:FakeASGIApp#basic_app\n"


def _check(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str]:
    (tmp_path / "api-paste.ini").write_text(text)
    code = main(["check", str(tmp_path / "api-paste.ini"), *flags])
    return code, capsys.readouterr().out


def test_a_filter_no_pipeline_reaches_is_a_warning_and_strict_makes_it_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = APP + "[filter:audit]\npaste.filter_factory = not_installed_pkg.audit:filter_factory\n"
    code, out = _check(tmp_path, text, capsys)
    assert code == 0
    assert "warning: Cannot import 'not_installed_pkg.audit:filter_factory'" in out
    assert "(no entry point of this file reaches it)" in out and "1 warning(s)" in out
    code, out = _check(tmp_path, text, capsys, "--strict")
    assert code == 1 and "error: Cannot import 'not_installed_pkg.audit:filter_factory'" in out


def test_a_filter_a_pipeline_uses_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "[pipeline:main]\npipeline = audit app\n[app:app]\nuse = egg:FakeASGIApp#basic_app\n"
        "[filter:audit]\npaste.filter_factory = not_installed_pkg.audit:filter_factory\n"
    )
    code, out = _check(tmp_path, text, capsys)
    assert code == 1
    assert out.count("Cannot import 'not_installed_pkg.audit:filter_factory'") == 1


def test_two_problems_are_both_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "[composite:main]\nuse = egg:Paste#urlmap\n/a = one\n/b = two\n"
        "[app:one]\nuse = call:no_such_module_one:factory\n[app:two]\nuse = call:no_such_module_two:factory\n"
    )
    code, out = _check(tmp_path, text, capsys)
    assert code == 1
    assert out.count("error: Cannot import 'no_such_module_one") == 1
    assert out.count("error: Cannot import 'no_such_module_two") == 1
    assert "2 error(s)" in out


def test_a_broken_app_reached_from_two_composites_is_reported_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "[composite:main]\nuse = egg:Paste#urlmap\n/a = broken\n"
        "[composite:admin]\nuse = egg:Paste#urlmap\n/b = broken\n"
        "[app:broken]\nuse = call:no_such_module:factory\n"
    )
    code, out = _check(tmp_path, text, capsys)
    assert code == 1 and out.count("error:") == 1


def test_a_cycle_is_reported_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "[pipeline:main]\npipeline = f a\n[filter:f]\nuse = egg:FakeASGIApp#caps\n[app:a]\nuse = main\n"
    code, out = _check(tmp_path, text, capsys)
    assert code == 1 and out.count("Configuration cycle") == 1


def test_every_bad_server_option_with_did_you_mean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = APP + "[server:main]\nuse = egg:asgipaste#uvicorn\nworkers = many\nprot = 8080\n"
    code, out = _check(tmp_path, text, capsys)
    assert code == 1
    assert "Bad value for workers" in out
    assert "Unknown uvicorn server option(s): prot" in out and "did you mean 'port'?" in out


def test_legacy_waitress_typo_is_a_warning_and_nothing_about_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = APP + "[server:main]\nuse = egg:waitress#main\nlisten = 127.0.0.1:6543\nthreds = 4\n"
    code, out = _check(tmp_path, text, capsys)
    assert code == 0
    assert "warning: egg:waitress#main has no option 'threds' (did you mean 'threads'?)" in out
    assert "serving it with" not in out and "uvicorn on" not in out
    captured = capsys.readouterr()
    assert "serving it with" not in captured.err


def test_clean_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check(tmp_path, APP, capsys)
    assert code == 0 and out.startswith("OK: ") and "every section loads" in out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["check"])
    assert info.value.code == 2
