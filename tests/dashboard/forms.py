"""Reading a page's form the way a browser submits it: inputs with their values, checked
boxes only, each select's selected option (or its first), textareas."""

from __future__ import annotations

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: dict[str, str | None] | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            else:
                self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._option = a
            self._text = ""
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._option is not None or self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option" and self._option is not None:
            value = self._option.get("value")
            self._options.append((self._text.strip() if value is None else value, "selected" in self._option))
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = next(
                (v for v, selected in self._options if selected), self._options[0][0] if self._options else ""
            )
            self.fields.append((self._select, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text))
            self._textarea = None


def form_items(html: str, form_id: str) -> list[tuple[str, str]]:
    """Every (name, value) of ``<form id=form_id>`` as the browser posts them, a checkbox
    group's ticked boxes each."""
    parser = _Form(form_id)
    parser.feed(html)
    assert parser.fields, f"no form #{form_id} on the page"
    return parser.fields


def as_posted(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Items as Browser.post takes them (a list per name; urlencoded with doseq)."""
    posted: dict[str, list[str]] = {}
    for name, value in items:
        posted.setdefault(name, []).append(value)
    return posted


def choices(html: str, form_id: str, name: str) -> list[str]:
    """What a form offers for ``name``: a select's options or a checkbox group's values."""
    parser = _Choices(form_id, name)
    parser.feed(html)
    return parser.values


class _Choices(HTMLParser):
    def __init__(self, form_id: str, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.name = form_id, name
        self.inside = self.in_select = False
        self.values: list[str] = []
        self._option: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name") == self.name and a.get("type") in ("checkbox", "radio"):
            self.values.append(a.get("value") or "on")
        elif tag == "select":
            self.in_select = a.get("name") == self.name
        elif tag == "option" and self.in_select:
            self._option, self._text = a.get("value"), ""

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self.in_select:
            self.values.append(self._text.strip() if self._option is None else self._option)
        elif tag == "select":
            self.in_select = False
        elif tag == "form":
            self.inside = False


def form_fields(html: str, form_id: str) -> dict[str, str]:
    """The named fields of ``<form id=form_id>`` as the browser would post them (the last
    value of a repeated name; these forms repeat none but checkbox groups)."""
    parser = _Form(form_id)
    parser.feed(html)
    assert parser.fields, f"no form #{form_id} on the page"
    return dict(parser.fields)
