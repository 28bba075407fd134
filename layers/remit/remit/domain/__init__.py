"""Pure domain logic: no I/O, no clock, no AWS. Everything here is a function of its inputs."""
