def total(price, qty, discount):
    """The price of qty items."""
    result = round(price * qty, 2)
    return result
