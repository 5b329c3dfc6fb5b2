"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "121cbe2f25de4601502a05c1d399a8594d7e82fa9b8c8e0fa1f706b145637996"
