"""``remit-admin migrate``: rewrite stored items in the current schema version.

The walk is a paginated Scan of the whole table. Scan is never on a request path in
Remit; here it is the point: an operator's one-off pass over every item, paced by
``--rate`` (item reads and writes a second, so it leaves the table's throughput to the
API) in pages of ``--batch`` items.

Each item behind ``CURRENT`` gets an UpdateItem that sets what its steps changed and its
new ``schemaVersion``, conditioned on the version it was read at (and on the old value of
every attribute it changes). So a second run, or a second operator running at the same
time, changes nothing twice; an item the API rewrote in between fails the condition and is
read again and upgraded from what it is now.

After every page the position is saved to ``--cursor`` (a file); a run that stops (Ctrl-C,
a lost connection, ``pages``) resumes there next time. A completed walk removes the file.
``--dry-run`` counts what would change and writes nothing, cursor included.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from remit.store.migrations import CURRENT, SCHEMA_VERSION, pending, upgrade, version_of
from remit.store.table import ConditionFailed, Item, Table, deserialize

KEY_ATTRIBUTES = ("pk", "sk")
RETRIES = 3


@dataclass
class Progress:
    scanned: int = 0
    upgraded: int = 0
    current: int = 0
    retried: int = 0
    pages: int = 0
    operations: int = 0  # reads and writes, for the pacing
    done: bool = False
    by_version: dict[int, int] = field(default_factory=dict)

    def line(self) -> str:
        versions = ", ".join(f"v{v}: {n}" for v, n in sorted(self.by_version.items()))
        return (
            f"page {self.pages}: scanned {self.scanned}, upgraded {self.upgraded}, "
            f"already current {self.current}, re-read {self.retried} (read at {versions or '-'})"
        )


def _update(table: Table, old: Item, new: Item) -> None:
    """Write ``new`` over ``old`` if the item is still at ``old``'s version and still holds
    the old values of what changes."""
    names: dict[str, str] = {"#v": SCHEMA_VERSION}
    values: dict[str, Any] = {":new": new[SCHEMA_VERSION]}
    sets, removes = ["#v = :new"], []
    conditions = ["attribute_exists(pk)"]
    old_version = version_of(old)
    if SCHEMA_VERSION in old:
        conditions.append("#v = :old")
        values[":old"] = old_version
    else:
        conditions.append("attribute_not_exists(#v)")
    changed = [a for a in {*old, *new} - {SCHEMA_VERSION, *KEY_ATTRIBUTES} if old.get(a) != new.get(a)]
    for i, attribute in enumerate(sorted(changed)):
        names[f"#a{i}"] = attribute
        if attribute in new:
            values[f":a{i}"] = new[attribute]
            sets.append(f"#a{i} = :a{i}")
        else:
            removes.append(f"#a{i}")
        if attribute in old:
            values[f":o{i}"] = old[attribute]
            conditions.append(f"#a{i} = :o{i}")
        else:
            conditions.append(f"attribute_not_exists(#a{i})")
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    table.update(
        {k: old[k] for k in KEY_ATTRIBUTES},
        expression,
        condition=" AND ".join(conditions),
        names=names,
        values=values,
    )


def _migrate_item(table: Table, item: Item, progress: Progress, dry_run: bool) -> None:
    for _ in range(RETRIES):
        if not pending(item):
            progress.current += 1
            return
        if dry_run:
            progress.upgraded += 1
            return
        try:
            _update(table, item, upgrade(item))
            progress.operations += 1
            progress.upgraded += 1
            return
        except ConditionFailed:
            # Changed since the Scan read it (the API, or another migrate): read it again.
            progress.retried += 1
            progress.operations += 1
            fresh = table.get({k: item[k] for k in KEY_ATTRIBUTES})
            if fresh is None:
                return  # deleted meanwhile: nothing to upgrade
            item = fresh
    raise RuntimeError(f"item {item['pk']} / {item['sk']} kept changing: run migrate again")


def _load_cursor(path: Path) -> tuple[dict[str, Any] | None, Progress]:
    if not path.exists():
        return None, Progress()
    saved = json.loads(path.read_text())
    counts = {k: v for k, v in saved["progress"].items() if k != "by_version"}
    by_version = {int(k): v for k, v in saved["progress"].get("by_version", {}).items()}
    return saved["lastKey"], Progress(**counts, by_version=by_version)


def _save_cursor(path: Path, last_key: dict[str, Any], progress: Progress) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps({"lastKey": last_key, "progress": progress.__dict__}))
    tmp.replace(path)  # a reader never sees half a cursor


def migrate(
    table: Table,
    *,
    cursor: Path,
    batch: int = 100,
    rate: float = 50,
    dry_run: bool = False,
    pages: int | None = None,
    out: TextIO | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Progress:
    """Walk the table from the saved cursor (or the start); stop after ``pages`` pages if
    given (the rest is for the next run)."""
    out = out or sys.stdout  # looked up now: a test may have replaced it
    start, progress = (None, Progress()) if dry_run else _load_cursor(cursor)
    if start is not None:
        print(f"resuming after {deserialize(start)} ({progress.scanned} items scanned before)", file=out)
    print(f"migrating {table.name} to schema version {CURRENT}{' (dry run)' if dry_run else ''}", file=out)
    began, ops_at_start, walked = time.monotonic(), progress.operations, 0
    while pages is None or walked < pages:
        args: dict[str, Any] = {"TableName": table.name, "Limit": batch, "ConsistentRead": True}
        if start is not None:
            args["ExclusiveStartKey"] = start
        page = table.client.scan(**args)
        for raw in page.get("Items", []):
            item = deserialize(raw)
            progress.scanned += 1
            progress.operations += 1
            version = version_of(item)
            progress.by_version[version] = progress.by_version.get(version, 0) + 1
            _migrate_item(table, item, progress, dry_run)
        progress.pages += 1
        walked += 1
        start = page.get("LastEvaluatedKey")
        if start is None:
            progress.done = True
        elif not dry_run:
            _save_cursor(cursor, start, progress)
        print(progress.line(), file=out, flush=True)
        if progress.done:
            break
        # Pace to --rate: this run's operations should have taken at least ops / rate s.
        ahead = (progress.operations - ops_at_start) / rate - (time.monotonic() - began)
        if ahead > 0:
            sleep(ahead)
    if progress.done:
        cursor.unlink(missing_ok=True)
        print(f"done: {progress.upgraded} upgraded, {progress.current} already current", file=out)
    else:
        print(f"stopped; run migrate again to resume from {cursor}", file=out)
    return progress


def migrate_table(table: Table, args: argparse.Namespace) -> Progress:
    if args.batch < 1 or args.rate <= 0:
        raise ValueError("--batch must be at least 1 and --rate above 0")
    return migrate(table, cursor=args.cursor, batch=args.batch, rate=args.rate, dry_run=args.dry_run)


__all__ = ["Progress", "migrate", "migrate_table"]
