"""The project's own tests and the bindings of the acceptance suite."""
