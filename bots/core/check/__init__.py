"""The check: the engine, its worker processes, configuration, saved state, report, pre-publish
gate, the run as a library, and the rules. Pure."""
