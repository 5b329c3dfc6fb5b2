"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "36ad0e7afa12d3918523aa54e17b1d8d9cbc32408da4978c893cca3ce6377ac3"
