"""What the web SNA serves, loaded from the release and kept up to date when it changes.

:class:`Site` holds the readers (public, restricted, history) and the prepared tables:

- :meth:`Site.public` — the public state, built **only** from :class:`PublicRelease` and the
  public tables of ``history/``; the public routes call nothing else;
- :meth:`Site.exact` — the exact state (restricted table, findings), for partner routes;
- :meth:`Site.frame_for` — the table a logged-in user sees: exact, or for a scoped partner
  exact rows for their districts and public rows elsewhere.

Each state is rebuilt when its files change on disk (checked at most every ``recheck``
seconds), so a new ``svsna report`` run is picked up without a restart.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.web.data import IndicatorFrame, Lookup, Place, scoped_table
from svsna.web.geo import MapShapes
from svsna.web.release import Assessment, History, PublicRelease, RestrictedRelease, baseline_label

if TYPE_CHECKING:
    import pandas as pd

    from svsna.web.users import User

__all__ = ["ExactState", "PublicState", "Site", "SiteInfo"]


@dataclass(frozen=True)
class SiteInfo:
    """What the pages say about the area (from area.yaml)."""

    name: str
    label: str
    definitions: tuple[str, ...]
    marking: str = "OFFICIAL-SENSITIVE"


@dataclass
class PublicState:
    stamp: Any
    frame: IndicatorFrame
    manifest: dict[str, Any]
    places: list[Place]
    history: list[Assessment]
    previous: Assessment | None
    previous_frame: IndicatorFrame | None
    _changes: pd.DataFrame | None = None
    pages: OrderedDict[str, Any] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def changes(self) -> pd.DataFrame | None:
        from svsna.web.changes import compare_assessments

        if self.previous_frame is None:
            return None
        if self._changes is None:
            self._changes = compare_assessments(self.frame, self.previous_frame, public=True)
        return self._changes

    def cached(self, key: str, build: Any, limit: int = 2048) -> Any:
        """A rendered page part, built once per release (bounded LRU)."""
        with self.lock:
            if key in self.pages:
                self.pages.move_to_end(key)
                return self.pages[key]
        value = build()
        with self.lock:
            self.pages[key] = value
            while len(self.pages) > limit:
                self.pages.popitem(last=False)
        return value


@dataclass
class ExactState:
    stamp: Any
    frame: IndicatorFrame
    findings: list[dict[str, Any]]
    previous_frame: IndicatorFrame | None
    scoped: dict[tuple[str, ...], tuple[IndicatorFrame, IndicatorFrame | None]] = field(default_factory=dict)
    changes_cache: dict[tuple[str, ...], pd.DataFrame | None] = field(default_factory=dict)


class Site:
    """The readers and prepared tables behind every page."""

    def __init__(
        self,
        info: SiteInfo,
        public: PublicRelease,
        restricted: RestrictedRelease,
        history: History,
        full_history: History,
        lookup: Lookup,
        shapes: MapShapes,
        recheck: float = 2.0,
    ) -> None:
        self.info = info
        self._public_release = public
        self._restricted_release = restricted
        self._history = history  # public tables only
        self._full_history = full_history  # for logged-in users
        self.lookup = lookup
        self.shapes = shapes
        self.recheck = recheck
        self._lock = threading.RLock()
        self._public: PublicState | None = None
        self._exact: ExactState | None = None
        self._checked = 0.0
        self._checked_exact = 0.0

    # -- public ------------------------------------------------------------------------
    @property
    def public_release(self) -> PublicRelease:
        return self._public_release

    def public(self) -> PublicState:
        """The public state, from ``public/`` and the public tables of ``history/`` only."""
        now = time.monotonic()
        state = self._public
        if state is not None and now - self._checked < self.recheck:
            return state
        with self._lock:
            self._checked = now
            stamp = (self._public_release.stamp(), self._history.stamp())
            if self._public is None or self._public.stamp != stamp:
                self._public = self._load_public(stamp)
                self._exact = None
            return self._public

    def _load_public(self, stamp: Any) -> PublicState:
        import hashlib

        from svsna.web.data import find_places

        table = self._public_release.indicators()
        places = find_places(table, self.lookup)
        manifest = self._public_release.manifest()
        frame = IndicatorFrame(table, "public", self.info.label, places, self.lookup, baseline_label(manifest))
        history = self._history.assessments()
        ids = [a.id for a in history]
        if manifest.get("assessment_id") in ids:  # release.json names its own run
            earlier = history[: ids.index(manifest["assessment_id"])]
        else:  # else the current run is the one whose public table is this release's, byte for byte
            current = None
            if self._public_release.folder.exists("indicators-public.parquet"):
                current = hashlib.sha256(
                    self._public_release.folder.read_bytes("indicators-public.parquet")
                ).hexdigest()
            earlier = [a for a in history if a.public_digest() != current] if current else history[:-1]
        # the previous assessment: the newest past one that is not the current release
        previous = earlier[-1] if earlier else None
        prev_frame = None
        if previous is not None and previous.folder.exists("indicators-public.parquet"):
            # the previous assessment's labels name its own baseline year
            prev_frame = IndicatorFrame(
                previous.public_indicators(),
                "public",
                self.info.label,
                places,
                self.lookup,
                baseline_label(previous.manifest()),
            )
        return PublicState(stamp, frame, manifest, places, history, previous, prev_frame)

    # -- exact -------------------------------------------------------------------------
    def exact(self) -> ExactState:
        """The restricted state (call only for a logged-in user)."""
        pub = self.public()
        now = time.monotonic()
        state = self._exact
        if state is not None and now - self._checked_exact < self.recheck:
            return state
        with self._lock:
            self._checked_exact = now
            stamp = (self._restricted_release.stamp(), pub.stamp)
            if self._exact is None or self._exact.stamp != stamp:
                table = self._restricted_release.indicators()
                # the restricted table is written by the same report run as the public release
                frame = IndicatorFrame(table, "exact", self.info.label, pub.places, self.lookup, pub.frame.baseline)
                prev = None
                full = {a.id: a for a in self._full_history.assessments()}
                before = full.get(pub.previous.id) if pub.previous is not None else None
                if before is not None and before.folder.exists("indicators.parquet"):
                    prev = IndicatorFrame(
                        before.indicators(),
                        "exact",
                        self.info.label,
                        pub.places,
                        self.lookup,
                        baseline_label(before.manifest()),
                    )
                self._exact = ExactState(stamp, frame, self._restricted_release.findings(), prev)
            return self._exact

    def frame_for(self, user: User) -> tuple[IndicatorFrame, IndicatorFrame | None]:
        """``(current, previous)`` tables for a logged-in user (scoped partners get the mix)."""
        ex = self.exact()
        if not user.scoped:
            return ex.frame, ex.previous_frame
        key = tuple(sorted(user.districts))
        if key not in ex.scoped:
            pub = self.public()
            cur = scoped_table(pub.frame.table, ex.frame.table, key)
            cur_frame = IndicatorFrame(cur, "scoped", self.info.label, pub.places, self.lookup, ex.frame.baseline)
            prev_frame = None
            if pub.previous_frame is not None and ex.previous_frame is not None:
                prev = scoped_table(pub.previous_frame.table, ex.previous_frame.table, key)
                prev_frame = IndicatorFrame(
                    prev, "scoped", self.info.label, pub.places, self.lookup, ex.previous_frame.baseline
                )
            ex.scoped[key] = (cur_frame, prev_frame)
        return ex.scoped[key]

    def changes_for(self, user: User) -> pd.DataFrame | None:
        from svsna.web.changes import compare_assessments

        ex = self.exact()
        key = tuple(sorted(user.districts)) if user.scoped else ("*",)
        if key not in ex.changes_cache:
            cur, prev = self.frame_for(user)
            ex.changes_cache[key] = None if prev is None else compare_assessments(cur, prev, public=False)
        return ex.changes_cache[key]

    def restricted_path(self, name: str) -> Path:
        return self._restricted_release.path(name)

    @property
    def restricted_release(self) -> RestrictedRelease:
        return self._restricted_release
