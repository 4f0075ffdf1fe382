"""Call recordings: metadata, audio storage and the rights over them."""
