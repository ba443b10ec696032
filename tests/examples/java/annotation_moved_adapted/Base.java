package shop;

public class PriceRule implements Rule {
    @Override
    public String name() {
        return "price";
    }

    @Override
    public boolean applies(Order order) {
        return order.total() > 0;
    }
}
