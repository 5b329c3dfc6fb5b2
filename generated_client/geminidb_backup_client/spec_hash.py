"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "398b05bc97e1c27a2693d534730a0781c828d994b3a30de08336b6824719f946"
