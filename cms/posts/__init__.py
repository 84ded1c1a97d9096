"""Posts: the model, the rules for who may do what to them, and what "published" means."""
