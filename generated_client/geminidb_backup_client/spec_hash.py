"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "a8854193aecb038e4f2cfd4174971a51f90513d3d9b668150e94e2fdb9612204"
