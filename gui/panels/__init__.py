"""The plot panels. Each is its own module with one public ``Panel`` subclass."""
