"""Personal API tokens: how a program acts as one user, with that user's current roles."""
