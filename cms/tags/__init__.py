"""Tags: named groups of posts (a post has any number), with addresses readers can follow."""
