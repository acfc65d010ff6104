"""Company names fold to one matching key in any script, and new names get fresh ids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.names import name_key, new_company_id
from etl.seeds import load_seeds
from tests.support import REPO

FOUNDING_ARTICLE = Path("seeds") / "000_fdc20798573a8a81.txt"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Meta Platforms, Inc.", "Meta Platforms"),
        ("META-PLATFORMS", "meta platforms"),
        ("  Meta  ", "Meta"),
        ("Open AI", "OpenAI"),
        ("OpenAI, Inc", "OpenAI"),
        ("Mistral AI SAS", "Mistral AI"),
        ("Alphabet Inc. LLC", "Alphabet"),  # several legal forms in a row
        ("Société Générale", "Societe Generale"),  # Latin accents
        ("ＯｐｅｎＡＩ", "OpenAI"),  # full-width letters (NFKC)
        ("أوبن إيه آي", "اوبن ايه اي"),  # hamza on or under alef, madda
        ("مِيتَا", "ميتا"),  # harakat
        ("ميـــتا", "ميتا"),  # tatweel
        ("ميدجورنى", "ميدجورني"),  # alef maksura for yeh
        ("میتا", "ميتا"),  # Persian yeh
        ("ﻣﻴﺘﺎ", "ميتا"),  # presentation forms, as copied from a PDF
        ("شركة", "شركه"),  # teh marbuta for heh
        ("Meta\u200f", "Meta"),  # a right-to-left mark (format character)
    ],
)
def test_spellings_of_one_name_fold_to_one_key(written: str, canonical: str) -> None:
    assert name_key(written) == name_key(canonical)
    assert name_key(written) != ""


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Meta", "Metal"),
        ("Scale AI", "Scale"),
        ("Coinbase", "base"),  # 'co' is a legal form only as a separate word at the end
        ("جوجل", "ميتا"),
        ("Inc", ""),  # a legal form alone is a name
    ],
)
def test_different_names_keep_different_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


def test_a_name_of_punctuation_only_has_an_empty_key() -> None:
    assert name_key(" -- , . ") == ""


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("Midjourny", set(), "midjourny"),
        ("Hugging Face, Inc.", set(), "hugging-face-inc"),
        ("Émile & Co", set(), "emile-co"),
        ("Midjourny", {"midjourny"}, "midjourny-2"),
        ("Midjourny", {"midjourny", "midjourny-2"}, "midjourny-3"),
    ],
)
def test_a_new_latin_name_reads_as_its_own_slug(name: str, taken: set[str], expected: str) -> None:
    assert new_company_id(name, taken) == expected


def test_a_new_name_in_another_script_gets_a_stable_hashed_id() -> None:
    first = new_company_id("شركة ناشئة", set())
    assert re.fullmatch(r"co-[0-9a-f]{8}", first)
    assert new_company_id("شركه ناشئه", set()) == first  # same key, same id
    assert new_company_id("شركة أخرى", set()) != first


def test_the_seed_index_knows_every_name_and_alias(seeds_dir: Path) -> None:
    index = load_seeds(seeds_dir).name_index()
    for written, company_id in [
        ("Facebook", "meta"),
        ("ميتا", "meta"),
        ("Meta Platforms, Inc.", "meta"),
        ("جوجل", "google"),
        ("alphabet", "google"),
        ("Google DeepMind", "google-deepmind"),
        ("أوبن إيه آي", "openai"),
        ("ميدجورني", "midjourney"),
        ("scale-ai", "scale-ai"),
    ]:
        assert index.get(name_key(written)) == company_id, written


def _founding_article() -> Path | None:
    for root in (Path("/work/shared"), REPO.parent / "shared"):
        if (root / FOUNDING_ARTICLE).is_file():
            return root / FOUNDING_ARTICLE
    return None


@pytest.mark.skipif(_founding_article() is None, reason="the founding article is not here")
def test_the_companies_of_the_founding_article_resolve(seeds_dir: Path) -> None:
    """The Arabic article that started the project (Meta licenses Midjourney's technology)
    names its companies in Arabic and in Latin script; each must resolve with the seeds."""
    article = _founding_article()
    assert article is not None
    text = article.read_text(encoding="utf-8")
    index = load_seeds(seeds_dir).name_index()
    named = {
        "ميتا": "meta",
        "ميدجورني": "midjourney",
        "Meta": "meta",
        "MidJourney": "midjourney",
        "Scale AI": "scale-ai",
        "OpenAI": "openai",
        "Google": "google",
    }
    for name, company_id in named.items():
        assert name in text, f"the article should name {name}"
        assert index.get(name_key(name)) == company_id, name
