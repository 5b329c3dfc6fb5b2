"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "aee01a3adbab33a75f37a34c886195f67c5c8912dba8ebedfc005ad59e255a73"
