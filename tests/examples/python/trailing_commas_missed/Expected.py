from app.models import Order


def make_order(customer, items):
    return Order(
        customer=customer,
        items=items,
        status="new",
    )


<<<<<<< ours
def cancel_order(order, reason: str):
||||||| base
def cancel_order(order, reason):
=======
def ship_order(order, carrier):
    return order.update(
        status="shipped",
        carrier=carrier
    )


def cancel_order(order, reason):
>>>>>>> theirs
    return order.update(
        status="cancelled",
        reason=reason,
    )
