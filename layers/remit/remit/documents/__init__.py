"""Invoice and receipt documents: the view a document shows (``view``), its labels in
each language (``labels``), the HTML it is written in (``html``, Jinja2) and, only where
WeasyPrint is installed (the PDF function), the PDF (``pdf``). Nothing here but ``pdf``
imports WeasyPrint, so the API and workers can build views and HTML without it."""
