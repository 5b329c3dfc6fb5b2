"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "26d548fb3a6f314f964104ecddd9801f2ff9846c0c6235bba72d8165efc3e4f5"
