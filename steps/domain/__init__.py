"""The domain layer: one API object per resource, between the steps and the HTTP client."""
