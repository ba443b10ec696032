def total(price, qty, discount):
    """The price of qty items."""
<<<<<<< ours
    result = price * qty * (1 - discount)
||||||| base
    result = price * qty
=======
    result = round(price * qty, 2)
>>>>>>> theirs
    return result
