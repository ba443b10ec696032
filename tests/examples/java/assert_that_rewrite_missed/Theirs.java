package shop;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class CartTest {
    @Test
    public void emptyCartCostsNothing() {
        assertEquals(0, new Cart().total());
    }

    @Test
    public void twoItems() {
        Cart cart = new Cart();
        cart.add(new Item("pen", 3));
        cart.add(new Item("ink", 4));
        assertEquals(7, cart.total());
    }

    @Test
    public void oneItem() {
        Cart cart = new Cart();
        cart.add(new Item("pen", 3));
        assertEquals(3, cart.total());
        assertEquals(1, cart.size());
    }
}
