package com.example.flashsale.product;

/** A product (table {@code products}); price in KRW, stock never negative. */
record Product(long id, String name, long price, int stock, String status) {
}
