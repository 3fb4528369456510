"""Every output shown in README.md and docs/*.md is produced here and compared.

The convention (see docs/layout.md, "Docs that cannot drift"): a fenced block
that shows what something printed is preceded by one HTML comment.

``<!-- output -->``
    The block is a terminal transcript: each ``$ COMMAND`` line is run from the
    repository root and the lines after it, up to the next ``$`` line, are what
    it must print (stdout, then stderr). ``$ echo $?`` prints the previous
    command's exit code. ``NAME=value`` before the command sets an environment
    variable; ``PYTHONPATH`` entries are relative to the repository root.
``<!-- output: COMMAND -->``
    The whole block is what COMMAND prints (for blocks that cannot hold the
    command line, such as a Mermaid diagram).
``<!-- output: python -->``
    The whole block is what the closest ```python block above it prints.
``<!-- request-config-example -->`` (and other keys of ``ELSEWHERE``) on the ```python block
    The ```text block that follows it is compared by the test ``ELSEWHERE``
    names, which predates this convention and finds the pair by that comment.
``<!-- illustrative: REASON -->``
    Not produced by a test (log lines with times, ports and pids; a hand-drawn
    diagram). The reason is required.

A block needs one of these when its info string is empty, ``text`` or
``mermaid``, or when (whatever its language) it holds a ``$ `` line followed
by something that is not another ``$`` line. Blocks of commands alone (``sh``,
``console`` with only ``$`` lines) and of input (``ini``, ``python``) need none. ``test_every_output_block_is_marked``
fails on an unmarked one, so nobody adds output that no test produces.

Nothing is normalised: ``asgipaste`` shows files below the working directory
relative to it (``tests/docs/pipline.ini``), as a user running the shown
command from the checkout sees them, and the commands shown were chosen so that
what they print holds no temporary path, port, pid or timing.
Trailing whitespace at line ends and blank lines at the block's end are
ignored, and ``COLUMNS=80`` is set so ``--help`` wraps as on an 80-column
terminal. argparse lays ``--help`` out differently from Python 3.13 on, so
blocks showing ``--help`` are compared on 3.11 and 3.12 (this project's venv runs 3.11)
and skipped, saying why, on later ones.

``asgipaste`` commands without environment assignments run in-process
(``asgipaste.cli.main``), the rest in a subprocess (marked slow).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import asgipaste.cli

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted(p for p in (REPO / "docs").glob("*.md") if p.name != "benchmarks.md")]

_FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
_MARKER = re.compile(r"^\s*<!--\s*(output|illustrative)\s*(?::\s*(.*?))?\s*-->\s*$")
_OUTPUT_LANGS = {"", "text", "mermaid"}
_ANY_COMMENT = re.compile(r"^\s*<!--\s*(\S+)\s*-->\s*$")

#: Examples whose output another test already compares, by the comment on their ```python block.
ELSEWHERE = {
    "request-config-example": REPO / "tests" / "routes" / "test_request_config.py",
}


@dataclass(frozen=True)
class Block:
    file: Path
    line: int  # of the opening fence, 1-based
    lang: str
    lines: tuple[str, ...]
    marker: str | None  # "output" | "illustrative" | "example" | "elsewhere" | None
    argument: str | None

    @property
    def where(self) -> str:
        return f"{self.file.relative_to(REPO) if self.file.is_relative_to(REPO) else self.file}:{self.line}"


def _blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(text):
        opening = _FENCE.match(text[index])
        if not opening:
            index += 1
            continue
        indent, lang = opening.groups()
        end = index + 1
        while end < len(text) and text[end].strip() != "```":
            end += 1
        body = tuple(line[len(indent):] if line.startswith(indent) else line.lstrip() for line in text[index + 1:end])
        before = index - 1
        while before >= 0 and not text[before].strip():
            before -= 1
        marker = _MARKER.match(text[before]) if before >= 0 else None
        other = _ANY_COMMENT.match(text[before]) if before >= 0 and not marker else None
        if marker:
            kind, argument = marker.group(1), marker.group(2)
        elif other and other.group(1) in ELSEWHERE:
            kind, argument = "example", other.group(1)
        elif blocks and blocks[-1].marker == "example" and lang == "text":
            kind, argument = "elsewhere", blocks[-1].argument  # the output right after such an example
        else:
            kind, argument = None, None
        blocks.append(Block(path, index + 1, lang, body, kind, argument))
        index = end + 1
    return blocks


ALL_BLOCKS = [block for path in DOCS for block in _blocks(path)]


def _shows_output(block: Block) -> bool:
    if block.lang in _OUTPUT_LANGS:
        return True
    lines = [line for line in block.lines if line.strip()]
    return any(
        line.startswith("$ ") and index + 1 < len(lines) and not lines[index + 1].startswith("$ ")
        for index, line in enumerate(lines)
    )


def _clean(lines: list[str] | tuple[str, ...]) -> list[str]:
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


def _run(command: str, previous_code: int) -> tuple[str, int]:
    """Run one shown command line from the repository root: (what it printed, exit code)."""
    words = shlex.split(command)
    env: dict[str, str] = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    if words == ["echo", "$?"]:
        return f"{previous_code}\n", 0
    assert words and words[0] == "asgipaste", f"only asgipaste commands are run: {command!r}"
    if not env:
        return _run_in_process(words[1:])
    paths = [str(REPO / part) for part in env.pop("PYTHONPATH", "").split(os.pathsep) if part]
    child_env = {**os.environ, "COLUMNS": "80", **env, "PYTHONPATH": os.pathsep.join([*paths, str(REPO)])}
    done = subprocess.run(
        [sys.executable, "-m", "asgipaste.cli", *words[1:]],
        cwd=REPO,
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        check=False,
    )
    return done.stdout, done.returncode


def _run_in_process(argv: list[str]) -> tuple[str, int]:
    saved_path, saved_cwd = list(sys.path), os.getcwd()
    saved_pythonpath = os.environ.get("PYTHONPATH")
    buffer = io.StringIO()
    saved_columns = os.environ.get("COLUMNS")
    try:
        os.environ["COLUMNS"] = "80"
        os.chdir(REPO)
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            try:
                code = asgipaste.cli.main(argv)
            except SystemExit as exc:  # argparse: --help, usage errors
                code = int(exc.code or 0)
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for name, value in (("PYTHONPATH", saved_pythonpath), ("COLUMNS", saved_columns)):
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return buffer.getvalue(), code


def _needs_subprocess(block: Block) -> bool:
    commands = [line[2:] for line in block.lines if line.startswith("$ ")]
    if block.argument and block.argument != "python":
        commands.append(block.argument)
    return any(re.match(r"[A-Z_][A-Z0-9_]*=", command) for command in commands)


def _python_above(block: Block) -> Block:
    earlier = [b for b in ALL_BLOCKS if b.file == block.file and b.line < block.line and b.lang == "python"]
    assert earlier, f"{block.where}: no ```python block above it"
    return earlier[-1]


def _produce(block: Block) -> list[str]:
    """What the block's commands print, in the block's own shape."""
    if block.argument == "python":
        source = "\n".join(_python_above(block).lines)
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(source, str(block.file), "exec"), {"__name__": "__docs__"})
        return buffer.getvalue().splitlines()
    if block.argument:
        return _run(block.argument, 0)[0].splitlines()
    produced: list[str] = []
    code = 0
    for line in block.lines:
        if line.startswith("$ "):
            produced.append(line)
            printed, code = _run(line[2:], code)
            produced.extend(printed.splitlines())
    return produced


OUTPUT_BLOCKS = [
    pytest.param(
        block,
        id=block.where,
        marks=[pytest.mark.slow] if _needs_subprocess(block) else [],
    )
    for block in ALL_BLOCKS
    if block.marker == "output"
]


def test_every_output_block_is_marked() -> None:
    unmarked = [block.where for block in ALL_BLOCKS if _shows_output(block) and block.marker is None]
    assert not unmarked, (
        "these blocks show output that no test produces; mark each <!-- output ... --> "
        f"(tests/docs/test_output_blocks.py says how) or <!-- illustrative: why -->: {unmarked}"
    )


def test_illustrative_blocks_say_why() -> None:
    bare = [block.where for block in ALL_BLOCKS if block.marker == "illustrative" and not block.argument]
    assert not bare, f"<!-- illustrative: REASON --> needs its reason: {bare}"


def test_output_compared_elsewhere_is_compared_there() -> None:
    for block in ALL_BLOCKS:
        if block.marker == "elsewhere":
            assert block.argument is not None
            test_file = ELSEWHERE[block.argument]
            assert f"<!-- {block.argument} -->" in test_file.read_text(encoding="utf-8"), block.where


def test_the_convention_is_in_use() -> None:
    where = {block.where.split(":")[0] for block in ALL_BLOCKS if block.marker == "output"}
    assert {"README.md", "docs/serving.md"} <= where


@pytest.mark.parametrize("block", OUTPUT_BLOCKS)
def test_output_block_is_what_the_command_prints(block: Block) -> None:
    shown = "\n".join([*block.lines, block.argument or ""])
    if "--help" in shown and sys.version_info >= (3, 13):
        pytest.skip("argparse lays --help out differently from Python 3.13; the docs show 3.11-3.12's")
    expected = _clean(block.lines)
    if block.marker == "output" and block.argument is None:
        assert expected and expected[0].startswith("$ "), f"{block.where}: a transcript starts with a $ line"
    assert _clean(_produce(block)) == expected, f"{block.where} differs from what its command prints"


def test_the_rules_find_unmarked_output(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```text\nsome output\n```\n\n"
        "```sh\n$ asgipaste check x.ini\nOK\n```\n\n"
        "```console\n$ uvicorn hello_app:app\n```\n\n"
        "<!-- illustrative: an example -->\n```\nlog line\n```\n\n"
        "```ini\n[app:main]\n```\n",
        encoding="utf-8",
    )
    found = [(block.line, _shows_output(block), block.marker) for block in _blocks(page)]
    assert found == [(1, True, None), (5, True, None), (10, False, None), (15, True, "illustrative"), (19, False, None)]
