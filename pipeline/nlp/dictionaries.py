"""Segmentation settings and the word lists behind them: user dictionaries, stopwords.

``SegmentOptions`` is the ``[segment]`` section. The package user dictionary
(``resources/userdict.txt``) and stopword list (``resources/stopwords.txt``) come first,
then any files the options name; ``dictionary_fingerprint`` hashes all of them so that
stored segmentations are redone when a word list changes.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

# Bump when segmentation, tagging or sentence rules change: it is part of the fingerprint.
NLP_VERSION = "1"

RESOURCE_PACKAGE = "pipeline.resources"
USERDICT_RESOURCE = "userdict.txt"
STOPWORDS_RESOURCE = "stopwords.txt"


@dataclass(frozen=True)
class SegmentOptions:
    """Settings of the segment stage (section ``[segment]`` of diaoyan.toml)."""

    # Extra jieba-format dictionaries ("word [freq] [tag]", "#" comments allowed),
    # loaded after the package dictionary so their entries win.
    user_dicts: tuple[str, ...] = ()
    # Extra stopword files (one token per line) added to the package list.
    stopword_files: tuple[str, ...] = ()
    # Worker processes for large batches; 1 keeps everything in-process.
    n_process: int = 2
    # Texts per nlp.pipe batch.
    batch_size: int = 64
    # Tag tokens (token.tag_ jieba tag, token.pos_ UPOS) by dictionary lookup.
    pos: bool = True
    # Below this many characters in total a process pool costs more than it saves
    # (forking plus result transfer is ~0.1 s; jieba does ~250k chars/s per core).
    parallel_min_chars: int = 200_000
    # Texts longer than this are segmented in pieces cut at paragraph ends and joined into
    # one Doc, so no report hits spaCy's max_length (1,000,000) and memory stays bounded.
    piece_chars: int = 100_000


@dataclass(frozen=True)
class DictEntry:
    """One user-dictionary line: a word, an optional frequency and an optional jieba tag."""

    word: str
    freq: int | None = None
    tag: str | None = None


# jieba's own user-dictionary syntax: the word may contain spaces only if followed by fields.
RE_USERDICT_LINE = re.compile(r"^(?P<word>\S+)(?:\s+(?P<freq>\d+))?(?:\s+(?P<tag>[A-Za-z]+))?$")


def parse_dictionary(text: str, source: str = "<string>") -> list[DictEntry]:
    """Parse jieba user-dictionary text, skipping blank lines and ``#`` comments."""
    entries = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = RE_USERDICT_LINE.match(line)
        if match is None:
            raise ValueError(f"{source}:{number}: not 'word [freq] [tag]': {line!r}")
        freq = int(match["freq"]) if match["freq"] else None
        # freq 0 makes jieba register a forced split in a module-global table.
        if freq == 0:
            raise ValueError(f"{source}:{number}: frequency must be positive: {line!r}")
        entries.append(DictEntry(match["word"], freq, match["tag"]))
    return entries


def _read_resource(name: str) -> str:
    return resources.files(RESOURCE_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def load_user_dictionary(user_dicts: Sequence[str] = ()) -> tuple[DictEntry, ...]:
    """Entries of the package dictionary followed by those of ``user_dicts`` files."""
    entries = parse_dictionary(_read_resource(USERDICT_RESOURCE), USERDICT_RESOURCE)
    for path in user_dicts:
        entries.extend(parse_dictionary(Path(path).read_text(encoding="utf-8"), str(path)))
    return tuple(entries)


def _word_lines(text: str) -> list[str]:
    lines = (line.strip() for line in text.lstrip("\ufeff").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def load_stopwords(stopword_files: Sequence[str] = ()) -> frozenset[str]:
    """Stopwords for topic modelling: the package list plus ``stopword_files``."""
    words = _word_lines(_read_resource(STOPWORDS_RESOURCE))
    for path in stopword_files:
        words.extend(_word_lines(Path(path).read_text(encoding="utf-8")))
    return frozenset(words)


@functools.lru_cache(maxsize=8)
def _version(package: str) -> str:
    # The installed version, read without importing the package (spaCy takes a second).
    return metadata.version(package)


def dictionary_fingerprint(options: SegmentOptions | None = None) -> str:
    """Hash of everything that changes segmentation output, for cache keys."""
    options = options or SegmentOptions()
    digest = hashlib.sha256()
    parts = [
        f"nlp={NLP_VERSION} jieba={_version('jieba')} spacy={_version('spacy')}",
        f"pos={options.pos}",
        _read_resource(USERDICT_RESOURCE),
        _read_resource(STOPWORDS_RESOURCE),
    ]
    parts += [Path(p).read_text(encoding="utf-8") for p in options.user_dicts]
    parts += [Path(p).read_text(encoding="utf-8") for p in options.stopword_files]
    for part in parts:
        # Length-prefix each part so moving a line between files changes the hash.
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()[:16]
