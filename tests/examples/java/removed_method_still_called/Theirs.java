package shop;

public class Labels {
    private static String legacyName(Item item) {
        return item.code() + "-" + item.name();
    }

    public static String shelfLabel(Item item) {
        return legacyName(item);
    }

    public static String boxLabel(Item item) {
        return "BOX " + legacyName(item);
    }

    public static String receiptLine(Item item) {
        return item.name() + " " + item.price();
    }
}
