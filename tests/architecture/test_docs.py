"""The clinical rules the code cites are in the repository: every ``clinical-rules.md §N.N`` a
source file cites is a heading of docs/clinical-rules.md, and nothing points at a clinical
reference outside the repository, which a person who clones it does not have."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "clinical-rules.md"
FOLDERS = ("tracker", "demo", "bench", "tests")
CITING_SUFFIXES = (".py", ".html")
README = ROOT / "README.md"

# Built from pieces so that this file does not trip its own check.
OUTSIDE_REFERENCE = ("shared" + "/clinical", "REFERENCE" + ".md", "REFERENCE" + " §")

# "## 3. CRS grading" is §3; "### 3.2 Fever ..." is §3.2.
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", re.MULTILINE)
# A citation and the section numbers chained after it: "clinical-rules.md §5.3–§5.6",
# "clinical-rules.md §4.1, §4.3", "clinical-rules.md §9.2 and §9.3", "clinical-rules.md §7-§9".
SECTION = r"§\d+(?:\.\d+)?"
CITATION = re.compile(rf"clinical-rules\.md,?\s*({SECTION}(?:\s*(?:[-–,]|and)\s*{SECTION})*)")
RANGE = re.compile(rf"({SECTION})\s*[-–]\s*({SECTION})")


def _headings() -> set[str]:
    return set(HEADING.findall(DOC.read_text(encoding="utf-8")))


def _files(suffixes: tuple[str, ...] | None = None):
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if suffixes is None or path.suffix in suffixes:
                yield path


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="ignore")


def _number(section: str) -> tuple[int, ...]:
    return tuple(int(part) for part in section.lstrip("§").split("."))


def _expand(chain: str) -> set[str]:
    """The sections a chain names, ranges included: "§5.3–§5.6" is §5.3, §5.4, §5.5 and §5.6."""
    sections = {match.lstrip("§") for match in re.findall(SECTION, chain)}
    for start, end in RANGE.findall(chain):
        first, last = _number(start), _number(end)
        if len(first) == len(last) and first[:-1] == last[:-1]:
            prefix = ".".join(map(str, first[:-1]))
            for n in range(first[-1], last[-1] + 1):
                sections.add(f"{prefix}.{n}" if prefix else str(n))
    return sections


def cited_sections(text: str) -> set[str]:
    return {section for chain in CITATION.findall(text) for section in _expand(chain)}


def _missing(paths) -> list[str]:
    headings = _headings()
    problems = []
    for path in paths:
        for section in sorted(cited_sections(_text(path)) - headings, key=_number):
            problems.append(f"{path.relative_to(ROOT)} cites clinical-rules.md §{section}, which is not a heading")
    return problems


def test_citation_pattern_reads_chains_and_ranges():
    text = "docs/clinical-rules.md §5.3–§5.6; clinical-rules.md §4.1, §4.3 and clinical-rules.md §7-§9"
    assert cited_sections(text) == {"5.3", "5.4", "5.5", "5.6", "4.1", "4.3", "7", "8", "9"}
    assert cited_sections("docs/clinical-rules.md §9.2 and §9.3") == {"9.2", "9.3"}


def test_document_numbers_every_section_once():
    numbers = HEADING.findall(DOC.read_text(encoding="utf-8"))
    assert len(numbers) == len(set(numbers))
    for number in numbers:
        if "." in number:
            assert number.split(".")[0] in numbers, f"§{number} has no top-level section"


def test_every_cited_section_is_a_heading():
    assert _missing(_files(CITING_SUFFIXES)) == []


def test_readme_cites_only_headings_of_the_document():
    assert _missing([README]) == []


def test_nothing_points_outside_the_repository():
    found = [
        f"{path.relative_to(ROOT)}: {needle}"
        for path in _files()
        for needle in OUTSIDE_REFERENCE
        if needle in _text(path)
    ]
    assert found == []


def test_readme_points_nowhere_outside_the_repository():
    assert [needle for needle in OUTSIDE_REFERENCE if needle in _text(README)] == []
