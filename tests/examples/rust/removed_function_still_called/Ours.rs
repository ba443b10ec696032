pub struct Order {
    pub items: Vec<u32>,
}

pub fn invoice(order: &Order) -> String {
    format!("total: {}", order.items.iter().sum::<u32>())
}

/// Whether the order has no items.
pub fn is_empty(order: &Order) -> bool {
    order.items.is_empty()
}
