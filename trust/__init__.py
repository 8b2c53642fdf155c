"""Tools that show the acceptance suite can be trusted: flakes, seeded defects, drift, speed."""
