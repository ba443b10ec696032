def total(price, qty, discount):
    """The price of qty items."""
    result = price * qty
    return result
