package com.example.flashsale.product;

/**
 * A product as the API shows it (table {@code products}; docs/domain.md "Products").
 *
 * @param id the product id
 * @param name its display name
 * @param price the unit price in KRW
 * @param stock the durable stock (MySQL), never negative
 * @param status {@code ACTIVE} (for sale) or {@code INACTIVE}
 */
public record Product(long id, String name, long price, int stock, ProductStatus status) {
}
