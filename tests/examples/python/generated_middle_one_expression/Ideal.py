def total(price, qty, discount):
    """The price of qty items."""
    result = round(price * qty * (1 - discount), 2)
    return result
