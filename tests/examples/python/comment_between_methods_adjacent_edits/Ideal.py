from typing import Iterator, final


class PriceList:
    def __init__(self, prices: dict[str, float]) -> None:
        self.prices = prices

    def __iter__(self) -> Iterator[str]:
        return iter(self.prices)

    def price(self, sku: str) -> float:
        return self.prices[sku]

    # Totals are computed on demand: lists hold a few hundred prices at most.
    @final
    def total(self) -> float:
        return sum(self.prices.values())

    def cheapest(self) -> str:
        return min(self.prices, key=self.prices.__getitem__)
