"""SHA-256 of the spec this client was generated from."""

SPEC_SHA256 = "ef5ee49ee59458d1ba84b69eb246e08ad4141f120d68c98517daec0b333c641f"
