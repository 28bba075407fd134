"""The HTTPS API: Powertools' REST resolver, one Router per resource, errors mapped in
one place. Handlers here parse and answer; the deciding happens in remit.services."""
