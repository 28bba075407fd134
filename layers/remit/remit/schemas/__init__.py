"""The public JSON shapes: request bodies the API accepts and the representations it (and
its events) return. camelCase and the seed's names; money as decimal strings."""
