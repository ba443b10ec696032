<<<<<<< ours
from shop.utils.money import format_price
||||||| base
from shop.helpers.money import format_price
=======
from shop.helpers.money import format_price
from shop.helpers.money import parse_price
>>>>>>> theirs
from shop.models import Cart


def cart_total(cart: Cart) -> str:
    return format_price(sum(item.price for item in cart.items))


def cart_refund(cart: Cart, amount: str) -> str:
    return format_price(parse_price(amount) - sum(i.price for i in cart.items))
