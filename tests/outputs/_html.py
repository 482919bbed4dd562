"""Reading the report back as a reader gets it: HTML text nodes, tables, images; PDF text."""

from __future__ import annotations

import functools
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path


class Parsed(HTMLParser):
    """Every text node (with the section it is in), attribute URL, image, table, caption."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.styles: list[str] = []
        self.imgs: list[dict[str, str]] = []
        self.tables: list[dict] = []
        self.captions: list[str] = []
        self.figcaptions: list[str] = []
        self.text: list[tuple[str, str]] = []  # (section id, text)
        self._section = ""
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in: list[str] = []
        self._skip = 0
        self._code = 0
        self._cap: list[str] | None = None
        self._figcap: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        for k in ("src", "href", "data", "poster", "srcset", "action", "xlink:href"):
            if k in a:
                self.urls.append(a[k])
        if "style" in a:
            self.styles.append(a["style"])
        if tag == "section" and a.get("id"):
            self._section = a["id"]
        if tag == "img":
            self.imgs.append({**a, "section": self._section})
            if a.get("alt"):
                self.text.append((self._section, a["alt"]))
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "code":
            self._code += 1
        if tag == "table":
            self.tables.append({"head": [], "rows": [], "section": self._section, "caption": ""})
        if tag == "caption":
            self._cap = []
        if tag == "figcaption":
            self._figcap = []
        if tag == "tr":
            self._row = []
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        if tag == "code":
            self._code -= 1
        if tag == "caption" and self._cap is not None:
            text = " ".join("".join(self._cap).split())
            self.captions.append(text)
            if self.tables:
                self.tables[-1]["caption"] = text
            self._cap = None
        if tag == "figcaption" and self._figcap is not None:
            self.figcaptions.append(" ".join("".join(self._figcap).split()))
            self._figcap = None
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "tr" and self._row is not None and self.tables:
            t = self.tables[-1]
            if not t["head"]:
                t["head"] = self._row
            else:
                t["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._skip:
            self.styles.append(data)
            return
        if not self._code:
            self.text.append((self._section, data))
        if self._cell is not None:
            self._cell.append(data)
        if self._cap is not None:
            self._cap.append(data)
        if self._figcap is not None:
            self._figcap.append(data)

    def all_text(self, skip_sections: tuple[str, ...] = ()) -> str:
        return " ".join(t for s, t in self.text if s not in skip_sections)


#: What the report's caption de-duplication (``report._distinct_captions``, a safety net) appends
#: to a repeated caption: the section's name in brackets, then the table or figure number.
FALLBACK_SUFFIX = re.compile(r" \[[A-Z][^\]]*\](?: \((?:Table|Figure) \d+\))?(?= \(Source:|$)")


def disambiguated(parsed: Parsed) -> list[str]:
    """Captions that say what distinguishes them only by the de-duplication's suffix."""
    return [c for c in parsed.captions + parsed.figcaptions if FALLBACK_SUFFIX.search(c)]


def parse(path: Path) -> Parsed:
    p = Parsed()
    p.feed(Path(path).read_text(encoding="utf-8"))
    return p


def pdf_pages(path: Path, *, raw: bool = False) -> list[str]:
    """The text of each page of a PDF as poppler's ``pdftotext`` reads it (once per file version).

    By default lines are rebuilt from where the text sits on the page (a contents line with its dot
    leaders and page number is one line); ``raw`` keeps the order the text was drawn in and every
    hyphen (``pdftotext`` otherwise joins a word broken at a line end, "S20 -" / "Wounding").
    """
    st = Path(path).stat()
    return list(_pdf_pages(str(path), st.st_mtime_ns, st.st_size, raw))


@functools.cache
def _pdf_pages(path: str, _mtime_ns: int, _size: int, raw: bool) -> tuple[str, ...]:
    mode = ["-raw"] if raw else []
    text = subprocess.run(
        ["pdftotext", *mode, "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    return tuple(pages[:-1] if text.endswith("\f") else pages)


def squash(text: str) -> str:
    """Text without whitespace or soft hyphens (a PDF wraps words across lines)."""
    return re.sub(r"[\s\u00ad]+", "", text)
