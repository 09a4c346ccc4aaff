"""The README documents the whole command line: every `scraper` command has its section, and
every option of a command is named in that section, so the docs cannot fall behind the code.
(The README's SQL is run by test_readme_sql.py.)"""

from __future__ import annotations

import re

import click
import pytest
from conftest import REPO

from scraper.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")


def section(name: str) -> str:
    """The README's text under the heading "### `scraper NAME`", to the next heading of its
    level or above (its #### subsections included)."""
    heading = re.search(rf"^### `scraper {name}`\n", README, re.M)
    assert heading, f"the README has no section ### `scraper {name}`"
    end = re.compile(r"^#{1,3} ", re.M).search(README, heading.end())
    return README[heading.end():end.start() if end else len(README)]


def options(command: click.Command) -> list[str]:
    """Each spelling of each option (-o and --output), less --help, which every command has."""
    return [opt for param in command.params if isinstance(param, click.Option)
            for opt in (*param.opts, *param.secondary_opts) if opt not in ("-h", "--help")]


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_option_of_a_command_is_in_its_section(name):
    text = section(name)
    missing = [opt for opt in options(cli.commands[name])
               if not re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", text)]
    assert not missing, f"`scraper {name}`: the README's section does not name {missing}"


def test_the_group_options_and_the_command_table():
    assert "`--help` (`-h`)" in README and "scraper --version" in README
    table = README[README.index("## Commands\n"):README.index("## Crawling\n")]
    listed = set(re.findall(r"^\| `scraper ([\w-]+)", table, re.M))
    assert listed == set(cli.commands), set(cli.commands) ^ listed


def test_a_missing_option_would_be_found():
    """The check above can fail: an option named nowhere in a section is reported."""
    command = click.Command("x", params=[click.Option(["--not-in-the-readme"])])
    assert options(command) == ["--not-in-the-readme"]
    assert "--not-in-the-readme" not in section("export")
