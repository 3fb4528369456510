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
    line = APP.count("\n") + 4  # the threds line, not the section's
    assert f"; it is ignored (in {tmp_path / 'api-paste.ini'}, line {line}, section [server:main])" in out
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


def test_a_broken_neighbour_hides_no_missing_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "[app:main]\nuse = call:no_such_module:factory\n"
        "[pipeline:pipe2]\npipeline = nofilter main\n"
        "[composite:root]\nuse = egg:Paste#urlmap\n/ = main\n/x = nosuch\n"
    )
    code, out = _check(tmp_path, text, capsys)
    assert code == 1
    assert "No section 'nofilter'" in out and "section [pipeline:pipe2], key 'pipeline'" in out
    assert "No section 'nosuch'" in out and "section [composite:root], key '/x'" in out
    assert out.count("error: Cannot import 'no_such_module") == 1


def test_logger_keys_do_not_make_a_composite_unreachable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # [loggers] keys = root names a logger, not [composite:root]: admin is reached through root.
    text = (
        "[composite:root]\nuse = egg:Paste#urlmap\n/admin = admin\n"
        "[app:admin]\nuse = call:no_such_module:factory\n"
        "[loggers]\nkeys = root\n[handlers]\nkeys = console\n[formatters]\nkeys = generic\n"
        "[logger_root]\nlevel = INFO\nhandlers = console\n"
        "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nformatter = generic\n"
        "[formatter_generic]\nformat = %(message)s\n"
    )
    code, out = _check(tmp_path, text, capsys)
    assert code == 1 and "error: Cannot import 'no_such_module" in out


def test_broken_logging_sections_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = APP + (
        "[loggers]\nkeys = root\n[handlers]\nkeys = consol\n[formatters]\nkeys = generic\n"
        "[logger_root]\nlevel = INFO\nhandlers = console\n"
        "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nformatter = generic\n"
        "[formatter_generic]\nformat = %(message)s\n"
    )
    code, out = _check(tmp_path, text, capsys)
    assert code == 1
    assert "error: [handlers] lists 'consol' but there is no [handler_consol] section" in out
    assert "[logger_root] uses the handler 'console', which [handlers] does not list" in out


def test_launcher_options_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "[DEFAULT]\nenabled_apis = main\nmain_listen_port = 8080\nmain_workers = 0\n" + APP
    code, out = _check(tmp_path, text, capsys)
    assert code == 1 and "main_workers = 0: must be at least 1" in out and "key 'main_workers'" in out


def test_launcher_names_an_api_with_no_section_first(tmp_path: Path) -> None:
    from asgipaste import ConfigError
    from asgipaste.launcher import read_launch_plan

    (tmp_path / "api-paste.ini").write_text("[DEFAULT]\nenabled_apis = main, ec2\n" + APP)
    with pytest.raises(ConfigError) as info:
        read_launch_plan(tmp_path / "api-paste.ini", {"main_listen_port": "8080"})
    assert info.value.message.startswith("enabled_apis names 'ec2', but the file has no [composite:ec2]")
    assert info.value.key == "enabled_apis"


def test_typos_get_hints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check(tmp_path, "[app:main]\nus\u0435 = egg:FakeASGIApp#basic_app\n", capsys)
    assert code == 1 and "did you mean 'use'" in out and "U+0435" in out
    code, out = _check(tmp_path, APP + "greeting = hello %(greet)s\n", capsys)
    assert code == 1 and "give greet a value: `greet=VALUE` on the command line" in out


def test_serve_refuses_an_unknown_app_before_starting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "api-paste.ini").write_text(APP + "[app:admin]\nuse = egg:FakeASGIApp#basic_app\n")
    code = main(["serve", str(tmp_path / "api-paste.ini"), "-n", "nosuch"])
    err = capsys.readouterr().err
    assert code == 1 and "No app section named 'nosuch'" in err and "apps in the file: main, admin" in err
