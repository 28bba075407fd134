"""Print the API's OpenAPI document, generated from the routes' type hints.

``make openapi`` writes it to docs/openapi.json; ``make test`` fails when the checked-in
copy differs from what the code generates."""

from __future__ import annotations

import json
import os


def document() -> str:
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
    from remit.http.app import build_app, openapi_json

    # Re-indent so the checked-in file diffs line by line.
    return json.dumps(json.loads(openapi_json(build_app())), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(document(), end="")
