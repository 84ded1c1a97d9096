"""The public site: what readers see."""
