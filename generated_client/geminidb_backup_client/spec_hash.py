"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "63566082f4370960d0ec9c09430de480deaab6d723e401f9a623a7ae8fc4dc90"
