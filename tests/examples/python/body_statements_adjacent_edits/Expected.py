import logging

log = logging.getLogger(__name__)


def import_orders(client, since):
<<<<<<< ours
    orders = client.fetch_orders(since=since, status="paid")
||||||| base
    orders = client.fetch_orders(since=since)
=======
    orders = client.fetch_orders(since=since)
    orders = [o for o in orders if not o.test]
>>>>>>> theirs
    log.info("fetched %d orders", len(orders))
    valid = [o for o in orders if o.total > 0]
    client.save(valid)
    return len(valid)
