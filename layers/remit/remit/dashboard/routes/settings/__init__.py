"""The settings pages (admin only): one module per section, each with its GET and POST."""
