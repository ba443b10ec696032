package shop;

public class Labels {
    public static String shelfLabel(Item item) {
        return item.name();
    }

    public static String receiptLine(final Item item) {
        return item.name() + " " + item.price();
    }
}
