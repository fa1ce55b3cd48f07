package com.example.flashsale.product;

import java.util.List;

/** Body of {@code GET /api/products}: the active products, by id; cached as a whole ({@code products:all}). */
public record ProductList(List<Product> products) {
}
