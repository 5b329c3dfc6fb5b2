"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "1e23378e8cc396df0cef4ff544b387e659b24b48acf02aa517246006a495fe77"
