"""Accounts: users, roles, who counts as staff, and the commands that manage them."""
