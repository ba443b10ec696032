package com.example.api;

import javax.annotation.Nullable;

public class OrderController {
    private final OrderService service;

    public OrderController(OrderService service) {
        this.service = service;
    }

    @GetMapping("/orders/{id}")
    public Order get(@PathVariable String id) {
        return service.find(id);
    }

<<<<<<< ours
    @Nullable
||||||| base
=======
    @Deprecated
>>>>>>> theirs
    public String note(String id) {
        return service.find(id).note();
    }
}
