"""Use cases: each public method is one thing the API (or a scheduled function) does.
They read through the store, decide with the domain, and write back conditionally."""
