from app.models import Order


def make_order(customer, items):
    return Order(
        customer=customer,
        items=items,
        status="new"
    )


def cancel_order(order, reason):
    return order.update(
        status="cancelled",
        reason=reason
    )
