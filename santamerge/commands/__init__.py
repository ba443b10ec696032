"""One module per sub-command; ``santamerge.cli`` assembles them."""
