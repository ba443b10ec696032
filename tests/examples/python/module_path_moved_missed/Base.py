from shop.helpers.money import format_price
from shop.models import Cart


def cart_total(cart: Cart) -> str:
    return format_price(sum(item.price for item in cart.items))
