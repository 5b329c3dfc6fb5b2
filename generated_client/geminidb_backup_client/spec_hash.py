"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "6985e9d6ce5b4dfcd5db4c6de9e605ad69a9e0cdfba24a9cb74773ade317f66f"
