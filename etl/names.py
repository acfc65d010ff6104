"""Company names folded for matching, in any script.

``Meta Platforms, Inc.``, ``meta platforms`` and ``META-PLATFORMS`` fold to one key, and so
do ``أوبن إيه آي`` and ``اوبن ايه اي``: case, spacing, punctuation, Latin accents, Arabic
diacritics and the variant forms of a few Arabic letters do not count.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Letters written two ways in Arabic-script text: fold to one.
_ARABIC_FOLD = str.maketrans({"ة": "ه", "ى": "ي", "ی": "ي", "ک": "ك", "ٱ": "ا", "ـ": None})
# Categories dropped: combining marks (accents, harakat, hamza above/below), punctuation,
# symbols of no meaning in a name, separators, and control or format characters.
_DROPPED = ("Mn", "Me", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Zs", "Zl", "Zp", "Cc", "Cf")
# A trailing legal form does not change which company is meant.
_LEGAL_FORMS = re.compile(r"(?:\s+(?:inc|llc|ltd|plc|corp|corporation|co|sa|sas|gmbh|ag))+\s*$")


def name_key(name: str) -> str:
    """The matching key of a company name (empty when nothing of it is left)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[.,]", " ", text)
    text = _LEGAL_FORMS.sub("", text.strip())
    text = unicodedata.normalize("NFD", text).translate(_ARABIC_FOLD)
    return "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED)


def new_company_id(name: str, taken: set[str]) -> str:
    """A fresh slug for a company no seed knows; Latin names read as themselves."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not slug:
        slug = "co-" + hashlib.md5(name_key(name).encode()).hexdigest()[:8]
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate
