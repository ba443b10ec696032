package shop;

public class Labels {
    public static String shelfLabel(Item item) {
        return item.name();
    }

<<<<<<< ours
    public static String receiptLine(final Item item) {
||||||| base
    public static String receiptLine(Item item) {
=======
    public static String boxLabel(Item item) {
        return "BOX " + legacyName(item);
    }

    public static String receiptLine(Item item) {
>>>>>>> theirs
        return item.name() + " " + item.price();
    }
}
