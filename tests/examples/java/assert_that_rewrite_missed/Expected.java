package shop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.Test;

public class CartTest {
    @Test
    public void emptyCartCostsNothing() {
        assertThat(new Cart().total()).isEqualTo(0);
    }

<<<<<<< ours
    @Test(timeout = 1000)
||||||| base
    @Test
=======
    @Test
    public void twoItems() {
        Cart cart = new Cart();
        cart.add(new Item("pen", 3));
        cart.add(new Item("ink", 4));
        assertEquals(7, cart.total());
    }

    @Test
>>>>>>> theirs
    public void oneItem() {
        Cart cart = new Cart();
        cart.add(new Item("pen", 3));
        assertThat(cart.total()).isEqualTo(3);
        assertThat(cart.size()).isEqualTo(1);
    }
}
