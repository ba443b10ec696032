pub struct Order {
    pub items: Vec<u32>,
}

fn legacy_total(order: &Order) -> u32 {
    order.items.iter().sum()
}

pub fn invoice(order: &Order) -> String {
    format!("total: {}", legacy_total(order))
}

pub fn is_empty(order: &Order) -> bool {
    order.items.is_empty()
}
