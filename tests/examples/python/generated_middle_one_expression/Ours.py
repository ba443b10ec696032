def total(price, qty, discount):
    """The price of qty items."""
    result = price * qty * (1 - discount)
    return result
