pub struct Order {
    pub items: Vec<u32>,
}

pub fn invoice(order: &Order) -> String {
    format!("total: {}", order.items.iter().sum::<u32>())
}

<<<<<<< ours
/// Whether the order has no items.
||||||| base
=======
pub fn receipt(order: &Order) -> String {
    format!("paid: {}", legacy_total(order))
}

>>>>>>> theirs
pub fn is_empty(order: &Order) -> bool {
    order.items.is_empty()
}
