from dataclasses import dataclass, field


@dataclass
class Cart:
    items: dict[str, int] = field(default_factory=dict)

    def add(self, sku: str, qty: int = 1) -> None:
        self.items[sku] = self.items.get(sku, 0) + qty

    def remove(self, sku: str) -> None:
        self.items.pop(sku, None)

    def clear(self) -> None:
        self.items.clear()

    def contains(self, sku: str) -> bool:
        return sku in self.items

    def total_quantity(self) -> int:
        return sum(self.items.values())

    def __len__(self) -> int:
        return len(self.items)
