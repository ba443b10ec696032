from dataclasses import dataclass, field


@dataclass
class Cart:
    owner: str
    items: dict[str, int] = field(default_factory=dict)

    def add(self, sku: str, quantity: int = 1) -> None:
        self.items[sku] = self.items.get(sku, 0) + quantity

    def remove(self, sku: str) -> None:
        self.items.pop(sku, None)

    def count(self) -> int:
        return sum(self.items.values())

    def clear(self) -> None:
        self.items.clear()


def empty_cart(owner: str) -> Cart:
    return Cart(owner)
