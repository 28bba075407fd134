"""Email: the named templates and their defaults (``defaults``), rendering them safely
(``render``: a Jinja2 sandbox, autoescaped, strict about variables) and the MIME message
SES sends (``mime``)."""
