package com.example.flashsale.product;

/**
 * A product's stock as the operator console shows it live (docs/operations.md "Operator console").
 *
 * @param stock the durable stock in MySQL
 * @param sellable the stock Redis lets orders reserve, null while not loaded
 * @param reserved units orders in flight hold: {@code stock - sellable} (0 when not loaded)
 */
public record ProductLive(long id, String name, int stock, Long sellable, long reserved) {
}
