"""Step definitions of the acceptance suite, its runner and its domain layer."""
