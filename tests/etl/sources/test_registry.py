"""The source registry: the default file, the documented examples, and one clear line for
each kind of mistake."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.errors import InputError
from etl.sources.registry import (
    DEFAULT_REGISTRY,
    REPO_ROOT,
    LocalSource,
    SecCapexSource,
    load_registry,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_registry_is_the_sample_folder() -> None:
    registry = load_registry(DEFAULT_REGISTRY)
    (source,) = registry.sources
    assert isinstance(source, LocalSource)
    assert source.path.resolve() == (REPO_ROOT / "sample_data").resolve()
    assert not registry.several


def toml_blocks(markdown: Path) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", markdown.read_text(encoding="utf-8"), re.S)


def test_every_toml_example_of_the_docs_is_a_valid_registry_or_source(tmp_path: Path) -> None:
    blocks = toml_blocks(REPO_ROOT / "docs" / "sources.md")
    assert len(blocks) == 3
    for block in blocks:
        registry = load_registry(write(tmp_path, block))
        assert registry.sources
    sec = load_registry(write(tmp_path, blocks[-1])).sources[-1]
    assert isinstance(sec, SecCapexSource)
    assert {c.company: c.cik for c in sec.companies} == {
        "Meta": 1326801,
        "Google": 1652044,
        "Microsoft": 789019,
        "Amazon": 1018724,
        "Oracle": 1341439,
        "Nvidia": 1045810,
    }
    assert [c.tag for c in sec.companies if c.tag] == ["PaymentsToAcquireProductiveAssets"]


def test_the_seed_names_of_the_documented_sec_companies_exist() -> None:
    seeds = (REPO_ROOT / "seeds" / "companies.csv").read_text(encoding="utf-8")
    for name in ("Meta", "Google", "Microsoft", "Amazon", "Oracle", "Nvidia"):
        assert f",{name}," in seeds


def test_paths_are_relative_to_the_registry_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "sources.toml"
    path.write_text('[[source]]\nname = "a"\nkind = "local"\npath = "../data"\n')
    (source,) = load_registry(path).sources
    assert isinstance(source, LocalSource) and source.path.resolve() == tmp_path / "data"


def test_the_user_agent_of_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path,
        '[http]\nuser_agent = "from-file a@b.org"\n[[source]]\nname = "a"\nkind = "local"\npath = "x"\n',
    )
    assert load_registry(path).http.user_agent == "from-file a@b.org"
    monkeypatch.setenv("LANDSCAPE_USER_AGENT", "from-env c@d.org")
    assert load_registry(path).http.user_agent == "from-env c@d.org"


MISTAKES = [
    (
        '[[source]]\nname = "a"\nkind = "nope"\n',
        "source 'a' (nope): kind must be one of local, remote_csv, remote_json, sec_capex",
    ),
    (
        '[[source]]\nname = "a"\nkind = "local"\npath = "x"\ncolour = 1\n',
        "source 'a' (local): colour: unknown setting (see docs/sources.md)",
    ),
    (
        '[[source]]\nname = "Big Name"\nkind = "local"\npath = "x"\n',
        "source 'Big Name' (local): name: must be lower-case letters",
    ),
    (
        '[[source]]\nname = "f"\nkind = "remote_csv"\nurl = "ftp://x/y.csv"\n',
        "source 'f' (remote_csv): url: must be an http:// or https:// URL",
    ),
    (
        '[[source]]\nname = "f"\nkind = "remote_json"\n',
        "source 'f' (remote_json): url: Field required",
    ),
    (
        '[[source]]\nname = "s"\nkind = "sec_capex"\ncompanies = [{company = "Meta", cik = "x"}]\n',
        "source 's' (sec_capex): companies.0.cik: Input should be a valid integer",
    ),
    (
        '[[source]]\nname = "s"\nkind = "sec_capex"\ncompanies = [{company = "Meta", cik = 1}, {company = "Meta", cik = 2}]\n',
        "source 's' (sec_capex): companies: company 'Meta' is listed twice",
    ),
    (
        '[http]\nretries = -1\n[[source]]\nname = "a"\nkind = "local"\npath = "x"\n',
        "http: retries: Input should be greater than or equal to 0",
    ),
    (
        '[[source]]\nname = "a"\nkind = "local"\npath = "x"\n[[source]]\nname = "a"\nkind = "local"\npath = "y"\n',
        "[[source]]: source name(s) a used twice",
    ),
    ("[http]\n", "lists no source: add a [[source]] table"),
    ("[[source]\n", "is not valid TOML: Expected ']]'"),
]


@pytest.mark.parametrize(("text", "says"), MISTAKES)
def test_a_mistake_is_one_line_naming_the_file_source_and_setting(
    text: str, says: str, tmp_path: Path
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as raised:
        load_registry(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert says in message
    assert "\n" not in message


def test_a_missing_registry_says_how_to_name_one(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such source registry; pass --sources FILE"):
        load_registry(tmp_path / "nope.toml")
