"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "d8181d0b36e4c11c785fbb24f2d7852da04613abf571010318af1378528f3175"
