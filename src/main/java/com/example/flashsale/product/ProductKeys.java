package com.example.flashsale.product;

/**
 * The Redis keys of the product feature (docs/redis.md). Stock and reservation keys share the hash tag
 * {@code {catalog}}, so one Lua script may reserve every line of an order atomically even on Redis
 * Cluster (the price: all stock lives on one shard). Cache keys must not contain braces (the read-through
 * cache uses the key itself as its hash tag).
 */
public final class ProductKeys {

	/** The cached list of active products. */
	public static final String ALL = "products:all";

	private ProductKeys() {
	}

	/** The sellable stock of {@code productId}. */
	public static String stock(long productId) {
		return "stock:{catalog}:" + productId;
	}

	/** The reservation record of {@code orderId} (a hash of stock key to reserved quantity). */
	public static String reservation(long orderId) {
		return "reservation:{catalog}:" + orderId;
	}

	/**
	 * The record of one applied stock adjustment ({@code redis/stock-adjust.lua}), so a resent adjustment
	 * is not applied twice; kept {@link ProductStock#ADJUSTMENT_MEMORY}.
	 */
	static String adjustment(String adjustmentId) {
		return "stock-adjustment:{catalog}:" + adjustmentId;
	}

	/**
	 * The generation of the sellable stock of {@code productId}: a new random token each time a load
	 * installs the key ({@code redis/stock-load.lua}), so a load that read MySQL before another load's install
	 * (and the sales from it) installs nothing.
	 */
	static String loadGeneration(long productId) {
		return "stock-generation:{catalog}:" + productId;
	}

	/** The cached view of one product. */
	static String product(long productId) {
		return "product:" + productId;
	}

	/**
	 * The cached offer of one product, what an order is priced and validated from: evicted when an admin
	 * changes the product, not when an order sells it.
	 */
	static String offer(long productId) {
		return "product-offer:" + productId;
	}

}
