package shop;

public class PriceRule implements Rule {
    @Override public String name() {
        return "price";
    }

<<<<<<< ours
    @Override public boolean applies(Order order) {
        return order.total() > 100;
||||||| base
    @Override
    public boolean applies(Order order) {
        return order.total() > 0;
=======
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public boolean applies(Order order) {
        return order.total() > 0;
>>>>>>> theirs
    }
}
